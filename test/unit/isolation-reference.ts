// A brute-force reference for small list-append histories: a history is serializable when some
// serial order of its committed txns (every ok txn, any subset of the info / unfinished ones)
// replays every ok read exactly. With `realtime`, the order must also respect real time (an ok
// txn that completed strictly before another was invoked comes first). Exponential: ≤ 5 txns.

import type { Op } from '../../lab/history/event.ts';

type Mop = ['append', number | string, number] | ['r', number | string, number[] | null];

export function serializableByBruteForce(ops: readonly Op[], realtime = false): boolean {
  const txns = ops.filter((o) => o.f === 'txn' && o.complete?.type !== 'fail');
  const must = txns.filter((o) => o.complete?.type === 'ok');
  const may = txns.filter((o) => o.complete?.type !== 'ok');
  for (let mask = 0; mask < 1 << may.length; mask++) {
    const chosen = [...must, ...may.filter((_, i) => mask & (1 << i))];
    if (someOrder(chosen, [], realtime)) return true;
  }
  return false;
}

function someOrder(left: readonly Op[], done: Op[], realtime: boolean): boolean {
  if (left.length === 0) return replays(done);
  for (let i = 0; i < left.length; i++) {
    const next = left[i]!;
    const rest = left.filter((_, j) => j !== i);
    // Real time: nothing still left may have completed before `next` was invoked.
    if (
      realtime &&
      rest.some((o) => o.complete?.type === 'ok' && o.complete.time < next.invoke.time)
    )
      continue;
    if (someOrder(rest, [...done, next], realtime)) return true;
  }
  return false;
}

function replays(order: readonly Op[]): boolean {
  const lists = new Map<string, number[]>();
  for (const o of order) {
    const ok = o.complete?.type === 'ok';
    const micro = (ok ? o.complete!.value : o.invoke.value) as Mop[];
    for (const m of micro) {
      const k = JSON.stringify(m[1]);
      const list = lists.get(k) ?? [];
      if (m[0] === 'append') lists.set(k, [...list, m[2]]);
      else if (ok && JSON.stringify(m[2] ?? []) !== JSON.stringify(list)) return false;
    }
  }
  return true;
}
