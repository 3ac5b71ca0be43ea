// What the migration manager of a BBS commit decides at start-up, as pure functions of its
// behaviour (bbs/versions/) and what it read. The manager (manager.ts) does the reads and writes;
// every decision is here, so the unit tests can hold each profile to the Go code of its commit.
//
// The code read, by profile (cloudfoundry/bbs, migration/manager.go unless said otherwise):
// - 2a8d20a0 (2016-03): the etcd DB only. No version → write {max, max} and serve.
// - db3234a7 (2016-05) … fd3b8213 (2017-09): resolveStoredVersion reads SQL first; a not-found
//   (and, until 8eda15e2, ANY error: db/sqldb/configuration_db.go getConfigurationValue returned
//   ErrResourceNotFound) falls back to etcd's version; nothing in either with SQL configured →
//   write {lastETCD, max} and run the migrations from lastETCD. Then "Target < Current" and
//   "Current > max" are fatal; Target ≠ max is rewritten (its error ignored); the pending
//   migrations run in order, the etcd-to-SQL migration getting the etcd client always (db3234a7) or
//   only while the version being migrated from is ≤ lastETCD (b1857ef9, 2016-06-13); the version is
//   written once after all (db3234a7) or after each (642c8ac7, 2017-08-17).
// - b2385bea (today): SQL only (09fd338b, 2018-02-15). The version is read in a transaction;
//   not found → write {0} and run every migration, each in one transaction with its version write
//   (ecdd1f99, 2023-11-30); any other error is fatal; no Target (43fc9d1d, 2018-02-08).

import type { BbsBehaviour } from '../versions/types.ts';
import type { Version } from './versions.ts';

/** A read of a stored version: the value (null: not found), or the error it failed with. */
export type VersionRead = { value: Version | null } | { error: string };

export interface StartContext {
  sql: boolean;
  etcd: boolean;
  /** Every migration version this BBS knows. */
  known: readonly number[];
  /** The last etcd-only migration (lastETCD). */
  lastEtcd: number;
}

/** The stores the manager actually uses: a store the commit had no code for is ignored. */
export function storesUsed(
  b: Pick<BbsBehaviour, 'migrationStores'>,
  c: Pick<StartContext, 'sql' | 'etcd'>,
): { sql: boolean; etcd: boolean } {
  return {
    sql: c.sql && b.migrationStores !== 'etcd',
    etcd: c.etcd && b.migrationStores !== 'sql',
  };
}

/** After the SQL version read: the version to go on with, a read of etcd next, or an exit. */
export type AfterSqlRead =
  | { next: 'use'; version: Version | null; masked?: string }
  | { next: 'read-etcd'; masked?: string }
  | { next: 'fatal'; reason: string };

export function afterSqlRead(b: BbsBehaviour, read: VersionRead, etcdUsed: boolean): AfterSqlRead {
  let masked: string | undefined;
  if ('error' in read) {
    // Until 8eda15e2 getConfigurationValue answered ErrResourceNotFound for every error.
    if (b.migrationVersionReadErrors === 'fail')
      return { next: 'fatal', reason: `reading the SQL version: ${read.error}` };
    masked = read.error;
  } else if (read.value) return { next: 'use', version: read.value };
  const m = masked !== undefined ? { masked } : {};
  return etcdUsed ? { next: 'read-etcd', ...m } : { next: 'use', version: null, ...m };
}

/**
 * After the etcd version read: a not-found is "nothing stored"; any error is fatal at every commit.
 */
export function afterEtcdRead(
  read: VersionRead,
): { next: 'use'; version: Version | null } | { next: 'fatal'; reason: string } {
  if ('error' in read) return { next: 'fatal', reason: `reading the etcd version: ${read.error}` };
  return { next: 'use', version: read.value };
}

/** One pending migration as the manager runs it. */
export interface PlannedMigration {
  version: number;
  /**
   * Whether the migration gets the etcd client (the etcd-to-SQL migration copies nothing without
   * it).
   */
  etcdClient: boolean;
  /** The version written right after it (after-each), or with it in its transaction (today). */
  writeAfter?: Version;
}

/** A version write; `errorIgnored` when the Go code dropped its error (the Target rewrite). */
export interface PlannedWrite {
  version: Version;
  errorIgnored?: true;
}

export type StartPlan =
  | { kind: 'fatal'; reason: string }
  /** Nothing to run: serve, after writing `writes` (in order). */
  | { kind: 'serve'; writes: PlannedWrite[] }
  | {
      kind: 'migrate';
      writesBefore: PlannedWrite[];
      migrations: PlannedMigration[];
      writesAfter: PlannedWrite[];
    };

const v = (c: number, t: number): Version => ({ CurrentVersion: c, TargetVersion: t });

/**
 * The start-up plan of the manager of behaviour `b`, given the stored version it resolved (null:
 * nothing in any store it reads). Mirrors Manager.Run of the cited commit line by line.
 */
export function startPlan(b: BbsBehaviour, stored: Version | null, c: StartContext): StartPlan {
  const used = storesUsed(b, c);
  const known = [...c.known].sort((x, y) => x - y);
  if (!used.sql && !used.etcd) return { kind: 'fatal', reason: 'no database configured' };
  if (b.migrationStores === 'sql') return sqlOnlyPlan(stored, known);
  // Without SQL the newest version this BBS runs is lastETCD (db3234a7: "no-sql-configuration").
  const max = used.sql ? (known[known.length - 1] ?? 0) : c.lastEtcd;
  const writesBefore: PlannedWrite[] = [];
  let version = stored;
  if (version === null) {
    if (!used.sql) return { kind: 'serve', writes: [{ version: v(max, max) }] }; // "fresh-etcd-skipping-migrations"
    version = v(c.lastEtcd, max); // "sql-is-configured": migrate from lastETCD
    writesBefore.push({ version });
  }
  if (b.targetVersionCheck && version.TargetVersion < version.CurrentVersion) {
    return {
      kind: 'fatal',
      reason: `Existing DB target version (${version.TargetVersion}) exceeds current version (${version.CurrentVersion})`,
    };
  }
  if (version.CurrentVersion > max)
    return {
      kind: 'fatal',
      reason: `Existing DB version (${version.CurrentVersion}) exceeds bbs version (${max})`,
    };
  // `m.writeVersion(version.CurrentVersion, maxMigrationVersion)`: its error is not checked.
  if (version.TargetVersion !== max)
    writesBefore.push({ version: v(version.CurrentVersion, max), errorIgnored: true });
  if (version.CurrentVersion === max) return { kind: 'serve', writes: writesBefore };
  const migrations: PlannedMigration[] = [];
  let last = version.CurrentVersion;
  for (const m of known) {
    if (m > max) break;
    if (m <= last) continue;
    const etcdClient = used.etcd && (b.etcdToSqlStoreClient === 'always' || last <= c.lastEtcd);
    last = m;
    migrations.push({
      version: m,
      etcdClient,
      ...(b.versionWrites === 'once-after-all' ? {} : { writeAfter: v(m, max) }),
    });
  }
  return {
    kind: 'migrate',
    writesBefore,
    migrations,
    writesAfter: b.versionWrites === 'once-after-all' ? [{ version: v(last, last) }] : [],
  };
}

/**
 * Today's manager (b2385bea): SQL only, version 0 before any migration, each migration with its
 * version write.
 */
function sqlOnlyPlan(stored: Version | null, known: number[]): StartPlan {
  const max = known[known.length - 1] ?? 0;
  const writesBefore: PlannedWrite[] = stored === null ? [{ version: v(0, 0) }] : [];
  const current = stored?.CurrentVersion ?? 0;
  if (current > max)
    return {
      kind: 'fatal',
      reason: `Existing DB version (${current}) exceeds bbs version (${max})`,
    };
  const migrations = known
    .filter((m) => m > current && m <= max)
    .map((m) => ({ version: m, etcdClient: false, writeAfter: v(m, 0) }));
  return migrations.length === 0
    ? { kind: 'serve', writes: writesBefore }
    : { kind: 'migrate', writesBefore, migrations, writesAfter: [] };
}

/** The version etcd is given for a version written to both stores. */
export function etcdCopyOf(
  b: Pick<BbsBehaviour, 'etcdVersionWrite'>,
  ver: Version,
  lastEtcd: number,
): Version {
  if (b.etcdVersionWrite === 'same') return ver;
  return {
    CurrentVersion: Math.min(ver.CurrentVersion, lastEtcd + 1),
    TargetVersion: ver.TargetVersion,
  };
}
