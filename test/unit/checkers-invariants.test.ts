import test from 'ava';
import fc from 'fast-check';
import type { HistoryEvent, Op } from '../../lab/history/event.ts';
import { pairOps } from '../../lab/history/event.ts';
import { checkInvariants } from '../../lab/checkers/invariants/index.ts';
import { keyOf, type BbsOp, type BbsResult } from '../../bbs/ops.ts';
import { taskStep, type TaskModelState } from '../../specs/task.ts';

type Step = {
  op: BbsOp;
  out: BbsResult | undefined | 'fail';
  start: number;
  end: number;
  process?: number;
};

/** Builds a history from steps: each with its own interval; out undefined = info, 'fail' = fail. */
function history(steps: Step[]): Op[] {
  const ev: HistoryEvent[] = [];
  steps.forEach((s, i) => {
    const base = {
      op: i,
      process: s.process ?? i,
      client: s.process ?? i,
      f: s.op.f,
      key: s.op.f === ('FinalRead' as string) ? 'final' : keyOf(s.op),
    };
    ev.push({ type: 'invoke', index: 0, time: s.start, ...base, value: s.op });
    if (s.out === 'fail')
      ev.push({
        type: 'fail',
        index: 0,
        time: s.end,
        ...base,
        value: s.op,
        error: { errno: 1213, message: 'deadlock' },
      });
    else if (s.out === undefined)
      ev.push({
        type: 'info',
        index: 0,
        time: s.end,
        ...base,
        value: s.op,
        error: { code: 'PROTOCOL_CONNECTION_LOST', message: 'lost' },
      });
    else ev.push({ type: 'ok', index: 0, time: s.end, ...base, value: s.out });
  });
  ev.sort((a, b) => a.time - b.time);
  return pairOps(ev.map((e, index) => ({ ...e, index })));
}

const task = (guid: string) => ({
  taskGuid: guid,
  domain: 'd',
  state: 'RUNNING' as const,
  cellId: 'cell-a',
  result: '',
  failed: false,
  failureReason: '',
});
const start = (cellId: string): BbsOp => ({ f: 'StartTask', args: { taskGuid: 't', cellId } });
const started = (cellId: string): BbsResult => ({
  shouldStart: true,
  record: { ...task('t'), cellId },
});

test('a task started on two cells is found; a re-desire in between makes it legal', (t) => {
  const bad = checkInvariants(
    history([
      { op: start('cell-a'), out: started('cell-a'), start: 0, end: 10 },
      { op: start('cell-b'), out: started('cell-b'), start: 20, end: 30 },
    ]),
  );
  t.false(bad.valid);
  t.is(bad.counts['task-started-on-two-cells'], 1);
  t.deepEqual(bad.violations[0]!.ops, [0, 1]);
  const ok = checkInvariants(
    history([
      { op: start('cell-a'), out: started('cell-a'), start: 0, end: 10 },
      {
        op: { f: 'DesireTask', args: { taskGuid: 't', domain: 'd' } },
        out: undefined,
        start: 12,
        end: 14,
      },
      { op: start('cell-b'), out: started('cell-b'), start: 20, end: 30 },
    ]),
  );
  t.true(ok.valid, 'an unknown-outcome DesireTask may have created a new task');
  const failedDesire = checkInvariants(
    history([
      { op: start('cell-a'), out: started('cell-a'), start: 0, end: 10 },
      {
        op: { f: 'DesireTask', args: { taskGuid: 't', domain: 'd' } },
        out: 'fail',
        start: 12,
        end: 14,
      },
      { op: start('cell-b'), out: started('cell-b'), start: 20, end: 30 },
    ]),
  );
  t.false(failedDesire.valid, 'a DesireTask that surely failed separates nothing');
});

test("a completed task's result that changes is found", (t) => {
  const done = (result: string): BbsResult => ({
    record: { ...task('t'), state: 'COMPLETED', result },
  });
  const read: BbsOp = { f: 'TaskByGuid', args: { taskGuid: 't' } };
  t.false(
    checkInvariants(
      history([
        { op: read, out: done('x'), start: 0, end: 1 },
        { op: read, out: done('y'), start: 2, end: 3 },
      ]),
    ).valid,
  );
  t.true(
    checkInvariants(
      history([
        { op: read, out: done('x'), start: 0, end: 1 },
        { op: read, out: done('x'), start: 2, end: 3 },
      ]),
    ).valid,
  );
  // Only the failure reason differs: found, and the explanation shows the reasons (both results
  // "").
  const failed = (failureReason: string): BbsResult => ({
    record: { ...task('t'), state: 'COMPLETED', result: '', failed: true, failureReason },
  });
  const r = checkInvariants(
    history([
      { op: read, out: failed('boom'), start: 0, end: 1 },
      { op: read, out: failed('bang'), start: 2, end: 3 },
    ]),
  );
  t.is(
    r.violations[0]?.explanation,
    't was seen completed with result "" (failed true, reason "boom") and later with result "" (failed true, reason "bang") in the same incarnation',
  );
});

test('an actual LRP held by two cells is found; claim by one then start by another is the 2016 BBS rule', (t) => {
  const at = { processGuid: 'p', index: 0 };
  const claim = (cellId: string): BbsOp => ({
    f: 'ClaimActualLRP',
    args: { ...at, cellId, instanceGuid: `${cellId}-i0` },
  });
  const startA = (cellId: string): BbsOp => ({
    f: 'StartActualLRP',
    args: { ...at, cellId, instanceGuid: `${cellId}-i0` },
  });
  const r: BbsResult = { record: null };
  t.is(
    checkInvariants(
      history([
        { op: claim('a'), out: r, start: 0, end: 1 },
        { op: claim('b'), out: r, start: 2, end: 3 },
      ]),
    ).counts['instance-held-by-two-cells'],
    1,
  );
  t.true(
    checkInvariants(
      history([
        { op: claim('a'), out: r, start: 0, end: 1 },
        { op: startA('b'), out: r, start: 2, end: 3 },
      ]),
    ).valid,
  );
  t.true(
    checkInvariants(
      history([
        { op: startA('a'), out: r, start: 0, end: 1 },
        {
          op: {
            f: 'CrashActualLRP',
            args: { ...at, cellId: 'a', instanceGuid: 'a-i0', reason: 'x' },
          },
          out: {},
          start: 1.5,
          end: 1.8,
        },
        { op: claim('b'), out: r, start: 2, end: 3 },
      ]),
    ).valid,
  );
  t.true(
    checkInvariants(
      history([
        { op: claim('a'), out: r, start: 0, end: 1 },
        { op: claim('b'), out: { error: 'ActualLRPCannotBeClaimed' }, start: 2, end: 3 },
      ]),
    ).valid,
  );

  // Concurrent: claim by b committed first (index 12) but answered last; start by a (index 13) took
  // it over under the 2016 rule, then a claimed again (14). Effect order, not completion order.
  const rec = (cellId: string, index: number): BbsResult => ({
    record: {
      processGuid: 'p',
      index: 0,
      domain: 'd',
      state: 'CLAIMED',
      instanceGuid: `${cellId}-i0`,
      cellId,
      placementError: '',
      crashCount: 0,
      crashReason: '',
      modificationTag: { epoch: 'E', index },
    } as never,
  });
  const concurrent = history([
    { op: claim('b'), out: rec('b', 12), start: 0, end: 5 },
    { op: startA('a'), out: rec('a', 13), start: 1, end: 3 },
    { op: claim('a'), out: rec('a', 14), start: 6, end: 7 },
  ]);
  t.true(checkInvariants(concurrent).valid, JSON.stringify(checkInvariants(concurrent).violations));
  const realTakeover = history([
    { op: startA('a'), out: rec('a', 12), start: 0, end: 5 },
    { op: claim('b'), out: rec('b', 13), start: 1, end: 3 },
  ]);
  t.is(
    checkInvariants(realTakeover).counts['instance-held-by-two-cells'],
    1,
    'started by a, then claimed by b, in index order: still found',
  );
});

test('a modification index that goes back in real time is found; overlapping ops may see either', (t) => {
  const read: BbsOp = { f: 'DesiredLRPByProcessGuid', args: { processGuid: 'p' } };
  const rec = (index: number, epoch = 'E1'): BbsResult => ({
    record: {
      processGuid: 'p',
      domain: 'd',
      instances: 1,
      annotation: '',
      modificationTag: { epoch, index },
    },
  });
  const back = checkInvariants(
    history([
      { op: read, out: rec(3), start: 0, end: 1 },
      { op: read, out: rec(2), start: 2, end: 3 },
    ]),
  );
  t.is(back.counts['modification-index-went-back'], 1);
  t.true(
    checkInvariants(
      history([
        { op: read, out: rec(3), start: 0, end: 5 },
        { op: read, out: rec(2), start: 2, end: 3 },
      ]),
    ).valid,
  );
  t.true(
    checkInvariants(
      history([
        { op: read, out: rec(3), start: 0, end: 1 },
        { op: read, out: rec(0, 'E2'), start: 2, end: 3 },
      ]),
    ).valid,
    'a new epoch restarts',
  );
});

test('an acknowledged write missing from the final read is found, unless a later op may have changed it', (t) => {
  const complete: BbsOp = {
    f: 'CompleteTask',
    args: { taskGuid: 't', cellId: 'cell-a', failed: false, failureReason: '', result: 'r1' },
  };
  const after = { record: { ...task('t'), state: 'COMPLETED' as const, result: 'r1' } };
  // The runner records the final read as an op of its own, after the workload.
  const finalStep = (tasks: unknown[]): Step => ({
    op: { f: 'FinalRead' } as unknown as BbsOp,
    out: { tasks, desiredLRPs: [], actualLRPs: [] } as unknown as BbsResult,
    start: 100,
    end: 101,
  });
  const mk = history;
  const lost = checkInvariants(
    mk([
      { op: complete, out: after, start: 0, end: 1 },
      finalStep([{ ...task('t'), state: 'RUNNING' }]),
    ]),
  );
  t.is(lost.counts['acknowledged-write-lost'], 1);
  t.true(
    checkInvariants(mk([{ op: complete, out: after, start: 0, end: 1 }, finalStep([after.record])]))
      .valid,
  );
  const unsettled = checkInvariants(
    mk([
      { op: complete, out: after, start: 0, end: 1 },
      { op: { f: 'DeleteTask', args: { taskGuid: 't' } }, out: undefined, start: 0.5, end: 2 },
      finalStep([]),
    ]),
  );
  t.true(
    unsettled.valid,
    'an info op that may have applied after it makes the final state unknown',
  );
});

/**
 * Plays a task's rules forward; returns the steps with disjoint intervals (a sequential history).
 */
function sequential(ops: BbsOp[]): Step[] {
  let s: TaskModelState = null;
  return ops.map((op, i) => {
    const o = taskStep(s, op)!;
    s = o.next;
    return { op, out: o.result, start: i * 10, end: i * 10 + 5 + (i % 3) };
  });
}

const taskOps = fc.array(
  fc.oneof(
    fc.constant<BbsOp>({ f: 'DesireTask', args: { taskGuid: 't', domain: 'd' } }),
    fc.constantFrom('cell-a', 'cell-b', 'cell-c').map(start),
    fc
      .record({ cellId: fc.constantFrom('cell-a', 'cell-b'), result: fc.constantFrom('x', 'y') })
      .map(
        ({ cellId, result }): BbsOp => ({
          f: 'CompleteTask',
          args: { taskGuid: 't', cellId, failed: false, failureReason: '', result },
        }),
      ),
    fc.constant<BbsOp>({ f: 'ResolvingTask', args: { taskGuid: 't' } }),
    fc.constant<BbsOp>({ f: 'DeleteTask', args: { taskGuid: 't' } }),
    fc.constant<BbsOp>({ f: 'TaskByGuid', args: { taskGuid: 't' } }),
  ),
  { minLength: 1, maxLength: 60 },
);

test('generated: every sequential task history from the BBS rules is accepted', (t) => {
  fc.assert(fc.property(taskOps, (ops) => checkInvariants(history(sequential(ops))).valid));
  t.pass();
});

test('generated: a second start on another cell planted after a real start is always found', (t) => {
  let planted = 0;
  fc.assert(
    fc.property(taskOps, fc.nat(), (ops, pick) => {
      const steps = sequential(ops);
      const starts = steps
        .map((s, i) => [s, i] as const)
        .filter(([s]) => (s.out as BbsResult).shouldStart === true);
      fc.pre(starts.length > 0);
      const [s, i] = starts[pick % starts.length]!;
      const cell = (s.op.args as { cellId: string }).cellId === 'cell-a' ? 'cell-b' : 'cell-a';
      // Right after the real start, before anything else: no re-desire can separate them.
      const plantedStep: Step = {
        op: start(cell),
        out: started(cell),
        start: s.end + 1,
        end: s.end + 2,
      };
      const withPlant = [...steps.slice(0, i + 1), plantedStep, ...steps.slice(i + 1)];
      planted++;
      return checkInvariants(history(withPlant)).counts['task-started-on-two-cells'] >= 1;
    }),
  );
  t.true(planted > 0);
});
