// The isolation checker against a brute-force reference on small generated histories, both ways:
// no anomaly on a history some serial order explains, and an anomaly on every history none does.
// Histories are executed serially, then some reads are moved to another prefix of the key's final
// list (stale or from the future), which is what makes most of them non-serializable.

import test from 'ava';
import fc from 'fast-check';
import { checkIsolation } from '../../lab/checkers/isolation/index.ts';
import type { Op } from '../../lab/history/event.ts';
import { txn, type M } from './isolation-helpers.ts';
import { serializableByBruteForce } from './isolation-reference.ts';

type Outcome = 'ok' | 'fail' | 'info-applied' | 'info-lost';

interface Small {
  txns: { micro: ['append' | 'r', number][]; outcome: Outcome; at: [number, number] }[];
  order: number[];
  /**
   * Per read (in history order): -1 keeps what the serial run read, else a prefix length of the
   * final list.
   */
  moves: number[];
}

const small: fc.Arbitrary<Small> = fc.integer({ min: 2, max: 4 }).chain((n) =>
  fc.record({
    txns: fc.array(
      fc.record({
        micro: fc.array(
          fc.tuple(
            fc.constantFrom('append' as const, 'r' as const),
            fc.integer({ min: 0, max: 1 }),
          ),
          { minLength: 1, maxLength: 3 },
        ),
        outcome: fc.oneof(
          { arbitrary: fc.constant<Outcome>('ok'), weight: 8 },
          { arbitrary: fc.constantFrom<Outcome>('fail', 'info-applied', 'info-lost'), weight: 2 },
        ),
        at: fc
          .tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }))
          .map(([a, d]): [number, number] => [a, a + d]),
      }),
      { minLength: n, maxLength: n },
    ),
    order: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
    moves: fc.array(
      fc.oneof({ arbitrary: fc.constant(-1), weight: 3 }, { arbitrary: fc.nat(4), weight: 1 }),
      { minLength: 12, maxLength: 12 },
    ),
  }),
);

function build(s: Small): Op[] {
  const lists = new Map<number, number[]>();
  let next = 1;
  const micro: M[][] = s.txns.map((t) =>
    t.micro.map(([f, k]): M => (f === 'append' ? ['append', k, next++] : ['r', k, null])),
  );
  for (const i of s.order) {
    const applies = s.txns[i]!.outcome === 'ok' || s.txns[i]!.outcome === 'info-applied';
    if (!applies) continue;
    for (const m of micro[i]!) {
      const list = lists.get(m[1]) ?? [];
      if (m[0] === 'append') lists.set(m[1], [...list, m[2]]);
      else m[2] = list.slice();
    }
  }
  let r = 0;
  return s.txns.map((t, i) => {
    const ms = micro[i]!.map((m): M => {
      if (m[0] !== 'r') return m;
      const move = s.moves[r++ % s.moves.length]!;
      const final = lists.get(m[1]) ?? [];
      return ['r', m[1], move < 0 ? (m[2] ?? []) : final.slice(0, Math.min(move, final.length))];
    });
    const outcome = t.outcome === 'ok' ? 'ok' : t.outcome === 'fail' ? 'fail' : 'info';
    return txn(i, ms, { at: t.at, outcome });
  });
}

for (const consistency of ['serializable', 'strict-serializable'] as const) {
  test(`property: ${consistency}, both ways, against a brute-force reference on histories of ≤ 4 txns`, (t) => {
    let valid = 0;
    let invalid = 0;
    fc.assert(
      fc.property(small, (s) => {
        const h = build(s);
        const ref = serializableByBruteForce(h, consistency === 'strict-serializable');
        const res = checkIsolation(h, { consistency });
        if (ref) valid++;
        else invalid++;
        if (ref !== res.valid)
          throw new Error(
            `reference ${ref ? 'serializable' : 'not serializable'}, checker: ${res.summary}\n${JSON.stringify(h.map((o) => [o.op, o.complete?.type, o.invoke.time, o.complete?.time, o.complete?.value ?? o.invoke.value]))}`,
          );
      }),
      { numRuns: 2000 },
    );
    t.true(valid >= 200 && invalid >= 200, `${valid} serializable, ${invalid} not`);
  });
}
