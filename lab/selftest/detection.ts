// Whether a run's checkers found something, which checkers, and how early: the figures of the
// self-test's detection table. Pure.

import type { CheckReport } from '../checkers/index.ts';

export type CheckerName = 'linearizability' | 'invariants' | 'failed-applied' | 'isolation';

export interface Detection {
  /** A checker reported an anomaly (check.valid === false). */
  found: boolean;
  checkers: CheckerName[];
  /**
   * Seconds from the workload's start until the history first held a complete piece of evidence:
   * over the findings that name their ops, the earliest of (the last completion among its ops).
   * null when nothing was found or no finding names ops with known times.
   */
  firstDetectionSec: number | null;
}

/** The op ids each finding names, by checker. */
function findings(check: CheckReport): { checker: CheckerName; ops: number[] }[] {
  const out: { checker: CheckerName; ops: number[] }[] = [];
  for (const k of check.linearizability?.keys ?? []) if (k.failure) out.push({ checker: 'linearizability', ops: k.failure.ops.map((o) => o.op) });
  for (const v of check.invariants?.violations ?? []) out.push({ checker: 'invariants', ops: v.ops });
  for (const f of check.failedApplied) out.push({ checker: 'failed-applied', ops: [f.op, f.seenBy] });
  return out;
}

/**
 * `doneAt` gives each op's completion time (its invoke time when it never completed), in the
 * history's nanoseconds; `start` is the workload's start on the same clock.
 */
export function detectionOf(check: CheckReport, doneAt: ReadonlyMap<number, number>, start: number): Detection {
  const checkers = new Set<CheckerName>();
  if (check.linearizability?.valid === false) checkers.add('linearizability');
  if (check.invariants?.valid === false) checkers.add('invariants');
  if (check.failedApplied.length > 0) checkers.add('failed-applied');
  if (check.isolation && check.isolation.valid === false) checkers.add('isolation');
  let first: number | null = null;
  for (const f of findings(check)) {
    const times = f.ops.map((o) => doneAt.get(o)).filter((t): t is number => t !== undefined);
    if (times.length === 0 || times.length < f.ops.length) continue;
    const complete = Math.max(...times);
    if (first === null || complete < first) first = complete;
  }
  const found = check.valid === false;
  return {
    found,
    checkers: ['linearizability', 'invariants', 'failed-applied', 'isolation'].filter((c) => checkers.has(c as CheckerName)) as CheckerName[],
    firstDetectionSec: found && first !== null ? (first - start) / 1e9 : null,
  };
}
