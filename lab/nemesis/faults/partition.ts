// A network partition between groups of Galera nodes, through the provider's partition ability
// (iptables locally, network disconnect on Docker). Targets: isolate:<node|role>, minority, halves,
// bridge (5 nodes); partitionSides turns one into the two sides.

import fc from 'fast-check';
import { need } from '../../providers/cluster.ts';
import { deriveSeed } from '../../random/seeded-rng.ts';
import { ROLES_HINT } from '../roles.ts';
import { faultKind, NEMESIS_STREAM } from './types.ts';

export const partition = faultKind({
  kind: 'partition',
  // The nodes on a side without quorum are the ones it takes down.
  traits: ['node-down', 'network-cut'],
  ability: 'partition',
  roleTargets: true,
  targetProblem(t, scope) {
    const n = scope.nodes.length;
    const ok =
      t === 'minority' ||
      t === 'halves' ||
      (t === 'bridge' && n === 5) ||
      (t.startsWith('isolate:') && scope.nodes.includes(t.slice(8)));
    return ok
      ? null
      : `for a partition must be isolate:<${scope.nodes.join('|')}>, isolate:<role> (${ROLES_HINT}), minority, halves${n === 5 ? ', bridge' : ''} or random, got ${JSON.stringify(t)}`;
  },
  kindProblem: (scope) => (scope.nodes.length === 1 ? 'a partition needs at least 3 nodes' : null),
  targetArbitrary: (_scope, nodeTargets) =>
    fc.oneof(
      fc.constantFrom(...nodeTargets).map((n) => `isolate:${n}`),
      fc.constant('minority'),
      fc.constant('halves'),
    ),
  nodeOf: (t) => (t.startsWith('isolate:') ? t.slice('isolate:'.length) : null),
  nodeTarget: (node) => `isolate:${node}`,
  sides: (t, nodes, seed) => partitionSides(t, nodes, seed),
  async prepare(ctx) {
    await need(ctx.cluster, 'partition', 'a partition').prepare?.();
  },
  async start(ctx, f, id) {
    const p = need(ctx.cluster, 'partition', `fault ${id}`);
    const sides = partitionSides(
      f.target,
      ctx.cluster.nodes.map((n) => n.name),
      ctx.seed,
    );
    const why = p.refuse(sides);
    if (why) throw new Error(`partition ${f.target} ${why}`);
    await p.cut(id, sides);
    return async () => p.heal(id);
  },
});

/** The two sides of a partition target, by node name. */
export function partitionSides(
  target: string,
  nodes: string[],
  seed: number,
): [string[], string[]] {
  if (target.startsWith('isolate:')) {
    const n = target.slice('isolate:'.length);
    return [[n], nodes.filter((x) => x !== n)];
  }
  if (target === 'minority') {
    const k = Math.floor((nodes.length - 1) / 2);
    return [
      nodes.slice(nodes.length - Math.max(1, k)),
      nodes.slice(0, nodes.length - Math.max(1, k)),
    ];
  }
  if (target === 'bridge') {
    // The middle node sees both halves; the halves do not see each other (Galera relays through
    // it).
    const mid = Math.floor(nodes.length / 2);
    return [nodes.slice(0, mid), nodes.slice(mid + 1)];
  }
  if (target === 'halves') {
    const shuffled = fc.sample(
      fc.shuffledSubarray(nodes, { minLength: nodes.length, maxLength: nodes.length }),
      { seed: deriveSeed(seed, NEMESIS_STREAM, 7), numRuns: 1 },
    )[0]!;
    const half = Math.floor(shuffled.length / 2);
    return [shuffled.slice(0, Math.max(1, half)), shuffled.slice(Math.max(1, half))];
  }
  throw new Error(
    `partition target must be isolate:<node>, minority, halves or bridge, got ${target}`,
  );
}
