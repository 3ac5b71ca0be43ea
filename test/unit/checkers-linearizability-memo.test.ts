// The search's memo (memo.ts): exact nodes found by hash and compared by equality, subsumption
// among a group's newest sets, and the verdict the same with and without it.

import test from 'ava';
import fc from 'fast-check';
import { toSearchOps } from '../../lab/checkers/linearizability/index.ts';
import { Memo, SCAN } from '../../lab/checkers/linearizability/memo.ts';
import { searchLinearization, type SearchOp } from '../../lab/checkers/linearizability/search.ts';
import { StepCache } from '../../lab/checkers/linearizability/steps.ts';
import { casRegisterModel } from '../../specs/cas-register.ts';
import type { Model } from '../../specs/model.ts';
import { opsOf, type TestOp } from './lin-history.ts';

const cas = casRegisterModel as Model;

/** A node of a memo with 3 ok ops (word 0) and 40 optional ops (words 1–2): the ok bits and optional bits left. */
function node(ok: number, opt: number[]): Uint32Array {
  const b = new Uint32Array(3);
  b[0] = ok;
  for (const i of opt) b[1 + (i >>> 5)]! |= 1 << (i & 31);
  return b;
}

test('memo: a node recorded once is seen again, with equal bits and state only', (t) => {
  const m = new Memo(3, 40);
  // Hashes chosen by hand: the memo trusts them only to find candidates.
  t.false(m.seen(node(0b101, [1, 33]), 7, 8, 70, 80, 2));
  t.true(m.seen(node(0b101, [1, 33]), 7, 8, 70, 80, 2));
  t.false(m.seen(node(0b101, [1, 33]), 7, 8, 70, 80, 3), 'another state');
  t.false(m.seen(node(0b100, [1, 33]), 9, 8, 90, 80, 2), 'other ok ops left');
  t.is(m.size, 3);
});

test('memo: equal hashes with different bits are told apart by equality (exact and group)', (t) => {
  const m = new Memo(3, 40);
  t.false(m.seen(node(0b001, [5]), 1, 1, 1, 1, 0));
  // Same hashes, different ok bits: a different node, not pruned.
  t.false(m.seen(node(0b010, [5]), 1, 1, 1, 1, 0));
  // Same hashes, different optional bits, not a subset of a recorded set: not pruned.
  t.false(m.seen(node(0b001, [6]), 1, 1, 1, 1, 0));
  // Each of the three is found again.
  t.true(m.seen(node(0b001, [5]), 1, 1, 1, 1, 0));
  t.true(m.seen(node(0b010, [5]), 1, 1, 1, 1, 0));
  t.true(m.seen(node(0b001, [6]), 1, 1, 1, 1, 0));
});

test('memo: fewer optional ops left than a recorded node (same ok ops, state) is pruned; more is not', (t) => {
  const m = new Memo(3, 40);
  t.false(m.seen(node(0b011, [1, 2, 34]), 5, 5, 50, 50, 1));
  // {1, 34} ⊂ {1, 2, 34}: the recorded node could do all this one can.
  t.true(m.seen(node(0b011, [1, 34]), 5, 5, 51, 51, 1));
  t.true(m.seen(node(0b011, []), 5, 5, 52, 52, 1));
  // {1, 2, 3, 34} ⊄ {1, 2, 34}: explored, and it now subsumes the first.
  t.false(m.seen(node(0b011, [1, 2, 3, 34]), 5, 5, 53, 53, 1));
  t.true(m.seen(node(0b011, [3]), 5, 5, 54, 54, 1));
  t.is(m.size, 2);
});

test(`memo: subsumption compares a group's ${SCAN} newest sets; the exact lookup finds any`, (t) => {
  const m = new Memo(3, 40);
  // The oldest set {0, 39}, then SCAN incomparable sets {i} with the same ok bits and state.
  t.false(m.seen(node(1, [0, 39]), 3, 3, 100, 0, 4));
  for (let i = 1; i <= SCAN; i++) t.false(m.seen(node(1, [i]), 3, 3, 100 + i, 0, 4));
  // The oldest is still found exactly, past the scanned ones.
  t.true(m.seen(node(1, [0, 39]), 3, 3, 100, 0, 4));
  // A subset of one of the newest is pruned; the empty set is a subset of every one.
  t.true(m.seen(node(1, [SCAN]), 3, 3, 97, 0, 4));
  t.true(m.seen(node(1, []), 3, 3, 99, 0, 4));
  // {39} is a subset of the oldest alone, past the scan: explored again (pruning less is sound,
  // and keeps a call's cost bounded however many sets the group holds).
  t.false(m.seen(node(1, [39]), 3, 3, 98, 0, 4));
});

test('memo: its bytes are counted into the shared usage as it grows', (t) => {
  const usage = { bytes: 0 };
  const m = new Memo(3, 40, usage);
  const start = usage.bytes;
  t.is(start, m.bytes);
  for (let i = 0; i < 200; i++) m.seen(node(i & 7, [i % 40]), i, i, i * 3, i * 5, i % 11);
  t.true(usage.bytes > start);
  t.is(usage.bytes, m.bytes);
});

// ---------- the verdict with and without the memo ----------

/** A memo that records nothing: the search explores every node (the reference). */
class NoMemo extends Memo {
  override seen(): boolean {
    return false;
  }
}

/** A memo whose hashes all collide: every lookup rests on the equality comparisons. */
class CollidingMemo extends Memo {
  override seen(bits: Uint32Array, _a: number, _b: number, _c: number, _d: number, st: number) {
    return super.seen(bits, 0, 0, 0, 0, st);
  }
}

function verdictWith(make: (ok: number, opt: number) => Memo, search: readonly SearchOp[]) {
  const ok = search.filter((o) => o.known).length;
  const memo = make(ok, search.length - ok);
  let k = 0;
  let u = 0;
  const bitOf = search.map((o) => memo.bit(o.known, o.known ? k++ : u++));
  return searchLinearization(new StepCache(cas), search, {
    budget: 1e8,
    memoryBytes: 1e9,
    memo,
    bitOf,
  }).verdict;
}

interface Gen {
  kind: 'read' | 'write' | 'cas';
  a: number;
  b: number;
  ok: boolean;
  outcome: 'ok' | 'info';
  start: number;
  len: number;
}

const gen = fc.record({
  kind: fc.constantFrom('read', 'write', 'cas'),
  a: fc.integer({ min: 0, max: 2 }),
  b: fc.integer({ min: 0, max: 2 }),
  ok: fc.boolean(),
  outcome: fc.constantFrom('ok', 'ok', 'info'),
  start: fc.integer({ min: 0, max: 20 }),
  len: fc.integer({ min: 0, max: 15 }),
}) as fc.Arbitrary<Gen>;

function historyOf(gens: Gen[]): TestOp[] {
  return gens.map((g) => {
    const at: [number, number] = [g.start, g.start + g.len];
    const outcome = g.outcome;
    if (g.kind === 'write') return { input: { f: 'write', value: g.a }, at, outcome };
    if (g.kind === 'read') return { input: { f: 'read' }, output: g.ok ? g.a : null, at, outcome };
    return { input: { f: 'cas', value: [g.a, g.b] }, output: g.ok, at, outcome };
  });
}

test('generated: the same verdict with the memo, with every hash colliding, and with no memo at all', (t) => {
  let failing = 0;
  fc.assert(
    fc.property(fc.array(gen, { minLength: 1, maxLength: 8 }), (gens) => {
      const { search } = toSearchOps(opsOf(historyOf(gens)), cas);
      const none = verdictWith((a, b) => new NoMemo(a, b), search);
      if (none === 'not-linearizable') failing++;
      return (
        verdictWith((a, b) => new Memo(a, b), search) === none &&
        verdictWith((a, b) => new CollidingMemo(a, b), search) === none
      );
    }),
    { numRuns: 1000 },
  );
  t.true(failing > 100, `enough non-linearizable histories were generated (${failing})`);
});
