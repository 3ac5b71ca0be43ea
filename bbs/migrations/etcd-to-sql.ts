// Migration 1461790966, etcd to SQL (db/migrations/1461790966_etcd_to_sql.go), as the commit of
// the run's behaviour had it (bbs/versions/; docs/bbs-versions.md, migration section):
// - the tables: CREATE TABLE IF NOT EXISTS (db3234a7, 2016-05-03), or DROP (errors ignored) and
//   CREATE (e8b189e8, 2016-11-04): a rerun then loses everything written to SQL since;
// - without the etcd client (b1857ef9 hands it over only when migrating from lastETCD or below)
//   it stops there: "skipping-migration-because-no-etcd-configured";
// - then, in this order, read a resource from etcd and INSERT its records, each in autocommit:
//   domains, desired LRPs (scheduling infos, then run infos), actual LRPs (skipping evacuating
//   ones), tasks. A failed etcd read is logged and nothing of that resource is copied; a failed
//   INSERT is logged and skipped; the migration still succeeds (every commit that had it, db3234a7
//   to 09fd338b). `etcdReadErrors: 'fail'` is a hypothetical only.
// - a domain's expire_time is now + its etcd TTL: a domain with no TTL (TTL 0, "never expires")
//   arrives already expired (`e.clock.Now().UnixNano() + int64(time.Second)*node.TTL`), unlike
//   UpsertDomain, which stores math.MaxInt64 for TTL 0.
// What the lab leaves out: the real code copied since, created_at, updated_at and
// first_completed_at from etcd; the lab's etcd records carry no timestamps, so it writes the
// migration's time. The real code panics on a run info without its scheduling info (a nil map
// entry); the lab skips such a torn desired LRP and counts it.

import type { EtcdBbsStore } from '../etcd/store.ts';
import {
  CREATE_ACTUAL_LRPS,
  CREATE_DESIRED_LRPS,
  CREATE_DOMAINS,
  CREATE_TASKS,
  createSchema,
  nowNs,
  TASK_STATE_CODE,
  type Queryable,
} from '../sql/schema.ts';
import type { BbsBehaviour } from '../versions/types.ts';
import { ETCD_TO_SQL_VERSION } from './versions.ts';

export type HookPoint =
  | 'before-version-read'
  | 'after-version-read'
  | 'after-drop'
  | 'after-read'
  | 'mid-copy'
  | 'after-copy'
  | 'between-version-writes';
export const HOOK_POINTS: readonly HookPoint[] = [
  'before-version-read',
  'after-version-read',
  'after-drop',
  'after-read',
  'mid-copy',
  'after-copy',
  'between-version-writes',
];

export interface MigrationContext {
  behaviour: BbsBehaviour;
  /** Absent when the manager did not hand the migration the etcd client. */
  etcd?: EtcdBbsStore;
  sql?: Queryable;
  log(msg: string): void;
  /** Lets a test or scenario act (kill the node, inject a fault) at a named point. */
  hook(point: HookPoint): Promise<void>;
}

export interface Migration {
  version: number;
  name: string;
  up(ctx: MigrationContext): Promise<MigrationReport>;
}

export interface MigrationReport {
  copied: Record<string, number>;
  skipped: Record<string, number>;
  /** The etcd reads that failed and were logged (nothing of that resource copied). */
  failedReads?: string[];
}

const EMPTY_JSON = Buffer.from('{}');
/** The drop order of e8b189e8's dropTables. */
const TABLES = ['domains', 'tasks', 'desired_lrps', 'actual_lrps'];

export const etcdToSql: Migration = {
  version: ETCD_TO_SQL_VERSION,
  name: 'etcd-to-sql',
  async up(ctx) {
    const report: MigrationReport = {
      copied: { domains: 0, desiredLRPs: 0, actualLRPs: 0, tasks: 0 },
      skipped: {
        evacuating: 0,
        failedInserts: 0,
        incompleteDesiredLRPs: 0,
        domainsExpiredAtOnce: 0,
      },
      failedReads: [],
    };
    const sql = ctx.sql;
    if (!sql) throw new Error('etcd-to-sql: no SQL store configured');
    if (ctx.behaviour.etcdToSqlTables === 'drop-and-create') {
      // "Ignore the error as the tables may not exist"
      for (const t of TABLES) {
        const ok = await sql.query(`DROP TABLE IF EXISTS ${t}`).then(
          () => true,
          () => false,
        );
        if (!ok) break;
      }
      // CREATE TABLE without IF NOT EXISTS: a table a failed DROP left behind fails the migration.
      for (const ddl of [CREATE_DOMAINS, CREATE_DESIRED_LRPS, CREATE_ACTUAL_LRPS, CREATE_TASKS])
        await sql.query(ddl.replace('IF NOT EXISTS ', ''));
    }
    await createSchema(sql);
    await ctx.hook('after-drop');
    const etcd = ctx.etcd;
    if (!etcd) {
      ctx.log('etcd-to-sql: skipping-migration-because-no-etcd-configured');
      return report;
    }
    const read = async <T>(what: string, f: () => Promise<T>): Promise<T | null> => {
      try {
        return await f();
      } catch (e) {
        if (ctx.behaviour.etcdReadErrors === 'fail')
          throw new Error(`etcd-to-sql: failed-fetching-${what}: ${(e as Error).message}`);
        report.failedReads!.push(what);
        ctx.log(
          `etcd-to-sql: failed-fetching-${what}, nothing of it copied: ${(e as Error).message}`,
        );
        return null;
      }
    };
    const insert = async (what: string, stmt: string, values: unknown[]) => {
      try {
        await sql.query(stmt, values);
        report.copied[what]!++;
      } catch (e) {
        report.skipped.failedInserts!++;
        ctx.log(`etcd-to-sql: failed-inserting-${what}, skipped: ${(e as Error).message}`);
      }
    };
    const domains = (await read('domains', () => etcd.readDomains())) ?? [];
    await ctx.hook('after-read');
    const now = nowNs();
    for (const d of domains) {
      if (d.ttl === 0) report.skipped.domainsExpiredAtOnce!++;
      await insert('domains', 'INSERT INTO domains (domain, expire_time) VALUES (?, ?)', [
        d.domain,
        (now + BigInt(d.ttl) * 1_000_000_000n).toString(),
      ]);
    }
    const desired = (await read('desired-lrps', () => etcd.readDesiredLRPs())) ?? {
      desiredLRPs: [],
      incomplete: [],
    };
    report.skipped.incompleteDesiredLRPs = desired.incomplete.length;
    for (const d of desired.desiredLRPs) {
      await insert(
        'desiredLRPs',
        `INSERT INTO desired_lrps (process_guid, domain, log_guid, annotation, instances, memory_mb, disk_mb, rootfs, routes, volume_placement,
           modification_tag_epoch, modification_tag_index, run_info) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          d.processGuid,
          d.domain,
          d.processGuid,
          d.annotation,
          d.instances,
          256,
          1024,
          'preloaded:cflinuxfs2',
          EMPTY_JSON,
          EMPTY_JSON,
          d.modificationTag.epoch,
          d.modificationTag.index,
          EMPTY_JSON,
        ],
      );
    }
    await ctx.hook('mid-copy');
    const actual = (await read('actual-lrps', () => etcd.readActualLRPs())) ?? [];
    for (const a of actual) {
      if (a.evacuating) {
        report.skipped.evacuating!++;
        continue;
      }
      const r = a.record;
      await insert(
        'actualLRPs',
        `INSERT INTO actual_lrps (process_guid, instance_index, evacuating, domain, state, instance_guid, cell_id, placement_error, since, net_info,
           modification_tag_epoch, modification_tag_index, crash_count, crash_reason) VALUES (?, ?, false, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          r.processGuid,
          r.index,
          r.domain,
          r.state,
          r.instanceGuid,
          r.cellId,
          r.placementError,
          now.toString(),
          EMPTY_JSON,
          r.modificationTag.epoch,
          r.modificationTag.index,
          r.crashCount,
          r.crashReason,
        ],
      );
    }
    const tasks = (await read('tasks', () => etcd.readTasks())) ?? [];
    for (const t of tasks) {
      await insert(
        'tasks',
        `INSERT INTO tasks (guid, domain, updated_at, created_at, first_completed_at, state, cell_id, result, failed, failure_reason, task_definition)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          t.taskGuid,
          t.domain,
          now.toString(),
          now.toString(),
          0,
          TASK_STATE_CODE[t.state],
          t.cellId,
          t.result,
          t.failed,
          t.failureReason,
          EMPTY_JSON,
        ],
      );
    }
    await ctx.hook('after-copy');
    return report;
  },
};

/** The etcd-only migrations a legacy 0.1434.0-era BBS knows, collapsed into their last version. */
export const legacyEtcdMigrations: Migration = {
  version: 1451635200,
  name: 'etcd-only migrations up to lastETCD (modelled as a no-op)',
  async up() {
    return { copied: {}, skipped: {} };
  },
};
