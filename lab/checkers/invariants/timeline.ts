// What the invariant checks share: ops grouped by key, and the question "could this op have
// taken effect between those two?" under the history's timing rules (ok: within its interval;
// info or unfinished: any time after its invoke).

import type { Op } from '../../history/event.ts';

export interface Timed {
  op: Op;
  start: number;
  /** Completion time; Infinity for ops whose outcome is unknown. */
  end: number;
}

/** Every op that may have taken effect (ok, info, unfinished), by key. `fail` ops never did. */
export function byKey(ops: readonly Op[], prefix: string): Map<string, Timed[]> {
  const m = new Map<string, Timed[]>();
  for (const op of ops) {
    if (!op.key?.startsWith(prefix) || op.complete?.type === 'fail') continue;
    const t: Timed = {
      op,
      start: op.invoke.time,
      end: op.complete?.type === 'ok' ? op.complete.time : Infinity,
    };
    let list = m.get(op.key);
    if (!list) {
      list = [];
      m.set(op.key, list);
    }
    list.push(t);
  }
  for (const list of m.values()) list.sort((a, b) => a.end - b.end || a.start - b.start);
  return m;
}

/** Could `x` take effect after `a` took effect and before `b` did? */
export function mayFallBetween(x: Timed, a: Timed, b: Timed): boolean {
  return x !== a && x !== b && x.start < b.end && x.end > a.start;
}

export function okValue<T>(t: Timed): T | undefined {
  return t.op.complete?.type === 'ok' ? (t.op.complete.value as T) : undefined;
}

export function args<T>(t: Timed): T {
  return (t.op.invoke.value as { args: T }).args;
}
