// Shrinks a non-linearizable key history to a small sub-history that is still non-linearizable, so
// a report can show a handful of ops instead of thousands.
//
// Removing ops does not preserve non-linearizability in general (dropping a write can make a later
// read unexplainable either way), so every candidate is re-checked: delta debugging (ddmin) with
// chunks halving down to single ops, keeping a removal only when the search proves the rest still
// cannot be ordered. An 'unknown' re-check keeps the ops. It starts from the smallest window of
// the ops started last before the completion that blocked the deepest search, which is usually a
// handful of ops.
//
// The smallest proof is often unhelpful: "a read saw 1 before anything was written" is a proof,
// but the story is "1 was written, then overwritten by 2, then read". So a candidate must also keep
// each of its ok ops explainable on its own: legal at some point when every other op is optional.
// When the starting history itself has an op no other op can explain (a read of a value nobody
// wrote), that rule is dropped and the bare proof is shown.

import type { Model } from '../../../models/specs/model.ts';
import { searchLinearization, type SearchOp } from './search.ts';

export interface ShrinkOptions {
  /** Model steps per re-check. */
  budget: number;
  /** Re-checks in all. */
  maxChecks: number;
}

/** Above this size only the blocked op is required to be explainable (each check would cost a search per op). */
const EXPLAIN_ALL_BELOW = 64;
const EXPLAIN_BUDGET = 20_000;

export function shrinkFailure(model: Model, ops: readonly SearchOp[], blocked: number | null, opts: ShrinkOptions): SearchOp[] {
  let checks = 0;
  const explainable = (candidate: readonly SearchOp[], id: number): boolean => {
    const alone = candidate.map((o) => (o.id === id || !o.known ? o : { ...o, known: false, output: undefined, ret: Infinity }));
    return searchLinearization(model, alone, EXPLAIN_BUDGET).verdict !== 'not-linearizable';
  };
  // The op that blocked the first search is the heart of the failure: it must stay explainable in
  // every candidate, or a large early cut can drop what explains it and leave ddmin stuck with a
  // set it can no longer shrink.
  const explained = (candidate: readonly SearchOp[], blockedId: number | null): boolean => {
    const ids = new Set(candidate.length <= EXPLAIN_ALL_BELOW ? candidate.filter((o) => o.known).map((o) => o.id) : []);
    for (const id of [blockedId, blocked]) if (id !== null && candidate.some((o) => o.id === id && o.known)) ids.add(id);
    return [...ids].every((id) => explainable(candidate, id));
  };
  let requireExplained = false;
  const check = (candidate: readonly SearchOp[]): boolean => {
    checks++;
    const r = searchLinearization(model, candidate, opts.budget);
    if (r.verdict !== 'not-linearizable') return false;
    return !requireExplained || explained(candidate, r.blocked);
  };

  let current: SearchOp[] = [...ops];
  const blocker = blocked === null ? undefined : ops.find((o) => o.id === blocked);
  // First the smallest recent window that still fails: the ops started last before the blocked
  // op completed (a stale read is usually explained by the few writes just before it). Windows
  // grow geometrically; each is re-proved, with every op in it explainable on its own.
  if (blocker && blocker.known) {
    const before = ops.filter((o) => o.call < blocker.ret).sort((a, b) => a.call - b.call);
    requireExplained = true;
    // One op at a time while windows are small (a window that cuts a write from its read is not
    // explainable, so the next size may be), then doubling.
    for (let k = 2; k < before.length * 2; k = k < 32 ? k + 1 : k * 2) {
      const window = before.slice(Math.max(0, before.length - k));
      if (window.length >= current.length) break;
      if (check(window)) {
        current = window;
        break;
      }
      if (window.length === before.length) break;
    }
  }
  if (current.length === ops.length) requireExplained = explained(current, blocked);
  let chunk = Math.max(1, Math.floor(current.length / 2));
  for (;;) {
    let removedAny = false;
    for (let start = 0; start < current.length && checks < opts.maxChecks; ) {
      const candidate = [...current.slice(0, start), ...current.slice(start + chunk)];
      if (candidate.length > 0 && check(candidate)) {
        current = candidate;
        removedAny = true;
      } else start += chunk;
    }
    if (checks >= opts.maxChecks) break;
    if (chunk === 1 && !removedAny) break;
    if (!removedAny) chunk = Math.max(1, Math.floor(chunk / 2));
  }
  return current;
}
