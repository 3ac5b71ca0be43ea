// kill -9 of a node; its heal starts it again (it rejoins by IST, or SST when it must).

import fc from 'fast-check';
import { need } from '../../providers/cluster.ts';
import { faultKind, nodeTargetProblem } from './types.ts';

export const kill = faultKind({
  kind: 'kill',
  ability: 'kill',
  traits: ['node-down'],
  roleTargets: true,
  targetProblem: nodeTargetProblem,
  targetArbitrary: (_scope, nodeTargets) => fc.constantFrom(...nodeTargets),
  async start(ctx, f, id) {
    const k = need(ctx.cluster, 'kill', `fault ${id}`);
    await k.kill(f.target);
    return async () => k.restart(f.target);
  },
});
