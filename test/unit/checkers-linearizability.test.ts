// The linearizability checker on histories with known answers, both ways: classic hand-written
// cases, and generated ones (a real sequential execution spread over overlapping intervals is
// always accepted; the same history with one planted stale read is always rejected).

import test from 'ava';
import fc from 'fast-check';
import { checkLinearizable } from '../../lab/checkers/linearizability/index.ts';
import { bbsModelFor } from '../../specs/bbs.ts';
import { casRegisterModel } from '../../specs/cas-register.ts';
import { kvModel } from '../../specs/kv.ts';
import type { Model } from '../../specs/model.ts';
import { registerModel } from '../../specs/register.ts';
import { setModel } from '../../specs/set.ts';
import { opsOf, type TestOp } from './lin-history.ts';

const w = (value: unknown, at: [number, number], extra: Partial<TestOp> = {}): TestOp => ({
  input: { f: 'write', value },
  at,
  ...extra,
});
const r = (output: unknown, at: [number, number], extra: Partial<TestOp> = {}): TestOp => ({
  input: { f: 'read' },
  output,
  at,
  ...extra,
});
const cas = (
  from: unknown,
  to: unknown,
  output: boolean,
  at: [number, number],
  extra: Partial<TestOp> = {},
): TestOp => ({ input: { f: 'cas', value: [from, to] }, output, at, ...extra });

const check = (model: Model, ops: TestOp[], budget?: number) =>
  checkLinearizable(opsOf(ops), () => model, budget !== undefined ? { budget } : {});
const verdict = (model: Model, ops: TestOp[]) => check(model, ops).keys[0]!.verdict;

test('register: sequential writes and reads are linearizable', (t) => {
  t.is(
    verdict(registerModel as Model, [w(1, [0, 1]), r(1, [2, 3]), w(2, [4, 5]), r(2, [6, 7])]),
    'linearizable',
  );
});

test('register: a read before any write sees null', (t) => {
  t.is(verdict(registerModel as Model, [r(null, [0, 1]), w(1, [2, 3])]), 'linearizable');
  t.is(
    verdict(registerModel as Model, [r(1, [0, 1]), w(1, [2, 3])]),
    'not-linearizable',
    'a read cannot see a write invoked after it completed',
  );
});

test('register: a stale read is rejected', (t) => {
  const res = check(registerModel as Model, [w(1, [0, 1]), w(2, [2, 3]), r(1, [4, 5])]);
  t.is(res.valid, false);
  const k = res.keys[0]!;
  t.is(k.verdict, 'not-linearizable');
  t.truthy(k.failure);
  t.deepEqual(
    k.failure!.ops.map((o) => o.op),
    [0, 1, 2],
    'the failure keeps the write, the overwrite and the stale read',
  );
  t.regex(k.failure!.explanation, /read → 1/);
});

test('register: concurrent ops may be ordered either way', (t) => {
  t.is(
    verdict(registerModel as Model, [w(1, [0, 10]), w(2, [1, 11]), r(1, [12, 13])]),
    'linearizable',
  );
  t.is(
    verdict(registerModel as Model, [w(1, [0, 10]), w(2, [1, 11]), r(2, [12, 13])]),
    'linearizable',
  );
  t.is(
    verdict(registerModel as Model, [w(1, [0, 10]), w(2, [1, 11]), r(1, [12, 13]), r(2, [14, 15])]),
    'not-linearizable',
    'but not both ways at once',
  );
});

test('register: an info write may take effect late, or never; a fail write never', (t) => {
  t.is(
    verdict(registerModel as Model, [
      w(1, [0, 1]),
      w(2, [2, 3], { outcome: 'info' }),
      r(1, [4, 5]),
      r(2, [6, 7]),
    ]),
    'linearizable',
    'late',
  );
  t.is(
    verdict(registerModel as Model, [
      w(1, [0, 1]),
      w(2, [2, 3], { outcome: 'info' }),
      r(1, [4, 5]),
    ]),
    'linearizable',
    'never',
  );
  t.is(
    verdict(registerModel as Model, [
      w(1, [0, 1]),
      w(2, [2, 3], { outcome: 'open' }),
      r(2, [4, 5]),
    ]),
    'linearizable',
    'an op that never completed is like info',
  );
  t.is(
    verdict(registerModel as Model, [
      w(1, [0, 1]),
      w(2, [2, 3], { outcome: 'fail' }),
      r(2, [4, 5]),
    ]),
    'not-linearizable',
    'a failed write must not be seen',
  );
  t.is(
    verdict(registerModel as Model, [
      w(1, [0, 1]),
      r(2, [2, 3]),
      w(2, [4, 5], { outcome: 'info' }),
    ]),
    'not-linearizable',
    'an info op cannot take effect before its invoke',
  );
});

test('register: an info write seen and then unseen is rejected', (t) => {
  t.is(
    verdict(registerModel as Model, [
      w(1, [0, 1]),
      w(2, [2, 3], { outcome: 'info' }),
      r(2, [4, 5]),
      r(1, [6, 7]),
    ]),
    'not-linearizable',
  );
});

test('cas-register: lost update (two cas from the same value both succeed) is rejected', (t) => {
  const ops = [w(0, [0, 1]), cas(0, 1, true, [2, 10]), cas(0, 2, true, [3, 11])];
  t.is(verdict(casRegisterModel as Model, ops), 'not-linearizable');
  t.is(
    verdict(casRegisterModel as Model, [
      w(0, [0, 1]),
      cas(0, 1, true, [2, 10]),
      cas(0, 2, false, [3, 11]),
      r(1, [12, 13]),
    ]),
    'linearizable',
  );
  t.is(
    verdict(casRegisterModel as Model, [
      w(0, [0, 1]),
      cas(0, 1, true, [2, 10]),
      cas(0, 2, true, [3, 11], { outcome: 'info' }),
      r(1, [12, 13]),
    ]),
    'linearizable',
    'an info cas that could not have swapped',
  );
});

test('kv and set models', (t) => {
  const kv = (
    f: string,
    key: string,
    value: unknown,
    at: [number, number],
    output?: unknown,
  ): TestOp => ({ input: f === 'write' ? { f, key, value } : { f, key }, output, at });
  t.is(
    verdict(kvModel as Model, [
      kv('write', 'a', 1, [0, 1]),
      kv('write', 'b', 2, [2, 3]),
      kv('read', 'a', null, [4, 5], 1),
      kv('read', 'c', null, [6, 7], null),
    ]),
    'linearizable',
  );
  t.is(
    verdict(kvModel as Model, [
      kv('write', 'a', 1, [0, 1]),
      kv('write', 'a', 2, [2, 3]),
      kv('read', 'a', null, [4, 5], 1),
    ]),
    'not-linearizable',
  );
  const add = (v: number, at: [number, number], extra: Partial<TestOp> = {}): TestOp => ({
    input: { f: 'add', value: v },
    at,
    ...extra,
  });
  const read = (out: number[], at: [number, number]): TestOp => ({
    input: { f: 'read' },
    output: out,
    at,
  });
  t.is(
    verdict(setModel as Model, [add(1, [0, 1]), add(2, [0, 5]), read([2, 1], [6, 7])]),
    'linearizable',
  );
  t.is(
    verdict(setModel as Model, [add(1, [0, 1]), add(2, [2, 3]), read([2], [6, 7])]),
    'not-linearizable',
    'a lost element',
  );
  t.is(
    verdict(setModel as Model, [
      add(1, [0, 1]),
      add(2, [2, 3], { outcome: 'info' }),
      read([1], [6, 7]),
      read([1, 2], [8, 9]),
    ]),
    'linearizable',
  );
});

test('BBS task: a task started on two cells is rejected; one start and a no-op restart is accepted', (t) => {
  const desire: TestOp = {
    key: 'task/t',
    f: 'DesireTask',
    input: { f: 'DesireTask', args: { taskGuid: 't', domain: 'd' } },
    output: {
      record: {
        taskGuid: 't',
        domain: 'd',
        state: 'PENDING',
        cellId: '',
        result: '',
        failed: false,
        failureReason: '',
      },
    },
    at: [0, 1],
  };
  const start = (cell: string, at: [number, number], should = true): TestOp => ({
    key: 'task/t',
    f: 'StartTask',
    input: { f: 'StartTask', args: { taskGuid: 't', cellId: cell } },
    output: {
      shouldStart: should,
      record: {
        taskGuid: 't',
        domain: 'd',
        state: 'RUNNING',
        cellId: cell,
        result: '',
        failed: false,
        failureReason: '',
      },
    },
    at,
  });
  const run = (ops: TestOp[]) =>
    checkLinearizable(opsOf(ops), (k) => bbsModelFor(k)).keys[0]!.verdict;
  t.is(run([desire, start('cell-a', [2, 10]), start('cell-b', [3, 11])]), 'not-linearizable');
  t.is(run([desire, start('cell-a', [2, 10]), start('cell-a', [3, 11], false)]), 'linearizable');
});

test('the search budget gives unknown, naming the budget', (t) => {
  const ops: TestOp[] = [];
  for (let i = 0; i < 14; i++) ops.push(w(i, [i, i + 100], { outcome: 'info' }));
  ops.push(r(-1, [200, 201]));
  const res = check(registerModel as Model, ops, 50);
  t.is(res.valid, 'unknown');
  t.is(res.keys[0]!.verdict, 'unknown');
  t.is(res.keys[0]!.budget, 50);
  t.is(
    check(registerModel as Model, ops).keys[0]!.verdict,
    'not-linearizable',
    'with the default budget the answer is found',
  );
});

test('keys are checked independently; keys without a model are skipped', (t) => {
  const ops = opsOf([
    w(1, [0, 1], { key: 'a' }),
    r(1, [2, 3], { key: 'b' }),
    r(1, [4, 5], { key: 'a' }),
    r(7, [6, 7], { key: 'z' }),
  ]);
  const res = checkLinearizable(ops, (k) => (k === 'z' ? undefined : (registerModel as Model)));
  t.deepEqual(
    res.keys.map((k) => [k.key, k.verdict]),
    [
      ['a', 'linearizable'],
      ['b', 'not-linearizable'],
    ],
  );
  t.is(res.skipped, 1);
  t.is(res.opsChecked, 3);
});

test('an info read is dropped: it constrains nothing', (t) => {
  const res = check(registerModel as Model, [w(1, [0, 1]), r(5, [2, 3], { outcome: 'info' })]);
  t.is(res.valid, true);
  t.is(res.droppedReads, 1);
});

test('an info cas from a value to itself is dropped like a read: it leaves the register as it was, swapped or not', (t) => {
  const model = casRegisterModel as Model;
  // write 1, then a cas 1→1 of unknown outcome spanning a read of 1 and a write of 2 and a read of
  // 2: taken or not, the register holds what it held. Dropped, the verdict stands both ways.
  const ok = check(model, [
    w(1, [0, 1]),
    cas(1, 1, true, [2, 100], { outcome: 'info' }),
    r(1, [3, 4]),
    w(2, [5, 6]),
    r(2, [7, 8]),
  ]);
  t.is(ok.valid, true);
  t.is(ok.droppedReads, 1);
  t.is(ok.opsChecked, 4);
  const stale = check(model, [
    w(1, [0, 1]),
    cas(1, 1, true, [2, 100], { outcome: 'info' }),
    w(2, [5, 6]),
    r(1, [7, 8]),
  ]);
  t.is(stale.valid, false, 'a stale read is not excused by a cas that changes nothing');
  t.is(stale.droppedReads, 1);
  // A cas 1→2 of unknown outcome can change the register: it is searched over, and excuses the
  // read of 2 before any write of 2 completed.
  const swaps = check(model, [
    w(1, [0, 1]),
    cas(1, 2, true, [2, 100], { outcome: 'info' }),
    r(2, [3, 4]),
  ]);
  t.is(swaps.valid, true);
  t.is(swaps.droppedReads, 0);
});

// ---------- generated histories ----------

interface GenOp {
  kind: 'write' | 'read' | 'cas';
  value: number;
  from: number;
  outcome: 'ok' | 'info' | 'info-never' | 'fail';
  before: number;
  after: number;
  casFrom: 'current' | 'other';
}

const genOp = fc.record({
  kind: fc.constantFrom('write', 'read', 'read', 'cas'),
  value: fc.nat(),
  from: fc.nat(),
  outcome: fc.constantFrom('ok', 'ok', 'ok', 'ok', 'ok', 'info', 'info-never', 'fail'),
  before: fc.integer({ min: 0, max: 40 }),
  after: fc.integer({ min: 0, max: 40 }),
  casFrom: fc.constantFrom('current', 'other'),
}) as fc.Arbitrary<GenOp>;

/**
 * Plays the ops against a real cas register at linearization points 10, 20, 30, …; each op's
 * interval contains its point (ops overlap up to 4 neighbours). Values written are unique.
 * 'info-never' and 'fail' ops do not take effect.
 */
function execute(gen: GenOp[]): TestOp[] {
  let reg: number | null = null;
  const out: TestOp[] = [];
  gen.forEach((g, i) => {
    const point = 10 * (i + 1);
    const at: [number, number] = [point - g.before, point + g.after];
    const applies = g.outcome === 'ok' || g.outcome === 'info';
    const outcome = g.outcome === 'info-never' ? 'info' : g.outcome;
    const unique = 1000 + i;
    if (g.kind === 'write') {
      if (applies) reg = unique;
      out.push(w(unique, at, { outcome }));
    } else if (g.kind === 'read') {
      out.push(r(applies ? reg : 424242, at, { outcome: g.outcome === 'ok' ? 'ok' : outcome }));
    } else {
      const from = g.casFrom === 'current' ? reg : -1;
      const swapped = applies && from === reg;
      if (swapped) reg = unique;
      out.push(cas(from, unique, swapped, at, { outcome }));
    }
  });
  return out;
}

test('generated: a real sequential execution over overlapping intervals is accepted', (t) => {
  fc.assert(
    fc.property(fc.array(genOp, { minLength: 1, maxLength: 40 }), (gen) => {
      const res = check(casRegisterModel as Model, execute(gen));
      return res.valid === true;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('generated: the same execution with one planted stale read at the end is rejected', (t) => {
  fc.assert(
    fc.property(fc.array(genOp, { minLength: 2, maxLength: 40 }), fc.nat(), (gen, pick) => {
      const ops = execute(gen);
      // A value surely overwritten: written by ok write W1, with an ok write W2 invoked after W1
      // completed.
      const writes = ops
        .map((o, i) => ({ o, i }))
        .filter(
          ({ o }) =>
            (o.outcome ?? 'ok') === 'ok' &&
            ((o.input as { f: string }).f === 'write' ||
              ((o.input as { f: string }).f === 'cas' && o.output === true)),
        );
      const pairs: [TestOp, TestOp][] = [];
      for (const a of writes)
        for (const b of writes) if (b.o.at[0] > a.o.at[1]) pairs.push([a.o, b.o]);
      fc.pre(pairs.length > 0);
      const [w1] = pairs[pick % pairs.length]!;
      const v =
        (w1.input as { f: string; value: unknown }).f === 'write'
          ? (w1.input as { value: number }).value
          : (w1.input as { value: [unknown, number] }).value[1];
      const end = Math.max(...ops.map((o) => o.at[1])) + 1;
      const res = check(casRegisterModel as Model, [...ops, r(v, [end, end + 1])]);
      return res.valid === false && res.keys[0]!.failure!.ops.some((o) => o.op === ops.length);
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('a stale read at the end of a long history shrinks to the few ops that show it', (t) => {
  const ops: TestOp[] = [];
  for (let i = 0; i < 300; i++)
    ops.push(w(i, [10 * i, 10 * i + 5]), r(i, [10 * i + 6, 10 * i + 9]));
  ops.push(w(1000, [3000, 3005]), w(1001, [3010, 3015]), r(1000, [3020, 3025]));
  const k = check(registerModel as Model, ops).keys[0]!;
  t.is(k.verdict, 'not-linearizable');
  t.deepEqual(
    k.failure!.ops.map((o) => o.description),
    ['write 1000', 'write 1001', 'read → 1000'],
  );
  t.is(k.failure!.shrunkFrom, 603);
});
