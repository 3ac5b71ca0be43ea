// Interchangeable ops of unknown outcome (same input, both invoked): the search takes them in
// invoke order only, so the ops it leaves pending are a multiset of inputs, not a set of
// identities (README "Ops of unknown outcome with the same input"). Worked by hand below; and
// generated histories with several identical pending info ops get the brute-force verdict with
// the rule and without it.

import test from 'ava';
import fc from 'fast-check';
import { checkLinearizable, toSearchOps } from '../../lab/checkers/linearizability/index.ts';
import { Memo } from '../../lab/checkers/linearizability/memo.ts';
import { searchLinearization, type SearchOp } from '../../lab/checkers/linearizability/search.ts';
import { searchKey } from '../../lab/checkers/linearizability/segments.ts';
import { StepCache } from '../../lab/checkers/linearizability/steps.ts';
import { casRegisterModel } from '../../specs/cas-register.ts';
import type { Model } from '../../specs/model.ts';
import { opsOf, type TestOp } from './lin-history.ts';

const cas = casRegisterModel as Model;

/** The plain search with its own memo, so that the nodes it recorded can be counted. */
function searched(search: readonly SearchOp[], twins: boolean) {
  const ok = search.filter((o) => o.known).length;
  const memo = new Memo(ok, search.length - ok);
  let k = 0;
  let u = 0;
  const bitOf = search.map((o) => memo.bit(o.known, o.known ? k++ : u++));
  const r = searchLinearization(new StepCache(cas), search, {
    budget: 1e8,
    memoryBytes: 1e9,
    memo,
    bitOf,
    twins,
  });
  return { verdict: r.verdict, steps: r.steps, nodes: memo.size };
}

test('two identical info writes: one node as a multiset, two as identities, the same verdict', (t) => {
  // a, b: info write 1 invoked at 0; r: ok read → 2 in [1, 2]. Nothing writes 2: not
  // linearizable. From null the read fails (1 step); a takes the register to 1 (a node: value 1,
  // {b} left), where b gives 1 as it would have from null (a blind write after a blind write:
  // not taken) and the read fails again (2 more). As identities, b alone is tried next: value 1
  // with {a} left, a node not contained in {b}, so recorded and explored the same way (3 more):
  // 7 steps, 2 nodes. As a multiset b waits for a (its twin, invoked first), so b alone is never
  // tried: 4 steps, 1 node.
  const ops: TestOp[] = [
    { input: { f: 'write', value: 1 }, at: [0, 100], outcome: 'info' },
    { input: { f: 'write', value: 1 }, at: [0, 100], outcome: 'info' },
    { input: { f: 'read' }, output: 2, at: [1, 2] },
  ];
  const { search } = toSearchOps(opsOf(ops), cas);
  t.deepEqual(searched(search, true), { verdict: 'not-linearizable', steps: 4, nodes: 1 });
  t.deepEqual(searched(search, false), { verdict: 'not-linearizable', steps: 7, nodes: 2 });
  t.is(checkLinearizable(opsOf(ops), () => cas).keys[0]!.verdict, 'not-linearizable');
});

test('three identical info writes, four reads that each need one: every count tried once with the rule, every subset without', (t) => {
  // Three info writes of 1 at 0; then, one after another, write 0 and read 1, four times. Each
  // read of 1 follows a write of 0 that completed before it began, so each needs its own write
  // of 1 in between: three can be explained, the fourth not. Without the rule the search tries
  // which of the three served which read; with it only how many were taken.
  const w = (v: number, at: [number, number], outcome: 'ok' | 'info' = 'ok'): TestOp => ({
    input: { f: 'write', value: v },
    at,
    outcome,
  });
  const r = (v: number, at: [number, number]): TestOp => ({ input: { f: 'read' }, output: v, at });
  const ops = [w(1, [0, 100], 'info'), w(1, [0, 100], 'info'), w(1, [0, 100], 'info')];
  for (let i = 0; i < 4; i++) ops.push(w(0, [1 + 4 * i, 2 + 4 * i]), r(1, [3 + 4 * i, 4 + 4 * i]));
  const { search } = toSearchOps(opsOf(ops), cas);
  const rule = searched(search, true);
  const noRule = searched(search, false);
  t.is(rule.verdict, 'not-linearizable');
  t.is(noRule.verdict, 'not-linearizable');
  t.true(rule.nodes < noRule.nodes, `${rule.nodes} nodes, ${noRule.nodes} without the rule`);
  // With a fourth info write of 1 every read has its own.
  const four = [w(1, [0, 100], 'info'), ...ops];
  t.is(searched(toSearchOps(opsOf(four), cas).search, true).verdict, 'linearizable');
});

/**
 * The reference: tries every order (an ok op must precede every op invoked after it completed),
 * remembering only the (state, ops left) pairs already failed, each op by its identity.
 */
function bruteForce(ops: readonly SearchOp[]): boolean {
  const failed = new Set<string>();
  const go = (state: unknown, left: number): boolean => {
    const live = ops.filter((_, i) => left & (1 << i));
    if (live.every((o) => !o.known)) return true;
    const key = `${String(state)}/${left}`;
    if (failed.has(key)) return false;
    for (let i = 0; i < ops.length; i++) {
      const o = ops[i]!;
      if (!(left & (1 << i))) continue;
      if (live.some((p) => p !== o && p.known && p.ret < o.call)) continue;
      const [legal, next] = cas.step(state, o.input, o.output);
      if (legal && go(next, left & ~(1 << i))) return true;
    }
    failed.add(key);
    return false;
  };
  return go(cas.init(), (1 << ops.length) - 1);
}

interface Gen {
  kind: 'read' | 'write' | 'cas';
  a: number;
  b: number;
  ok: boolean;
  info: boolean;
  start: number;
  len: number;
}

test('generated: several identical info ops pending at once get the brute-force verdict, with the rule and without it, plain and cut into segments', (t) => {
  // Values 0..1, and info writes of one value half the time, invoked early: three to six
  // identical ops of unknown outcome pending together are common.
  const gen = fc.record({
    kind: fc.constantFrom('read', 'read', 'write', 'cas'),
    a: fc.integer({ min: 0, max: 1 }),
    b: fc.integer({ min: 0, max: 1 }),
    ok: fc.boolean(),
    info: fc.boolean(),
    start: fc.integer({ min: 0, max: 30 }),
    len: fc.integer({ min: 0, max: 6 }),
  }) as fc.Arbitrary<Gen>;
  let failing = 0;
  fc.assert(
    fc.property(
      fc.array(gen, { minLength: 1, maxLength: 9 }),
      fc.integer({ min: 2, max: 5 }),
      (gens, twins) => {
        const ops: TestOp[] = Array.from({ length: twins }, (_, i) => ({
          input: { f: 'write', value: 1 },
          at: [i, 1000] as [number, number],
          outcome: 'info' as const,
        }));
        for (const g of gens) {
          const at: [number, number] = [g.start + 10, g.start + 10 + g.len];
          const outcome = g.info && g.kind !== 'read' ? ('info' as const) : ('ok' as const);
          if (g.kind === 'write') ops.push({ input: { f: 'write', value: g.a }, at, outcome });
          else if (g.kind === 'read')
            ops.push({ input: { f: 'read' }, output: g.ok ? g.a : null, at });
          else ops.push({ input: { f: 'cas', value: [g.a, g.b] }, output: g.ok, at, outcome });
        }
        const history = opsOf(ops);
        const { search } = toSearchOps(history, cas);
        const truth = bruteForce(search) ? 'linearizable' : 'not-linearizable';
        if (truth === 'not-linearizable') failing++;
        const fast = checkLinearizable(history, () => cas, { shrink: false }).keys[0]!.verdict;
        // The fast path ok-first from the start (checkLinearizable decides these in its first
        // pass, in list order).
        const okFirst = searchKey(new StepCache(cas), search, { budget: 1e7, listOrderBudget: 0 });
        return (
          okFirst.verdict === truth &&
          searched(search, true).verdict === truth &&
          searched(search, false).verdict === truth &&
          fast === truth
        );
      },
    ),
    { numRuns: 600 },
  );
  t.true(failing > 60, `enough non-linearizable histories were generated (${failing})`);
});
