// Whether a run's checkers found something, which checkers, and how early: the figures of the
// self-test's detection table. Pure.

import type { PlantRecord } from '../../bbs/sql/plants.ts';
import type { CheckReport } from '../report/verdicts.ts';

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

/** The history key prefix of each record type a plant can break. */
const KEY_PREFIX: Record<PlantRecord, string> = {
  task: 'task/',
  'actual-lrp': 'actual/',
  'desired-lrp': 'desired/',
  domain: 'domain/',
};

interface Finding {
  checker: CheckerName;
  key: string;
  ops: number[];
}

/** Every finding that names a key and its ops, by checker. */
function findings(check: CheckReport): Finding[] {
  const out: Finding[] = [];
  for (const k of check.linearizability?.keys ?? [])
    if (k.verdict === 'not-linearizable')
      out.push({
        checker: 'linearizability',
        key: k.key,
        ops: k.failure?.ops.map((o) => o.op) ?? [],
      });
  for (const v of check.invariants?.violations ?? [])
    out.push({ checker: 'invariants', key: v.key, ops: v.ops });
  for (const f of check.failedApplied)
    out.push({ checker: 'failed-applied', key: f.key, ops: [f.op, f.seenBy] });
  return out;
}

/**
 * The detection of a plant on one record type only, from findings on that record type's keys: a
 * task plant cannot touch an actual LRP row (other table, other ops), so two plants on different
 * record types can share one run and each be judged by its own keys.
 */
export function detectionOfRecord(
  check: CheckReport,
  record: PlantRecord,
  doneAt: ReadonlyMap<number, number>,
  start: number,
): Detection {
  const mine = findings(check).filter((f) => f.key.startsWith(KEY_PREFIX[record]));
  return fromFindings(mine, doneAt, start);
}

function fromFindings(
  fs: readonly Finding[],
  doneAt: ReadonlyMap<number, number>,
  start: number,
): Detection {
  const checkers = new Set(fs.map((f) => f.checker));
  const found = fs.length > 0;
  const first = firstComplete(fs, doneAt);
  return {
    found,
    checkers: ORDER.filter((c) => checkers.has(c)),
    firstDetectionSec: found && first !== null ? (first - start) / 1e9 : null,
  };
}

const ORDER: CheckerName[] = ['linearizability', 'invariants', 'failed-applied', 'isolation'];

/**
 * The earliest moment some finding's ops had all completed (findings with an op of unknown time
 * skipped).
 */
function firstComplete(fs: readonly Finding[], doneAt: ReadonlyMap<number, number>): number | null {
  let first: number | null = null;
  for (const f of fs) {
    const times = f.ops.map((o) => doneAt.get(o)).filter((t): t is number => t !== undefined);
    if (times.length === 0 || times.length < f.ops.length) continue;
    const complete = Math.max(...times);
    if (first === null || complete < first) first = complete;
  }
  return first;
}

/**
 * `doneAt` gives each op's completion time (its invoke time when it never completed), in the
 * history's nanoseconds; `start` is the workload's start on the same clock.
 */
export function detectionOf(
  check: CheckReport,
  doneAt: ReadonlyMap<number, number>,
  start: number,
): Detection {
  const checkers = new Set<CheckerName>();
  if (check.linearizability?.valid === false) checkers.add('linearizability');
  if (check.invariants?.valid === false) checkers.add('invariants');
  if (check.failedApplied.length > 0) checkers.add('failed-applied');
  if (check.isolation && check.isolation.valid === false) checkers.add('isolation');
  const first = firstComplete(findings(check), doneAt);
  const found = check.valid === false;
  return {
    found,
    checkers: ORDER.filter((c) => checkers.has(c)),
    firstDetectionSec: found && first !== null ? (first - start) / 1e9 : null,
  };
}
