// Real time, evidence as a witness, the fast path and the memory budget of the linearizability
// checker. Known answers are worked out by hand in comments; generated histories are judged
// against a brute-force reference written here (every order of the ops, nothing clever).

import test from 'ava';
import fc from 'fast-check';
import { checkLinearizable, toSearchOps } from '../../lab/checkers/linearizability/index.ts';
import { searchLinearization } from '../../lab/checkers/linearizability/search.ts';
import { searchKey } from '../../lab/checkers/linearizability/segments.ts';
import { StepCache } from '../../lab/checkers/linearizability/steps.ts';
import type { HistoryEvent, Op } from '../../lab/history/event.ts';
import { pairOps } from '../../lab/history/event.ts';
import { casRegisterModel } from '../../specs/cas-register.ts';
import type { Model } from '../../specs/model.ts';
import { registerModel } from '../../specs/register.ts';
import { bruteForce, opsOf, type TestOp } from './lin-history.ts';

const cas = casRegisterModel as Model;
const reg = registerModel as Model;

/** Events listed in the given order (not sorted by time): [op, type, time, value]. */
function listed(
  rows: [number, 'invoke' | 'ok' | 'info' | 'fail', number, unknown][],
  f: (op: number) => string,
): Op[] {
  const evs = rows.map(
    ([op, type, time, value], index) =>
      ({
        type,
        index,
        time,
        op,
        process: op,
        client: op,
        f: f(op),
        key: 'x',
        value,
      }) as HistoryEvent,
  );
  return pairOps(evs);
}

test('real time is `time`, not file position: a read of null at 20–30 listed before a write of 1 at 0–10 is not linearizable', (t) => {
  // The write completed (10) before the read was invoked (20), so the read must see 1.
  const ops = listed(
    [
      [1, 'invoke', 20, { f: 'read' }],
      [1, 'ok', 30, null],
      [0, 'invoke', 0, { f: 'write', value: 1 }],
      [0, 'ok', 10, null],
    ],
    (op) => (op === 0 ? 'write' : 'read'),
  );
  const res = checkLinearizable(ops, () => reg);
  t.is(res.keys[0]!.verdict, 'not-linearizable');
});

test('real time is `time`: a write [0,30] whose completion is listed before a read [20,40] of null is linearizable', (t) => {
  // The read is invoked (20) before the write completes (30): they overlap, the read may go first.
  const ops = listed(
    [
      [0, 'invoke', 0, { f: 'write', value: 1 }],
      [0, 'ok', 30, null],
      [1, 'invoke', 20, { f: 'read' }],
      [1, 'ok', 40, null],
    ],
    (op) => (op === 0 ? 'write' : 'read'),
  );
  t.is(checkLinearizable(ops, () => reg).keys[0]!.verdict, 'linearizable');
});

test('equal instants are concurrent: an op completing at t and one invoked at t may be ordered either way', (t) => {
  const w = (v: number, at: [number, number]): TestOp => ({ input: { f: 'write', value: v }, at });
  const r = (v: unknown, at: [number, number]): TestOp => ({ input: { f: 'read' }, output: v, at });
  // Write 1 ends at 10, the read starts at 10: the read may come first and see null.
  t.is(
    checkLinearizable(opsOf([w(1, [0, 10]), r(null, [10, 20])]), () => reg).keys[0]!.verdict,
    'linearizable',
  );
  // One instant later it may not.
  t.is(
    checkLinearizable(opsOf([w(1, [0, 10]), r(null, [11, 20])]), () => reg).keys[0]!.verdict,
    'not-linearizable',
  );
});

test('interchangeable info ops: the search takes them one at a time, and can take each of them', (t) => {
  const w = (v: number, at: [number, number], outcome: 'ok' | 'info' = 'ok'): TestOp => ({
    input: { f: 'write', value: v },
    at,
    outcome,
  });
  const r = (v: unknown, at: [number, number]): TestOp => ({ input: { f: 'read' }, output: v, at });
  // Two info writes of 1 invoked at 0; then ok write 0 [1,2], read 1 [3,4], write 0 [5,6], read 1
  // [7,8]. Each read of 1 follows a write of 0 that completed before it began, so each needs its
  // own write of 1 in between: the first info write before 3–4, the second between 5 and 8.
  const both = [
    w(1, [0, 100], 'info'),
    w(1, [0, 100], 'info'),
    w(0, [1, 2]),
    r(1, [3, 4]),
    w(0, [5, 6]),
    r(1, [7, 8]),
  ];
  for (const spread of [false, true]) {
    // spread: as listed, quiescent between the ok ops (the fast path cuts it into 4 segments);
    // else every ok op ends 2 later, overlapping the next (one segment). The same order fits both.
    const ops = spread
      ? both
      : both.map((o, i) => (i >= 2 ? { ...o, at: [o.at[0], o.at[1] + 2] as [number, number] } : o));
    t.is(
      checkLinearizable(opsOf(ops), () => cas, { shrink: false }).keys[0]!.verdict,
      'linearizable',
      `spread ${spread}`,
    );
    t.is(
      searchLinearization(new StepCache(cas), toSearchOps(opsOf(ops), cas).search, {
        budget: 1e6,
        memoryBytes: 1e8,
      }).verdict,
      'linearizable',
    );
  }
  // With one info write of 1 only one of the reads can be explained.
  const one = [both[0]!, ...both.slice(2)];
  t.is(
    checkLinearizable(opsOf(one), () => cas, { shrink: false }).keys[0]!.verdict,
    'not-linearizable',
  );
});

test('the register example: a write of 1 between "write 2" and "cas 2→2 false" is never dropped from the evidence', (t) => {
  // w2 [0,1], w1 [2,3], cas 2→2 false [4,5] (legal: the register holds 1), read → 2 [6,7] (stale:
  // nothing wrote 2 after w1). The old shrinker showed "write 2, cas 2→2 false", which is a
  // violation only without the write of 1. A witness must keep w1 (it changes the state).
  const ops: TestOp[] = [
    { input: { f: 'write', value: 2 }, at: [0, 1] },
    { input: { f: 'write', value: 1 }, at: [2, 3] },
    { input: { f: 'cas', value: [2, 2] }, output: false, at: [4, 5] },
    { input: { f: 'read' }, output: 2, at: [6, 7] },
  ];
  const k = checkLinearizable(opsOf(ops), () => cas).keys[0]!;
  t.is(k.verdict, 'not-linearizable');
  const shown = k.failure!.ops.map((o) => o.op);
  t.true(shown.includes(1), 'the write of 1 is shown');
  t.true(shown.includes(3), 'the stale read is shown');
  // Every op before the read is a quiescent cut apart; the witness widened to two state-changing
  // ops starts from the initial state: write 2, write 1, read → 2 (the cas false is dropped).
  t.deepEqual(shown, [0, 1, 3]);
  t.deepEqual(k.failure!.startStates, ['value null']);
});

test('a stale read after many ops starts from the state the earlier ops leave, and says so', (t) => {
  // 30 writes i at [10i, 10i+5], then write 1000 [300,305], write 1001 [310,315], read → 1000
  // [320,325].
  // At the cut before write 1000 the only reachable state is 29; the witness is w1000, w1001, r1000
  // from it.
  const ops: TestOp[] = [];
  for (let i = 0; i < 30; i++)
    ops.push({ input: { f: 'write', value: i }, at: [10 * i, 10 * i + 5] });
  ops.push(
    { input: { f: 'write', value: 1000 }, at: [300, 305] },
    { input: { f: 'write', value: 1001 }, at: [310, 315] },
    { input: { f: 'read' }, output: 1000, at: [320, 325] },
  );
  const f = checkLinearizable(opsOf(ops), () => reg).keys[0]!.failure!;
  t.deepEqual(
    f.ops.map((o) => o.description),
    ['write 1000', 'write 1001', 'read → 1000'],
  );
  t.deepEqual(f.startStates, ['value 29']);
  t.regex(
    f.explanation,
    /From the one state the earlier state-changing ops can leave \(value 29\)/,
  );
});

test('shrink:false reports the failing stretch without a witness search; the memory budget gives unknown', (t) => {
  const ops = opsOf([
    { input: { f: 'write', value: 1 }, at: [0, 1] },
    { input: { f: 'write', value: 2 }, at: [2, 3] },
    { input: { f: 'read' }, output: 1, at: [4, 5] },
  ]);
  const k = checkLinearizable(ops, () => reg, { shrink: false }).keys[0]!;
  t.is(k.verdict, 'not-linearizable');
  t.regex(k.failure!.note ?? '', /Not shrunk/);
  const big: TestOp[] = [];
  // 12 concurrent ok writes: the search must try their orders (2^12 sets of writes done × the last
  // value) before the read of -1 fails. (12 info writes no longer do: a blind write after a
  // blind write is skipped, so they give 13 nodes.)
  for (let i = 0; i < 12; i++) big.push({ input: { f: 'write', value: i }, at: [i, i + 100] });
  big.push({ input: { f: 'read' }, output: -1, at: [200, 201] });
  const m = checkLinearizable(opsOf(big), () => reg, { memoryBytes: 4096 }).keys[0]!;
  t.is(m.verdict, 'unknown');
  t.is(m.exhausted, 'memory');
});

// ---------- generated histories ----------

interface Gen {
  kind: 'read' | 'write' | 'cas';
  a: number;
  b: number;
  ok: boolean;
  outcome: 'ok' | 'info' | 'fail';
  start: number;
  len: number;
}

const gen = fc.record({
  kind: fc.constantFrom('read', 'read', 'write', 'cas'),
  a: fc.integer({ min: 0, max: 2 }),
  b: fc.integer({ min: 0, max: 2 }),
  ok: fc.boolean(),
  outcome: fc.constantFrom('ok', 'ok', 'ok', 'ok', 'info', 'fail'),
  start: fc.integer({ min: 0, max: 40 }),
  len: fc.integer({ min: 0, max: 12 }),
}) as fc.Arbitrary<Gen>;

/** Random ops on a cas register with values 0..2: about half the histories are not linearizable. */
function historyOf(gens: Gen[]): TestOp[] {
  return gens.map((g) => {
    const at: [number, number] = [g.start, g.start + g.len];
    const outcome = g.outcome;
    if (g.kind === 'write') return { input: { f: 'write', value: g.a }, at, outcome };
    if (g.kind === 'read') return { input: { f: 'read' }, output: g.ok ? g.a : null, at, outcome };
    return { input: { f: 'cas', value: [g.a, g.b] }, output: g.ok, at, outcome };
  });
}

/**
 * The generated history (starts spread out by `spread`) by the reference and by the checker three
 * ways: the fast path as checkLinearizable runs it, the plain search, and the fast path with ok ops
 * first (checkLinearizable's first pass is list order).
 */
function agreesWithReference(gens: Gen[], spread: number): { truth: boolean; agrees: boolean } {
  const ops = opsOf(historyOf(gens.map((g) => ({ ...g, start: g.start * spread }))));
  const { search } = toSearchOps(ops, cas);
  const truth = bruteForce(cas, search, cas.init());
  const fast =
    checkLinearizable(ops, () => cas, { shrink: false }).keys[0]?.verdict ?? 'linearizable';
  const plain = searchLinearization(new StepCache(cas), search, {
    budget: 1e7,
    memoryBytes: 1e9,
  }).verdict;
  const okFirst = searchKey(new StepCache(cas), search, {
    budget: 1e7,
    listOrderBudget: 0,
  }).verdict;
  return {
    truth,
    agrees:
      fast === (truth ? 'linearizable' : 'not-linearizable') && plain === fast && okFirst === fast,
  };
}

test('generated: the fast path and the plain search agree with the brute-force reference', (t) => {
  fc.assert(
    // spread 4 spaces the ops out, so most histories are cut into several quiescent segments.
    fc.property(
      fc.array(gen, { minLength: 1, maxLength: 8 }),
      fc.constantFrom(1, 4),
      (gens, spread) => {
        return agreesWithReference(gens, spread).agrees;
      },
    ),
    { numRuns: 1500 },
  );
  t.pass();
});

test('generated: many info ops with equal inputs, across cuts: the fast path and the plain search agree with the brute-force reference', (t) => {
  // Values 0..1 and info ops half the time: the search takes one of several interchangeable info
  // ops (same input) in list order only, prunes a node when an explored one had the same ok ops
  // and state left and more info ops still pending, and shares one memo among the configurations
  // reaching a segment; each of these must keep every linearization.
  const twins = fc.record({
    kind: fc.constantFrom('read', 'write', 'cas'),
    a: fc.integer({ min: 0, max: 1 }),
    b: fc.integer({ min: 0, max: 1 }),
    ok: fc.boolean(),
    outcome: fc.constantFrom('ok', 'info'),
    start: fc.integer({ min: 0, max: 40 }),
    len: fc.integer({ min: 0, max: 12 }),
  }) as fc.Arbitrary<Gen>;
  let failing = 0;
  fc.assert(
    fc.property(
      fc.array(twins, { minLength: 1, maxLength: 8 }),
      fc.constantFrom(1, 4),
      (gens, spread) => {
        const { truth, agrees } = agreesWithReference(gens, spread);
        if (!truth) failing++;
        return agrees;
      },
    ),
    { numRuns: 1500 },
  );
  t.true(failing > 150, `enough non-linearizable histories were generated (${failing})`);
});

/**
 * Writes and cas of unknown outcome invoked early: they straddle any later window (etcd's
 * timeouts).
 */
const earlyInfo = fc.record({
  kind: fc.constantFrom('write', 'write', 'cas'),
  a: fc.integer({ min: 0, max: 2 }),
  b: fc.integer({ min: 0, max: 2 }),
  ok: fc.constant(false),
  outcome: fc.constant('info'),
  start: fc.integer({ min: 0, max: 12 }),
  len: fc.constant(60),
}) as fc.Arbitrary<Gen>;

test('generated: the evidence is a witness (non-linearizable from its start states alone, and with every state-changing op before its end)', (t) => {
  let failing = 0;
  let pendingShown = 0;
  fc.assert(
    fc.property(
      fc.array(gen, { minLength: 2, maxLength: 14 }),
      fc.array(earlyInfo, { maxLength: 3 }),
      (body, early) => {
        const gens = [...early, ...body];
        const ops = opsOf(historyOf(gens));
        const k = checkLinearizable(ops, () => cas).keys[0];
        if (k?.verdict !== 'not-linearizable') return true;
        failing++;
        const f = k.failure!;
        const { search } = toSearchOps(ops, cas);
        const byId = new Map(search.map((o) => [o.id, o]));
        const shown = f.ops.map((o) => byId.get(o.op)!);
        // 1. From each start state shown (cas-register states read "value <json>"), alone.
        for (const s of f.startStates ?? []) {
          const state = s.replace(/^value /, '');
          if (bruteForce(cas, shown, state)) return false;
        }
        // 2. From the initial state, with every state-changing op of the history invoked before the
        // evidence's end added back, and nothing else: no read outside the evidence, so the start
        // states and the pending ops of unknown outcome cannot lean on reads the page does not
        // show.
        const end = Math.max(...f.ops.map((o) => o.complete ?? o.invoke));
        const changing = search.filter(
          (o) => o.call <= end && cas.changesState!(o.input, o.output),
        );
        const ids = new Set([...shown.map((o) => o.id), ...changing.map((o) => o.id)]);
        // An ok op completing after the end may take effect after it: a state-changing one is
        // checked as of unknown outcome, one that cannot change the state is left out.
        const again = search
          .filter(
            (o) =>
              ids.has(o.id) && !(o.known && o.ret > end && !cas.changesState!(o.input, o.output)),
          )
          .map((o) =>
            o.known && o.ret > end ? { ...o, known: false, output: undefined, ret: Infinity } : o,
          );
        if (
          f.ops.some((o) => o.outcome === 'info' && !/^From the initial state/.test(f.explanation))
        )
          pendingShown++;
        return !bruteForce(cas, again, cas.init());
      },
    ),
    { numRuns: 800 },
  );
  t.true(failing > 100, `enough failing histories were generated (${failing})`);
  t.true(
    pendingShown > 10,
    `enough witnesses start from a cut with an op of unknown outcome in them (${pendingShown})`,
  );
});

test('generated: events listed out of time order give the same verdict as in time order', (t) => {
  fc.assert(
    fc.property(fc.array(gen, { minLength: 1, maxLength: 8 }), fc.integer(), (gens, seed) => {
      const tops = historyOf(gens);
      const inOrder = checkLinearizable(opsOf(tops), () => cas, { shrink: false }).keys[0]?.verdict;
      // Shuffle the ops' order in the file, keeping each invoke before its own completion.
      const perm = tops
        .map((_, i) => i)
        .sort((a, b) => ((a * 7919 + seed) % 101) - ((b * 7919 + seed) % 101));
      const rows: [number, 'invoke' | 'ok' | 'info' | 'fail', number, unknown][] = [];
      for (const i of perm) {
        const o = tops[i]!;
        rows.push([i, 'invoke', o.at[0], o.input]);
        if (o.outcome === 'ok' || o.outcome === undefined)
          rows.push([i, 'ok', o.at[1], o.output ?? null]);
        else rows.push([i, o.outcome as 'info' | 'fail', o.at[1], o.input]);
      }
      const shuffled = checkLinearizable(
        listed(rows, (op) => (tops[op]!.input as { f: string }).f),
        () => cas,
        { shrink: false },
      ).keys[0]?.verdict;
      return inOrder === shuffled;
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test("an info write invoked before the window belongs to the witness: reads before the cut are not relied on (Porcupine etcd 004's shape)", (t) => {
  const w = (v: number, at: [number, number], outcome: 'ok' | 'info' = 'ok'): TestOp => ({
    input: { f: 'write', value: v },
    at,
    outcome,
  });
  const r = (v: unknown, at: [number, number]): TestOp => ({ input: { f: 'read' }, output: v, at });
  // #1 writes 2 and times out (info); #2 reads 2, so #1 took effect by 4. After #3 writes 1,
  // #4 (info) writes 3, #5 reads 3, #6 reads 2: no write of 2 is left to take effect, so the
  // history is not linearizable. Starting at the cut before #3 "from value 2" (as the full search
  // knows, having read #2) leaves #1 out, yet #1 alone may take effect between #5 and #6 if #2
  // is not shown: the witness must reach back to #2.
  const h = [
    w(1, [0, 1]),
    w(2, [2, 50], 'info'),
    r(2, [3, 4]),
    w(1, [5, 6]),
    w(3, [7, 51], 'info'),
    r(3, [8, 9]),
    r(2, [10, 11]),
  ];
  const k = checkLinearizable(opsOf(h), () => cas).keys[0]!;
  t.is(k.verdict, 'not-linearizable');
  const f = k.failure!;
  t.deepEqual(
    f.ops.map((o) => o.op),
    [0, 1, 2, 3, 4, 6],
  );
  t.deepEqual(f.startStates, ['value null']);
  t.is(f.blockedOp, 6);
  t.regex(f.explanation, /^From the initial state \(value null\), no order of these 6 ops/);
  // With #2 gone the history is linearizable (#1 between #5 and #6): the witness needed it.
  t.is(
    checkLinearizable(opsOf(h.filter((_, i) => i !== 2)), () => cas).keys[0]!.verdict,
    'linearizable',
  );
});
