// The append-kv model (Porcupine's kv: get / put / append, "" initially), both ways: hand-written
// histories with known answers, and generated small histories whose verdict must equal a
// brute-force search over every order written here from the definition of linearizability.

import test from 'ava';
import fc from 'fast-check';
import { checkLinearizable } from '../../lab/checkers/linearizability/index.ts';
import { checkHistory } from '../../lab/checkers/index.ts';
import { appendKvModel } from '../../specs/append-kv.ts';
import type { Model } from '../../specs/model.ts';
import { eventsOf, opsOf, type TestOp } from './lin-history.ts';

const model = appendKvModel as Model;
const get = (output: string, at: [number, number], extra: Partial<TestOp> = {}): TestOp => ({
  input: { f: 'get' },
  output,
  at,
  ...extra,
});
const put = (value: string, at: [number, number], extra: Partial<TestOp> = {}): TestOp => ({
  input: { f: 'put', value },
  at,
  ...extra,
});
const app = (value: string, at: [number, number], extra: Partial<TestOp> = {}): TestOp => ({
  input: { f: 'append', value },
  at,
  ...extra,
});
const verdict = (ops: TestOp[]) => checkLinearizable(opsOf(ops), () => model).keys[0]!.verdict;

test('a get before anything sees the empty string', (t) => {
  t.is(verdict([get('', [0, 1]), put('a', [2, 3])]), 'linearizable');
  t.is(
    verdict([get('a', [0, 1]), put('a', [2, 3])]),
    'not-linearizable',
    'a get cannot see a put invoked after it completed',
  );
});

test('appends concatenate in their linearization order', (t) => {
  // put "x", then append "y" and "z" concurrently: "xyz" and "xzy" are both legal, "xy" after both
  // completed is not.
  const base = [put('x', [0, 1]), app('y', [2, 5]), app('z', [3, 6])];
  t.is(verdict([...base, get('xyz', [7, 8])]), 'linearizable');
  t.is(verdict([...base, get('xzy', [7, 8])]), 'linearizable');
  t.is(
    verdict([...base, get('xy', [7, 8])]),
    'not-linearizable',
    'an append that completed is lost',
  );
  t.is(verdict([...base, get('xyzy', [7, 8])]), 'not-linearizable', 'an append applied twice');
});

test('a put replaces what appends built', (t) => {
  t.is(
    verdict([app('a', [0, 1]), app('b', [2, 3]), put('c', [4, 5]), get('c', [6, 7])]),
    'linearizable',
  );
  t.is(
    verdict([app('a', [0, 1]), app('b', [2, 3]), put('c', [4, 5]), get('abc', [6, 7])]),
    'not-linearizable',
  );
});

test('an append of unknown outcome may or may not have happened; a failed one did not', (t) => {
  t.is(
    verdict([app('a', [0, 1], { outcome: 'info' }), get('a', [2, 3]), get('a', [4, 5])]),
    'linearizable',
  );
  t.is(verdict([app('a', [0, 1], { outcome: 'info' }), get('', [2, 3])]), 'linearizable');
  t.is(
    verdict([app('a', [0, 1], { outcome: 'fail' }), get('a', [2, 3])]),
    'not-linearizable',
    'a failed append never took effect',
  );
  // Seen and then not seen: once "a" is visible it cannot vanish.
  t.is(
    verdict([app('a', [0, 1], { outcome: 'info' }), get('a', [2, 3]), get('', [4, 5])]),
    'not-linearizable',
  );
});

test('bad input is refused, not judged: a non-string value, an unknown f', (t) => {
  t.throws(() => verdict([put(3 as unknown as string, [0, 1])]), {
    message: /append-kv.*string "value"/,
  });
  t.throws(() => verdict([{ input: { f: 'write', value: 'a' }, at: [0, 1] }]), {
    message: /append-kv.*one of get, put, append/,
  });
});

test('--model append-kv is in the registry and keys are separate objects', (t) => {
  const ops = [
    put('a', [0, 1], { key: 'k1' }),
    get('', [2, 3], { key: 'k2' }),
    get('a', [4, 5], { key: 'k1' }),
  ];
  const report = checkHistory(eventsOf(ops), { model: 'append-kv' });
  t.is(report.valid, true);
  t.is(report.linearizability!.keys.length, 2);
  const stale = checkHistory(eventsOf([...ops, get('', [6, 7], { key: 'k1' })]), {
    model: 'append-kv',
  });
  t.is(stale.valid, false);
  t.deepEqual(
    stale.linearizability!.keys.filter((k) => k.verdict === 'not-linearizable').map((k) => k.key),
    ['k1'],
  );
});

// ---------- generated, against a brute-force reference ----------

interface Gen {
  f: 'get' | 'put' | 'append';
  value: string;
  outcome: 'ok' | 'info' | 'fail';
  call: number;
  len: number;
}

const genOp: fc.Arbitrary<Gen> = fc.record({
  f: fc.constantFrom('get', 'get', 'put', 'append', 'append'),
  // Gets draw their output from a small alphabet too, so many are legal and many are not.
  value: fc.constantFrom('', 'a', 'b', 'ab', 'ba', 'aa'),
  outcome: fc.constantFrom('ok', 'ok', 'ok', 'info', 'fail'),
  call: fc.integer({ min: 0, max: 12 }),
  len: fc.integer({ min: 1, max: 6 }),
});

function toTestOps(gen: Gen[]): TestOp[] {
  return gen.map((g) => ({
    input: g.f === 'get' ? { f: 'get' } : { f: g.f, value: g.value.slice(0, 1) || 'a' },
    output: g.f === 'get' ? g.value : null,
    outcome: g.outcome,
    at: [g.call * 2, (g.call + g.len) * 2 + 1],
  }));
}

/**
 * Linearizable by definition: some order of the ops that took effect (every ok op, any subset of
 * the info ops, no fail op) that respects real time (an op that completed before another was
 * invoked comes first) and in which every ok get returns the string built so far. Real time is
 * the history's event order (what eventsOf produces: by time, then invoke before completion by id).
 */
function referenceLinearizable(ops: TestOp[]): boolean {
  const pos = new Map<string, number>();
  eventsOf(ops).forEach((e, i) => {
    pos.set(`${e.type === 'invoke' ? 'i' : 'c'}${(e as { op: number }).op}`, i);
  });
  const live = ops.map((o, id) => ({ o, id })).filter(({ o }) => o.outcome !== 'fail');
  const call = (id: number) => pos.get(`i${id}`)!;
  const ret = (id: number, o: TestOp) => (o.outcome === 'ok' ? pos.get(`c${id}`)! : Infinity);
  const search = (left: typeof live, state: string): boolean => {
    if (left.every(({ o }) => o.outcome !== 'ok')) return true; // the rest may never have happened
    for (const cand of left) {
      // cand can go next only if no op still left completed before cand was invoked.
      if (left.some((y) => y !== cand && ret(y.id, y.o) < call(cand.id))) continue;
      const i = cand.o.input as { f: string; value?: string };
      if (i.f === 'get' && cand.o.outcome === 'ok' && cand.o.output !== state) continue;
      const next = i.f === 'put' ? i.value! : i.f === 'append' ? state + i.value! : state;
      if (
        search(
          left.filter((x) => x !== cand),
          next,
        )
      )
        return true;
    }
    return false;
  };
  return search(live, '');
}

test('generated: the checker agrees with the brute-force reference, and both verdicts occur', (t) => {
  let valid = 0;
  let invalid = 0;
  fc.assert(
    fc.property(fc.array(genOp, { minLength: 1, maxLength: 7 }), (gen) => {
      const ops = toTestOps(gen);
      const expected = referenceLinearizable(ops);
      const got = checkLinearizable(opsOf(ops), () => model).valid;
      if (expected) valid++;
      else invalid++;
      return got === expected;
    }),
    { numRuns: 1500 },
  );
  // A generator that only ever produced one verdict would make the agreement above meaningless.
  t.true(valid > 100, `valid histories generated: ${valid}`);
  t.true(invalid > 100, `invalid histories generated: ${invalid}`);
});
