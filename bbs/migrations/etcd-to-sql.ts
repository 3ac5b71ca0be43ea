// Migration 1461790966, etcd to SQL (db/migrations/1461790966_etcd_to_sql.go, db3234a7, 2016-05),
// as FACTS.md reads it: drop and recreate the four BBS tables, then copy domains, desired LRPs,
// tasks and actual LRPs from etcd, skipping evacuating actual LRPs; each INSERT in autocommit; a
// failed INSERT is logged and skipped. Rerunning it drops the tables again, so it is idempotent on
// the etcd data but loses anything written to SQL since: exactly once rests on the SQL version row.
//
// Domains: etcd keeps a domain's freshness as the key's TTL; the migration stores now + TTL as
// expire_time. A key without TTL (a domain that never expires) is stored as never expiring
// (math.MaxInt64): the lab's reading, not checked against the Go code.

import { EtcdBbsStore } from '../etcd/store.ts';
import { createSchema, expireTimeFor, nowNs, TASK_STATE_CODE, type Queryable } from '../sql/schema.ts';
import { ETCD_TO_SQL_VERSION } from './versions.ts';

export type HookPoint = 'after-drop' | 'after-read' | 'mid-copy' | 'after-copy' | 'between-version-writes';

export interface MigrationContext {
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
}

const EMPTY_JSON = Buffer.from('{}');

export const etcdToSql: Migration = {
  version: ETCD_TO_SQL_VERSION,
  name: 'etcd-to-sql',
  async up(ctx) {
    const report: MigrationReport = { copied: { domains: 0, desiredLRPs: 0, tasks: 0, actualLRPs: 0 }, skipped: { evacuating: 0, failedInserts: 0, incompleteDesiredLRPs: 0 } };
    const sql = ctx.sql;
    if (!sql) throw new Error('etcd-to-sql: no SQL store configured');
    for (const t of ['domains', 'desired_lrps', 'actual_lrps', 'tasks']) await sql.query(`DROP TABLE IF EXISTS ${t}`);
    await createSchema(sql);
    await ctx.hook('after-drop');
    if (!ctx.etcd) return report; // a SQL-only BBS has nothing to copy
    const data = await ctx.etcd.contents();
    await ctx.hook('after-read');
    const insert = async (what: string, stmt: string, values: unknown[]) => {
      try {
        await sql.query(stmt, values);
        report.copied[what]!++;
      } catch (e) {
        report.skipped.failedInserts!++;
        ctx.log(`etcd-to-sql: failed to insert a ${what} row, skipped: ${(e as Error).message}`);
      }
    };
    const now = nowNs();
    for (const d of data.domains) {
      const exp = expireTimeFor(d.ttl, now).toString();
      await insert('domains', 'INSERT INTO domains (domain, expire_time) VALUES (?, ?)', [d.domain, exp]);
    }
    report.skipped.incompleteDesiredLRPs = data.incompleteDesiredLRPs.length;
    for (const d of data.desiredLRPs) {
      await insert(
        'desiredLRPs',
        `INSERT INTO desired_lrps (process_guid, domain, log_guid, annotation, instances, memory_mb, disk_mb, rootfs, routes, volume_placement,
           modification_tag_epoch, modification_tag_index, run_info) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [d.processGuid, d.domain, d.processGuid, d.annotation, d.instances, 256, 1024, 'preloaded:cflinuxfs2', EMPTY_JSON, EMPTY_JSON, d.modificationTag.epoch, d.modificationTag.index, EMPTY_JSON],
      );
    }
    await ctx.hook('mid-copy');
    for (const t of data.tasks) {
      await insert(
        'tasks',
        `INSERT INTO tasks (guid, domain, updated_at, created_at, first_completed_at, state, cell_id, result, failed, failure_reason, task_definition)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [t.taskGuid, t.domain, now.toString(), now.toString(), 0, TASK_STATE_CODE[t.state], t.cellId, t.result, t.failed, t.failureReason, EMPTY_JSON],
      );
    }
    for (const a of data.actualLRPs) {
      if (a.evacuating) {
        report.skipped.evacuating!++;
        continue;
      }
      const r = a.record;
      await insert(
        'actualLRPs',
        `INSERT INTO actual_lrps (process_guid, instance_index, evacuating, domain, state, instance_guid, cell_id, placement_error, since, net_info,
           modification_tag_epoch, modification_tag_index, crash_count, crash_reason) VALUES (?, ?, false, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [r.processGuid, r.index, r.domain, r.state, r.instanceGuid, r.cellId, r.placementError, now.toString(), EMPTY_JSON, r.modificationTag.epoch, r.modificationTag.index, r.crashCount, r.crashReason],
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
