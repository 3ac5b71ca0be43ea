import test from 'ava';
import type { HistoryEvent } from '../../lab/history/event.ts';
import { pairOps } from '../../lab/history/event.ts';
import { checkFailedApplied } from '../../lab/checkers/failed-applied.ts';

const complete = {
  f: 'CompleteTask',
  args: { taskGuid: 't', cellId: 'cell-a', failed: false, failureReason: '', result: 'alpha-c1-7' },
};
const rec = (result: string) => ({
  record: {
    taskGuid: 't',
    domain: 'd',
    state: 'COMPLETED',
    cellId: 'cell-a',
    result,
    failed: false,
    failureReason: '',
  },
});

function h(readResult: string, outcome: 'fail' | 'ok'): HistoryEvent[] {
  const base = { process: 0, client: 0, key: 'task/t' };
  return [
    { type: 'invoke', index: 0, time: 0, op: 0, f: 'CompleteTask', value: complete, ...base },
    {
      type: outcome,
      index: 1,
      time: 5,
      op: 0,
      f: 'CompleteTask',
      value: complete,
      ...base,
      ...(outcome === 'fail'
        ? { error: { errno: 1213, message: 'Deadlock', phase: 'commit' as const } }
        : {}),
    },
    {
      type: 'invoke',
      index: 2,
      time: 10,
      op: 1,
      f: 'TaskByGuid',
      value: { f: 'TaskByGuid', args: { taskGuid: 't' } },
      ...base,
      process: 1,
      client: 1,
    },
    {
      type: 'ok',
      index: 3,
      time: 12,
      op: 1,
      f: 'TaskByGuid',
      value: rec(readResult),
      ...base,
      process: 1,
      client: 1,
    },
  ] as HistoryEvent[];
}

test('a CompleteTask that failed with 1213 but whose result is later read was applied after all', (t) => {
  const found = checkFailedApplied(pairOps(h('alpha-c1-7', 'fail')));
  t.is(found.length, 1);
  t.like(found[0], { op: 0, seenBy: 1, error: '1213' });
  t.regex(
    found[0]!.explanation,
    /failed with 1213 \(on commit\), yet TaskByGuid later saw its result "alpha-c1-7"/,
  );
});

test('a failed CompleteTask whose result never shows up, or an ok one, is not reported', (t) => {
  t.deepEqual(checkFailedApplied(pairOps(h('beta-c2-1', 'fail'))), []);
  t.deepEqual(checkFailedApplied(pairOps(h('alpha-c1-7', 'ok'))), []);
});

test('every traced write, not only CompleteTask: a failed UpdateDesiredLRP whose annotation is read later, a failed CrashActualLRP whose reason is', (t) => {
  // op 0 UpdateDesiredLRP annotation "beta-c2-5" fails at COMMIT (0–5); op 1 reads it (10–12).
  // op 2 CrashActualLRP reason "exit-c3-9" fails on a statement (20–25); op 3 reads it (30–32).
  // op 4 FailTask reason "gamma-c1-2" fails (40–45) and is never seen: not reported.
  const ev = (
    op: number,
    type: string,
    time: number,
    f: string,
    key: string,
    value: unknown,
    error?: object,
  ) =>
    ({
      type,
      index: 0,
      time,
      op,
      process: op,
      client: op,
      f,
      key,
      value,
      ...(error ? { error } : {}),
    }) as HistoryEvent;
  const upd = {
    f: 'UpdateDesiredLRP',
    args: { processGuid: 'p', instances: 2, annotation: 'beta-c2-5' },
  };
  const crash = {
    f: 'CrashActualLRP',
    args: { processGuid: 'p', index: 0, instanceGuid: 'a-i0', cellId: 'a', reason: 'exit-c3-9' },
  };
  const failT = { f: 'FailTask', args: { taskGuid: 't', failureReason: 'gamma-c1-2' } };
  const events = [
    ev(0, 'invoke', 0, 'UpdateDesiredLRP', 'desired/p', upd),
    ev(0, 'fail', 5, 'UpdateDesiredLRP', 'desired/p', upd, {
      errno: 1213,
      message: 'Deadlock',
      phase: 'commit',
    }),
    ev(1, 'invoke', 10, 'DesiredLRPByProcessGuid', 'desired/p', {
      f: 'DesiredLRPByProcessGuid',
      args: { processGuid: 'p' },
    }),
    ev(1, 'ok', 12, 'DesiredLRPByProcessGuid', 'desired/p', {
      record: {
        processGuid: 'p',
        domain: 'd',
        instances: 2,
        annotation: 'beta-c2-5',
        modificationTag: { epoch: 'E', index: 3 },
      },
    }),
    ev(2, 'invoke', 20, 'CrashActualLRP', 'actual/p/0', crash),
    ev(2, 'fail', 25, 'CrashActualLRP', 'actual/p/0', crash, {
      errno: 1213,
      message: 'Deadlock',
      phase: 'statement',
    }),
    ev(3, 'invoke', 30, 'ActualLRPByIndex', 'actual/p/0', {
      f: 'ActualLRPByIndex',
      args: { processGuid: 'p', index: 0 },
    }),
    ev(3, 'ok', 32, 'ActualLRPByIndex', 'actual/p/0', {
      record: {
        processGuid: 'p',
        index: 0,
        domain: 'd',
        state: 'UNCLAIMED',
        instanceGuid: '',
        cellId: '',
        placementError: '',
        crashCount: 1,
        crashReason: 'exit-c3-9',
        modificationTag: { epoch: 'F', index: 4 },
      },
    }),
    ev(4, 'invoke', 40, 'FailTask', 'task/t', failT),
    ev(4, 'fail', 45, 'FailTask', 'task/t', failT, { errno: 1213, message: 'Deadlock' }),
  ].map((e, index) => ({ ...e, index }));
  const found = checkFailedApplied(pairOps(events));
  t.deepEqual(
    found.map((f) => [f.op, f.seenBy]),
    [
      [0, 1],
      [2, 3],
    ],
  );
  t.is(
    found[0]!.explanation,
    'UpdateDesiredLRP on desired/p failed with 1213 (on commit), yet DesiredLRPByProcessGuid later saw its annotation "beta-c2-5"',
  );
  t.is(
    found[1]!.explanation,
    'CrashActualLRP on actual/p/0 failed with 1213 (on statement), yet ActualLRPByIndex later saw its crash reason "exit-c3-9"',
  );
});

test('a value the workload did not make unique traces nothing (histories from before it did)', (t) => {
  // A failed UpdateDesiredLRP with annotation "beta" and a later read of "beta": many writes wrote
  // "beta", so the read names none of them.
  const upd = {
    f: 'UpdateDesiredLRP',
    args: { processGuid: 'p', instances: 2, annotation: 'beta' },
  };
  const base = { process: 0, client: 0, key: 'desired/p' };
  const events = [
    { type: 'invoke', index: 0, time: 0, op: 0, f: 'UpdateDesiredLRP', value: upd, ...base },
    {
      type: 'fail',
      index: 1,
      time: 5,
      op: 0,
      f: 'UpdateDesiredLRP',
      value: upd,
      error: { errno: 1213, message: 'Deadlock', phase: 'commit' },
      ...base,
    },
    {
      type: 'invoke',
      index: 2,
      time: 10,
      op: 1,
      f: 'DesiredLRPByProcessGuid',
      value: { f: 'DesiredLRPByProcessGuid', args: { processGuid: 'p' } },
      ...base,
    },
    {
      type: 'ok',
      index: 3,
      time: 12,
      op: 1,
      f: 'DesiredLRPByProcessGuid',
      value: {
        record: {
          processGuid: 'p',
          domain: 'd',
          instances: 2,
          annotation: 'beta',
          modificationTag: { epoch: 'E', index: 1 },
        },
      },
      ...base,
    },
  ] as HistoryEvent[];
  t.deepEqual(checkFailedApplied(pairOps(events)), []);
});
