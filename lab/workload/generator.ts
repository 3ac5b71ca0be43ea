// The BBS workload: a seeded stream of BBS API calls per client over a small key space, so keys
// contend. Ops come from fast-check arbitraries; a client draws them in batches whose seed is
// derived from (run seed, client, batch), so the same seed gives every client the same stream
// whatever the timing, and a run can be repeated with `--seed`.

import fc from 'fast-check';
import type { BbsOp } from '../../bbs/ops.ts';
import type { Scenario } from '../scenario/types.ts';
import { deriveSeed } from '../random/seeded-rng.ts';

export type WorkloadSpec = Scenario['workload'];

const BATCH = 256;

function keySpace(w: WorkloadSpec) {
  const tasks = Array.from({ length: w.tasks }, (_, i) => `task-${i}`);
  const lrps = Array.from({ length: w.desiredLRPs }, (_, i) => `lrp-${i}`);
  const cells = Array.from({ length: w.cells }, (_, i) => `cell-${String.fromCharCode(97 + (i % 26))}${i >= 26 ? i : ''}`);
  return { tasks, lrps, cells, domains: ['cf-apps', 'cf-tasks'] };
}

/** The arbitrary of one op, weighted as the scenario's mix says. */
export function opArbitrary(w: WorkloadSpec): fc.Arbitrary<BbsOp> {
  const k = keySpace(w);
  const cell = fc.constantFrom(...k.cells);
  const domain = fc.constantFrom(...k.domains);
  const word = fc.constantFrom('alpha', 'beta', 'gamma', 'delta');
  const families: { weight: number; arbitrary: fc.Arbitrary<BbsOp> }[] = [];

  if (w.tasks > 0 && w.mix.tasks > 0) {
    const guid = fc.constantFrom(...k.tasks);
    // Weights follow a task's life so that tasks actually move through it under contention.
    const task = fc.oneof(
      { weight: 3, arbitrary: fc.record({ taskGuid: guid, domain }).map((args): BbsOp => ({ f: 'DesireTask', args })) },
      { weight: 4, arbitrary: fc.record({ taskGuid: guid, cellId: cell }).map((args): BbsOp => ({ f: 'StartTask', args })) },
      {
        weight: 3,
        arbitrary: fc
          .record({ taskGuid: guid, cellId: cell, failed: fc.boolean(), result: word, n: fc.nat(999) })
          .map(({ taskGuid, cellId, failed, result, n }): BbsOp => ({
            f: 'CompleteTask',
            args: { taskGuid, cellId, failed, failureReason: failed ? 'boom' : '', result: `${result}-${n}` },
          })),
      },
      { weight: 1, arbitrary: fc.record({ taskGuid: guid }).map((args): BbsOp => ({ f: 'CancelTask', args })) },
      { weight: 1, arbitrary: fc.record({ taskGuid: guid, failureReason: word }).map((args): BbsOp => ({ f: 'FailTask', args })) },
      { weight: 2, arbitrary: fc.record({ taskGuid: guid }).map((args): BbsOp => ({ f: 'ResolvingTask', args })) },
      { weight: 2, arbitrary: fc.record({ taskGuid: guid }).map((args): BbsOp => ({ f: 'DeleteTask', args })) },
      { weight: 3, arbitrary: fc.record({ taskGuid: guid }).map((args): BbsOp => ({ f: 'TaskByGuid', args })) },
    );
    families.push({ weight: w.mix.tasks, arbitrary: task });
  }

  if (w.desiredLRPs > 0 && w.mix.desiredLRPs > 0) {
    const guid = fc.constantFrom(...k.lrps);
    const desired = fc.oneof(
      {
        weight: 2,
        arbitrary: fc
          .record({ processGuid: guid, domain, instances: fc.integer({ min: 1, max: w.instances }), annotation: word })
          .map((args): BbsOp => ({ f: 'DesireLRP', args })),
      },
      {
        weight: 4,
        arbitrary: fc
          .record({ processGuid: guid, instances: fc.integer({ min: 1, max: w.instances }), annotation: word })
          .map((args): BbsOp => ({ f: 'UpdateDesiredLRP', args })),
      },
      { weight: 1, arbitrary: fc.record({ processGuid: guid }).map((args): BbsOp => ({ f: 'RemoveDesiredLRP', args })) },
      { weight: 3, arbitrary: fc.record({ processGuid: guid }).map((args): BbsOp => ({ f: 'DesiredLRPByProcessGuid', args })) },
    );
    families.push({ weight: w.mix.desiredLRPs, arbitrary: desired });
  }

  if (w.desiredLRPs > 0 && w.mix.actualLRPs > 0) {
    const at = fc.record({ processGuid: fc.constantFrom(...k.lrps), index: fc.integer({ min: 0, max: w.instances - 1 }) });
    // An instance guid per (cell, attempt) so that two claims by one cell can be told apart; few
    // attempts per cell, so that a crash or start often names the instance a cell runs (under the
    // per-state rule a crash of a RUNNING instance must name its instance key, as a rep does).
    const instance = fc.record({ cellId: cell, n: fc.nat(1) }).map(({ cellId, n }) => ({ cellId, instanceGuid: `${cellId}-i${n}` }));
    const actual = fc.oneof(
      { weight: 2, arbitrary: fc.tuple(at, domain).map(([a, d]): BbsOp => ({ f: 'CreateUnclaimedActualLRP', args: { ...a, domain: d } })) },
      { weight: 4, arbitrary: fc.tuple(at, instance).map(([a, i]): BbsOp => ({ f: 'ClaimActualLRP', args: { ...a, ...i } })) },
      { weight: 3, arbitrary: fc.tuple(at, instance).map(([a, i]): BbsOp => ({ f: 'StartActualLRP', args: { ...a, ...i } })) },
      { weight: 2, arbitrary: fc.tuple(at, instance).map(([a, i]): BbsOp => ({ f: 'CrashActualLRP', args: { ...a, ...i, reason: 'exit status 1' } })) },
      { weight: 1, arbitrary: at.map((a): BbsOp => ({ f: 'FailActualLRP', args: { ...a, placementError: 'insufficient resources' } })) },
      { weight: 1, arbitrary: at.map((a): BbsOp => ({ f: 'RemoveActualLRP', args: a })) },
      { weight: 3, arbitrary: at.map((a): BbsOp => ({ f: 'ActualLRPByIndex', args: a })) },
    );
    families.push({ weight: w.mix.actualLRPs, arbitrary: actual });
  }

  if (w.mix.domains > 0) {
    // Mostly the long TTLs a cell's domain has, some of a few seconds so that a run sees domains
    // expire between upserts; the Domains read lists the fresh ones (checked by domains-read.ts).
    const ttl = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 30, max: 300 }) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 8 }) });
    const domains = fc.oneof(
      { weight: 3, arbitrary: fc.record({ domain, ttl }).map((args): BbsOp => ({ f: 'UpsertDomain', args })) },
      { weight: 2, arbitrary: fc.constant(null).map((): BbsOp => ({ f: 'Domains', args: {} })) },
    );
    families.push({ weight: w.mix.domains, arbitrary: domains });
  }
  // fast-check weights are integers; scale the scenario's relative weights.
  return fc.oneof(...families.map((x) => ({ weight: Math.max(1, Math.round(x.weight * 100)), arbitrary: x.arbitrary })));
}


/** An endless, reproducible stream of ops for one client. */
export function* opStream(w: WorkloadSpec, seed: number, client: number): Generator<BbsOp> {
  const arb = opArbitrary(w);
  for (let batch = 0; ; batch++) {
    yield* fc.sample(arb, { seed: deriveSeed(seed, client, batch), numRuns: BATCH });
  }
}
