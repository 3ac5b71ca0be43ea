// The bulk reads of the BBS's SQL store, the ones the real components make at scale: a cell's rep
// fetches its actual LRPs and tasks every 30 s (the bulk loop), the nsync bulker and route emitter
// fetch every desired LRP's scheduling info and every actual LRP, and convergence lists the fresh
// domains. Each profile's statement and transaction come from its commit (cites below and in
// docs/bbs-versions.md, "Bulk reads and convergence"); `bulkStatement` is pure so a unit test can
// hold every profile to the statement written out from the Go code.
//
// Not modelled: the decoding of each row (the lab's blobs are constant), and the cleanup the
// readers did of rows they could not decode (scanAndCleanupActualLRPs, fetchTask with db.db
// deleting invalid rows from 47049111): with the lab's rows it never deletes anything.

import type { ConnectionSource } from '../db/connection.ts';
import type { BbsVersion } from '../versions/index.ts';
import type { StoreOptions } from './options.ts';
import { nowNs } from './schema.ts';
import { roundToSecondNs } from './domains.ts';
import { runUnit, type UnitResult } from './transact.ts';

export type BulkRead =
  /** The rep's bulk loop: ActualLRPGroups({CellID}) (ActualLRPs({CellID}) today). */
  | { f: 'ActualLRPGroupsByCellID'; cellId: string }
  /**
   * The route emitter's (and benchmarkbbs's) fetch-all: ActualLRPGroups({}) (ActualLRPs({}) today).
   */
  | { f: 'ActualLRPGroups' }
  /** The nsync bulker's and route emitter's fetch-all: DesiredLRPSchedulingInfos({}). */
  | { f: 'DesiredLRPSchedulingInfos' }
  /** DesiredLRPs({}): scheduling info plus run_info. */
  | { f: 'DesiredLRPs' }
  /** The rep's bulk loop, tasks half: Tasks({CellID}). */
  | { f: 'TasksByCellID'; cellId: string }
  /** Tasks({Domain}): what the BBS's task bulkers list by domain. */
  | { f: 'TasksByDomain'; domain: string }
  /** Domains (FreshDomains today). */
  | { f: 'Domains' };

export type BulkReadName = BulkRead['f'];
export const BULK_READS: readonly BulkReadName[] = [
  'ActualLRPGroupsByCellID',
  'ActualLRPGroups',
  'DesiredLRPSchedulingInfos',
  'DesiredLRPs',
  'TasksByCellID',
  'TasksByDomain',
  'Domains',
];

export interface BulkStatement {
  sql: string;
  params: unknown[];
  /** In db.transact (47049111 on) or a bare db.db.Query (autocommit) before. */
  transactional: boolean;
  /** Sent to db.db although inside a transact (47049111's getActualLRPS: `statementsOnPool`). */
  onPool: boolean;
}

// Column lists as the commits wrote them, less the columns the lab's schema (migration
// 1461790966) lacks: placement_tags (38cf2d3f, 2016-09-01), max_pids, metric_tags, presence, …
const ACTUAL_COLUMNS =
  'process_guid, instance_index, evacuating, domain, state, instance_guid, cell_id, placement_error, since, net_info, modification_tag_epoch, modification_tag_index, crash_count, crash_reason';
const ACTUAL_COLUMNS_HELPERS = ACTUAL_COLUMNS.split(', ')
  .map((c) => `actual_lrps.${c}`)
  .join(', ');
const SCHEDULING_2016_03 =
  'process_guid, domain, log_guid, annotation, instances, memory_mb, disk_mb, rootfs, routes, modification_tag_epoch, modification_tag_index';
// db3234a7 added volume_placement to the scheduling info read.
const SCHEDULING_2016_05 =
  'process_guid, domain, log_guid, annotation, instances, memory_mb, disk_mb, rootfs, routes, volume_placement, modification_tag_epoch, modification_tag_index';
const SCHEDULING_HELPERS = SCHEDULING_2016_05.split(', ')
  .map((c) => `desired_lrps.${c}`)
  .join(', ');
const DESIRED_2016_05 =
  'process_guid, domain, log_guid, annotation, instances, memory_mb, disk_mb, rootfs, routes, modification_tag_epoch, modification_tag_index, run_info';
const TASK_COLUMNS =
  'guid, domain, updated_at, created_at, first_completed_at, state, cell_id, result, failed, failure_reason, task_definition';
const TASK_COLUMNS_HELPERS = TASK_COLUMNS.split(', ')
  .map((c) => `tasks.${c}`)
  .join(', ');

type Era = 'prerelease-2016-03' | 'hand-written-2016-05' | 'helpers-2016-11';

/**
 * Which way a profile's commit wrote its bulk reads (the profile's name decides: a wording, not a
 * behaviour).
 */
export function bulkEra(version: BbsVersion): Era {
  if (version === '2016-03') return 'prerelease-2016-03';
  if (version === '2016-05') return 'hand-written-2016-05';
  return 'helpers-2016-11';
}

/**
 * The statement a bulk read sends at a profile:
 * - 2016-03 (2a8d20a0 db/sqldb/{actual_lrp,desired_lrp,task,domain}_db.go): db.db.Query, `SELECT *`
 *   for desired LRPs and tasks, the 14 actual LRP columns (selectActualLRPs);
 * - 2016-05 (db3234a7, same files): db.db.Query with column lists;
 * - 2016-11 on (47049111 db/sqldb/queries.go `db.all`, later helpers/all.go): in db.transact,
 *   `SELECT <table.columns> FROM <table>\nWHERE …`; 47049111's getActualLRPS sent its SELECT to
 *   db.db (the pool) inside the transact, fixed by b33de3b0 (2016-12-28).
 */
export function bulkStatement(
  version: BbsVersion,
  behaviour: Pick<StoreOptions, 'transactionalReads' | 'statementsOnPool'>,
  read: BulkRead,
  now = nowNs(),
): BulkStatement {
  const era = bulkEra(version);
  const transactional = behaviour.transactionalReads;
  const plain = (sql: string, params: unknown[] = []): BulkStatement => ({
    sql,
    params,
    transactional,
    onPool: false,
  });
  if (era !== 'helpers-2016-11') {
    const pre = era === 'prerelease-2016-03';
    switch (read.f) {
      case 'ActualLRPGroupsByCellID':
        return plain(`SELECT ${ACTUAL_COLUMNS} FROM actual_lrps WHERE cell_id = ?`, [read.cellId]);
      case 'ActualLRPGroups':
        return plain(`SELECT ${ACTUAL_COLUMNS} FROM actual_lrps`);
      case 'DesiredLRPSchedulingInfos':
        return plain(`SELECT ${pre ? SCHEDULING_2016_03 : SCHEDULING_2016_05} FROM desired_lrps`);
      case 'DesiredLRPs':
        return plain(
          pre ? 'SELECT * FROM desired_lrps' : `SELECT ${DESIRED_2016_05} FROM desired_lrps`,
        );
      case 'TasksByCellID':
        return plain(`SELECT ${pre ? '*' : TASK_COLUMNS} FROM tasks WHERE cell_id = ?`, [
          read.cellId,
        ]);
      case 'TasksByDomain':
        return plain(`SELECT ${pre ? '*' : TASK_COLUMNS} FROM tasks WHERE domain = ?`, [
          read.domain,
        ]);
      case 'Domains':
        return plain('SELECT domain FROM domains WHERE expire_time > ?', [roundToSecondNs(now)]);
    }
  }
  switch (read.f) {
    case 'ActualLRPGroupsByCellID':
      return {
        sql: `SELECT ${ACTUAL_COLUMNS_HELPERS} FROM actual_lrps\nWHERE cell_id = ?`,
        params: [read.cellId],
        transactional,
        onPool: behaviour.statementsOnPool,
      };
    case 'ActualLRPGroups':
      return {
        sql: `SELECT ${ACTUAL_COLUMNS_HELPERS} FROM actual_lrps\n`,
        params: [],
        transactional,
        onPool: behaviour.statementsOnPool,
      };
    case 'DesiredLRPSchedulingInfos':
      return plain(`SELECT ${SCHEDULING_HELPERS} FROM desired_lrps\n`);
    case 'DesiredLRPs':
      return plain(`SELECT ${SCHEDULING_HELPERS}, desired_lrps.run_info FROM desired_lrps\n`);
    case 'TasksByCellID':
      return plain(`SELECT ${TASK_COLUMNS_HELPERS} FROM tasks\nWHERE cell_id = ?`, [read.cellId]);
    case 'TasksByDomain':
      return plain(`SELECT ${TASK_COLUMNS_HELPERS} FROM tasks\nWHERE domain = ?`, [read.domain]);
    case 'Domains':
      return plain('SELECT domains.domain FROM domains\nWHERE expire_time > ?', [
        roundToSecondNs(now),
      ]);
  }
}

export interface BulkAnswer {
  rows: number;
  /** The actual LRP groups the rows make (one per process guid and index): what the caller gets. */
  groups?: number;
}

/**
 * Runs one bulk read at the store's profile; rows returned (and groups for actual LRPs), or the
 * error.
 */
export async function bulkRead(
  source: ConnectionSource,
  opts: StoreOptions,
  read: BulkRead,
): Promise<UnitResult<BulkAnswer>> {
  const st = bulkStatement(opts.version, opts, read);
  return runUnit(source, opts, st.transactional, async ({ q, pool }) => {
    const rows = await (st.onPool ? pool : q)<Record<string, unknown>[]>(st.sql, st.params);
    const out: BulkAnswer = { rows: rows.length };
    if (read.f === 'ActualLRPGroupsByCellID' || read.f === 'ActualLRPGroups') {
      out.groups = new Set(
        rows.map((r) => `${String(r.process_guid)}\u0000${String(r.instance_index)}`),
      ).size;
    }
    return out;
  });
}
