// Did an op whose outcome is unknown (`info`) take effect? Only where a later observation names
// the op's own write: the workload gives every CompleteTask a unique result, so a task seen later
// (by an ok op invoked after it, or in the final read of the tables) with that result proves the
// write committed. Not seeing it proves nothing (a later write may have replaced it), and other ops
// leave no unique trace, so those are "cannot tell", never "did not commit". Pure.

import type { BbsResult, TaskRecord } from '../../bbs/ops.ts';
import { FINAL_READ, type Op } from '../history/event.ts';

export type EffectSeen = 'seen' | 'not-seen' | 'cannot-tell';

/**
 * Which `task/<guid> <result>` pairs later ops and the final read show, with the time they were
 * invoked.
 */
export interface Observations {
  /**
   * `task/<guid> <result>` → invoke times (ns) of ok ops that saw it; the final read counts as +∞.
   */
  taskResults: Map<string, number[]>;
}

export function observe(allOps: readonly Op[]): Observations {
  const taskResults = new Map<string, number[]>();
  const add = (k: string, t: number) => {
    const xs = taskResults.get(k);
    if (xs) xs.push(t);
    else taskResults.set(k, [t]);
  };
  for (const o of allOps) {
    if (o.complete?.type !== 'ok') continue;
    if (o.f === FINAL_READ) {
      const tasks = (o.complete.value as { tasks?: TaskRecord[] } | undefined)?.tasks ?? [];
      for (const t of tasks) if (t.result) add(`task/${t.taskGuid} ${t.result}`, Infinity);
      continue;
    }
    if (!o.key?.startsWith('task/')) continue;
    const r = (o.complete.value as BbsResult | undefined)?.record as TaskRecord | null | undefined;
    if (r?.result) add(`${o.key} ${r.result}`, o.invoke.time);
  }
  return { taskResults };
}

export function effectSeen(op: Op, obs: Observations): EffectSeen {
  if (op.f !== 'CompleteTask' || !op.key) return 'cannot-tell';
  const result = (op.invoke.value as { args?: { result?: unknown } } | undefined)?.args?.result;
  if (typeof result !== 'string' || result === '') return 'cannot-tell';
  const seenAt = obs.taskResults.get(`${op.key} ${result}`) ?? [];
  return seenAt.some((t) => t >= op.invoke.time) ? 'seen' : 'not-seen';
}
