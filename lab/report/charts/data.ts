// What the charts need beyond RunStats, from the history alone: every completed op's latency and
// which node served ok writes in each second. Pure.

import { FINAL_READ, pairOps, type HistoryEvent, type Op } from '../../history/event.ts';
import { READ_OPS, type BbsOpName } from '../../../bbs/ops.ts';
import { workloadStart } from '../stats.ts';
import type { Outcome } from './common.ts';

export interface LatencyPoint {
  op: number;
  f: string;
  /** Completion, in seconds since the workload's first invoke. */
  t: number;
  ms: number;
  outcome: Outcome;
}

export interface ChartData {
  /** The workload's first invoke (ns). */
  t0: number;
  ops: Op[];
  points: LatencyPoint[];
  /** second → node → ok writes completed on it in that second. */
  writesBySecond: Map<number, Map<string, number>>;
}

export function chartData(events: readonly HistoryEvent[]): ChartData {
  const t0 = workloadStart(events);
  const ops = pairOps(events).filter((o) => o.f !== FINAL_READ);
  const points: LatencyPoint[] = [];
  const writesBySecond = new Map<number, Map<string, number>>();
  for (const o of ops) {
    const c = o.complete;
    if (!c) continue;
    const t = (c.time - t0) / 1e9;
    points.push({ op: o.op, f: o.f, t, ms: (c.time - o.invoke.time) / 1e6, outcome: c.type });
    if (c.type === 'ok' && c.node && !READ_OPS.has(o.f as BbsOpName)) {
      const sec = Math.max(0, Math.floor(t));
      let m = writesBySecond.get(sec);
      if (!m) {
        m = new Map();
        writesBySecond.set(sec, m);
      }
      m.set(c.node, (m.get(c.node) ?? 0) + 1);
    }
  }
  return { t0, ops, points, writesBySecond };
}
