// The database's resources around a trial: SHOW GLOBAL STATUS counters on each node (rows read
// from tables, Galera certification failures, time paused by flow control, memory) and the CPU time
// and resident memory of the cluster's server processes (from /proc, found by the cluster's owned
// work directory in their command line). Deltas are pure.

import { readdirSync, readFileSync } from 'node:fs';
import type mysql from 'mysql2/promise';

// MariaDB 10.11 (Debian 12's) has no Innodb_rows_read: Rows_read, the rows read from base tables by
// every engine, stands in for it (the BBS's tables are all InnoDB).
export const STATUS_VARIABLES = [
  'Rows_read',
  'Rows_sent',
  'wsrep_local_cert_failures',
  'wsrep_flow_control_paused_ns',
  'wsrep_flow_control_sent',
  'Memory_used',
  'Questions',
] as const;
export type StatusVariable = (typeof STATUS_VARIABLES)[number];
export type NodeStatus = Partial<Record<StatusVariable, number>>;

export async function readStatus(conn: mysql.Pool | mysql.Connection): Promise<NodeStatus> {
  const [rows] = await conn.query(
    `SHOW GLOBAL STATUS WHERE Variable_name IN (${STATUS_VARIABLES.map(() => '?').join(', ')})`,
    [...STATUS_VARIABLES],
  );
  const out: NodeStatus = {};
  for (const r of rows as { Variable_name: string; Value: string }[]) {
    const k = STATUS_VARIABLES.find((v) => v.toLowerCase() === r.Variable_name.toLowerCase());
    if (k) out[k] = Number(r.Value);
  }
  return out;
}

/**
 * Counter growth over a trial, summed over the nodes (Memory_used: the largest node's value after).
 */
export function statusDelta(
  before: readonly NodeStatus[],
  after: readonly NodeStatus[],
): NodeStatus {
  const out: NodeStatus = {};
  for (const v of STATUS_VARIABLES) {
    if (v === 'Memory_used') {
      const m = after.map((a) => a[v]).filter((x): x is number => x !== undefined);
      if (m.length > 0) out[v] = Math.max(...m);
      continue;
    }
    let sum = 0;
    let any = false;
    after.forEach((a, i) => {
      const x = a[v];
      const y = before[i]?.[v];
      if (x !== undefined && y !== undefined) {
        sum += x - y;
        any = true;
      }
    });
    if (any) out[v] = sum;
  }
  return out;
}

export interface ProcessUse {
  /** User + system CPU seconds of the cluster's processes so far. */
  cpuSec: number;
  /** Their resident memory now, MiB. */
  rssMiB: number;
}

/**
 * CPU and memory of every process whose command line mentions `needle` (the cluster's work dir).
 */
export function processUse(needle: string): ProcessUse {
  let ticks = 0;
  let pages = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
      pages += Number(readFileSync(`/proc/${entry}/statm`, 'utf8').split(' ')[1]);
    } catch {
      // exited meanwhile
    }
  }
  return { cpuSec: ticks / 100, rssMiB: Math.round((pages * 4096) / 2 ** 20) };
}
