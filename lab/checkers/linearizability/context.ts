// Two things the evidence of a non-linearizable key adds around its witness, neither of which
// changes what the witness proves:
//
// - The earliest failing prefix: the first completion R such that the key's history up to R (ops
//   invoked by R; ok ops completing after R taken as of unknown outcome) cannot be linearized.
//   A longer prefix only adds constraints, so "not linearizable up to R" is monotone in R and a
//   binary search over the completions finds the first (in the segment the key's search failed
//   in: earliestFailure says why). It says when the anomaly was already
//   detectable, whatever window the shrinker then showed.
// - The context: the ops before the witness's window that created, started or removed the row the
//   window starts from. The witness is sound from its start states alone, but "from RUNNING on
//   cell-a, CompleteTask by cell-b …" reads as a different bug when the StartTask that put it
//   there is not on the page; these ops say how the row got to the state the window starts from.

import type { Model } from '../../../specs/model.ts';
import { searchLinearization, type SearchOp } from './search.ts';
import type { KeySearch } from './segments.ts';
import { changesState } from './shrink.ts';
import type { StepCache } from './steps.ts';

export interface EarliestFailure {
  /** The completion time (history `time`) at which the prefix first cannot be linearized. */
  at: number;
  /** The op whose completion that is. */
  op: number;
}

/** The ops of the prefix up to R, ok ops completing after R relaxed to unknown outcome. */
function prefix(ops: readonly SearchOp[], idx: Iterable<number>, R: number): SearchOp[] {
  const out: SearchOp[] = [];
  for (const i of idx) {
    const o = ops[i]!;
    if (o.call > R) continue;
    out.push(o.known && o.ret > R ? { ...o, known: false, output: undefined, ret: Infinity } : o);
  }
  return out;
}

/**
 * The earliest failing completion, from the key's search alone: it lies in the segment the search
 * failed in, and the prefix up to a completion R there fails exactly when the segment's ops up to
 * R fail from every configuration the search reached at the segment's cut.
 *
 * Why: (1) a completion R before that segment does not fail: a linearization of the history up to
 * the failing segment's cut exists, and cut where its first op invoked after R stands, it is one
 * of the prefix up to R (every op before the cut point was invoked by R; every op completed by R
 * is before it; the ops after it are relaxed or unknown, free never to take effect). (2) For R in
 * the segment, every op of an earlier segment completed before R, so a linearization of the
 * prefix passes the cut in one of the configurations the search found there (it explored them
 * all, the verdict being a failure; one it skipped as dominated fails when its dominator does),
 * and the rest is the segment's ops up to R from it. So one small search per configuration and
 * completion tried, not a search of the whole key per completion (7 of them, each with a fresh
 * memo, were two thirds of the evidence's time on Porcupine's etcd histories).
 */
export function earliestFailure(
  cache: StepCache,
  ops: readonly SearchOp[],
  ks: KeySearch,
  opts: { budget: number; memoryBytes: number },
): EarliestFailure | null {
  const j = ks.failedSegment;
  const configs = j === undefined ? undefined : ks.configs[j];
  if (j === undefined || !configs || configs.length === 0) return null;
  const seg = ks.segments[j]!;
  // Equal completion times keep the ops' order, as a sort of the whole key would.
  const rets = seg.ops
    .filter((i) => ops[i]!.known)
    .sort((a, b) => ops[a]!.ret - ops[b]!.ret || a - b);
  let budget = opts.budget;
  // Not linearizable, linearizable, or unknown (the budget ran out): unknown stops the search.
  const fails = (R: number): boolean | null => {
    for (const c of configs) {
      const r = searchLinearization(cache, prefix(ops, [...c.pending, ...seg.ops], R), {
        budget: Math.max(0, budget),
        memoryBytes: opts.memoryBytes,
        start: c.state,
      });
      budget -= r.steps;
      if (r.verdict === 'unknown') return null;
      if (r.verdict === 'linearizable') return false;
    }
    return true;
  };
  let lo = 0;
  let hi = rets.length - 1;
  if (hi < 0 || fails(ops[rets[hi]!]!.ret) !== true) return null;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const f = fails(ops[rets[mid]!]!.ret);
    if (f === null) return null;
    if (f) hi = mid;
    else lo = mid + 1;
  }
  const o = ops[rets[lo]!]!;
  return { at: o.ret, op: o.id };
}

/** BBS ops that begin or end a row's incarnation: the context walks back to the latest of them. */
const ORIGINS = new Set([
  'DesireTask',
  'DeleteTask',
  'DesireLRP',
  'RemoveDesiredLRP',
  'CreateUnclaimedActualLRP',
  'RemoveActualLRP',
]);

/**
 * The ok state-changing ops completed before `from` since the row's latest create or remove
 * (included), at most `max`: the origin first, then the latest others.
 */
export function contextBefore(
  model: Model,
  ops: readonly SearchOp[],
  from: number,
  max = 4,
): SearchOp[] {
  if (from === -Infinity) return [];
  const before = ops
    .filter((o) => o.known && o.ret < from && changesState(model, o))
    .sort((a, b) => a.ret - b.ret);
  let start = 0;
  for (let i = before.length - 1; i >= 0; i--) {
    if (ORIGINS.has((before[i]!.input as { f?: string } | undefined)?.f ?? '')) {
      start = i;
      break;
    }
  }
  const since = before.slice(start);
  if (since.length <= max) return since;
  const origin = ORIGINS.has((since[0]!.input as { f?: string }).f ?? '') ? [since[0]!] : [];
  return [...origin, ...since.slice(since.length - (max - origin.length))];
}
