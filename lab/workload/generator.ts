// The BBS workload: a seeded stream of BBS API calls per client over a small key space, so keys
// contend. Ops come from fast-check arbitraries; a client draws them in batches whose seed is
// derived from (run seed, client, batch), so the same seed gives every client the same stream
// whatever the timing, and a run can be repeated with `--seed`.

import fc from 'fast-check';
import type { BbsOp } from '../../bbs/ops.ts';
import type { Scenario } from '../scenario/types.ts';
import { deriveSeed } from '../random/seeded-rng.ts';
import { FRESH_DOMAIN_PREFIX, SHAPES } from './shapes.ts';

export type WorkloadSpec = Scenario['workload'];

const BATCH = 256;
/**
 * Ops per fresh domain name in a client's stream: every client names the domain of its k-th op
 * `fresh-<k / FRESH_WINDOW>`, so clients that keep pace (the offered load keeps them on one
 * schedule) upsert the same new domain at about the same time and race its first insert.
 */
export const FRESH_WINDOW = 32;
/** The placeholder the arbitrary draws for a fresh domain; opStream names it. */
const FRESH = `${FRESH_DOMAIN_PREFIX}?`;
/**
 * The domain nsync desires apps in (cc_messages.AppLRPDomain) and CC's tasks run in
 * (RunningTaskDomain).
 */
const APPS = 'cf-apps';
const TASKS = 'cf-tasks';

/** One arbitrary per shape of `f`, weighted as SHAPES says. */
function byShape(
  f: keyof typeof SHAPES,
  arbs: Record<string, fc.Arbitrary<BbsOp>>,
): fc.Arbitrary<BbsOp> {
  return fc.oneof(...SHAPES[f]!.map((sh) => ({ weight: sh.weight, arbitrary: arbs[sh.name]! })));
}

function keySpace(w: WorkloadSpec) {
  const tasks = Array.from({ length: w.tasks }, (_, i) => `task-${i}`);
  const lrps = Array.from({ length: w.desiredLRPs }, (_, i) => `lrp-${i}`);
  const cells = Array.from(
    { length: w.cells },
    (_, i) => `cell-${String.fromCharCode(97 + (i % 26))}${i >= 26 ? i : ''}`,
  );
  return { tasks, lrps, cells, domains: [APPS, TASKS] };
}

/** The arbitrary of one op, weighted as the scenario's mix says. */
export function opArbitrary(w: WorkloadSpec): fc.Arbitrary<BbsOp> {
  const k = keySpace(w);
  const cell = fc.constantFrom(...k.cells);
  const word = fc.constantFrom('alpha', 'beta', 'gamma', 'delta');
  const families: { weight: number; arbitrary: fc.Arbitrary<BbsOp> }[] = [];

  if (w.tasks > 0 && w.mix.tasks > 0) {
    const guid = fc.constantFrom(...k.tasks);
    // Weights follow a task's life so that tasks actually move through it under contention.
    const task = fc.oneof(
      {
        weight: 3,
        arbitrary: fc
          .record({ taskGuid: guid })
          .map(({ taskGuid }): BbsOp => ({ f: 'DesireTask', args: { taskGuid, domain: TASKS } })),
      },
      {
        weight: 4,
        arbitrary: fc
          .record({ taskGuid: guid, cellId: cell })
          .map((args): BbsOp => ({ f: 'StartTask', args })),
      },
      {
        weight: 3,
        // The rep's run result: a failure reason or a result, the other empty. The lab keeps a
        // result on a failed completion too: it is the value that traces the op
        // (failed-applied.ts).
        arbitrary: fc
          .record({ taskGuid: guid, cellId: cell, result: word, n: fc.nat(999) })
          .chain(({ taskGuid, cellId, result, n }) =>
            byShape('CompleteTask', {
              succeeded: fc.constant<BbsOp>({
                f: 'CompleteTask',
                args: {
                  taskGuid,
                  cellId,
                  failed: false,
                  failureReason: '',
                  result: `${result}-${n}`,
                },
              }),
              failed: fc.constant<BbsOp>({
                f: 'CompleteTask',
                args: {
                  taskGuid,
                  cellId,
                  failed: true,
                  failureReason: 'boom',
                  result: `${result}-${n}`,
                },
              }),
            }),
          ),
      },
      {
        weight: 1,
        arbitrary: fc.record({ taskGuid: guid }).map((args): BbsOp => ({ f: 'CancelTask', args })),
      },
      {
        weight: 1,
        arbitrary: fc
          .record({ taskGuid: guid, failureReason: word })
          .map((args): BbsOp => ({ f: 'FailTask', args })),
      },
      {
        weight: 2,
        arbitrary: fc
          .record({ taskGuid: guid })
          .map((args): BbsOp => ({ f: 'ResolvingTask', args })),
      },
      {
        weight: 2,
        arbitrary: fc.record({ taskGuid: guid }).map((args): BbsOp => ({ f: 'DeleteTask', args })),
      },
      {
        weight: 3,
        arbitrary: fc.record({ taskGuid: guid }).map((args): BbsOp => ({ f: 'TaskByGuid', args })),
      },
    );
    families.push({ weight: w.mix.tasks, arbitrary: task });
  }

  if (w.desiredLRPs > 0 && w.mix.desiredLRPs > 0) {
    const guid = fc.constantFrom(...k.lrps);
    const desired = fc.oneof(
      {
        weight: 2,
        arbitrary: fc
          .record({
            processGuid: guid,
            instances: fc.integer({ min: 1, max: w.instances }),
            annotation: word,
          })
          .map((args): BbsOp => ({ f: 'DesireLRP', args: { ...args, domain: APPS } })),
      },
      {
        weight: 4,
        arbitrary: fc
          .record({
            processGuid: guid,
            instances: fc.integer({ min: 1, max: w.instances }),
            annotation: word,
          })
          .chain(({ processGuid, instances, annotation }) =>
            byShape('UpdateDesiredLRP', {
              'instances and annotation': fc.constant<BbsOp>({
                f: 'UpdateDesiredLRP',
                args: { processGuid, instances, annotation },
              }),
              'routes only': fc.constant<BbsOp>({ f: 'UpdateDesiredLRP', args: { processGuid } }),
            }),
          ),
      },
      {
        weight: 1,
        arbitrary: fc
          .record({ processGuid: guid })
          .map((args): BbsOp => ({ f: 'RemoveDesiredLRP', args })),
      },
      {
        weight: 3,
        arbitrary: fc
          .record({ processGuid: guid })
          .map((args): BbsOp => ({ f: 'DesiredLRPByProcessGuid', args })),
      },
    );
    families.push({ weight: w.mix.desiredLRPs, arbitrary: desired });
  }

  if (w.desiredLRPs > 0 && w.mix.actualLRPs > 0) {
    const at = fc.record({
      processGuid: fc.constantFrom(...k.lrps),
      index: fc.integer({ min: 0, max: w.instances - 1 }),
    });
    // An instance guid per (cell, attempt) so that two claims by one cell can be told apart; few
    // attempts per cell, so that a crash or start often names the instance a cell runs (under the
    // per-state rule a crash of a RUNNING instance must name its instance key, as a rep does).
    const instance = fc
      .record({ cellId: cell, n: fc.nat(1) })
      .map(({ cellId, n }) => ({ cellId, instanceGuid: `${cellId}-i${n}` }));
    const actual = fc.oneof(
      {
        weight: 2,
        arbitrary: at.map(
          (a): BbsOp => ({ f: 'CreateUnclaimedActualLRP', args: { ...a, domain: APPS } }),
        ),
      },
      {
        weight: 4,
        arbitrary: fc
          .tuple(at, instance)
          .map(([a, i]): BbsOp => ({ f: 'ClaimActualLRP', args: { ...a, ...i } })),
      },
      // The rep sends the whole ActualLRPKey, its domain included.
      {
        weight: 3,
        arbitrary: fc
          .tuple(at, instance)
          .map(([a, i]): BbsOp => ({ f: 'StartActualLRP', args: { ...a, ...i, domain: APPS } })),
      },
      {
        weight: 2,
        arbitrary: fc.tuple(at, instance).map(
          ([a, i]): BbsOp => ({
            f: 'CrashActualLRP',
            args: { ...a, ...i, reason: 'exit status 1' },
          }),
        ),
      },
      {
        weight: 1,
        arbitrary: at.map(
          (a): BbsOp => ({
            f: 'FailActualLRP',
            args: { ...a, placementError: 'insufficient resources' },
          }),
        ),
      },
      {
        weight: 1,
        arbitrary: fc.tuple(at, instance).chain(([a, i]) =>
          byShape('RemoveActualLRP', {
            'instance key': fc.constant<BbsOp>({ f: 'RemoveActualLRP', args: { ...a, ...i } }),
            'empty instance key': fc.constant<BbsOp>({
              f: 'RemoveActualLRP',
              args: { ...a, instanceGuid: '', cellId: '' },
            }),
            'no key': fc.constant<BbsOp>({ f: 'RemoveActualLRP', args: a }),
          }),
        ),
      },
      { weight: 3, arbitrary: at.map((a): BbsOp => ({ f: 'ActualLRPByIndex', args: a })) },
    );
    families.push({ weight: w.mix.actualLRPs, arbitrary: actual });
  }

  if (w.mix.domains > 0) {
    // Mostly the long TTLs a cell's domain has, some of a few seconds so that a run sees domains
    // expire between upserts; the Domains read lists the fresh ones (checked by domains-read.ts).
    const ttl = fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 30, max: 300 }) },
      { weight: 1, arbitrary: fc.integer({ min: 2, max: 8 }) },
    );
    const domains = fc.oneof(
      {
        weight: 3,
        arbitrary: fc
          .record({ domain: fc.constantFrom(...k.domains), ttl })
          .chain(({ domain, ttl }) =>
            byShape('UpsertDomain', {
              'bulker domain': fc.constant<BbsOp>({ f: 'UpsertDomain', args: { domain, ttl } }),
              'fresh domain': fc.constant<BbsOp>({
                f: 'UpsertDomain',
                args: { domain: FRESH, ttl },
              }),
            }),
          ),
      },
      { weight: 2, arbitrary: fc.constant(null).map((): BbsOp => ({ f: 'Domains', args: {} })) },
    );
    families.push({ weight: w.mix.domains, arbitrary: domains });
  }
  // fast-check weights are integers; scale the scenario's relative weights.
  return fc.oneof(
    ...families.map((x) => ({
      weight: Math.max(1, Math.round(x.weight * 100)),
      arbitrary: x.arbitrary,
    })),
  );
}

/** An endless, reproducible stream of ops for one client. */
export function* opStream(w: WorkloadSpec, seed: number, client: number): Generator<BbsOp> {
  const arb = opArbitrary(w);
  let i = 0;
  for (let batch = 0; ; batch++) {
    for (const op of fc.sample(arb, { seed: deriveSeed(seed, client, batch), numRuns: BATCH })) {
      if (op.f === 'UpsertDomain' && (op.args as { domain: string }).domain === FRESH) {
        (op.args as { domain: string }).domain =
          `${FRESH_DOMAIN_PREFIX}${Math.floor(i / FRESH_WINDOW)}`;
      }
      i++;
      yield op;
    }
  }
}
