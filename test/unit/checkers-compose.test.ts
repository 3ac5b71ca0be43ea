import test from 'ava';
import { CHECKERS, combineVerdicts, runCheckers, type Checker } from '../../lab/checkers/index.ts';
import type { HistoryEvent } from '../../lab/history/event.ts';
import { checkReport } from '../../lab/report/verdicts.ts';

// A BBS task history where a CompleteTask failed with 1213 yet a later read saw its result, plus
// one list-append txn: every checker of the registry has ops it applies to.
const complete = {
  f: 'CompleteTask',
  args: { taskGuid: 't', cellId: 'cell-a', failed: false, failureReason: '', result: 'alpha-c1-7' },
};
const record = {
  record: {
    taskGuid: 't',
    domain: 'd',
    state: 'COMPLETED',
    cellId: 'cell-a',
    result: 'alpha-c1-7',
    failed: false,
    failureReason: '',
  },
};
const task = { process: 0, client: 0, key: 'task/t' };
const bbsAndTxn = [
  { type: 'invoke', index: 0, time: 0, op: 0, f: 'CompleteTask', value: complete, ...task },
  {
    type: 'fail',
    index: 1,
    time: 5,
    op: 0,
    f: 'CompleteTask',
    value: complete,
    ...task,
    error: { errno: 1213, message: 'Deadlock', phase: 'commit' },
  },
  {
    type: 'invoke',
    index: 2,
    time: 10,
    op: 1,
    f: 'TaskByGuid',
    value: { f: 'TaskByGuid', args: { taskGuid: 't' } },
    ...task,
    process: 1,
    client: 1,
  },
  {
    type: 'ok',
    index: 3,
    time: 12,
    op: 1,
    f: 'TaskByGuid',
    value: record,
    ...task,
    process: 1,
    client: 1,
  },
  {
    type: 'invoke',
    index: 4,
    time: 20,
    op: 2,
    process: 2,
    client: 2,
    f: 'txn',
    value: [
      ['append', 3, 1],
      ['r', 3, null],
    ],
  },
  {
    type: 'ok',
    index: 5,
    time: 30,
    op: 2,
    process: 2,
    client: 2,
    f: 'txn',
    value: [
      ['append', 3, 1],
      ['r', 3, [1]],
    ],
  },
] as HistoryEvent[];

// A register: write 1 (0–10 ns), then read 1 (20–30 ns). The read follows the write in real time
// and sees it, so the one order write → read is legal: linearizable.
const register = [
  {
    type: 'invoke',
    index: 0,
    time: 0,
    op: 0,
    process: 0,
    client: 0,
    f: 'write',
    key: 'x',
    value: { f: 'write', value: 1 },
  },
  {
    type: 'ok',
    index: 1,
    time: 10,
    op: 0,
    process: 0,
    client: 0,
    f: 'write',
    key: 'x',
    value: { f: 'write', value: 1 },
  },
  {
    type: 'invoke',
    index: 2,
    time: 20,
    op: 1,
    process: 1,
    client: 1,
    f: 'read',
    key: 'x',
    value: { f: 'read' },
  },
  { type: 'ok', index: 3, time: 30, op: 1, process: 1, client: 1, f: 'read', key: 'x', value: 1 },
] as HistoryEvent[];

/** A test checker: every write is an anomaly; its data counts them. */
const noWrites: Checker<{ writes: number } | null> = {
  name: 'noWrites',
  appliesTo: (o) => o.f === 'write',
  check: (ops) => ({ verdict: false, data: { writes: ops.length }, judged: true, unjudged: 0 }),
  idle: null,
};

test('composing the registry runs every checker, in the registry order', (t) => {
  const run = runCheckers(bbsAndTxn);
  t.deepEqual(
    run.outcomes.map((o) => o.name),
    ['linearizability', 'invariants', 'failedApplied', 'isolation'],
  );
  t.deepEqual(
    run.outcomes.map((o) => o.name),
    CHECKERS.map((c) => c.name),
  );
  t.deepEqual(
    run.outcomes.map((o) => o.ran),
    [true, true, true, true],
  );
  // Op 0 failed (1213 on commit), yet op 1 read its result "alpha-c1-7": one failed-but-applied.
  const fa = run.outcomes.find((o) => o.name === 'failedApplied')!;
  t.is(fa.verdict, false);
  t.is((fa.data as unknown[]).length, 1);
  // The one txn appends 1 to key 3 and reads [1]: its own append, no anomaly.
  t.is(run.outcomes.find((o) => o.name === 'isolation')!.verdict, true);
  t.is(run.valid, false, 'one anomaly makes the history invalid');
  const report = checkReport(bbsAndTxn);
  t.deepEqual(
    Object.keys(report),
    [
      'valid',
      'summary',
      'linearizability',
      'invariants',
      'failedApplied',
      'isolation',
      'causes',
      'commitFailRechecks',
    ],
    "results.json's check keeps its fields and order, the explanations of the findings last",
  );
  t.true(report.summary.some((s) => s.startsWith('1 op reported as failed took effect anyway')));
  t.true(report.summary.some((s) => s.startsWith('Isolation: ')));
});

test('a checker that applies to no op does not run: its data is its idle value', (t) => {
  const run = runCheckers(register, { model: 'register' });
  // --model replaces the BBS specifications: invariants and failed-but-applied stand aside; no txn.
  t.deepEqual(
    run.outcomes.map((o) => [o.name, o.ran]),
    [
      ['linearizability', true],
      ['invariants', false],
      ['failedApplied', false],
      ['isolation', false],
    ],
  );
  const report = checkReport(register, { model: 'register' });
  t.is(report.valid, true);
  t.deepEqual(report.summary, ['Linearizability: all 1 key (2 ops) linearizable.']);
  t.is(report.invariants, null);
  t.deepEqual(report.failedApplied, []);
});

test('a checker added to the list shows in the results, and its false verdict makes the whole one false', (t) => {
  const report = checkReport(register, { model: 'register' }, [...CHECKERS, noWrites]);
  // Linearizability alone says true (above); noWrites sees op 0, a write: false. Worst of the two:
  // false.
  t.is(report.valid, false);
  t.deepEqual((report as unknown as Record<string, unknown>).noWrites, { writes: 1 });
  t.deepEqual(report.summary, [
    'Linearizability: all 1 key (2 ops) linearizable.',
    'noWrites: anomalies found.',
  ]);
  // After the registry checkers, in list order; the explanations of the findings (causes, COMMIT
  // re-checks) come last.
  t.deepEqual(Object.keys(report).slice(-3), ['noWrites', 'causes', 'commitFailRechecks']);
});

test('the combined verdict is the worst: false over unknown over true', (t) => {
  t.is(combineVerdicts([]), true);
  t.is(combineVerdicts([true, true]), true);
  t.is(combineVerdicts([true, 'unknown']), 'unknown');
  t.is(combineVerdicts(['unknown', false, true]), false);
});
