// domain-upsert-refused-wrongly: a refused UpsertDomain must have raced the domain's first insert.

import test from 'ava';
import fc from 'fast-check';
import { checkDomainUpserts } from '../../lab/checkers/invariants/domain-upserts.ts';
import { pairOps, type HistoryEvent, type Op } from '../../lab/history/event.ts';

/** [ttl, refused?, invoke ms, complete ms, node] per upsert of domain d. */
type U = [number, boolean, number, number, string];

function history(us: U[]): Op[] {
  const ev: HistoryEvent[] = [];
  us.forEach(([ttl, refused, a, b, node], op) => {
    const base = { index: 0, op, process: op, client: op, f: 'UpsertDomain', key: 'domain/d' };
    const args = { domain: 'd', ttl };
    ev.push({
      type: 'invoke',
      time: a * 1e6,
      ...base,
      value: { f: 'UpsertDomain', args },
    } as HistoryEvent);
    ev.push({
      type: 'ok',
      time: b * 1e6,
      ...base,
      node,
      value: refused ? { error: 'ResourceExists' } : { record: args },
    } as HistoryEvent);
  });
  ev.sort((x, y) => x.time - y.time);
  return pairOps(ev.map((e, index) => ({ ...e, index })));
}

test('a refusal that raced the first insert is fine; one begun after an acknowledged upsert on its node is not', (t) => {
  // Op 0 created d (0–10 ms, n1); op 1 (5–12 ms, n1) overlapped it: its UPDATE may have found no
  // row.
  t.deepEqual(
    checkDomainUpserts(
      history([
        [5, false, 0, 10, 'n1'],
        [300, true, 5, 12, 'n1'],
      ]),
    ),
    [],
  );
  // Op 1 began at 20 ms, after op 0 was acknowledged on its own node n1: the row was there.
  const v = checkDomainUpserts(
    history([
      [5, false, 0, 10, 'n1'],
      [300, true, 20, 25, 'n1'],
    ]),
  );
  t.deepEqual(
    v.map((x) => [x.invariant, x.key, x.ops]),
    [['domain-upsert-refused-wrongly', 'domain/d', [0, 1]]],
  );
  t.regex(v[0]!.explanation, /on the same node n1/);
});

test('on another node the refusal needs causal reads to be wrong (its node may not have applied the creation); ttl 0 again is always fine', (t) => {
  const h = history([
    [5, false, 0, 10, 'n1'],
    [300, true, 20, 25, 'n2'],
  ]);
  t.deepEqual(
    checkDomainUpserts(h, { syncWait: 0, transactionalReads: true }),
    [],
    'n2 may lag: its INSERT then met the creation',
  );
  t.is(
    checkDomainUpserts(h, { syncWait: 1, transactionalReads: true }).length,
    1,
    'BEGIN waited for the creation',
  );
  t.deepEqual(
    checkDomainUpserts(h, { syncWait: 1, transactionalReads: false }),
    [],
    'an autocommit UPDATE needs bits 2 and 4',
  );
  t.deepEqual(
    checkDomainUpserts(
      history([
        [0, false, 0, 10, 'n1'],
        [0, true, 20, 25, 'n1'],
      ]),
    ),
    [],
    'the same expiry again: the UPDATE changes nothing',
  );
});

test('property: matches a reference over generated one-node histories', (t) => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          ttl: fc.integer({ min: 0, max: 3 }),
          refused: fc.boolean(),
          at: fc.nat(50),
          len: fc.integer({ min: 1, max: 20 }),
        }),
        { minLength: 1, maxLength: 6 },
      ),
      (xs) => {
        const us: U[] = xs.map((x) => [x.ttl, x.refused, x.at, x.at + x.len, 'n1']);
        const got = new Set(checkDomainUpserts(history(us)).map((v) => v.ops[1]));
        // Reference: refusal i (ttl ≠ 0) is wrong when some applied j ended before i began.
        const want = new Set(
          us.flatMap(([ttl, refused, a], i) =>
            refused && ttl !== 0 && us.some(([, rj, , bj], j) => j !== i && !rj && bj < a)
              ? [i]
              : [],
          ),
        );
        return got.size === want.size && [...want].every((i) => got.has(i));
      },
    ),
    { seed: 27, numRuns: 300 },
  );
  t.pass();
});
