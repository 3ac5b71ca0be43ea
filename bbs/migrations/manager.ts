// The migration manager the lock holder runs (FACTS.md "Migrations"). It reads the stored version
// (SQL first, then etcd), decides with versions.ts, and when behind runs each pending migration in
// order, writing the version after each: SQL first, then etcd with Current capped at lastETCD+1.
// Before migrating it writes {Current: stored, Target: newest known} to both stores, so an
// etcd-only BBS that sees it keeps serving and a failed migration blocks nobody.
//
// Known gap, kept on purpose (FACTS.md): a crash between the SQL version write and the etcd version
// write leaves etcd at lastETCD. An etcd-only BBS can then take the lock and serve stale etcd data,
// and the new BBS (Current == own in SQL) never rewrites etcd. The hook 'between-version-writes'
// lets a test kill the node exactly there.

import type { EtcdBbsStore } from '../etcd/store.ts';
import type { Queryable } from '../sql/schema.ts';
import { createSchema } from '../sql/schema.ts';
import { etcdToSql, legacyEtcdMigrations, type HookPoint, type Migration, type MigrationReport } from './etcd-to-sql.ts';
import type { Journal } from './journal.ts';
import { readSqlVersion, writeSqlVersion } from './sql-version.ts';
import { decide, etcdVersionOf, pending, VersionTooNewError, type Decision, type Version } from './versions.ts';

/** A later SQL migration that changes nothing: lets a lab model a newer BBS release. */
export function noopMigration(version: number, name = `no-op ${version}`): Migration {
  return { version, name, up: async () => ({ copied: {}, skipped: {} }) };
}

/** What each BBS generation knows. */
export const LEGACY_MIGRATIONS: readonly Migration[] = [legacyEtcdMigrations];
export const DUAL_MIGRATIONS: readonly Migration[] = [legacyEtcdMigrations, etcdToSql];

export interface ManagerOptions {
  node: string;
  migrations: readonly Migration[];
  etcd?: EtcdBbsStore;
  sql?: Queryable;
  journal?: Journal;
  log?: (msg: string) => void;
  hooks?: Partial<Record<HookPoint, () => Promise<void>>>;
}

export interface ManagerResult {
  decision: Decision;
  stored: Version | null;
  ran: { version: number; report: MigrationReport }[];
}

export class MigrationManager {
  constructor(private readonly o: ManagerOptions) {
    if (!o.etcd && !o.sql) throw new Error('a BBS needs etcd or SQL');
  }

  get newest(): number {
    return Math.max(...this.o.migrations.map((m) => m.version));
  }

  private log(msg: string): void {
    this.o.log?.(`[${this.o.node}] ${msg}`);
  }

  /** SQL first, then etcd. */
  async readVersion(): Promise<Version | null> {
    if (this.o.sql) {
      const v = await readSqlVersion(this.o.sql);
      if (v) return v;
    }
    if (this.o.etcd) return this.o.etcd.version();
    return null;
  }

  /** SQL first, then etcd (capped at lastETCD+1). */
  async writeVersion(v: Version): Promise<void> {
    if (this.o.sql) {
      await writeSqlVersion(this.o.sql, v);
      this.o.journal?.record({ node: this.o.node, kind: 'version-write', version: v.CurrentVersion, store: 'sql', detail: JSON.stringify(v) });
      await this.hook('between-version-writes');
    }
    if (this.o.etcd) {
      const ev = etcdVersionOf(v);
      await this.o.etcd.setVersion(ev);
      this.o.journal?.record({ node: this.o.node, kind: 'version-write', version: ev.CurrentVersion, store: 'etcd', detail: JSON.stringify(ev) });
    }
  }

  private async hook(p: HookPoint): Promise<void> {
    await this.o.hooks?.[p]?.();
  }

  /** Throws VersionTooNewError when the stored version is newer than this BBS knows. */
  async run(): Promise<ManagerResult> {
    const own = this.newest;
    const stored = await this.readVersion();
    const decision = decide(stored, own);
    this.o.journal?.record({ node: this.o.node, kind: 'decision', version: stored?.CurrentVersion ?? 0, detail: decision });
    this.log(`stored version ${JSON.stringify(stored)}, own ${own}: ${decision}`);
    const result: ManagerResult = { decision, stored, ran: [] };
    if (decision === 'too-new') throw new VersionTooNewError(stored!.CurrentVersion, own);
    if (decision === 'serve') return result;
    if (decision === 'init') {
      // A fresh install: nothing to migrate. The lab creates the SQL tables here (the 2016 code's
      // fresh-SQL path is not modelled further).
      if (this.o.sql) await createSchema(this.o.sql);
      await this.writeVersion({ CurrentVersion: own, TargetVersion: own });
      return result;
    }
    let current = stored!.CurrentVersion;
    await this.writeVersion({ CurrentVersion: current, TargetVersion: own });
    for (const v of pending(this.o.migrations.map((m) => m.version), current)) {
      const m = this.o.migrations.find((x) => x.version === v)!;
      this.o.journal?.record({ node: this.o.node, kind: 'migration-start', version: v });
      this.log(`running migration ${v} (${m.name})`);
      let report: MigrationReport;
      try {
        report = await m.up({
          ...(this.o.etcd ? { etcd: this.o.etcd } : {}),
          ...(this.o.sql ? { sql: this.o.sql } : {}),
          log: (s) => this.log(s),
          hook: (p) => this.hook(p),
        });
      } catch (e) {
        this.o.journal?.record({ node: this.o.node, kind: 'migration-failed', version: v, detail: (e as Error).message });
        throw e;
      }
      this.o.journal?.record({ node: this.o.node, kind: 'migration-done', version: v, detail: JSON.stringify(report) });
      result.ran.push({ version: v, report });
      current = v;
      await this.writeVersion({ CurrentVersion: current, TargetVersion: own });
    }
    return result;
  }
}
