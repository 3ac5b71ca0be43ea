// Generated sequential runs, both ways: a run produced by playing each entity's rules forward (with
// real epochs, and a random choice where the rules allow two outcomes) is always accepted, also
// with some outputs unknown; the same run with one output changed is rejected exactly there.

import test from 'ava';
import fc from 'fast-check';
import type {
  ActualLRPRecord,
  BbsOp,
  BbsResult,
  DesiredLRPRecord,
  DomainRecord,
  TaskRecord,
} from '../../bbs/ops.ts';
import type { Model } from '../../specs/model.ts';
import {
  actualLRPModel,
  actualLRPOutcomes,
  type ActualLRPPossibility,
} from '../../specs/actual-lrp.ts';
import {
  desiredLRPModel,
  desiredLRPStep,
  type DesiredLRPModelState,
} from '../../specs/desired-lrp.ts';
import { domainModel } from '../../specs/domain.ts';
import { taskModel, taskStep, type TaskModelState } from '../../specs/task.ts';
import { replay, type Step } from './specs-bbs-helpers.ts';

const cell = fc.constantFrom('cell-a', 'cell-b', 'cell-c');
const word = fc.constantFrom('alpha', 'beta', 'gamma');

const taskOp: fc.Arbitrary<BbsOp> = fc.oneof(
  fc
    .record({ taskGuid: fc.constant('t'), domain: fc.constantFrom('cf-tasks', 'other') })
    .map((args) => ({ f: 'DesireTask', args }) as BbsOp),
  fc
    .record({ taskGuid: fc.constant('t'), cellId: cell })
    .map((args) => ({ f: 'StartTask', args }) as BbsOp),
  fc
    .record({
      taskGuid: fc.constant('t'),
      cellId: cell,
      failed: fc.boolean(),
      failureReason: word,
      result: word,
    })
    .map((args) => ({ f: 'CompleteTask', args }) as BbsOp),
  fc.record({ taskGuid: fc.constant('t') }).map((args) => ({ f: 'CancelTask', args }) as BbsOp),
  fc
    .record({ taskGuid: fc.constant('t'), failureReason: word })
    .map((args) => ({ f: 'FailTask', args }) as BbsOp),
  fc.record({ taskGuid: fc.constant('t') }).map((args) => ({ f: 'ResolvingTask', args }) as BbsOp),
  fc.record({ taskGuid: fc.constant('t') }).map((args) => ({ f: 'DeleteTask', args }) as BbsOp),
  fc.record({ taskGuid: fc.constant('t') }).map((args) => ({ f: 'TaskByGuid', args }) as BbsOp),
);

const desiredOp: fc.Arbitrary<BbsOp> = fc.oneof(
  fc
    .record({
      processGuid: fc.constant('p'),
      domain: fc.constant('cf-apps'),
      instances: fc.integer({ min: 1, max: 3 }),
      annotation: word,
    })
    .map((args) => ({ f: 'DesireLRP', args }) as BbsOp),
  fc
    .record({
      processGuid: fc.constant('p'),
      instances: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      annotation: fc.option(word, { nil: undefined }),
    })
    .map(
      ({ processGuid, instances, annotation }) =>
        ({
          f: 'UpdateDesiredLRP',
          args: {
            processGuid,
            ...(instances !== undefined ? { instances } : {}),
            ...(annotation !== undefined ? { annotation } : {}),
          },
        }) as BbsOp,
    ),
  fc.constant({ f: 'RemoveDesiredLRP', args: { processGuid: 'p' } } as BbsOp),
  fc.constant({ f: 'DesiredLRPByProcessGuid', args: { processGuid: 'p' } } as BbsOp),
);

const instance = fc
  .record({ cellId: cell, n: fc.integer({ min: 0, max: 1 }) })
  .map(({ cellId, n }) => ({ cellId, instanceGuid: `${cellId}-i${n}` }));
const at = { processGuid: 'p', index: 0 };
const actualOp: fc.Arbitrary<BbsOp> = fc.oneof(
  fc.constant({ f: 'CreateUnclaimedActualLRP', args: { ...at, domain: 'cf-apps' } } as BbsOp),
  instance.map((i) => ({ f: 'ClaimActualLRP', args: { ...at, ...i } }) as BbsOp),
  instance.map((i) => ({ f: 'StartActualLRP', args: { ...at, ...i } }) as BbsOp),
  instance.map((i) => ({ f: 'CrashActualLRP', args: { ...at, ...i, reason: 'exit 1' } }) as BbsOp),
  fc.constant({ f: 'FailActualLRP', args: { ...at, placementError: 'no room' } } as BbsOp),
  fc.constant({ f: 'RemoveActualLRP', args: at } as BbsOp),
  fc.constant({ f: 'ActualLRPByIndex', args: at } as BbsOp),
);

const domainOp: fc.Arbitrary<BbsOp> = fc
  .record({ domain: fc.constant('cf-apps'), ttl: fc.integer({ min: 0, max: 300 }) })
  .map((args) => ({ f: 'UpsertDomain', args }) as BbsOp);

/**
 * Fills a fresh epoch into a record and its state the way the store would: a new GUID per create.
 */
function withEpoch<T extends { modificationTag: { epoch: string } }>(
  rec: T | null | undefined,
  epoch: string,
): void {
  if (rec) rec.modificationTag.epoch = epoch;
}

/** Plays the rules forward from the empty state: the "real" sequential execution. */
type Player = (ops: readonly BbsOp[], choices: readonly number[]) => Step[];

const playTasks: Player = (ops) => {
  let s: TaskModelState = null;
  return ops.map((op) => {
    const o = taskStep(s, op)!;
    s = o.next;
    return [op, o.result];
  });
};

const playDesired: Player = (ops) => {
  let s: DesiredLRPModelState = { lrp: null, retired: [] };
  let n = 0;
  return ops.map((op) => {
    const o = desiredLRPStep(s, op)!;
    const result = structuredClone(o.result);
    let next = o.next;
    if (next.lrp && next.lrp.epoch === null) {
      const epoch = `E${++n}`;
      next = { ...next, lrp: { ...next.lrp, epoch } };
      withEpoch(result.record as DesiredLRPRecord | null | undefined, epoch);
    }
    s = next;
    return [op, result];
  });
};

const playActual: Player = (ops, choices) => {
  let p: ActualLRPPossibility = { lrp: null, retired: [] };
  let n = 0;
  return ops.map((op, i) => {
    const outcomes = actualLRPOutcomes('per-state', p, op)!;
    const o = outcomes[(choices[i] ?? 0) % outcomes.length]!;
    const result = structuredClone(o.result);
    let next = o.next;
    if (next.lrp && next.lrp.epoch === null) {
      const epoch = `E${++n}`;
      next = { ...next, lrp: { ...next.lrp, epoch } };
      withEpoch(result.record as ActualLRPRecord | null | undefined, epoch);
    }
    p = next;
    return [op, result];
  });
};

const playDomains: Player = (ops) =>
  ops.map((op) => [op, { record: { domain: 'cf-apps', ttl: (op.args as { ttl: number }).ttl } }]);

/** One output changed so that no rule could have produced it. */
function plant(out: BbsResult, how: number): BbsResult {
  const rec = out.record as
    | (TaskRecord & DesiredLRPRecord & ActualLRPRecord & DomainRecord)
    | null
    | undefined;
  if (how % 2 === 0 || !rec)
    return { error: out.error === 'ResourceNotFound' ? 'ResourceExists' : 'ResourceNotFound' };
  const bad = structuredClone(rec) as unknown as Record<string, unknown>;
  if ('ttl' in bad) bad.ttl = -1;
  else if ('taskGuid' in bad) bad.cellId = 'zz-mutant';
  else if ('instances' in bad) bad.annotation = 'zz-mutant';
  else bad.cellId = 'zz-mutant';
  return { ...out, record: bad as unknown as BbsResult['record'] };
}

const kinds: [string, Model<unknown, BbsOp, BbsResult>, fc.Arbitrary<BbsOp>, Player][] = [
  ['task', taskModel as Model<unknown, BbsOp, BbsResult>, taskOp, playTasks],
  ['desired LRP', desiredLRPModel as Model<unknown, BbsOp, BbsResult>, desiredOp, playDesired],
  [
    'actual LRP',
    actualLRPModel('per-state') as Model<unknown, BbsOp, BbsResult>,
    actualOp,
    playActual,
  ],
  ['domain', domainModel as Model<unknown, BbsOp, BbsResult>, domainOp, playDomains],
];

const run = (op: fc.Arbitrary<BbsOp>) =>
  fc.record({
    ops: fc.array(op, { minLength: 1, maxLength: 40 }),
    choices: fc.array(fc.nat(1), { minLength: 40, maxLength: 40 }),
    unknown: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
    at: fc.nat(),
    how: fc.nat(),
  });

for (const [name, model, op, play] of kinds) {
  test(`${name}: played runs are accepted, also with some outputs unknown`, (t) => {
    let accepted = 0;
    fc.assert(
      fc.property(run(op), ({ ops, choices, unknown }) => {
        const steps = play(ops, choices);
        const all = replay(model, steps);
        if (!all.legal) return false;
        const partial = replay(
          model,
          steps.map(([o, out], i): Step => [o, unknown[i] ? undefined : out]),
        );
        if (partial.legal) accepted++;
        return partial.legal;
      }),
      { numRuns: 300 },
    );
    t.is(accepted, 300);
  });

  test(`${name}: a played run with one output changed is rejected at that op`, (t) => {
    let rejected = 0;
    fc.assert(
      fc.property(run(op), ({ ops, choices, at, how }) => {
        const steps = play(ops, choices);
        const i = at % steps.length;
        const [o, out] = steps[i]!;
        const planted = steps.slice();
        planted[i] = [o, plant(out!, how)];
        const r = replay(model, planted);
        if (r.legal || r.failedAt !== i) return false;
        rejected++;
        return true;
      }),
      { numRuns: 300 },
    );
    t.is(rejected, 300);
  });
}
