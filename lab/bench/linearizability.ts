// Linearizability checker throughput on generated cas-register histories (8 concurrent processes,
// info ops, a fixed set of keys so each key's history grows with the total).

import { checkLinearizable } from '../checkers/linearizability/index.ts';
import { pairOps } from '../history/event.ts';
import { casRegisterModel } from '../../specs/cas-register.ts';
import type { Model } from '../../specs/model.ts';
import { etcdHistory } from './etcd-history.ts';
import { registerHistory } from './register-history.ts';

export interface LinBenchRow {
  size: number;
  keys: number;
  ms: number;
  opsPerSec: number;
  valid: boolean | 'unknown';
}

export function benchLinearizability(
  sizes: number[],
  log: (line: string) => void,
  opts: { keys?: number; infoShare?: number } = {},
): LinBenchRow[] {
  const keys = opts.keys ?? 10;
  const infoShare = opts.infoShare ?? 0.02;
  const run = (size: number): LinBenchRow => {
    const ops = pairOps(
      registerHistory({ ops: size, processes: 8, keys, infoShare, seed: 42 + size }),
    );
    const t0 = performance.now();
    const res = checkLinearizable(ops, () => casRegisterModel as Model);
    const ms = performance.now() - t0;
    return { size, keys, ms, opsPerSec: (size / ms) * 1000, valid: res.valid };
  };
  run(500); // warm-up: JIT and the first allocations
  const rows: LinBenchRow[] = [];
  for (const size of sizes) {
    const row = run(size);
    rows.push(row);
    log(
      `linearizability  ${String(size).padStart(7)} ops  ${keys} keys  ${row.ms.toFixed(0).padStart(7)} ms  ${Math.round(row.opsPerSec).toLocaleString('en-US').padStart(10)} ops/s  verdict ${row.valid}`,
    );
  }
  return rows;
}

export interface EtcdBenchRow {
  histories: number;
  /** Histories with a planted stale read (every fifth): not linearizable by construction. */
  planted: number;
  notLinearizable: number;
  /** Of those not linearizable, how many were planted; and verdicts 'unknown' (budget ran out). */
  plantedFound: number;
  unknown: number;
  steps: number;
  /** Calls of the model's step the searches asked for, cached or not: Porcupine's unit. */
  modelSteps: number;
  /**
   * Search alone (no evidence): µs per step of the model (Porcupine's unit) and ms per history,
   * mean and median.
   */
  usPerStep: number;
  msPerHistory: number;
  medianMsPerHistory: number;
  medianMsWithEvidence: number;
  /** The full check with evidence. */
  msPerHistoryWithEvidence: number;
  maxMsWithEvidence: number;
  /** Witness sizes (ops shown) of the non-linearizable histories. */
  witnessOps: number[];
}

/**
 * Jepsen-etcd-shaped cas-register histories (etcd-history.ts): `count` histories of 100–1,000 ops,
 * 5 processes, 3% timeouts as `info`, every fifth with a planted stale read that no order
 * explains (so exactly a fifth are not linearizable). Each is checked twice, without evidence
 * (shrink:false: the search alone) and with it.
 */
export function benchEtcd(count: number, log: (line: string) => void): EtcdBenchRow {
  const isPlanted = (n: number) => n % 5 === 4;
  const histories = Array.from({ length: count }, (_, n) =>
    pairOps(
      etcdHistory({
        ops: 100 + Math.floor((900 * n) / Math.max(1, count - 1)),
        seed: 1000 + n,
        timeouts: 0.03,
        stale: isPlanted(n),
      }),
    ),
  );
  const model = () => casRegisterModel as Model;
  for (const h of histories.slice(0, 5)) checkLinearizable(h, model); // warm-up
  let steps = 0;
  let modelSteps = 0;
  const searchTimes: number[] = [];
  const fullTimes: number[] = [];
  let bad = 0;
  let plantedFound = 0;
  let unknown = 0;
  let t0 = performance.now();
  for (const [n, h] of histories.entries()) {
    const t1 = performance.now();
    const r = checkLinearizable(h, model, { shrink: false });
    searchTimes.push(performance.now() - t1);
    steps += r.keys.reduce((s, k) => s + k.steps, 0);
    modelSteps += r.keys.reduce((s, k) => s + (k.modelSteps ?? 0), 0);
    if (r.valid === false) {
      bad++;
      if (isPlanted(n)) plantedFound++;
    } else if (r.valid === 'unknown') unknown++;
  }
  const planted = histories.filter((_, n) => isPlanted(n)).length;
  const searchMs = performance.now() - t0;
  let maxMs = 0;
  const witnessOps: number[] = [];
  t0 = performance.now();
  for (const h of histories) {
    const t1 = performance.now();
    const r = checkLinearizable(h, model);
    fullTimes.push(performance.now() - t1);
    maxMs = Math.max(maxMs, performance.now() - t1);
    for (const k of r.keys) if (k.failure) witnessOps.push(k.failure.ops.length);
  }
  const fullMs = performance.now() - t0;
  const row: EtcdBenchRow = {
    histories: count,
    planted,
    notLinearizable: bad,
    plantedFound,
    unknown,
    steps,
    modelSteps,
    usPerStep: (searchMs * 1000) / Math.max(1, modelSteps),
    msPerHistory: searchMs / count,
    medianMsPerHistory: median(searchTimes),
    medianMsWithEvidence: median(fullTimes),
    msPerHistoryWithEvidence: fullMs / count,
    maxMsWithEvidence: maxMs,
    witnessOps,
  };
  const sorted = [...witnessOps].sort((a, b) => a - b);
  log(
    `etcd cas-register ${count} histories (100–1,000 ops, 5 processes, 3% info): ${bad} not linearizable (${plantedFound} of the ${planted} planted)${unknown > 0 ? `, ${unknown} unknown (budget)` : ''}; ` +
      `search: ${modelSteps.toLocaleString('en-US')} model steps (calls of the model's step, cached or not, as Porcupine counts them; ${steps.toLocaleString('en-US')} search steps), ${row.usPerStep.toFixed(3)} µs per model step, ` +
      `per history median ${row.medianMsPerHistory.toFixed(2)} ms, total ${searchMs.toFixed(0)} ms; with evidence: per history median ${row.medianMsWithEvidence.toFixed(2)} ms, total ${fullMs.toFixed(0)} ms (max ${maxMs.toFixed(1)} ms); witness ops median ${sorted[Math.floor(sorted.length / 2)] ?? '-'}, max ${sorted[sorted.length - 1] ?? '-'}`,
  );
  return row;
}

/**
 * One key of `ops` ops from 5 processes (etcd-history.ts, `timeouts` share info): the fast path's
 * case.
 */
export function benchLongKey(
  ops: number,
  timeouts: number,
  log: (line: string) => void,
): { ms: number; steps: number; verdict: string; segments: number } {
  const h = pairOps(etcdHistory({ ops, seed: 7, timeouts, stale: false }));
  const t0 = performance.now();
  const r = checkLinearizable(h, () => casRegisterModel as Model);
  const ms = performance.now() - t0;
  const k = r.keys[0]!;
  log(
    `one key, ${ops.toLocaleString('en-US')} ops, 5 processes, ${(timeouts * 100).toFixed(1)}% info: ${k.verdict} in ${(ms / 1000).toFixed(2)} s, ${k.steps.toLocaleString('en-US')} steps, ${k.segments ?? 1} quiescent segments${k.exhausted ? ` (ran out of ${k.exhausted})` : ''}`,
  );
  return { ms, steps: k.steps, verdict: k.verdict, segments: k.segments ?? 1 };
}

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
