// "Failed" writes that were applied: an op that ended `fail` (the client was told, e.g. by a 1213,
// that it did not happen) whose effect a later op observed anyway. The BBS workload makes every
// value such a write sets unique in the run (a CompleteTask result, an annotation, a failure or
// crash reason, a placement error), so a record seen with that value names the write that set it.
// Instance guids are not made unique: a repeated claim or start by the same instance is a
// transition the workload must reach, so a claim is not traced this way.

import type { BbsResult } from '../../bbs/ops.ts';
import type { Op } from '../history/event.ts';
import type { Checker } from './checker.ts';

export interface FailedButApplied {
  op: number;
  f: string;
  key: string;
  error: string;
  /** The op that saw the write's effect. */
  seenBy: number;
  explanation: string;
}

/**
 * Per write: the argument whose unique value it stores, the record field it lands in, and the word
 * for it.
 */
export const TRACED: Record<
  string,
  { arg: string; field: string; what: string; when?: (args: Record<string, unknown>) => boolean }
> = {
  CompleteTask: { arg: 'result', field: 'result', what: 'result' },
  FailTask: { arg: 'failureReason', field: 'failureReason', what: 'failure reason' },
  DesireLRP: { arg: 'annotation', field: 'annotation', what: 'annotation' },
  UpdateDesiredLRP: {
    arg: 'annotation',
    field: 'annotation',
    what: 'annotation',
    when: (a) => a.annotation !== undefined,
  },
  CrashActualLRP: { arg: 'reason', field: 'crashReason', what: 'crash reason' },
  FailActualLRP: { arg: 'placementError', field: 'placementError', what: 'placement error' },
};

/** The suffix the BBS workload gives every traced value: `-c<client>-<n>`, unique in the run. */
export const UNIQUE_VALUE = /-c\d+-\d+$/;

export function uniqueValue(v: string, client: number, n: number): string {
  return `${v}-c${client}-${n}`;
}

export function checkFailedApplied(ops: readonly Op[]): FailedButApplied[] {
  const failed = new Map<string, Op>();
  for (const o of ops) {
    const t = TRACED[o.f];
    if (!t || o.complete?.type !== 'fail' || o.key === undefined) continue;
    const args = (o.invoke.value as { args?: Record<string, unknown> } | undefined)?.args ?? {};
    if (t.when && !t.when(args)) continue;
    const v = args[t.arg];
    // Only a value the workload made unique names its op: histories written before it made these
    // unique repeat "alpha", "exit status 1", … across many writes.
    if (typeof v !== 'string' || !UNIQUE_VALUE.test(v)) continue;
    failed.set(`${o.key} ${t.field} ${v}`, o);
  }
  if (failed.size === 0) return [];
  const fields = [...new Set(Object.values(TRACED).map((t) => t.field))];
  const out: FailedButApplied[] = [];
  const reported = new Set<Op>();
  for (const o of ops) {
    if (o.complete?.type !== 'ok' || o.key === undefined) continue;
    const r = (o.complete.value as BbsResult | undefined)?.record as
      | Record<string, unknown>
      | null
      | undefined;
    if (!r) continue;
    for (const field of fields) {
      const v = r[field];
      if (typeof v !== 'string' || v === '') continue;
      const f = failed.get(`${o.key} ${field} ${v}`);
      if (!f || reported.has(f) || o.invoke.time < f.invoke.time || f === o) continue;
      reported.add(f);
      const e = f.complete!.error;
      const err = e ? (e.errno !== undefined ? `${e.errno}` : (e.code ?? e.message)) : 'an error';
      out.push({
        op: f.op,
        f: f.f,
        key: f.key!,
        error: err,
        seenBy: o.op,
        explanation: `${f.f} on ${f.key} failed with ${err}${e?.phase ? ` (on ${e.phase})` : ''}, yet ${o.f} later saw its ${TRACED[f.f]!.what} ${JSON.stringify(v)}`,
      });
    }
  }
  return out;
}

/**
 * As one of the composed checkers: the failed CompleteTasks and the task reads that may see them.
 * It looks for one anomaly only, so a history it alone looked at does not count as judged.
 */
export const failedAppliedChecker: Checker<FailedButApplied[]> = {
  name: 'failedApplied',
  appliesTo: (o, ctx) =>
    !ctx.forced && (o.f === 'CompleteTask' || o.key?.startsWith('task/') === true),
  check(ops) {
    const found = checkFailedApplied(ops);
    return { verdict: found.length === 0, data: found, judged: false, unjudged: 0 };
  },
  idle: [],
};
