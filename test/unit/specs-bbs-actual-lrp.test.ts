import test from 'ava';
import type { ActualLRPRecord } from '../../bbs/ops.ts';
import { actualLRPModel } from '../../specs/actual-lrp.ts';
import {
  actualRecord,
  createActual,
  LRP_GUID,
  op,
  replay,
  type Step,
} from './specs-bbs-helpers.ts';

const P = LRP_GUID;
const m2016 = actualLRPModel('permissive');
const strict = actualLRPModel('per-state');

const actual = actualRecord;
const create = createActual;
const claim = (cell: string, tag: number, crashCount = 0, crashReason = ''): Step => [
  op('ClaimActualLRP', { processGuid: P, index: 0, instanceGuid: `${cell}-i`, cellId: cell }),
  {
    record: actual(tag, {
      state: 'CLAIMED',
      instanceGuid: `${cell}-i`,
      cellId: cell,
      crashCount,
      crashReason,
    }),
  },
];
const start = (cell: string, tag: number, crashCount = 0, crashReason = ''): Step => [
  op('StartActualLRP', { processGuid: P, index: 0, instanceGuid: `${cell}-i`, cellId: cell }),
  {
    record: actual(tag, {
      state: 'RUNNING',
      instanceGuid: `${cell}-i`,
      cellId: cell,
      crashCount,
      crashReason,
    }),
  },
];
const crash = (cell: string, out: Step[1]): Step => [
  op('CrashActualLRP', {
    processGuid: P,
    index: 0,
    instanceGuid: `${cell}-i`,
    cellId: cell,
    reason: 'exit 1',
  }),
  out,
];
const read = (r: ActualLRPRecord | null): Step => [
  op('ActualLRPByIndex', { processGuid: P, index: 0 }),
  { record: r },
];

test('an instance claimed by two cells is rejected at the second claim', (t) => {
  const r = replay(m2016, [create, claim('cell-a', 1), claim('cell-b', 2)]);
  t.false(r.legal);
  t.is(r.failedAt, 2);
});

test('the second claim refused with ActualLRPCannotBeClaimed is accepted; a repeated claim by the holder changes nothing', (t) => {
  const r = replay(m2016, [
    create,
    claim('cell-a', 1),
    [
      op('ClaimActualLRP', {
        processGuid: P,
        index: 0,
        instanceGuid: 'cell-b-i',
        cellId: 'cell-b',
      }),
      { error: 'ActualLRPCannotBeClaimed' },
    ],
    claim('cell-a', 1),
    read(actual(1, { state: 'CLAIMED', instanceGuid: 'cell-a-i', cellId: 'cell-a' })),
  ]);
  t.true(r.legal, `failed at ${r.failedAt}`);
});

test('claim, start, crash and claim again is a legal life, with the index growing by one per change', (t) => {
  const r = replay(m2016, [
    create,
    claim('cell-a', 1),
    start('cell-a', 2),
    start('cell-a', 2),
    crash('cell-a', { record: actual(3, { crashCount: 1, crashReason: 'exit 1' }) }),
    claim('cell-b', 4, 1, 'exit 1'),
    [op('RemoveActualLRP', { processGuid: P, index: 0 }), { record: null }],
    read(null),
  ]);
  t.true(r.legal, `failed at ${r.failedAt}`);
});

test('a running instance cannot be started by another instance, but a claimed one can (2016 rule)', (t) => {
  t.true(replay(m2016, [create, claim('cell-a', 1), start('cell-b', 2)]).legal);
  t.true(replay(strict, [create, claim('cell-a', 1), start('cell-b', 2)]).legal);
  t.false(
    replay(m2016, [create, claim('cell-a', 1), start('cell-a', 2), start('cell-b', 3)]).legal,
  );
  t.true(
    replay(m2016, [
      create,
      claim('cell-a', 1),
      start('cell-a', 2),
      [
        op('StartActualLRP', {
          processGuid: P,
          index: 0,
          instanceGuid: 'cell-b-i',
          cellId: 'cell-b',
        }),
        { error: 'ActualLRPCannotBeStarted' },
      ],
    ]).legal,
  );
});

test('crashes count up, restart at once below three and stay CRASHED from the third', (t) => {
  const r = replay(m2016, [
    create,
    claim('cell-a', 1),
    crash('cell-a', { record: actual(2, { crashCount: 1, crashReason: 'exit 1' }) }),
    claim('cell-a', 3, 1, 'exit 1'),
    crash('cell-a', { record: actual(4, { crashCount: 2, crashReason: 'exit 1' }) }),
    claim('cell-a', 5, 2, 'exit 1'),
    crash('cell-a', {
      record: actual(6, { state: 'CRASHED', crashCount: 3, crashReason: 'exit 1' }),
    }),
  ]);
  t.true(r.legal, `failed at ${r.failedAt}`);
  t.false(
    replay(m2016, [
      create,
      claim('cell-a', 1),
      crash('cell-a', {
        record: actual(2, { state: 'CRASHED', crashCount: 1, crashReason: 'exit 1' }),
      }),
    ]).legal,
  );
});

test('the 2016 rule accepts a crash from any state and instance; the strict rule refuses a crash of an unclaimed instance', (t) => {
  const crashUnclaimed = crash('cell-z', {
    record: actual(1, { crashCount: 1, crashReason: 'exit 1' }),
  });
  t.true(replay(m2016, [create, crashUnclaimed]).legal);
  t.false(replay(strict, [create, crashUnclaimed]).legal);
  t.true(replay(strict, [create, crash('cell-z', { error: 'ActualLRPCannotBeCrashed' })]).legal);
});

test('a crash of a long-running instance may reset the count: both answers are legal, a third is not', (t) => {
  const running2 = [
    create,
    claim('cell-a', 1),
    crash('cell-a', { record: actual(2, { crashCount: 1, crashReason: 'exit 1' }) }),
    claim('cell-a', 3, 1, 'exit 1'),
    start('cell-a', 4, 1, 'exit 1'),
  ];
  const after = (crashCount: number, state: 'UNCLAIMED' | 'CRASHED') =>
    actual(5, { state, crashCount, crashReason: 'exit 1' });
  t.true(replay(m2016, [...running2, crash('cell-a', { record: after(2, 'UNCLAIMED') })]).legal);
  t.true(replay(m2016, [...running2, crash('cell-a', { record: after(1, 'UNCLAIMED') })]).legal);
  t.false(replay(m2016, [...running2, crash('cell-a', { record: after(3, 'CRASHED') })]).legal);
  // With the outcome unknown the model keeps both possibilities; a read then picks one.
  const unknown = replay(m2016, [...running2, crash('cell-a', undefined)]);
  t.is(unknown.state.length, 2);
  t.true(
    replay(m2016, [...running2, crash('cell-a', undefined), read(after(1, 'UNCLAIMED'))]).legal,
  );
  t.true(
    replay(m2016, [...running2, crash('cell-a', undefined), read(after(2, 'UNCLAIMED'))]).legal,
  );
  t.false(
    replay(m2016, [...running2, crash('cell-a', undefined), read(after(4, 'CRASHED'))]).legal,
  );
  const narrowed = replay(m2016, [
    ...running2,
    crash('cell-a', undefined),
    read(after(2, 'UNCLAIMED')),
  ]);
  t.is(narrowed.state.length, 1);
});

test('a modification index that goes back, and an unchanged index after a change, are rejected', (t) => {
  t.false(replay(m2016, [create, claim('cell-a', 1), read(actual(0, {}))]).legal);
  t.false(replay(m2016, [create, claim('cell-a', 1), start('cell-a', 1)]).legal);
});

test('placement errors only on unclaimed instances; start of a missing instance creates it running', (t) => {
  const fail: Step = [
    op('FailActualLRP', { processGuid: P, index: 0, placementError: 'no room' }),
    { record: actual(1, { placementError: 'no room' }) },
  ];
  t.true(replay(m2016, [create, fail]).legal);
  t.true(
    replay(m2016, [
      create,
      claim('cell-a', 1),
      [
        op('FailActualLRP', { processGuid: P, index: 0, placementError: 'no room' }),
        { error: 'ActualLRPCannotBeFailed' },
      ],
    ]).legal,
  );
  const startMissing: Step = [
    op('StartActualLRP', {
      processGuid: P,
      index: 0,
      instanceGuid: 'cell-a-i',
      cellId: 'cell-a',
      domain: 'cf-apps',
    }),
    {
      record: actual(0, {
        state: 'RUNNING',
        instanceGuid: 'cell-a-i',
        cellId: 'cell-a',
        modificationTag: { epoch: 'E7', index: 0 },
      }),
    },
  ];
  t.true(replay(m2016, [startMissing]).legal);
  t.false(
    replay(m2016, [
      startMissing,
      [
        op('CreateUnclaimedActualLRP', { processGuid: P, index: 0, domain: 'cf-apps' }),
        { record: actual(0, { modificationTag: { epoch: 'E8', index: 0 } }) },
      ],
    ]).legal,
  );
});

test('remove with an instance guid removes only that instance', (t) => {
  t.true(
    replay(m2016, [
      create,
      claim('cell-a', 1),
      [
        op('RemoveActualLRP', { processGuid: P, index: 0, instanceGuid: 'cell-b-i' }),
        { error: 'ResourceNotFound' },
      ],
    ]).legal,
  );
  t.false(
    replay(m2016, [
      create,
      claim('cell-a', 1),
      [
        op('RemoveActualLRP', { processGuid: P, index: 0, instanceGuid: 'cell-b-i' }),
        { record: null },
      ],
    ]).legal,
  );
  t.true(
    replay(m2016, [
      create,
      claim('cell-a', 1),
      [
        op('RemoveActualLRP', {
          processGuid: P,
          index: 0,
          instanceGuid: 'cell-a-i',
          cellId: 'cell-a',
        }),
        { record: null },
      ],
    ]).legal,
  );
});
