// The example of docs/adding-a-checker.md, kept here so a test runs it (checkers-add-one.test.ts)
// and holds the doc's copy to it. In the lab it would be lab/checkers/never-written.ts.

import type { Checker } from '../../lab/checkers/checker.ts';
import type { Op } from '../../lab/history/event.ts';

/** A read that returned a value no write of its key was ever asked to write. */
export interface NeverWritten {
  op: number;
  key: string;
  value: unknown;
}

/** Its data: how many reads it looked at, and those that read a value never written. */
export interface NeverWrittenResult {
  reads: number;
  found: NeverWritten[];
}

export function checkNeverWritten(ops: readonly Op[]): NeverWrittenResult {
  const written = new Map<string, Set<unknown>>();
  for (const o of ops) {
    if (o.f !== 'write' || o.key === undefined) continue;
    const v = (o.invoke.value as { value?: unknown } | undefined)?.value;
    written.set(o.key, (written.get(o.key) ?? new Set()).add(v));
  }
  const reads = ops.filter((o) => o.f === 'read' && o.complete?.type === 'ok');
  const found: NeverWritten[] = [];
  for (const o of reads) {
    const v = o.complete!.value;
    // null is the register's initial value: a read of it needs no write.
    if (v !== null && !written.get(o.key!)?.has(v)) found.push({ op: o.op, key: o.key!, value: v });
  }
  return { reads: reads.length, found };
}

export const neverWrittenChecker: Checker<NeverWrittenResult | null, 'neverWritten'> = {
  name: 'neverWritten',
  appliesTo: (o) => o.key !== undefined && (o.f === 'read' || o.f === 'write'),
  check(ops) {
    const data = checkNeverWritten(ops);
    // It looks for one anomaly only: it judges nothing else, so it does not count as judged.
    return { verdict: data.found.length === 0, data, judged: false, unjudged: 0 };
  },
  idle: null,
  anomalies: (data) =>
    (data?.found ?? []).map((f) => ({
      checker: 'neverWritten',
      type: 'never-written',
      ops: [f.op],
      keys: [f.key],
      // A value nobody wrote: no register history with it is linearizable.
      ruledOut: ['linearizable'],
      data: { value: f.value },
    })),
};
