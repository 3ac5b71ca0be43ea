// Which backend a switchboard makes active, as pure functions of what its last poll saw. Both
// rules of the real switchboard (FACTS.md; cloudfoundry/switchboard):
//
// lowest-index (Sep 2016 on): after every poll, the healthy backend with the lowest
//   wsrep_local_index. The real one walks a Go map and keeps the last of equal indexes, so a tie is
//   broken at random, afresh at every poll.
// sticky-random (up to Aug 2016): the backends live in a Go map and start out assumed healthy, so
//   the first pick is any of them at random; it stays active while healthy; when it turns unhealthy
//   (or when there is none) a random healthy backend takes over. A backend that recovers does not
//   take active back.

import { pick, type Rng } from './random.ts';
import type { SwitchboardRule } from './types.ts';

export interface BackendHealth {
  name: string;
  healthy: boolean;
  /** Last wsrep_local_index the healthcheck reported; null if it never reported one. */
  index: number | null;
}

export function chooseLowestIndex(health: readonly BackendHealth[], rng: Rng): string | null {
  const candidates = health.filter((h) => h.healthy && h.index !== null);
  if (candidates.length === 0) return null;
  const lowest = Math.min(...candidates.map((h) => h.index as number));
  return pick(
    candidates.filter((h) => h.index === lowest),
    rng,
  )!.name;
}

export function chooseSticky(
  current: string | null,
  health: readonly BackendHealth[],
  rng: Rng,
): string | null {
  if (current !== null && health.some((h) => h.name === current && h.healthy)) return current;
  return (
    pick(
      health.filter((h) => h.healthy),
      rng,
    )?.name ?? null
  );
}

export function chooseActive(
  rule: SwitchboardRule,
  current: string | null,
  health: readonly BackendHealth[],
  rng: Rng,
): string | null {
  return rule === 'lowest-index'
    ? chooseLowestIndex(health, rng)
    : chooseSticky(current, health, rng);
}

/** sticky-random's pick before any poll: every backend counts as healthy. */
export function initialStickyPick(names: readonly string[], rng: Rng): string | null {
  return pick(names, rng);
}
