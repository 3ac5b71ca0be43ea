// A switchboard proxy is stopped (its connections die); its heal starts it again.

import fc from 'fast-check';
import { faultKind } from './types.ts';

export const proxyKill = faultKind({
  kind: 'proxy-kill',
  traits: ['proxy-down'],
  targetProblem: (t, scope) =>
    scope.proxies.includes(t)
      ? null
      : `must be ${[...scope.proxies, 'random'].join(', ')}, got ${JSON.stringify(t)}`,
  kindProblem: (scope) =>
    scope.proxies.length === 0 ? 'proxy-kill needs topology.proxies ≥ 1' : null,
  targetArbitrary: (scope) =>
    fc.constantFrom(...(scope.proxies.length > 0 ? scope.proxies : ['proxy1'])),
  async start(ctx, f) {
    await ctx.proxies.kill(f.target);
    return async () => ctx.proxies.start(f.target);
  },
});
