// Bounds on the linearizability search that are not steps: configurations are counted per cut
// (a sequential key of many segments carries one at each), and a wall-clock deadline ends in
// `unknown` with that reason in results.json and in the summary. No timing: a deadline already
// passed is a deterministic way to reach it.

import test from 'ava';
import { checkLinearizable, toSearchOps } from '../../lab/checkers/linearizability/index.ts';
import { searchKey } from '../../lab/checkers/linearizability/segments.ts';
import { StepCache } from '../../lab/checkers/linearizability/steps.ts';
import { type CheckReport, checkReport, unknownReasons } from '../../lab/report/verdicts.ts';
import { renderEvidence } from '../../lab/report/evidence.ts';
import type { KeyResult } from '../../lab/checkers/linearizability/types.ts';
import { registerModel } from '../../specs/register.ts';
import { casRegisterModel } from '../../specs/cas-register.ts';
import type { Model } from '../../specs/model.ts';
import { eventsOf, opsOf, type TestOp } from './lin-history.ts';

const reg = registerModel as Model;

/** A sequential register key: write i, read i, one op at a time. */
function sequential(n: number, staleAt = -1): TestOp[] {
  return Array.from({ length: n }, (_, i): TestOp => {
    const at: [number, number] = [3 * i, 3 * i + 1];
    if (i % 2 === 0) return { input: { f: 'write', value: i }, at };
    return { input: { f: 'read' }, output: i === staleAt ? i - 3 : i - 1, at };
  });
}

test('the configuration limit is per cut: 300 segments of one configuration each pass a limit of 10', (t) => {
  const { search } = toSearchOps(opsOf(sequential(300)), reg);
  const r = searchKey(new StepCache(reg), search, { budget: 1e6, maxConfigs: 10 });
  t.is(r.verdict, 'linearizable');
  t.is(r.segments.length, 300);
  t.is(r.steps, 300, 'one model step per op on a sequential key');
  // A stale read late in it is found, in its own segment, with the one state reaching it.
  const bad = searchKey(new StepCache(reg), toSearchOps(opsOf(sequential(300, 251)), reg).search, {
    budget: 1e6,
    maxConfigs: 10,
  });
  t.is(bad.verdict, 'not-linearizable');
  t.is(bad.failedSegment, 251);
  t.deepEqual(
    bad.configs[251]!.map((c) => c.pending),
    [[]],
  );
});

test('many configurations at one cut still end in unknown (configurations)', (t) => {
  // Info cas 0→1, 1→2, 2→3, 3→4 invoked at 0; write 0 at 1–2, then a cas 9→9 answered false at
  // 3–4 (it pins nothing): at the cut the register holds 0, 1, 2, 3 or 4, each with its own
  // pending cas ops, five configurations. A final read of 7 fails from each, so the search tries
  // them all: more than a limit of 3 is unknown; with a limit of 5, not linearizable.
  const cas = casRegisterModel as Model;
  const ops: TestOp[] = [0, 1, 2, 3].map((v) => ({
    input: { f: 'cas', value: [v, v + 1] },
    at: [0, 100] as [number, number],
    outcome: 'info' as const,
  }));
  ops.push(
    { input: { f: 'write', value: 0 }, at: [1, 2] },
    { input: { f: 'cas', value: [9, 9] }, output: false, at: [3, 4] },
    { input: { f: 'read' }, output: 7, at: [10, 11] },
  );
  const search = toSearchOps(opsOf(ops), cas).search;
  const r = searchKey(new StepCache(cas), search, { budget: 1e6, maxConfigs: 3 });
  t.is(r.verdict, 'unknown');
  t.is(r.exhausted, 'configurations');
  t.is(
    searchKey(new StepCache(cas), search, { budget: 1e6, maxConfigs: 5 }).verdict,
    'not-linearizable',
  );
});

test('a deadline already passed: unknown, exhausted "time", and the summary says the wall-clock limit, not the step budget', (t) => {
  const k = checkLinearizable(opsOf(sequential(10)), () => reg, { timeoutMs: -1 }).keys[0]!;
  t.is(k.verdict, 'unknown');
  t.is(k.exhausted, 'time');
  t.is(k.timeoutMs, -1);
  const report = checkReport(eventsOf(sequential(10)), {
    model: 'register',
    timeoutMs: 2500 - 2501,
  });
  t.is(report.valid, 'unknown');
  t.regex(
    report.summary.join('\n'),
    /1 unknown \(wall-clock limit of -0\.001 s reached \(--timeout\)\)/,
  );
  t.notRegex(report.summary.join('\n'), /steps exhausted/);
  // The step budget keeps its own wording.
  const steps = checkReport(eventsOf(sequential(10)), { model: 'register', budget: 3 });
  t.is(steps.valid, 'unknown');
  t.regex(steps.summary.join('\n'), /1 unknown \(search budget of 3 steps exhausted\)/);
  t.is(steps.linearizability!.keys[0]!.exhausted, 'steps');
});

test('a deadline is kept over many small segments, each searched in fewer steps than the search reads the clock after', (t) => {
  // 400 segments of two concurrent writes: each search takes a handful of steps, so only the
  // segment loop's own clock reading can see the deadline (it was never read before).
  const ops: TestOp[] = [];
  for (let i = 0; i < 400; i++) {
    ops.push({ input: { f: 'write', value: 2 * i }, at: [10 * i, 10 * i + 5] });
    ops.push({ input: { f: 'write', value: 2 * i + 1 }, at: [10 * i + 1, 10 * i + 6] });
  }
  const { search } = toSearchOps(opsOf(ops), reg);
  const done = searchKey(new StepCache(reg), search, { budget: 1e6 });
  t.is(done.verdict, 'linearizable');
  t.is(done.segments.length, 400);
  const late = searchKey(new StepCache(reg), search, { budget: 1e6, deadline: -1 });
  t.is(late.verdict, 'unknown');
  t.is(late.exhausted, 'time');
});

/** 12 concurrent writes, then a read of -1: every order of the writes is tried before it fails. */
function hardKey(key: string): TestOp[] {
  const ops: TestOp[] = [];
  for (let i = 0; i < 12; i++) ops.push({ key, input: { f: 'write', value: i }, at: [i, i + 100] });
  ops.push({ key, input: { f: 'read' }, output: -1, at: [200, 201] });
  return ops;
}

/** Write 1, then a read of 0: fails in a few steps. */
const easyBad = (key: string): TestOp[] => [
  { key, input: { f: 'write', value: 1 }, at: [0, 1] },
  { key, input: { f: 'read' }, output: 0, at: [2, 3] },
];

test('keys are searched in rounds: an easy key after a hard one is decided first, and stopAtFirstFailure stops there as Porcupine does', (t) => {
  const ops = opsOf([...hardKey('a'), ...easyBad('b')]);
  const stop = checkLinearizable(ops, () => reg, { shrink: false, stopAtFirstFailure: true });
  t.is(stop.valid, false);
  const [a, b] = stop.keys;
  t.is(b!.verdict, 'not-linearizable');
  t.is(a!.verdict, 'unknown');
  t.is(a!.exhausted, 'stopped');
  t.true(
    a!.steps <= 10_001,
    'the hard key had one round of 10,000 steps (the one past it ends the round)',
  );
  // Without the stop, both are decided, the hard one after more rounds.
  const all = checkLinearizable(ops, () => reg, { shrink: false });
  t.deepEqual(
    all.keys.map((k) => k.verdict),
    ['not-linearizable', 'not-linearizable'],
  );
  t.true(all.keys[0]!.steps > 10_000);
  // A budget below what the hard key needs: unknown (steps), the easy key still decided.
  const capped = checkLinearizable(ops, () => reg, { shrink: false, budget: 5_000 });
  t.is(capped.keys[0]!.exhausted, 'steps');
  t.is(capped.keys[1]!.verdict, 'not-linearizable');
});

test('a key left alone is searched once with the whole budget: a single hard key spends what one search does, not rounds', (t) => {
  const ops = opsOf(hardKey('a'));
  const { search } = toSearchOps(ops, reg);
  const once = searchKey(new StepCache(reg), search, { budget: 5_000_000 });
  t.is(once.verdict, 'not-linearizable');
  t.true(once.steps > 10_000, 'more than a first round would give');
  const k = checkLinearizable(ops, () => reg, { shrink: false }).keys[0]!;
  t.is(k.verdict, 'not-linearizable');
  t.is(k.steps, once.steps);
  // With the easy key beside it, the hard key is alone after the first round: its first round
  // (10,000 steps, the one past it ends the round) and then one search with the whole budget.
  const both = checkLinearizable(opsOf([...hardKey('a'), ...easyBad('b')]), () => reg, {
    shrink: false,
  }).keys[0]!;
  t.is(both.steps, 10_001 + once.steps);
});

test('unknown keys with different reasons: the summary and the evidence section name each reason', (t) => {
  const key = (name: string, exhausted: KeyResult['exhausted']): KeyResult => ({
    key: name,
    model: 'register',
    verdict: 'unknown',
    ops: 10,
    steps: 5,
    budget: 5_000_000,
    ...(exhausted ? { exhausted } : {}),
  });
  const keys = [key('a', 'configurations'), key('b', 'steps'), key('c', 'configurations')];
  t.is(
    unknownReasons(keys),
    '2: too many configurations carried across one cut; 1: search budget of 5000000 steps exhausted',
  );
  t.is(unknownReasons([keys[0]!]), 'too many configurations carried across one cut');
  const md = renderEvidence(
    {
      linearizability: { valid: 'unknown', keys, opsChecked: 30, skipped: 0, droppedReads: 0 },
      failedApplied: [],
    } as unknown as CheckReport,
    0,
  );
  t.regex(md, /Too many configurations carried across one cut on: a \(10 ops\), c \(10 ops\)\./);
  t.regex(
    md,
    /Search budget of 5000000 steps exhausted on: b \(10 ops\)\. Re-check with a larger budget/,
  );
  t.notRegex(md, /gave up after/);
});
