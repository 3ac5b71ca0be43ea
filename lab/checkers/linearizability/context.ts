// Two things the evidence of a non-linearizable key adds around its witness, neither of which
// changes what the witness proves:
//
// - The earliest failing prefix: the first completion R such that the key's history up to R (ops
//   invoked by R; ok ops completing after R taken as of unknown outcome) cannot be linearized.
//   A longer prefix only adds constraints, so "not linearizable up to R" is monotone in R and a
//   binary search over the completions finds the first. It says when the anomaly was already
//   detectable, whatever window the shrinker then showed.
// - The context: the ops before the witness's window that created, started or removed the row the
//   window starts from. The witness is sound from its start states alone, but "from RUNNING on
//   cell-a, CompleteTask by cell-b …" reads as a different bug when the StartTask that put it
//   there is not on the page; these ops say how the row got to the state the window starts from.

import type { Model } from '../../../specs/model.ts';
import { searchLinearization, type SearchOp } from './search.ts';
import { changesState } from './shrink.ts';
import type { StepCache } from './steps.ts';

export interface EarliestFailure {
  /** The completion time (history `time`) at which the prefix first cannot be linearized. */
  at: number;
  /** The op whose completion that is. */
  op: number;
}

/** The ops of the prefix up to R, ok ops completing after R relaxed to unknown outcome. */
function prefix(ops: readonly SearchOp[], R: number): SearchOp[] {
  const out: SearchOp[] = [];
  for (const o of ops) {
    if (o.call > R) continue;
    out.push(o.known && o.ret > R ? { ...o, known: false, output: undefined, ret: Infinity } : o);
  }
  return out;
}

export function earliestFailure(
  cache: StepCache,
  ops: readonly SearchOp[],
  opts: { budget: number; memoryBytes: number },
): EarliestFailure | null {
  const rets = ops.filter((o) => o.known).sort((a, b) => a.ret - b.ret);
  let budget = opts.budget;
  // Not linearizable, linearizable, or unknown (the budget ran out): unknown stops the search.
  const fails = (R: number): boolean | null => {
    const r = searchLinearization(cache, prefix(ops, R), {
      budget: Math.max(0, budget),
      memoryBytes: opts.memoryBytes,
    });
    budget -= r.steps;
    return r.verdict === 'unknown' ? null : r.verdict === 'not-linearizable';
  };
  let lo = 0;
  let hi = rets.length - 1;
  if (hi < 0 || fails(rets[hi]!.ret) !== true) return null;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const f = fails(rets[mid]!.ret);
    if (f === null) return null;
    if (f) hi = mid;
    else lo = mid + 1;
  }
  return { at: rets[lo]!.ret, op: rets[lo]!.id };
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
