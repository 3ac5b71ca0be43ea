// A test of the specs: sequences each spec must reject at their last step, worked out by hand from
// the BBS rules. It is also the detector of checker-side plants (lab/selftest/spec-plants.ts): a
// spec weakened to accept too much accepts one of them, which no run of a correct store can show.

import test from 'ava';
import type { ActualLRPRecord, BbsOp, BbsResult, TaskRecord } from '../../bbs/ops.ts';
import { bbsModelFor, type BbsModel } from '../../specs/bbs.ts';
import { SPEC_PLANTS, weaken } from '../../lab/selftest/spec-plants.ts';

type Case = { name: string; key: string; steps: [BbsOp, BbsResult][] };

const task = (state: TaskRecord['state'], cellId = ''): BbsResult => ({
  record: {
    taskGuid: 't',
    domain: 'cf-tasks',
    state,
    cellId,
    result: '',
    failed: false,
    failureReason: '',
  },
});
const actual = (state: ActualLRPRecord['state'], index: number, cellId = ''): BbsResult => ({
  record: {
    processGuid: 'p',
    index: 0,
    domain: 'cf-apps',
    state,
    instanceGuid: cellId ? `${cellId}-i0` : '',
    cellId,
    placementError: '',
    crashCount: 0,
    crashReason: '',
    modificationTag: { epoch: 'E', index },
  },
});
const desired = (epoch: string): BbsResult => ({
  record: {
    processGuid: 'p',
    domain: 'cf-apps',
    instances: 1,
    annotation: 'a',
    modificationTag: { epoch, index: 0 },
  },
});
const at = { processGuid: 'p', index: 0 };
const upsert = (ttl: number): BbsOp => ({ f: 'UpsertDomain', args: { domain: 'd', ttl } });

const MUST_REJECT: Case[] = [
  {
    name: 'a task started on a second cell',
    key: 'task/t',
    steps: [
      [{ f: 'DesireTask', args: { taskGuid: 't', domain: 'cf-tasks' } }, task('PENDING')],
      [
        { f: 'StartTask', args: { taskGuid: 't', cellId: 'cell-a' } },
        { shouldStart: true, ...task('RUNNING', 'cell-a') },
      ],
      [
        { f: 'StartTask', args: { taskGuid: 't', cellId: 'cell-b' } },
        { shouldStart: true, ...task('RUNNING', 'cell-b') },
      ],
    ],
  },
  {
    name: 'a desired LRP desired again, as a new one',
    key: 'desired/p',
    steps: [
      [
        {
          f: 'DesireLRP',
          args: { processGuid: 'p', domain: 'cf-apps', instances: 1, annotation: 'a' },
        },
        desired('E'),
      ],
      [
        {
          f: 'DesireLRP',
          args: { processGuid: 'p', domain: 'cf-apps', instances: 1, annotation: 'a' },
        },
        desired('F'),
      ],
    ],
  },
  {
    name: 'a claimed instance claimed by another cell',
    key: 'actual/p/0',
    steps: [
      [
        { f: 'CreateUnclaimedActualLRP', args: { ...at, domain: 'cf-apps' } },
        actual('UNCLAIMED', 0),
      ],
      [
        { f: 'ClaimActualLRP', args: { ...at, instanceGuid: 'cell-a-i0', cellId: 'cell-a' } },
        actual('CLAIMED', 1, 'cell-a'),
      ],
      [
        { f: 'ClaimActualLRP', args: { ...at, instanceGuid: 'cell-b-i0', cellId: 'cell-b' } },
        actual('CLAIMED', 2, 'cell-b'),
      ],
    ],
  },
  {
    name: 'an upsert refused after the domain was created and updated',
    key: 'domain/d',
    steps: [
      [upsert(30), { record: { domain: 'd', ttl: 30 } }],
      [upsert(60), { record: { domain: 'd', ttl: 60 } }],
      [upsert(90), { error: 'ResourceExists' }],
    ],
  },
];

/** The index of the first step the model refuses, or -1 when it accepts them all. */
function firstRefused(m: BbsModel, c: Case): number {
  let s = m.init();
  for (const [i, [op, out]] of c.steps.entries()) {
    const [ok, next] = m.step(s, op, out);
    if (!ok) return i;
    s = next;
  }
  return -1;
}

test('each spec accepts every step of a must-reject case but the last, and refuses the last', (t) => {
  for (const c of MUST_REJECT)
    t.is(firstRefused(bbsModelFor(c.key)!, c), c.steps.length - 1, c.name);
});

test('each checker-side plant (a spec that accepts too much) is caught: its weakened spec accepts a must-reject case', (t) => {
  t.is(SPEC_PLANTS.length, 4);
  for (const p of SPEC_PLANTS) {
    const cases = MUST_REJECT.filter((c) => c.key.startsWith(p.key));
    const caught = cases.filter((c) => firstRefused(weaken(bbsModelFor(c.key)!, p), c) === -1);
    t.true(
      caught.length > 0,
      `${p.name} (${p.description}) would pass every must-reject case of ${p.key}`,
    );
  }
  // Every record type has a plant on its spec.
  t.deepEqual([...new Set(SPEC_PLANTS.map((p) => p.key))].sort(), [
    'actual/',
    'desired/',
    'domain/',
    'task/',
  ]);
});

test('a weakening leaves the legal steps legal: the played prefixes stay accepted', (t) => {
  for (const p of SPEC_PLANTS) {
    for (const c of MUST_REJECT.filter((x) => x.key.startsWith(p.key))) {
      const prefix = { ...c, steps: c.steps.slice(0, -1) };
      t.is(firstRefused(weaken(bbsModelFor(c.key)!, p), prefix), -1, `${p.name}: ${c.name}`);
    }
  }
});
