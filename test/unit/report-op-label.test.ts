import test from 'ava';
import type { Op } from '../../lab/history/event.ts';
import { barText, rowName } from '../../lab/report/charts/anomaly.ts';
import { timelineOp } from '../../lab/report/charts/anomalies.ts';
import { argsText, opLabel, resultText } from '../../lab/report/charts/op-label.ts';

function op(f: string, value: unknown, complete: Record<string, unknown> | null): Op {
  const base = { op: 701, process: 3, client: 3, f, key: 'task/t1' };
  return {
    ...base,
    invoke: { type: 'invoke', index: 0, time: 1e9, ...base, value },
    ...(complete ? { complete: { type: 'ok', index: 1, time: 1.2e9, ...base, ...complete } } : {}),
  } as Op;
}

const start = { f: 'StartTask', args: { taskGuid: 't1', cellId: 'cell-2' } };

test('a BBS op: name, short args, result in words', (t) => {
  t.is(
    opLabel(
      op('StartTask', start, {
        type: 'fail',
        node: 'n2',
        error: { errno: 1213, message: 'Deadlock found', phase: 'statement' },
      }),
    ),
    'StartTask t1 cell-2 → failed: 1213 deadlock',
  );
  t.is(
    opLabel(
      op('StartTask', start, {
        type: 'info',
        error: { code: 'PROTOCOL_CONNECTION_LOST', message: 'lost' },
      }),
    ),
    'StartTask t1 cell-2 → unknown: connection-lost',
  );
  t.is(
    opLabel(op('StartTask', start, { value: { error: 'InvalidStateTransition' } })),
    'StartTask t1 cell-2 → refused: InvalidStateTransition',
  );
  t.is(
    opLabel(op('StartTask', start, { value: { shouldStart: true } })),
    'StartTask t1 cell-2 → ok: start it',
  );
  t.is(opLabel(op('StartTask', start, null)), 'StartTask t1 cell-2 → never completed');
  const read = { f: 'TaskByGuid', args: { taskGuid: 't1' } };
  t.is(
    opLabel(op('TaskByGuid', read, { value: { record: null } })),
    'TaskByGuid t1 → ok: not found',
  );
  t.is(
    opLabel(
      op('TaskByGuid', read, {
        value: { record: { guid: 't1', state: 'RUNNING', cellId: 'cell-2' } },
      }),
    ),
    'TaskByGuid t1 → ok: RUNNING',
  );
});

test('args: scalars only, at most three, long ones clipped to 14 characters; no raw JSON anywhere', (t) => {
  // 'process-guid-0123456789' is 23 characters: its first 13 and an ellipsis.
  t.is(
    argsText({
      f: 'DesireLRP',
      args: {
        processGuid: 'process-guid-0123456789',
        instances: 2,
        domain: 'd',
        routes: { a: 1 },
        memoryMb: 64,
      },
    }),
    'process-guid-… 2 d',
  );
  t.is(argsText(null), '');
  const l = opLabel(
    op(
      'DesireLRP',
      { f: 'DesireLRP', args: { processGuid: 'p', run: { x: [1, 2] } } },
      { value: {} },
    ),
  );
  t.is(l, 'DesireLRP p → ok');
  t.notRegex(l, /[{}"]/);
});

test('a list-append transaction: its micro-ops, and what it read (the last three elements and the length)', (t) => {
  const inv = [
    ['append', 3, 17],
    ['r', 2, null],
  ];
  const o = op('txn', inv, {
    value: [
      ['append', 3, 17],
      ['r', 2, [1, 2, 5, 7, 9]],
    ],
  });
  t.is(argsText(inv), 'append 3:17, read 2');
  t.is(resultText(o), 'ok, read 2=[…5 7 9] (5)');
  t.is(opLabel(o), 'txn append 3:17, read 2 → ok, read 2=[…5 7 9] (5)');
  t.is(resultText(op('txn', inv, { value: [['r', 2, null]] })), 'ok, read 2=nil');
  t.is(resultText(op('txn', inv, { value: [['r', 2, [4, 6]]] })), 'ok, read 2=[4 6]');
});

test('a timeline op carries the node that served it; its row is named by process and node', (t) => {
  const tl = timelineOp(
    op('StartTask', start, {
      type: 'fail',
      node: 'n2',
      error: { errno: 1213, message: 'x', phase: 'commit' },
    }),
  );
  t.is(tl.node, 'n2');
  t.is(tl.label, 'StartTask t1 cell-2 → failed: 1213 deadlock-on-commit');
  t.is(rowName(tl), 'p3 · n2');
  t.is(rowName({ process: 0 }), 'p0 · node ?');
});

test('the text beside a bar is whole up to its room, then cut with an ellipsis', (t) => {
  const o = { op: 701, label: 'StartTask t1 cell-2 → failed: 1213 deadlock' };
  // "#701 " + 43 characters = 48.
  t.is(barText(o, 48), '#701 StartTask t1 cell-2 → failed: 1213 deadlock');
  t.is(barText(o, 20), '#701 StartTask t1 c…');
});
