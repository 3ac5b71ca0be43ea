// What a fault at start-up does to the etcd-to-SQL migration on each BBS profile, worked out from
// the profile's decision logic (bbs/migrations/start-plan.ts) on a small model of the two stores.
// Pure: the README's per-profile table and the start-up fault story's expectations come from here,
// and test/unit/migration-startup-outcomes.test.ts holds it to outcomes written out by hand.
//
// The faults are the database's: a node refusing connections, a 1047 (WSREP not ready), a lost
// connection, a 1213. Each lasts for the whole phase it hits, so a retry inside the phase fails
// too. The phases:
//  - 'version-read': a (re)starting BBS reads the SQL version after the migration ran and the BBS
//    served (SQL holds the migrated records and what was written since);
//  - 'copy-sql': the first migration, the SQL node failing from after the tables are (re)created
//    until the desired LRPs are copied (their INSERTs and the domains' fail);
//  - 'copy-etcd': the same window with etcd refusing instead (its reads of domains and desired
//    LRPs fail).

import {
  afterEtcdRead,
  afterSqlRead,
  etcdCopyOf,
  startPlan,
} from '../../bbs/migrations/start-plan.ts';
import {
  ETCD_TO_SQL_VERSION,
  LAST_ETCD_VERSION,
  type Version,
} from '../../bbs/migrations/versions.ts';
import type { BbsBehaviour } from '../../bbs/versions/types.ts';

export const STARTUP_FAULTS = ['refused', '1047', 'lost-connection', '1213'] as const;
export type StartupFault = (typeof STARTUP_FAULTS)[number];
export const FAULT_PHASES = ['version-read', 'copy-sql', 'copy-etcd'] as const;
export type FaultPhase = (typeof FAULT_PHASES)[number];

export interface StartupOutcome {
  /** False when the profile has no such phase (no SQL version read, no etcd-to-SQL migration). */
  applies: boolean;
  /**
   * The BBS stops at start-up (its manager returns an error); the next start runs without the
   * fault.
   */
  exits: boolean;
  /** Runs of migration 1461790966 this start (and the next, after an exit) made. */
  reruns: number;
  /** Whether the etcd-to-SQL migration, over the deployment's life, ran exactly once. */
  exactlyOnce: boolean;
  lost: 'none' | 'every SQL record' | 'domains and desired LRPs';
  /** One sentence: why, in the profile's terms. */
  why: string;
}

const NA = (why: string): StartupOutcome => ({
  applies: false,
  exits: false,
  reruns: 0,
  exactlyOnce: true,
  lost: 'none',
  why,
});

/** The migrations the lab's dual BBS knows: lastETCD and the etcd-to-SQL migration. */
const KNOWN = [LAST_ETCD_VERSION, ETCD_TO_SQL_VERSION];
const MIGRATED: Version = {
  CurrentVersion: ETCD_TO_SQL_VERSION,
  TargetVersion: ETCD_TO_SQL_VERSION,
};

export function startupOutcome(
  b: BbsBehaviour,
  phase: FaultPhase,
  fault: StartupFault,
): StartupOutcome {
  if (b.migrationStores === 'etcd')
    return NA('this BBS ran on etcd only: no SQL version, no etcd-to-SQL migration');
  if (phase === 'version-read') return versionReadOutcome(b, fault);
  if (b.migrationStores === 'sql')
    return NA(
      'this BBS has no etcd and no etcd-to-SQL migration (InitSQL only creates the tables)',
    );
  if (phase === 'copy-etcd' && b.etcdReadErrors === 'fail')
    return {
      applies: true,
      exits: true,
      reruns: 1,
      exactlyOnce: true,
      lost: 'none',
      why: 'the failed etcd read fails the migration; the next start reruns it from lastETCD',
    };
  // Every commit with the migration logs a failed INSERT or etcd read and carries on, then writes
  // the version.
  const what =
    phase === 'copy-sql'
      ? `each INSERT of a domain or desired LRP fails (${fault}), is logged and skipped`
      : 'the etcd reads of domains and desired LRPs fail, are logged, and nothing of them is copied';
  return {
    applies: true,
    exits: false,
    reruns: 0,
    exactlyOnce: true,
    lost: 'domains and desired LRPs',
    why: `${what}; the migration still succeeds and the version says migrated, so nothing copies them again`,
  };
}

function versionReadOutcome(b: BbsBehaviour, fault: StartupFault): StartupOutcome {
  const sqlOnly = b.migrationStores === 'sql';
  const etcd = sqlOnly ? null : etcdCopyOf(b, MIGRATED, LAST_ETCD_VERSION);
  const next = afterSqlRead(b, { error: fault }, etcd !== null);
  const again = (why: string): StartupOutcome => ({
    applies: true,
    exits: true,
    reruns: 0,
    exactlyOnce: true,
    lost: 'none',
    why: `${why}; the next start reads the version and serves`,
  });
  if (next.next === 'fatal') return again('the failed read is fatal: the BBS exits');
  let stored: Version | null = null;
  if (next.next === 'read-etcd') {
    const e = afterEtcdRead({ value: etcd });
    if (e.next === 'fatal') return again(e.reason);
    stored = e.version;
  } else stored = next.version;
  const plan = startPlan(b, stored, {
    sql: true,
    etcd: !sqlOnly,
    known: KNOWN,
    lastEtcd: LAST_ETCD_VERSION,
  });
  const from = stored
    ? `etcd's version {${stored.CurrentVersion}, ${stored.TargetVersion}}`
    : 'no version anywhere';
  if (plan.kind === 'fatal')
    return again(`the read is taken as "no version", then ${from}: ${plan.reason}`);
  const rerun =
    plan.kind === 'migrate'
      ? plan.migrations.find((m) => m.version === ETCD_TO_SQL_VERSION)
      : undefined;
  if (!rerun)
    return {
      applies: true,
      exits: false,
      reruns: 0,
      exactlyOnce: true,
      lost: 'none',
      why: `the read is taken as "no version" and the BBS goes on with ${from}: already migrated, it serves`,
    };
  const drops = b.etcdToSqlTables === 'drop-and-create';
  const lost = drops ? 'every SQL record' : 'none';
  const copy = rerun.etcdClient ? 'copying etcd again' : 'without the etcd client, copying nothing';
  const tables = drops
    ? 'after dropping every table'
    : 'into the existing tables (CREATE TABLE IF NOT EXISTS; duplicates fail and are skipped)';
  return {
    applies: true,
    exits: false,
    reruns: 1,
    exactlyOnce: false,
    lost,
    why: `the read is taken as "no version", then ${from}: the etcd-to-SQL migration runs again ${tables}, ${copy}`,
  };
}
