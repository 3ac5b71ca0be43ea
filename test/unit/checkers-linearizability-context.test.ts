// The context around a witness (checkers/linearizability/context.ts): the earliest failing prefix
// and the ops before the window that put the row in its start state. Answers worked out by hand.

import test from 'ava';
import fc from 'fast-check';
import { keyOf, type BbsOp, type BbsResult } from '../../bbs/ops.ts';
import { checkLinearizable } from '../../lab/checkers/linearizability/index.ts';
import { contextBefore, earliestFailure } from '../../lab/checkers/linearizability/context.ts';
import { toSearchOps } from '../../lab/checkers/linearizability/index.ts';
import { searchKey } from '../../lab/checkers/linearizability/segments.ts';
import type { SearchOp } from '../../lab/checkers/linearizability/search.ts';
import { StepCache } from '../../lab/checkers/linearizability/steps.ts';
import { casRegisterModel } from '../../specs/cas-register.ts';
import { renderEvidence } from '../../lab/report/evidence.ts';
import { taskModel } from '../../specs/task.ts';
import { registerModel } from '../../specs/register.ts';
import type { Model } from '../../specs/model.ts';
import { bruteForce, opsOf, type TestOp } from './lin-history.ts';

const rec = (state: string, cellId = '', result = '') =>
  ({
    record: { taskGuid: 't', domain: 'd', state, cellId, result, failed: false, failureReason: '' },
  }) as BbsResult;
const op = (input: BbsOp, output: BbsResult, at: [number, number]): TestOp => ({
  key: keyOf(input),
  f: input.f,
  input,
  output,
  at,
});

/**
 * op 0 DesireTask [0,1] → PENDING; op 1 StartTask cell-a [2,3] → RUNNING on cell-a; op 2 a read
 * [4,5] sees that; op 3 CompleteTask from cell-b [6,7] answered COMPLETED (a missing cell check:
 * the BBS says RunningOnDifferentCell); op 4 a read [20,21] sees COMPLETED.
 */
const missingCellCheck: TestOp[] = [
  op({ f: 'DesireTask', args: { taskGuid: 't', domain: 'd' } }, rec('PENDING'), [0, 1]),
  op(
    { f: 'StartTask', args: { taskGuid: 't', cellId: 'cell-a' } },
    { shouldStart: true, ...rec('RUNNING', 'cell-a') },
    [2, 3],
  ),
  op({ f: 'TaskByGuid', args: { taskGuid: 't' } }, rec('RUNNING', 'cell-a'), [4, 5]),
  op(
    {
      f: 'CompleteTask',
      args: { taskGuid: 't', cellId: 'cell-b', failed: false, failureReason: '', result: 'r' },
    },
    rec('COMPLETED', '', 'r'),
    [6, 7],
  ),
  op({ f: 'TaskByGuid', args: { taskGuid: 't' } }, rec('COMPLETED', '', 'r'), [20, 21]),
];

test('the earliest failing prefix ends at the first completion the history cannot get past', (t) => {
  const model = taskModel as Model;
  const { search } = toSearchOps(opsOf(missingCellCheck), model);
  // Completions at 1, 3, 5, 7, 21. Up to 5 every prefix is legal (desire, start on a, read); up to
  // 7 the CompleteTask from cell-b has no legal point: detectable at 7 (op 3), not at 21.
  t.deepEqual(earliest(model, search), { at: 7, op: 3 });
  // A legal history has none.
  const { search: legal } = toSearchOps(opsOf(missingCellCheck.slice(0, 3)), model);
  t.is(earliest(model, legal), null);
});

/** earliestFailure as index.ts calls it: after the key's search, from the segment it failed in. */
function earliest(model: Model, search: readonly SearchOp[], listOrderBudget?: number) {
  const cache = new StepCache(model);
  const ks = searchKey(cache, search, {
    budget: 1e6,
    ...(listOrderBudget !== undefined ? { listOrderBudget } : {}),
  });
  return earliestFailure(cache, search, ks, { budget: 1e6, memoryBytes: 1 << 24 });
}

/** The reference's earliest failing completion: every completion in time order, the whole prefix each. */
function earliestByPrefixes(model: Model, ops: readonly SearchOp[]) {
  const rets = ops.filter((o) => o.known).sort((a, b) => a.ret - b.ret);
  for (const r of rets) {
    const prefix = ops
      .filter((o) => o.call <= r.ret)
      .map((o) =>
        o.known && o.ret > r.ret ? { ...o, known: false, output: undefined, ret: Infinity } : o,
      );
    if (!bruteForce(model, prefix, model.init())) return { at: r.ret, op: r.id };
  }
  return null;
}

test('the earliest failing completion, from the segment the search failed in, is the one every whole prefix gives (generated)', (t) => {
  // Cas-register ops with values 0..2, a fifth of unknown outcome, spread out so that most
  // histories are cut into several segments; distinct completion times, so "the first" is one op.
  const cas = casRegisterModel as Model;
  const gen = fc.record({
    kind: fc.constantFrom('read', 'read', 'write', 'cas'),
    a: fc.integer({ min: 0, max: 2 }),
    b: fc.integer({ min: 0, max: 2 }),
    ok: fc.boolean(),
    info: fc.integer({ min: 0, max: 3 }),
    start: fc.integer({ min: 0, max: 30 }),
    len: fc.integer({ min: 0, max: 8 }),
  });
  let failing = 0;
  let later = 0;
  let manyStarts = 0;
  fc.assert(
    fc.property(fc.array(gen, { minLength: 1, maxLength: 11 }), (gens) => {
      const tops: TestOp[] = gens.map((g, i) => {
        const at: [number, number] = [g.start * 4, g.start * 4 + g.len * 4 + 1 + i / 100];
        const outcome = g.info === 0 ? 'info' : 'ok';
        if (g.kind === 'write') return { input: { f: 'write', value: g.a }, at, outcome };
        if (g.kind === 'read')
          return { input: { f: 'read' }, output: g.ok ? g.a : null, at, outcome };
        return { input: { f: 'cas', value: [g.a, g.b] }, output: g.ok, at, outcome };
      });
      const { search } = toSearchOps(opsOf(tops), cas);
      const want = earliestByPrefixes(cas, search);
      if (want) failing++;
      if (want && search.some((o) => o.known && o.ret < want.at)) later++;
      const cache = new StepCache(cas);
      const ks = searchKey(cache, search, { budget: 1e6 });
      const starts = new Set(ks.configs[ks.failedSegment ?? -1]?.map((c) => c.state));
      if (want && starts.size > 1) manyStarts++;
      const got = earliest(cas, search);
      const gotOkFirst = earliest(cas, search, 0);
      return (
        JSON.stringify(got) === JSON.stringify(want) &&
        JSON.stringify(gotOkFirst) === JSON.stringify(want)
      );
    }),
    { numRuns: 2000 },
  );
  t.true(failing > 300, `enough non-linearizable histories (${failing})`);
  t.true(later > 200, `enough whose first failure is not the first completion (${later})`);
  // Where the failing segment is reached in more than one state, every one must fail.
  t.true(manyStarts > 20, `enough failing segments reached in several states (${manyStarts})`);
});

test('the witness keeps its cause: the DesireTask before the window is shown as context, and the report says when it was detectable', (t) => {
  const r = checkLinearizable(opsOf(missingCellCheck), () => taskModel as Model);
  const f = r.keys[0]!.failure!;
  // Nothing is open between 3 and 4, so the search cuts the history there and fails in the segment
  // from 4: the witness is the read (RUNNING on cell-a) and the CompleteTask from cell-b, from
  // RUNNING on cell-a. Shown alone it does not say how the task came to run on cell-a; the
  // context does: op 0 created the row, op 1 started it on cell-a, both before the window.
  t.deepEqual(
    f.ops.map((o) => o.op),
    [2, 3],
  );
  t.deepEqual(f.startStates, ['RUNNING on cell-a']);
  t.deepEqual(
    f.context?.map((o) => o.op),
    [0, 1],
  );
  t.deepEqual(f.earliest, { at: 7, op: 3 });
  const md = renderEvidence(
    {
      valid: false,
      summary: [],
      linearizability: r,
      invariants: null,
      failedApplied: [],
      isolation: null,
    },
    0,
  );
  // Times in seconds since t0 = 0 of a nanosecond clock: 7 ns → 0.000 s.
  t.regex(
    md,
    /Detectable from 0\.000 s: the key's history up to the completion of op 3 already cannot be linearized\./,
  );
  t.regex(
    md,
    /Before the window \(how the row got to the state it starts from; not part of the proof\): op 0 DesireTask/,
  );
});

test('context: the latest create or remove and what followed, at most four; none for a window from the start', (t) => {
  const model = registerModel as Model;
  const s = (id: number, f: string, ret: number) => ({
    id,
    call: ret - 1,
    ret,
    input: { f, value: id },
    output: null,
    known: true,
  });
  // Register writes have no create/remove: the last four before the window (ret < 50).
  const ops = [
    s(0, 'write', 10),
    s(1, 'write', 20),
    s(2, 'write', 30),
    s(3, 'write', 40),
    s(4, 'write', 45),
    s(5, 'write', 60),
  ];
  t.deepEqual(
    contextBefore(model, ops, 50).map((o) => o.id),
    [1, 2, 3, 4],
  );
  t.deepEqual(contextBefore(model, ops, -Infinity), []);
  // A BBS-style origin (DeleteTask at 20) cuts what came before it; with more than four after
  // it, the origin and the last three.
  const withOrigin = [
    s(0, 'write', 10),
    s(1, 'DeleteTask', 20),
    s(2, 'write', 30),
    s(3, 'write', 35),
    s(4, 'write', 40),
    s(5, 'write', 45),
  ];
  t.deepEqual(
    contextBefore(model, withOrigin, 50).map((o) => o.id),
    [1, 3, 4, 5],
  );
  t.deepEqual(
    contextBefore(model, withOrigin.slice(0, 4), 50).map((o) => o.id),
    [1, 2, 3],
  );
});
