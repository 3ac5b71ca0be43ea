import test from 'ava';
import { keyOf, type BbsOp } from '../../bbs/ops.ts';
import { bbsModelFor, bbsModels } from '../../specs/bbs.ts';

const ops: [BbsOp, string][] = [
  [{ f: 'StartTask', args: { taskGuid: 't1', cellId: 'c' } }, 'bbs-task'],
  [{ f: 'UpdateDesiredLRP', args: { processGuid: 'p1', instances: 2 } }, 'bbs-desired-lrp'],
  [
    { f: 'ClaimActualLRP', args: { processGuid: 'p1', index: 0, instanceGuid: 'i', cellId: 'c' } },
    'bbs-actual-lrp',
  ],
  [{ f: 'UpsertDomain', args: { domain: 'cf-apps', ttl: 30 } }, 'bbs-domain'],
];

test('each op key from keyOf() routes to the model of its entity, and that model accepts the op', (t) => {
  for (const [op, name] of ops) {
    const m = bbsModelFor(keyOf(op)!);
    t.is(m?.name, name, keyOf(op));
    // With its outcome unknown, each op is a legal first step of its own model.
    t.true(m!.step(m!.init(), op, undefined)[0], `${name} takes ${op.f}`);
  }
  t.is(bbsModelFor('list/7'), undefined);
  t.is(
    keyOf({ f: 'Domains', args: {} }),
    undefined,
    'Domains reads every domain: no key, no per-key model',
  );
  t.is(
    bbsModelFor('actual/p1/0', { actualLRPRules: 'permissive' })?.name,
    'bbs-actual-lrp-permissive',
  );
});

test('a model refuses the ops of another entity', (t) => {
  for (const [op, name] of ops) {
    for (const [other] of ops) {
      if (other === op) continue;
      const m = bbsModels[name]!;
      t.false(m.step(m.init(), other, undefined)[0], `${name} refuses ${other.f}`);
    }
  }
});

test('the models are listed by name', (t) => {
  t.deepEqual(Object.keys(bbsModels).sort(), [
    'bbs-actual-lrp',
    'bbs-actual-lrp-permissive',
    'bbs-desired-lrp',
    'bbs-domain',
    'bbs-task',
  ]);
});

test('a domain upsert must answer with the ttl it was given, and never with an error', (t) => {
  const m = bbsModels['bbs-domain']!;
  const op: BbsOp = { f: 'UpsertDomain', args: { domain: 'cf-apps', ttl: 30 } };
  t.true(m.step(m.init(), op, { record: { domain: 'cf-apps', ttl: 30 } })[0]);
  t.false(m.step(m.init(), op, { record: { domain: 'cf-apps', ttl: 31 } })[0]);
  t.false(m.step(m.init(), op, { error: 'ResourceExists' })[0]);
});

test('a ttl-0 upsert of a domain that already never expires may be ResourceExists (b08a6ca0 UPDATE-then-INSERT), leaving it as it was; nothing else may', (t) => {
  const m = bbsModels['bbs-domain']!;
  const forever: BbsOp = { f: 'UpsertDomain', args: { domain: 'cf-apps', ttl: 0 } };
  const [ok, s] = m.step(m.init(), forever, { record: { domain: 'cf-apps', ttl: 0 } });
  t.true(ok);
  const [again, after] = m.step(s, forever, { error: 'ResourceExists' });
  t.true(again);
  t.deepEqual(after, { ttl: 0, created: true });
  // Not from an absent domain, not from a domain with a ttl, not with a ttl once it was updated.
  t.false(m.step(m.init(), forever, { error: 'ResourceExists' })[0]);
  t.false(m.step({ ttl: 30 }, forever, { error: 'ResourceExists' })[0]);
  const [, updated] = m.step(s, forever, { record: { domain: 'cf-apps', ttl: 0 } });
  t.false(
    m.step(
      updated,
      { f: 'UpsertDomain', args: { domain: 'cf-apps', ttl: 30 } },
      { error: 'ResourceExists' },
    )[0],
  );
  t.false(m.step(s, forever, { error: 'ResourceNotFound' })[0]);
});

test("an upsert that raced the first insert of a fresh domain may be refused right after it (UPDATE found no row, INSERT found the other's), never after a later change", (t) => {
  const m = bbsModels['bbs-domain']!;
  const up = (ttl: number): BbsOp => ({ f: 'UpsertDomain', args: { domain: 'fresh-0', ttl } });
  const [, created] = m.step(m.init(), up(5), { record: { domain: 'fresh-0', ttl: 5 } });
  const [ok, same] = m.step(created, up(300), { error: 'ResourceExists' });
  t.true(ok, 'raced the creation');
  t.deepEqual(same, created, 'the refused upsert left the domain as the creation made it');
  t.true(m.step(same, up(60), { error: 'ResourceExists' })[0], 'a second racer too');
  const [, updated] = m.step(created, up(30), { record: { domain: 'fresh-0', ttl: 30 } });
  t.false(
    m.step(updated, up(300), { error: 'ResourceExists' })[0],
    'after an update the row was there to UPDATE',
  );
  t.false(m.step(m.init(), up(300), { error: 'ResourceExists' })[0], 'nothing to collide with');
});
