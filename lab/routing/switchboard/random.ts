// The switchboard's "random" choices, drawn from a seeded generator so a run that picks at random
// picks the same way again from the same seed. They stand for Go's map iteration order.

import type { Rng } from '../../random/seeded-rng.ts';

export { seededRng, type Rng } from '../../random/seeded-rng.ts';

/**
 * One element chosen uniformly, or null for an empty list. A list of one takes no draw, so the
 * sequence of draws depends only on the real choices made.
 */
export function pick<T>(items: readonly T[], rng: Rng): T | null {
  if (items.length === 0) return null;
  if (items.length === 1) return items[0] ?? null;
  return items[Math.min(items.length - 1, Math.floor(rng() * items.length))] ?? null;
}
