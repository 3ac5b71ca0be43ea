// Partitions where the provider cuts nodes off by network disconnect (the Docker provider): a
// disconnect cuts one node off from every other node, so only partitions with a single node on
// one side can be made that way. The scenario validator refuses the others up front (never
// silently doing something else), and the nemesis refuses them at run time too. Pure.

/** The node alone on its side, or null when both sides hold several nodes. */
export function loneNode([a, b]: readonly [readonly string[], readonly string[]]): string | null {
  if (a.length === 1) return a[0]!;
  if (b.length === 1) return b[0]!;
  return null;
}

/**
 * Why a partition target cannot be made by disconnecting one node on a cluster of `nodes`, or
 * null when it can: isolate:<n> always; minority and halves on 3 nodes (one node against two);
 * random on 3 nodes (every random partition there is one of those).
 */
export function disconnectProblem(target: string, nodes: number): string | null {
  if (target.startsWith('isolate:')) return null;
  if (nodes <= 3 && (target === 'minority' || target === 'halves' || target === 'random'))
    return null;
  const why =
    target === 'bridge'
      ? 'bridge keeps the middle node in touch with both halves'
      : target === 'random'
        ? `a random partition on ${nodes} nodes may be minority or halves, which split ${Math.floor(nodes / 2)} nodes from ${nodes - Math.floor(nodes / 2)}`
        : `${target} on ${nodes} nodes splits ${Math.floor(nodes / 2)} nodes from ${nodes - Math.floor(nodes / 2)}`;
  return `${why}, which network disconnects (one node cut off from all the others) cannot express`;
}
