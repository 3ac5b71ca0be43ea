// stall: the node is paused (SIGSTOP) for pauseMs, resumed for pauseMs, and so on while the fault
// lasts, the way a long garbage-collection pause or a stalled VM stalls it; its heal ends the cycle
// and leaves the node running. A kind the lab does not ship: test/unit/fault-kind-registry.test.ts
// registers it to show that a kind with a parameter that takes a node down needs no other edit, and
// docs/adding-a-fault-kind.md walks through it.

import fc from 'fast-check';
import { faultKind, nodeTargetProblem } from '../../lab/nemesis/faults/types.ts';
import { need } from '../../lab/providers/cluster.ts';

const params = {
  pauseMs: { doc: 'length of each pause', unit: 'ms', min: 50, max: 60_000, default: 500 },
} as const;

export const stall = faultKind({
  kind: 'stall',
  params,
  traits: ['node-down'],
  ability: 'pause',
  roleTargets: true,
  targetProblem: nodeTargetProblem,
  targetArbitrary: (_scope, nodeTargets) => fc.constantFrom(...nodeTargets),
  async start(ctx, f, id) {
    const p = need(ctx.cluster, 'pause', `fault ${id}`);
    const pauseMs = f.pauseMs ?? params.pauseMs.default;
    const sleep = () => new Promise((r) => setTimeout(r, pauseMs));
    let stopped = false;
    let paused = false;
    const cycle = async () => {
      while (!stopped) {
        await p.pause(f.target);
        paused = true;
        await sleep();
        if (stopped) break;
        await p.resume(f.target);
        paused = false;
        await sleep();
      }
    };
    // Caught here so a failed pause never goes unhandled before the heal; the heal reports it.
    let failure: unknown = null;
    const running = cycle().catch((e: unknown) => {
      failure = e;
    });
    return async () => {
      stopped = true;
      await running;
      if (paused) await p.resume(f.target);
      if (failure) throw failure;
    };
  },
});
