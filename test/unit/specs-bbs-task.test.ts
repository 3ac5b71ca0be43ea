import test from 'ava';
import type { TaskRecord } from '../../bbs/ops.ts';
import { taskModel } from '../../specs/task.ts';
import { op, replay, type Step } from './specs-bbs-helpers.ts';

const G = 'task-1';
const task = (over: Partial<TaskRecord>): TaskRecord => ({
  taskGuid: G,
  domain: 'cf-tasks',
  state: 'PENDING',
  cellId: '',
  result: '',
  failed: false,
  failureReason: '',
  ...over,
});
const desire: Step = [op('DesireTask', { taskGuid: G, domain: 'cf-tasks' }), { record: task({}) }];
const startA: Step = [
  op('StartTask', { taskGuid: G, cellId: 'cell-a' }),
  { shouldStart: true, record: task({ state: 'RUNNING', cellId: 'cell-a' }) },
];
const complete = (cellId: string, result: string): Step => [
  op('CompleteTask', { taskGuid: G, cellId, failed: false, failureReason: '', result }),
  { record: task({ state: 'COMPLETED', result }) },
];

test('a whole lifecycle is accepted: desire, start, start again on the same cell, complete, resolve, delete', (t) => {
  const r = replay(taskModel, [
    desire,
    [op('TaskByGuid', { taskGuid: G }), { record: task({}) }],
    startA,
    [
      op('StartTask', { taskGuid: G, cellId: 'cell-a' }),
      { shouldStart: false, record: task({ state: 'RUNNING', cellId: 'cell-a' }) },
    ],
    complete('cell-a', 'out-1'),
    [op('TaskByGuid', { taskGuid: G }), { record: task({ state: 'COMPLETED', result: 'out-1' }) }],
    [
      op('ResolvingTask', { taskGuid: G }),
      { record: task({ state: 'RESOLVING', result: 'out-1' }) },
    ],
    [op('DeleteTask', { taskGuid: G }), { record: null }],
    [op('TaskByGuid', { taskGuid: G }), { record: null }],
  ]);
  t.true(r.legal);
  t.is(r.state, null);
});

test('a task started on two cells is rejected at the second start', (t) => {
  const r = replay(taskModel, [
    desire,
    startA,
    [
      op('StartTask', { taskGuid: G, cellId: 'cell-b' }),
      { shouldStart: true, record: task({ state: 'RUNNING', cellId: 'cell-b' }) },
    ],
  ]);
  t.false(r.legal);
  t.is(r.failedAt, 2);
});

test('the second cell being refused with InvalidStateTransition is accepted', (t) => {
  const r = replay(taskModel, [
    desire,
    startA,
    [op('StartTask', { taskGuid: G, cellId: 'cell-b' }), { error: 'InvalidStateTransition' }],
  ]);
  t.true(r.legal);
  t.deepEqual(r.state, {
    domain: 'cf-tasks',
    state: 'RUNNING',
    cellId: 'cell-a',
    result: '',
    failed: false,
    failureReason: '',
  });
});

test('completion from another cell must be refused, and a refusal that cannot happen is rejected', (t) => {
  t.true(
    replay(taskModel, [
      desire,
      startA,
      [
        op('CompleteTask', {
          taskGuid: G,
          cellId: 'cell-b',
          failed: false,
          failureReason: '',
          result: 'x',
        }),
        { error: 'RunningOnDifferentCell' },
      ],
    ]).legal,
  );
  t.false(replay(taskModel, [desire, startA, complete('cell-b', 'x')]).legal);
  // Refusing a legal completion is as wrong as accepting an illegal one.
  t.false(
    replay(taskModel, [
      desire,
      startA,
      [
        op('CompleteTask', {
          taskGuid: G,
          cellId: 'cell-a',
          failed: false,
          failureReason: '',
          result: 'x',
        }),
        { error: 'InvalidStateTransition' },
      ],
    ]).legal,
  );
});

test('a completed task whose result changes is rejected', (t) => {
  const r = replay(taskModel, [
    desire,
    startA,
    complete('cell-a', 'out-1'),
    [op('TaskByGuid', { taskGuid: G }), { record: task({ state: 'COMPLETED', result: 'out-2' }) }],
  ]);
  t.false(r.legal);
  t.is(r.failedAt, 3);
});

test('desiring twice: the second must be ResourceExists', (t) => {
  t.true(
    replay(taskModel, [
      desire,
      [op('DesireTask', { taskGuid: G, domain: 'cf-tasks' }), { error: 'ResourceExists' }],
    ]).legal,
  );
  t.false(replay(taskModel, [desire, desire]).legal);
});

test('cancel and fail complete a pending or running task as failed, and nothing else', (t) => {
  const cancelled = task({ state: 'COMPLETED', failed: true, failureReason: 'task was cancelled' });
  t.true(
    replay(taskModel, [desire, [op('CancelTask', { taskGuid: G }), { record: cancelled }]]).legal,
  );
  t.true(
    replay(taskModel, [
      desire,
      startA,
      [
        op('FailTask', { taskGuid: G, failureReason: 'oom' }),
        { record: task({ state: 'COMPLETED', failed: true, failureReason: 'oom' }) },
      ],
    ]).legal,
  );
  t.true(
    replay(taskModel, [
      desire,
      startA,
      complete('cell-a', 'r'),
      [op('CancelTask', { taskGuid: G }), { error: 'InvalidStateTransition' }],
    ]).legal,
  );
  t.false(
    replay(taskModel, [
      desire,
      startA,
      complete('cell-a', 'r'),
      [op('CancelTask', { taskGuid: G }), { record: cancelled }],
    ]).legal,
  );
});

test('resolve needs COMPLETED and delete needs RESOLVING', (t) => {
  t.true(
    replay(taskModel, [
      desire,
      [op('ResolvingTask', { taskGuid: G }), { error: 'InvalidStateTransition' }],
    ]).legal,
  );
  t.true(
    replay(taskModel, [
      desire,
      startA,
      complete('cell-a', 'r'),
      [op('DeleteTask', { taskGuid: G }), { error: 'InvalidStateTransition' }],
    ]).legal,
  );
  t.false(
    replay(taskModel, [
      desire,
      startA,
      complete('cell-a', 'r'),
      [op('DeleteTask', { taskGuid: G }), { record: null }],
    ]).legal,
  );
  t.true(
    replay(taskModel, [
      [op('StartTask', { taskGuid: G, cellId: 'cell-a' }), { error: 'ResourceNotFound' }],
    ]).legal,
  );
});

test('an op with unknown outcome takes effect: a later start elsewhere must then be refused', (t) => {
  const unknownStart: Step = [op('StartTask', { taskGuid: G, cellId: 'cell-a' }), undefined];
  t.true(
    replay(taskModel, [
      desire,
      unknownStart,
      [op('TaskByGuid', { taskGuid: G }), { record: task({ state: 'RUNNING', cellId: 'cell-a' }) }],
    ]).legal,
  );
  t.false(
    replay(taskModel, [
      desire,
      unknownStart,
      [
        op('StartTask', { taskGuid: G, cellId: 'cell-b' }),
        { shouldStart: true, record: task({ state: 'RUNNING', cellId: 'cell-b' }) },
      ],
    ]).legal,
  );
  // An op of another entity is never a step of this model.
  t.false(
    taskModel.step(
      null,
      op('DesireLRP', { processGuid: 'p', domain: 'd', instances: 1, annotation: 'a' }),
      undefined,
    )[0],
  );
});

test('a read that shows a task that was never desired is rejected', (t) => {
  t.false(replay(taskModel, [[op('TaskByGuid', { taskGuid: G }), { record: task({}) }]]).legal);
  t.true(replay(taskModel, [[op('TaskByGuid', { taskGuid: G }), { record: null }]]).legal);
});

test('equal states hash equal, different ones differ, and states describe themselves', (t) => {
  const a = replay(taskModel, [desire, startA]).state;
  const b = replay(taskModel, [
    desire,
    [op('StartTask', { taskGuid: G, cellId: 'cell-a' }), undefined],
  ]).state;
  const c = replay(taskModel, [desire]).state;
  t.true(taskModel.equal(a, b));
  t.is(taskModel.hash(a), taskModel.hash(b));
  t.false(taskModel.equal(a, c));
  t.not(taskModel.hash(a), taskModel.hash(c));
  t.is(taskModel.describeState(a), 'RUNNING on cell-a');
  t.regex(
    taskModel.describeOp(startA[0], startA[1]),
    /^StartTask\(cellId=cell-a\) → shouldStart=true state=RUNNING cellId=cell-a$/,
  );
});
