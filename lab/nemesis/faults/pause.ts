// SIGSTOP of a node (it holds its connections and answers nothing); its heal is SIGCONT.

import fc from 'fast-check';
import { need } from '../../providers/cluster.ts';
import { faultKind, nodeTargetProblem } from './types.ts';

export const pause = faultKind({
  kind: 'pause',
  ability: 'pause',
  traits: ['node-down'],
  roleTargets: true,
  targetProblem: nodeTargetProblem,
  targetArbitrary: (_scope, nodeTargets) => fc.constantFrom(...nodeTargets),
  async start(ctx, f, id) {
    const p = need(ctx.cluster, 'pause', `fault ${id}`);
    await p.pause(f.target);
    return async () => p.resume(f.target);
  },
});
