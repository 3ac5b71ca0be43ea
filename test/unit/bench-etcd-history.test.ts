// The bench's Jepsen-etcd-shaped histories: without `stale` linearizable, with `stale` not, so the
// bench's "a fifth not linearizable" is what it plants. Verdicts come from a plain search written
// here (every order of the ops, memoised on (ops done, value); cas-register rules spelled out
// below), never from the lab's checker.

import test from 'ava';
import { etcdHistory, plantStaleRead, type Gen } from '../../lab/bench/etcd-history.ts';
import { pairOps, type Op } from '../../lab/history/event.ts';

type Input = { f: 'read' } | { f: 'write'; value: number } | { f: 'cas'; value: [number, number] };

/**
 * The reference: is there an order of the ops, each ok op between its invoke and completion, info
 * ops anywhere after their invoke or never?
 */
function linearizable(ops: readonly Op[]): boolean {
  const list = ops
    .filter((o) => o.complete?.type === 'ok' || (o.invoke.value as Input).f !== 'read')
    .map((o) => ({
      call: o.invoke.time,
      ret: o.complete?.type === 'ok' ? o.complete.time : Infinity,
      input: o.invoke.value as Input,
      ok: o.complete?.type === 'ok',
      output: o.complete?.value,
    }));
  const n = list.length;
  const failed = new Set<string>();
  const go = (done: bigint, value: number | null): boolean => {
    if (list.every((o, i) => !o.ok || (done >> BigInt(i)) & 1n)) return true;
    const key = `${done}:${value}`;
    if (failed.has(key)) return false;
    for (let i = 0; i < n; i++) {
      if ((done >> BigInt(i)) & 1n) continue;
      const o = list[i]!;
      // o can go next only if no other ok op left completed strictly before o was invoked.
      if (list.some((p, j) => j !== i && p.ok && !((done >> BigInt(j)) & 1n) && p.ret < o.call))
        continue;
      let next: number | null = value;
      if (o.input.f === 'read') {
        if (o.output !== value) continue;
      } else if (o.input.f === 'write') next = o.input.value;
      else {
        const [from, to] = o.input.value;
        // ok true or unknown: it swapped, so the register held `from`; ok false: it did not.
        if (o.ok && o.output === false) {
          if (value === from) continue;
        } else if (value !== from) continue;
        else next = to;
      }
      if (go(done | (1n << BigInt(i)), next)) return true;
    }
    failed.add(key);
    return false;
  };
  return go(0n, null);
}

test('the reference itself: a read of the overwritten value is rejected, one concurrent with the overwrite accepted', (t) => {
  const op = (id: number, at: [number, number], input: Input, output: unknown): Op =>
    ({
      op: id,
      process: id,
      key: 'r',
      f: input.f,
      invoke: {
        type: 'invoke',
        index: 0,
        time: at[0],
        op: id,
        process: id,
        client: id,
        f: input.f,
        key: 'r',
        value: input,
      },
      complete: {
        type: 'ok',
        index: 0,
        time: at[1],
        op: id,
        process: id,
        client: id,
        f: input.f,
        key: 'r',
        value: output,
      },
    }) as unknown as Op;
  // write 1 [0,1], write 2 [2,3], read → 1 [4,5]: write 2 must follow write 1 and precede the read.
  t.false(
    linearizable([
      op(0, [0, 1], { f: 'write', value: 1 }, null),
      op(1, [2, 3], { f: 'write', value: 2 }, null),
      op(2, [4, 5], { f: 'read' }, 1),
    ]),
  );
  // The same with the read at [3,5]: equal instants are concurrent, so the read may go before write
  // 2.
  t.true(
    linearizable([
      op(0, [0, 1], { f: 'write', value: 1 }, null),
      op(1, [2, 3], { f: 'write', value: 2 }, null),
      op(2, [3, 5], { f: 'read' }, 1),
    ]),
  );
});

test('plantStaleRead: the value before the overwrite when nothing can restore it, else null', (t) => {
  const g = (
    id: number,
    start: number,
    end: number,
    f: Gen['f'],
    a: number,
    b = 0,
    info = false,
  ): Gen => ({ id, process: id, start, end, point: start, f, a, b, info, applies: true });
  // write 1 [0,2], write 2 [3,5], read [6,8] (answered 2). Value 1: write 2 (ok, sets 2 ≠ 1, ended
  // at 5 < 6) precedes the read; the only setter of 1, write 1, ended at 2 < 3 = write 2's invoke.
  // So no order lets the read see 1: planted 1.
  const gens = [g(0, 0, 2, 'write', 1), g(1, 3, 5, 'write', 2), g(2, 6, 8, 'read', 0)];
  const out = new Map<number, unknown>([[2, 2]]);
  t.true(plantStaleRead(gens, out, [{ id: 2, stale: 1 }], 0));
  t.is(out.get(2), 1);
  // Add an info write of 1 invoked at 4 (before the read ends): it may take effect after write 2,
  // so 1 is explainable. null is next: no op writes null and write 2 precedes the read.
  const withInfo = [...gens, g(3, 4, 104, 'write', 1, 0, true)];
  const out2 = new Map<number, unknown>([[2, 2]]);
  t.true(plantStaleRead(withInfo, out2, [{ id: 2, stale: 1 }], 0));
  t.is(out2.get(2), null);
  // A read concurrent with every write (invoked at 0) has no write known to precede it: nothing
  // planted.
  const out3 = new Map<number, unknown>([[2, 2]]);
  t.false(
    plantStaleRead(
      [g(0, 0, 2, 'write', 1), g(1, 1, 5, 'write', 2), g(2, 0, 8, 'read', 0)],
      out3,
      [{ id: 2, stale: 1 }],
      0,
    ),
  );
  t.is(out3.get(2), 2);
});

test('generated: without stale every history is linearizable; with it every one is not, and it differs in one read', (t) => {
  let planted = 0;
  for (let seed = 1; seed <= 40; seed++) {
    // 10% timeouts so that most histories carry info ops that could explain a merely stale read.
    const o = { ops: 24 + (seed % 13), seed, timeouts: 0.1 };
    const clean = pairOps(etcdHistory({ ...o, stale: false }));
    const stale = pairOps(etcdHistory({ ...o, stale: true }));
    t.true(linearizable(clean), `seed ${seed} without stale`);
    t.false(linearizable(stale), `seed ${seed} with stale`);
    const differ = clean.filter(
      (c, i) => JSON.stringify(c.complete?.value) !== JSON.stringify(stale[i]!.complete?.value),
    );
    t.is(differ.length, 1, `seed ${seed}: one answer changed`);
    t.is(differ[0]!.f, 'read');
    planted++;
  }
  t.is(planted, 40);
});
