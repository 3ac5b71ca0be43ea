// A failed COMMIT is not always a failed transaction: Galera can certify and apply a write set
// whose COMMIT the client saw fail (a connection cut after COMMIT was sent, a 1213 raised late).
// The history records such an op as `fail` (it surely did not happen), which the search trusts.
// When a key is not linearizable, this re-checks it with every COMMIT-time `fail` op taken as
// `info` (it may have happened), and names the ops whose classification decides the verdict: a
// smallest set that, taken as unknown, makes the key linearizable. Pure.

import type { Model } from '../../../specs/model.ts';
import type { Op } from '../../history/event.ts';
import { toSearchOps } from './index.ts';
import { DEFAULT_MEMORY } from './search.ts';
import { searchKey } from './segments.ts';
import { StepCache } from './steps.ts';

export interface CommitFailRecheck {
  key: string;
  /** The key's ops that failed at COMMIT. */
  commitFails: number[];
  /** The verdict with all of them taken as of unknown outcome. */
  verdictIfUnknown: 'linearizable' | 'not-linearizable' | 'unknown';
  /**
   * When that verdict is linearizable: a smallest set of them whose being taken as unknown is
   * enough.
   */
  deciding: number[];
  /** False when there were too many to narrow down one by one: `deciding` is then all of them. */
  minimal: boolean;
}

/** Past this many COMMIT-time failures on one key, one re-check per op costs more than it tells. */
const MAX_NARROWED = 40;

export function isCommitFail(o: Op): boolean {
  return o.complete?.type === 'fail' && o.complete.error?.phase === 'commit';
}

function asUnknown(o: Op): Op {
  const c = o.complete!;
  return { ...o, complete: { ...c, type: 'info' } };
}

/** The key's verdict with the ops in `relaxed` taken as of unknown outcome. */
function verdictWith(
  ops: readonly Op[],
  relaxed: ReadonlySet<number>,
  model: Model,
  budget: number,
): 'linearizable' | 'not-linearizable' | 'unknown' {
  const { search } = toSearchOps(
    ops.map((o) => (relaxed.has(o.op) ? asUnknown(o) : o)),
    model,
  );
  return searchKey(new StepCache(model), search, { budget, memoryBytes: DEFAULT_MEMORY }).verdict;
}

/** `ops`: one key's ops. Null when the key has no COMMIT-time failure. */
export function recheckCommitFails(
  key: string,
  ops: readonly Op[],
  model: Model,
  budget: number,
): CommitFailRecheck | null {
  const fails = ops.filter(isCommitFail).map((o) => o.op);
  if (fails.length === 0) return null;
  const all = new Set(fails);
  const verdict = verdictWith(ops, all, model, budget);
  if (verdict !== 'linearizable')
    return { key, commitFails: fails, verdictIfUnknown: verdict, deciding: [], minimal: true };
  if (fails.length > MAX_NARROWED)
    return { key, commitFails: fails, verdictIfUnknown: verdict, deciding: fails, minimal: false };
  // Greedy: put each back to `fail` while the key stays linearizable. What is left is a set no
  // op of which can be put back alone: each one's classification decides the verdict.
  const keep = new Set(fails);
  for (const id of fails) {
    keep.delete(id);
    if (verdictWith(ops, keep, model, budget) !== 'linearizable') keep.add(id);
  }
  return {
    key,
    commitFails: fails,
    verdictIfUnknown: verdict,
    deciding: fails.filter((id) => keep.has(id)),
    minimal: true,
  };
}
