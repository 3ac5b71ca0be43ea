// Task invariants: a task never runs on two cells, and a completed task's result never changes.
// Both hold per incarnation: once a task is deleted and desired again (a successful DesireTask
// in between), it is a new task that may run anywhere.

import type { BbsResult, TaskRecord } from '../../../specs/vocabulary.ts';
import type { Op } from '../../history/event.ts';
import { args, byKey, mayFallBetween, okValue, type Timed } from './timeline.ts';
import type { Violation } from './types.ts';

/** A DesireTask that may have created a new incarnation (it did not report an error). */
function isRedesire(t: Timed): boolean {
  if (t.op.f !== 'DesireTask') return false;
  const v = okValue<BbsResult>(t);
  return v === undefined || v.error === undefined;
}

function separated(all: Timed[], a: Timed, b: Timed): boolean {
  return all.some((x) => isRedesire(x) && mayFallBetween(x, a, b));
}

export function checkTasks(ops: readonly Op[]): Violation[] {
  const out: Violation[] = [];
  for (const [key, all] of byKey(ops, 'task/')) {
    // StartTask that answered shouldStart: true made its cell the runner.
    const starts = all.filter(
      (t) => t.op.f === 'StartTask' && okValue<BbsResult>(t)?.shouldStart === true,
    );
    for (let i = 1; i < starts.length; i++) {
      const a = starts[i - 1]!;
      const b = starts[i]!;
      const ca = args<{ cellId: string }>(a).cellId;
      const cb = args<{ cellId: string }>(b).cellId;
      if (ca !== cb && !separated(all, a, b)) {
        out.push({
          invariant: 'task-started-on-two-cells',
          key,
          ops: [a.op.op, b.op.op],
          explanation: `StartTask told ${ca} and then ${cb} to run ${key.slice(5)}, with no DesireTask that could have made it a new task in between`,
        });
      }
    }
    // Every ok op whose record shows the task completed (or resolving) saw its result.
    const seen = all.filter((t) => {
      const r = okValue<BbsResult>(t)?.record as TaskRecord | null | undefined;
      return r != null && (r.state === 'COMPLETED' || r.state === 'RESOLVING');
    });
    for (let i = 1; i < seen.length; i++) {
      const a = seen[i - 1]!;
      const b = seen[i]!;
      const ra = okValue<BbsResult>(a)!.record as TaskRecord;
      const rb = okValue<BbsResult>(b)!.record as TaskRecord;
      if (
        (ra.result !== rb.result ||
          ra.failed !== rb.failed ||
          ra.failureReason !== rb.failureReason) &&
        !separated(all, a, b)
      ) {
        out.push({
          invariant: 'completed-task-result-changed',
          key,
          ops: [a.op.op, b.op.op],
          // Every field that differs, so the reader sees what changed (a failure reason alone can).
          explanation: `${key.slice(5)} was seen completed with ${outcomeText(ra)} and later with ${outcomeText(rb)} in the same incarnation`,
        });
      }
    }
  }
  return out;
}

/** "result "x" (failed true, reason "boom")": a completed task's whole outcome. */
function outcomeText(r: TaskRecord): string {
  return `result ${JSON.stringify(r.result)} (failed ${r.failed}${r.failed ? `, reason ${JSON.stringify(r.failureReason)}` : ''})`;
}
