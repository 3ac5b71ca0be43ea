// The bulk reads of the legacy etcd store (db/etcd of the 2016 BBS, db3234a7 2016-05-03, the same
// reads at 47049111 2016-11-30): every one is a single recursive GET of a whole tree, filtered in
// the BBS's memory. A cell's bulk loop, ActualLRPGroups({CellID}), fetches every actual LRP of the
// deployment and keeps its own (actual_lrp_db.go ActualLRPGroups → parseActualLRPGroups); Tasks
// ({CellID}) and Tasks({Domain}) fetch every task (task_db.go Tasks); the scheduling infos are one
// GET of /v1/desired_lrp/schedule, DesiredLRPs one GET of /v1/desired_lrp (both halves, joined);
// Domains one GET of /v1/domain (domain_db.go). So where SQL reads a cell's rows by index, etcd
// transfers and decodes the whole tree on every request: `fetched` counts those keys.
//
// Values are the lab's JSON of the records (bbs/etcd/store.ts), not the BBS's protobuf; the scale
// population adds `since` to actual LRPs and the three timestamps to tasks (the fields convergence
// reads). Decoding failures, which the BBS logged and skipped or deleted, do not occur with them.

import type { ActualLRPRecord, TaskRecord } from '../ops.ts';
import type { BulkAnswer, BulkRead } from '../sql/bulk.ts';
import { type EtcdClient, type EtcdNode, leaves } from './client.ts';
import { ACTUAL_ROOT, DOMAIN_ROOT, RUN_ROOT, SCHEDULE_ROOT, TASK_ROOT } from './store.ts';

export const DESIRED_ROOT = '/v1/desired_lrp';

/** An actual LRP as the scale population stores it: the record plus its `since` (Unix ns). */
export type EtcdActualValue = ActualLRPRecord & { since?: number };
/** A task as the scale population stores it: the record plus the timestamps convergence reads (Unix ns). */
export type EtcdTaskValue = TaskRecord & {
  createdAt?: number;
  updatedAt?: number;
  firstCompletedAt?: number;
};

export interface EtcdBulkAnswer extends BulkAnswer {
  /** Keys the GET transferred (every leaf of the tree read): etcd's counterpart of rows read. */
  fetched: number;
}

/** The tree a bulk read GETs (recursive), as the 2016 etcd store did. Pure. */
export function etcdBulkRoot(read: BulkRead): string {
  switch (read.f) {
    case 'ActualLRPGroupsByCellID':
    case 'ActualLRPGroups':
      return ACTUAL_ROOT;
    case 'DesiredLRPSchedulingInfos':
      return SCHEDULE_ROOT;
    case 'DesiredLRPs':
      return DESIRED_ROOT;
    case 'TasksByCellID':
    case 'TasksByDomain':
      return TASK_ROOT;
    case 'Domains':
      return DOMAIN_ROOT;
  }
}

const parse = <T>(n: EtcdNode): T => JSON.parse(n.value ?? '{}') as T;
const isUnder = (key: string, root: string): boolean => key.startsWith(`${root}/`);

/**
 * What a bulk read returns from the leaves of its tree. Pure: the filter the BBS applied in memory.
 * Actual LRPs: the leaves under /v1/actual/<guid>/<index>/{instance,evacuating} matching the filter,
 * grouped by guid and index (a group is returned when either member matches). DesiredLRPs: the
 * guids with both a schedule and a run half.
 */
export function etcdBulkAnswer(read: BulkRead, nodes: readonly EtcdNode[]): EtcdBulkAnswer {
  const fetched = nodes.length;
  switch (read.f) {
    case 'ActualLRPGroupsByCellID':
    case 'ActualLRPGroups': {
      const groups = new Set<string>();
      let rows = 0;
      for (const n of nodes) {
        const a = parse<EtcdActualValue>(n);
        if (read.f === 'ActualLRPGroupsByCellID' && a.cellId !== read.cellId) continue;
        rows++;
        groups.add(`${a.processGuid}\u0000${a.index}`);
      }
      return { rows, groups: groups.size, fetched };
    }
    case 'DesiredLRPSchedulingInfos':
    case 'Domains':
      return { rows: fetched, fetched };
    case 'DesiredLRPs': {
      const sched = new Set<string>();
      const run = new Set<string>();
      for (const n of nodes) {
        const guid = n.key.slice(n.key.lastIndexOf('/') + 1);
        if (isUnder(n.key, SCHEDULE_ROOT)) sched.add(guid);
        else if (isUnder(n.key, RUN_ROOT)) run.add(guid);
      }
      let rows = 0;
      for (const g of sched) if (run.has(g)) rows++;
      return { rows, fetched };
    }
    case 'TasksByCellID':
    case 'TasksByDomain': {
      let rows = 0;
      for (const n of nodes) {
        const t = parse<EtcdTaskValue>(n);
        if (read.f === 'TasksByCellID' ? t.cellId === read.cellId : t.domain === read.domain)
          rows++;
      }
      return { rows, fetched };
    }
  }
}

/** Runs one bulk read against etcd: the recursive GET, then the BBS's in-memory filter. */
export async function etcdBulkRead(client: EtcdClient, read: BulkRead): Promise<EtcdBulkAnswer> {
  const root = etcdBulkRoot(read);
  return etcdBulkAnswer(read, leaves(await client.get(root, true)));
}
