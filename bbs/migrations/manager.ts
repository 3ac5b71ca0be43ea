// The migration manager the lock holder runs, as the BBS commit of its behaviour had it
// (bbs/versions/; every decision in start-plan.ts, cited there). This file does the I/O: it reads
// the stored version (SQL first, then etcd, as the commit did), asks start-plan.ts what to do,
// writes the versions (SQL first, then etcd) and runs the pending migrations.
//
// Known gap of every commit that wrote both stores (FACTS.md): a crash between the SQL version
// write and the etcd version write leaves etcd behind, so an etcd-only BBS can take the lock and
// serve stale etcd data. The hook 'between-version-writes' lets a test kill the node exactly there.

import type { EtcdBbsStore } from '../etcd/store.ts';
import { toOpError } from '../db/error.ts';
import type { Queryable } from '../sql/schema.ts';
import { createSchema } from '../sql/schema.ts';
import { shouldRetry } from '../sql/options.ts';
import { profileOf, type BbsBehaviour } from '../versions/index.ts';
import {
  etcdToSql,
  legacyEtcdMigrations,
  type HookPoint,
  type Migration,
  type MigrationReport,
} from './etcd-to-sql.ts';
import type { Journal } from './journal.ts';
import { SELECT_VERSION, versionOfRows, writeSqlVersion } from './sql-version.ts';
import {
  afterEtcdRead,
  afterSqlRead,
  etcdCopyOf,
  startPlan,
  storesUsed,
  type PlannedWrite,
  type StartPlan,
  type VersionRead,
} from './start-plan.ts';
import { LAST_ETCD_VERSION, VersionTooNewError, type Decision, type Version } from './versions.ts';

/** A later SQL migration that changes nothing: lets a lab model a newer BBS release. */
export function noopMigration(version: number, name = `no-op ${version}`): Migration {
  return { version, name, up: async () => ({ copied: {}, skipped: {} }) };
}

/** What each BBS generation knows. */
export const LEGACY_MIGRATIONS: readonly Migration[] = [legacyEtcdMigrations];
export const DUAL_MIGRATIONS: readonly Migration[] = [legacyEtcdMigrations, etcdToSql];

/**
 * The profile migration stories and tests run unless told otherwise: 2017-09 (fd3b8213), the
 * newest BBS that still had etcd and the etcd-to-SQL migration (today's has neither).
 */
export const MIGRATION_DEFAULT_VERSION = '2017-09';
/** The legacy (etcd-only, 0.1434.0-era) BBS's manager: the etcd-only manager of 2a8d20a0. */
export const LEGACY_VERSION = '2016-03';

/** A SQL pool: the manager takes one connection of its own for a version read in a transaction. */
export interface SqlPool extends Queryable {
  getConnection(): Promise<Queryable & { release(): void }>;
}

export interface ManagerOptions {
  node: string;
  migrations: readonly Migration[];
  /**
   * The BBS commit's behaviour (default: MIGRATION_DEFAULT_VERSION's with SQL, LEGACY_VERSION's
   * without).
   */
  behaviour?: BbsBehaviour;
  etcd?: EtcdBbsStore;
  sql?: SqlPool;
  journal?: Journal;
  log?: (msg: string) => void;
  hooks?: Partial<Record<HookPoint, () => Promise<void>>>;
}

export interface ManagerResult {
  decision: Decision;
  stored: Version | null;
  /** The error a masked SQL version read had (taken as "no version"), if any. */
  masked?: string;
  plan: StartPlan;
  ran: { version: number; report: MigrationReport }[];
}

/** The manager stopped the BBS (the Go Run returned an error): not a version conflict. */
export class MigrationFatalError extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class MigrationManager {
  readonly behaviour: BbsBehaviour;
  private readonly used: { sql: boolean; etcd: boolean };

  constructor(private readonly o: ManagerOptions) {
    if (!o.etcd && !o.sql) throw new Error('a BBS needs etcd or SQL');
    this.behaviour =
      o.behaviour ?? profileOf(o.sql ? MIGRATION_DEFAULT_VERSION : LEGACY_VERSION).behaviour;
    this.used = storesUsed(this.behaviour, { sql: !!o.sql, etcd: !!o.etcd });
  }

  get newest(): number {
    return Math.max(...this.o.migrations.map((m) => m.version));
  }

  private log(msg: string): void {
    this.o.log?.(`[${this.o.node}] ${msg}`);
  }

  private record(
    kind: Parameters<Journal['record']>[0]['kind'],
    version: number,
    extra: { store?: 'sql' | 'etcd'; detail?: string } = {},
  ): void {
    this.o.journal?.record({ node: this.o.node, kind, version, ...extra });
  }

  /**
   * The SQL version read the commit did: autocommit, its own retried transaction, or the manager's
   * transaction.
   */
  private async readSql(): Promise<VersionRead> {
    const b = this.behaviour;
    const sql = this.o.sql!;
    const attempts = b.versionReadTransaction === 'none' ? 1 : b.deadlockAttempts;
    let conn: (Queryable & { release(): void }) | undefined;
    let last = '';
    try {
      for (let i = 0; i < attempts; i++) {
        if (i > 0) await sleep(b.deadlockRetryDelayMs);
        try {
          if (b.versionReadTransaction === 'none')
            return { value: versionOfRows(await sql.query(SELECT_VERSION)) };
          // 'own' (47049111 … 2017-09): transact begins a new transaction on a pooled connection
          // each attempt. 'manager' (ecdd1f99): one transaction; RetryOnDeadlock repeats only
          // the SELECT inside it, so a lost connection stays lost.
          if (!conn || b.versionReadTransaction === 'own') {
            conn?.release();
            conn = undefined;
            conn = await sql.getConnection();
            await conn.query('BEGIN');
          }
          const value = versionOfRows(await conn.query(SELECT_VERSION));
          await conn.query('COMMIT');
          return { value };
        } catch (e) {
          const err = toOpError(e, 'statement');
          last = `${err.errno ?? err.code ?? 'error'}: ${err.message}`;
          if (b.versionReadTransaction === 'own') {
            await conn?.query('ROLLBACK').catch(() => undefined);
            conn?.release();
            conn = undefined;
          }
          if (b.versionReadTransaction === 'none' || !shouldRetry(b.deadlockRetry, err)) break;
        }
      }
    } finally {
      if (conn) {
        await conn.query('ROLLBACK').catch(() => undefined);
        conn.release();
      }
    }
    return { error: last };
  }

  private async readEtcd(): Promise<VersionRead> {
    try {
      return { value: await this.o.etcd!.version() };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }

  /** The stored version as the commit resolved it, or the fatal reason. */
  async readVersion(): Promise<{ version: Version | null; masked?: string } | { fatal: string }> {
    await this.hook('before-version-read');
    try {
      let masked: string | undefined;
      if (this.used.sql) {
        const read = await this.readSql();
        this.record('version-read', 'value' in read ? (read.value?.CurrentVersion ?? 0) : -1, {
          store: 'sql',
          detail: JSON.stringify(read),
        });
        const next = afterSqlRead(this.behaviour, read, this.used.etcd);
        if (next.next === 'fatal') return { fatal: next.reason };
        masked = next.masked;
        if (next.next === 'use')
          return { version: next.version, ...(masked !== undefined ? { masked } : {}) };
      }
      const read = await this.readEtcd();
      this.record('version-read', 'value' in read ? (read.value?.CurrentVersion ?? 0) : -1, {
        store: 'etcd',
        detail: JSON.stringify(read),
      });
      const next = afterEtcdRead(read);
      if (next.next === 'fatal') return { fatal: next.reason };
      return { version: next.version, ...(masked !== undefined ? { masked } : {}) };
    } finally {
      await this.hook('after-version-read');
    }
  }

  /** SQL first, then etcd (capped at lastETCD+1 from b1857ef9). */
  async writeVersion(v: Version): Promise<void> {
    if (this.used.sql) {
      await writeSqlVersion(this.o.sql!, v);
      this.record('version-write', v.CurrentVersion, { store: 'sql', detail: JSON.stringify(v) });
      await this.hook('between-version-writes');
    }
    if (this.used.etcd) {
      const ev = this.used.sql ? etcdCopyOf(this.behaviour, v, LAST_ETCD_VERSION) : v;
      await this.o.etcd!.setVersion(ev);
      this.record('version-write', ev.CurrentVersion, {
        store: 'etcd',
        detail: JSON.stringify(ev),
      });
    }
  }

  private async writeAll(ws: readonly PlannedWrite[]): Promise<void> {
    for (const w of ws) {
      try {
        await this.writeVersion(w.version);
      } catch (e) {
        if (!w.errorIgnored) throw e;
        this.log(`version write failed, ignored as the BBS did: ${(e as Error).message}`);
      }
    }
  }

  private async hook(p: HookPoint): Promise<void> {
    await this.o.hooks?.[p]?.();
  }

  /**
   * Throws VersionTooNewError when the stored version is newer than this BBS knows, and
   * MigrationFatalError for every other reason the commit's manager returned an error.
   */
  async run(): Promise<ManagerResult> {
    const read = await this.readVersion();
    if ('fatal' in read) {
      this.record('decision', -1, { detail: `fatal: ${read.fatal}` });
      this.log(`exiting: ${read.fatal}`);
      throw new MigrationFatalError(read.fatal);
    }
    const stored = read.version;
    const plan = startPlan(this.behaviour, stored, {
      sql: !!this.o.sql,
      etcd: !!this.o.etcd,
      known: this.o.migrations.map((m) => m.version),
      lastEtcd: LAST_ETCD_VERSION,
    });
    const decision: Decision =
      plan.kind === 'fatal'
        ? 'too-new'
        : plan.kind === 'migrate'
          ? 'migrate'
          : stored === null
            ? 'init'
            : 'serve';
    this.record('decision', stored?.CurrentVersion ?? 0, {
      detail:
        plan.kind === 'fatal'
          ? `fatal: ${plan.reason}`
          : decision +
            (read.masked !== undefined
              ? ` (SQL version read failed, taken as none: ${read.masked})`
              : ''),
    });
    this.log(
      `stored version ${JSON.stringify(stored)}${read.masked !== undefined ? ` (SQL read masked: ${read.masked})` : ''}: ${plan.kind}`,
    );
    const result: ManagerResult = {
      decision,
      stored,
      plan,
      ran: [],
      ...(read.masked !== undefined ? { masked: read.masked } : {}),
    };
    if (plan.kind === 'fatal') {
      const m = /^Existing DB version \((\d+)\) exceeds bbs version \((\d+)\)$/.exec(plan.reason);
      throw m
        ? new VersionTooNewError(Number(m[1]), Number(m[2]))
        : new MigrationFatalError(plan.reason);
    }
    if (plan.kind === 'serve') {
      // A fresh SQL-only install (today) also runs its migrations; a fresh etcd install just
      // writes.
      await this.writeAll(plan.writes);
      if (stored === null && this.used.sql) await createSchema(this.o.sql!);
      return result;
    }
    await this.writeAll(plan.writesBefore);
    for (const step of plan.migrations) {
      const m = this.o.migrations.find((x) => x.version === step.version)!;
      this.record('migration-start', step.version, {
        detail: step.etcdClient ? 'with the etcd client' : 'without the etcd client',
      });
      this.log(
        `running migration ${step.version} (${m.name})${step.etcdClient ? '' : ' without the etcd client'}`,
      );
      let report: MigrationReport;
      try {
        report = await m.up({
          behaviour: this.behaviour,
          ...(step.etcdClient && this.o.etcd ? { etcd: this.o.etcd } : {}),
          ...(this.o.sql ? { sql: this.o.sql } : {}),
          log: (s) => this.log(s),
          hook: (p) => this.hook(p),
        });
      } catch (e) {
        this.record('migration-failed', step.version, { detail: (e as Error).message });
        throw e;
      }
      this.record('migration-done', step.version, { detail: JSON.stringify(report) });
      result.ran.push({ version: step.version, report });
      if (step.writeAfter) await this.writeVersion(step.writeAfter);
    }
    await this.writeAll(plan.writesAfter);
    return result;
  }
}
