// The node's galera-healthcheck answers unhealthy, so the switchboards move their active backend;
// the node itself is untouched. Its heal clears the forced answer.

import fc from 'fast-check';
import { faultKind, nodeTargetProblem } from './types.ts';

export const healthFlap = faultKind({
  kind: 'health-flap',
  roleTargets: true,
  targetProblem: nodeTargetProblem,
  kindProblem: (scope) =>
    scope.proxies.length === 0
      ? 'health-flap needs topology.proxies ≥ 1 (healthchecks run for proxies)'
      : null,
  targetArbitrary: (_scope, nodeTargets) => fc.constantFrom(...nodeTargets),
  async start(ctx, f) {
    const h = ctx.healthchecks.find((x) => x.name === f.target);
    if (!h)
      throw new Error(
        `nemesis: no healthcheck for ${f.target} (health-flap needs topology.proxies ≥ 1)`,
      );
    h.setOverride('unhealthy');
    return async () => h.setOverride(null);
  },
});
