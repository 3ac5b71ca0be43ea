// Whether a run's checkers found something, which checkers, and how early: the figures of the
// self-test's detection table. It reads the checkers' anomalies in their one shape (anomaliesOf),
// so a new checker's findings count here with no edit. Pure.

import type { PlantRecord } from '../../bbs/sql/plants.ts';
import { anomaliesOf, type Anomaly } from '../checkers/index.ts';
import type { CheckReport } from '../report/verdicts.ts';

/** A checker's name as the registry (lab/checkers/index.ts) and results.json's `check` spell it. */
export type CheckerName = string;

export interface Detection {
  /** A checker reported an anomaly (check.valid === false). */
  found: boolean;
  /** The checkers with an anomaly (on the record type asked about), in the registry's order. */
  checkers: CheckerName[];
  /**
   * Seconds from the workload's start until the history first held a complete piece of evidence:
   * over the anomalies that name their ops, the earliest of (the last completion among its ops).
   * null when nothing was found or no anomaly names ops with known times.
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

/**
 * The detection of a plant on one record type only, from anomalies on that record type's keys: a
 * task plant cannot touch an actual LRP row (other table, other ops), so two plants on different
 * record types can share one run and each be judged by its own keys.
 */
export function detectionOfRecord(
  check: CheckReport,
  record: PlantRecord,
  doneAt: ReadonlyMap<number, number>,
  start: number,
): Detection {
  const mine = anomaliesOf(check).filter((a) =>
    a.keys.some((k) => k.startsWith(KEY_PREFIX[record])),
  );
  return detectionFrom(mine.length > 0, mine, doneAt, start);
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
  return detectionFrom(check.valid === false, anomaliesOf(check), doneAt, start);
}

function detectionFrom(
  found: boolean,
  anomalies: readonly Anomaly[],
  doneAt: ReadonlyMap<number, number>,
  start: number,
): Detection {
  const first = firstComplete(anomalies, doneAt);
  return {
    found,
    // Anomalies come in the registry's order, so their checkers do too.
    checkers: [...new Set(anomalies.map((a) => a.checker))],
    firstDetectionSec: found && first !== null ? (first - start) / 1e9 : null,
  };
}

/**
 * The earliest moment some anomaly's ops had all completed (anomalies with no op, or one of unknown
 * time, skipped).
 */
function firstComplete(
  anomalies: readonly Anomaly[],
  doneAt: ReadonlyMap<number, number>,
): number | null {
  let first: number | null = null;
  for (const a of anomalies) {
    const times = a.ops.map((o) => doneAt.get(o)).filter((t): t is number => t !== undefined);
    if (times.length === 0 || times.length < a.ops.length) continue;
    const complete = Math.max(...times);
    if (first === null || complete < first) first = complete;
  }
  return first;
}
