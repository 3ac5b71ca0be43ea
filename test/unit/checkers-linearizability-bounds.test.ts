// Bounds on the linearizability search that are not steps: configurations are counted per cut
// (a sequential key of many segments carries one at each), and a wall-clock deadline ends in
// `unknown` with that reason in results.json and in the summary. No timing: a deadline already
// passed is a deterministic way to reach it.

import test from 'ava';
import { checkLinearizable, toSearchOps } from '../../lab/checkers/linearizability/index.ts';
import { searchKey } from '../../lab/checkers/linearizability/segments.ts';
import { StepCache } from '../../lab/checkers/linearizability/steps.ts';
import { checkReport } from '../../lab/report/verdicts.ts';
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
