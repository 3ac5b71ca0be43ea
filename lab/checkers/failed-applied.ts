// "Failed" writes that were applied: an op that ended `fail` (the client was told, e.g. by a 1213,
// that it did not happen) whose effect a later op observed anyway. The BBS workload makes every
// CompleteTask result unique, so a task seen with that result names the write that set it.

import type { BbsResult, TaskRecord } from '../../bbs/ops.ts';
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

export function checkFailedApplied(ops: readonly Op[]): FailedButApplied[] {
  const failed = new Map<string, Op>();
  for (const o of ops) {
    if (o.f !== 'CompleteTask' || o.complete?.type !== 'fail') continue;
    const result = (o.invoke.value as { args: { result: string } }).args.result;
    failed.set(`${o.key} ${result}`, o);
  }
  if (failed.size === 0) return [];
  const out: FailedButApplied[] = [];
  const reported = new Set<Op>();
  for (const o of ops) {
    if (o.complete?.type !== 'ok' || !o.key?.startsWith('task/')) continue;
    const r = (o.complete.value as BbsResult | undefined)?.record as TaskRecord | null | undefined;
    if (!r || (r.state !== 'COMPLETED' && r.state !== 'RESOLVING')) continue;
    const f = failed.get(`${o.key} ${r.result}`);
    if (!f || reported.has(f) || o.invoke.time < f.invoke.time) continue;
    reported.add(f);
    const e = f.complete!.error;
    const err = e ? (e.errno !== undefined ? `${e.errno}` : (e.code ?? e.message)) : 'an error';
    out.push({
      op: f.op,
      f: f.f,
      key: f.key!,
      error: err,
      seenBy: o.op,
      explanation: `${f.f} on ${f.key} failed with ${err}${e?.phase ? ` (on ${e.phase})` : ''}, yet ${o.f} later saw its result ${JSON.stringify(r.result)}`,
    });
  }
  return out;
}

/**
 * As one of the composed checkers: the failed CompleteTasks and the task reads that may see them.
 * It looks for one anomaly only, so a history it alone looked at does not count as judged.
 */
export const failedAppliedChecker: Checker<FailedButApplied[]> = {
  name: 'failedApplied',
  appliesTo: (o, ctx) => !ctx.forced && (o.f === 'CompleteTask' || o.key?.startsWith('task/') === true),
  check(ops) {
    const found = checkFailedApplied(ops);
    return { verdict: found.length === 0, data: found, judged: false, unjudged: 0 };
  },
  idle: [],
};
