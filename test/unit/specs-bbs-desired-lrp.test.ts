import test from 'ava';
import type { DesiredLRPRecord } from '../../bbs/ops.ts';
import { desiredLRPModel } from '../../specs/desired-lrp.ts';
import { op, replay, type Step } from './specs-bbs-helpers.ts';

const P = 'lrp-1';
const lrp = (
  epoch: string,
  index: number,
  over: Partial<DesiredLRPRecord> = {},
): DesiredLRPRecord => ({
  processGuid: P,
  domain: 'cf-apps',
  instances: 2,
  annotation: 'alpha',
  modificationTag: { epoch, index },
  ...over,
});
const desire = (epoch: string | undefined): Step => [
  op('DesireLRP', { processGuid: P, domain: 'cf-apps', instances: 2, annotation: 'alpha' }),
  epoch === undefined ? undefined : { record: lrp(epoch, 0) },
];
const update = (instances: number, epoch: string, index: number): Step => [
  op('UpdateDesiredLRP', { processGuid: P, instances }),
  { record: lrp(epoch, index, { instances }) },
];
const read = (r: DesiredLRPRecord | null): Step => [
  op('DesiredLRPByProcessGuid', { processGuid: P }),
  { record: r },
];

test('desire, updates raising the index by one, and reads of the latest are accepted', (t) => {
  const r = replay(desiredLRPModel, [
    desire('E1'),
    update(3, 'E1', 1),
    [
      op('UpdateDesiredLRP', { processGuid: P, annotation: 'beta' }),
      { record: lrp('E1', 2, { instances: 3, annotation: 'beta' }) },
    ],
    read(lrp('E1', 2, { instances: 3, annotation: 'beta' })),
  ]);
  t.true(r.legal);
  t.is(r.state.lrp?.index, 2);
  t.is(r.state.lrp?.epoch, 'E1');
});

test('a read of an older modification index (a stale read) is rejected', (t) => {
  const r = replay(desiredLRPModel, [desire('E1'), update(3, 'E1', 1), read(lrp('E1', 0))]);
  t.false(r.legal);
  t.is(r.failedAt, 2);
});

test('an update that does not raise the index by exactly one is rejected', (t) => {
  t.false(replay(desiredLRPModel, [desire('E1'), update(3, 'E1', 2)]).legal);
  t.false(replay(desiredLRPModel, [desire('E1'), update(3, 'E1', 0)]).legal);
});

test('the epoch is learned from the first output that shows it, then must stay the same', (t) => {
  t.true(replay(desiredLRPModel, [desire(undefined), read(lrp('E9', 0))]).legal);
  t.false(
    replay(desiredLRPModel, [desire(undefined), read(lrp('E9', 0)), update(3, 'E8', 1)]).legal,
  );
  t.false(replay(desiredLRPModel, [desire('E1'), read(lrp('E2', 0))]).legal);
});

test('after remove and desire again, a record with the old epoch is rejected', (t) => {
  const removed: Step = [op('RemoveDesiredLRP', { processGuid: P }), { record: null }];
  t.false(
    replay(desiredLRPModel, [desire('E1'), removed, desire(undefined), read(lrp('E1', 0))]).legal,
  );
  t.true(
    replay(desiredLRPModel, [desire('E1'), removed, desire(undefined), read(lrp('E2', 0))]).legal,
  );
  t.true(replay(desiredLRPModel, [desire('E1'), removed, read(null)]).legal);
});

test('desiring an existing LRP must be ResourceExists; updating or removing a missing one ResourceNotFound', (t) => {
  t.false(replay(desiredLRPModel, [desire('E1'), desire('E2')]).legal);
  t.true(
    replay(desiredLRPModel, [
      desire('E1'),
      [
        op('DesireLRP', { processGuid: P, domain: 'cf-apps', instances: 1, annotation: 'x' }),
        { error: 'ResourceExists' },
      ],
    ]).legal,
  );
  t.true(
    replay(desiredLRPModel, [
      [op('UpdateDesiredLRP', { processGuid: P, instances: 1 }), { error: 'ResourceNotFound' }],
    ]).legal,
  );
  t.true(
    replay(desiredLRPModel, [
      [op('RemoveDesiredLRP', { processGuid: P }), { error: 'ResourceNotFound' }],
    ]).legal,
  );
  t.false(
    replay(desiredLRPModel, [
      [
        op('UpdateDesiredLRP', { processGuid: P, instances: 1 }),
        { record: lrp('E1', 1, { instances: 1 }) },
      ],
    ]).legal,
  );
});

test('states with and without a learned epoch differ', (t) => {
  const known = replay(desiredLRPModel, [desire('E1')]).state;
  const unknown = replay(desiredLRPModel, [desire(undefined)]).state;
  t.false(desiredLRPModel.equal(known, unknown));
  t.true(
    desiredLRPModel.equal(
      known,
      replay(desiredLRPModel, [desire(undefined), read(lrp('E1', 0))]).state,
    ),
  );
  t.regex(desiredLRPModel.describeState(known), /instances=2/);
});
