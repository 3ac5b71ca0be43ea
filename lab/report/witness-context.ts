// Sentences that go with a non-linearizable key's witness, in report.md and report.html: when the
// anomaly was first detectable, and the ops before the window that put the row in the state the
// window starts from (checkers/linearizability/context.ts). Pure.

import type { CommitFailRecheck } from '../checkers/linearizability/commit-fails.ts';
import type { LinFailure } from '../checkers/linearizability/index.ts';

/** Seconds since the workload's start, for a history time in nanoseconds. */
const sec = (t0: number, ns: number) => ((ns - t0) / 1e9).toFixed(3);

export function witnessContextSentences(f: LinFailure, t0: number): string[] {
  const out: string[] = [];
  if (f.earliest) {
    const first = f.ops.length > 0 ? Math.min(...f.ops.map((o) => o.invoke)) : undefined;
    out.push(
      `Detectable from ${sec(t0, f.earliest.at)} s: the key's history up to the completion of op ${f.earliest.op} already cannot be linearized` +
        (first !== undefined && first > f.earliest.at
          ? ` (the witness above, which begins at ${sec(t0, first)} s, is a later failing window)`
          : '') +
        '.',
    );
  }
  if (f.context && f.context.length > 0) {
    out.push(
      `Before the window (how the row got to the state it starts from; not part of the proof): ${f.context
        .map(
          (o) =>
            `op ${o.op} ${o.description} (${sec(t0, o.invoke)}–${o.complete === undefined ? 'never' : sec(t0, o.complete)} s)`,
        )
        .join(', ')}.`,
    );
  }
  return out;
}

/** What the key's verdict would be with its COMMIT-time failures taken as of unknown outcome. */
export function commitRecheckSentence(r: CommitFailRecheck): string {
  const n = r.commitFails.length;
  const head = `${n} op${n === 1 ? '' : 's'} on this key failed at COMMIT (${r.commitFails.map((id) => `op ${id}`).join(', ')}); taken as of unknown outcome instead, the key is ${r.verdictIfUnknown}`;
  if (r.verdictIfUnknown !== 'linearizable') return `${head}: no COMMIT failure explains it.`;
  if (!r.minimal)
    return `${head}: too many to tell which decide it one by one; a failed COMMIT that was applied would explain it.`;
  return `${head}: the classification of ${r.deciding.map((id) => `op ${id}`).join(', ')} decides the verdict (a failed COMMIT that was applied would explain it).`;
}
