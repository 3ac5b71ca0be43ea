// A small seeded generator (mulberry32) so a run that picks "at random" picks the same way again
// from the same seed. It stands for Go's map iteration order in the real switchboard.

export type Rng = () => number;

/** Uniform in [0, 1), fully determined by the seed. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One element chosen uniformly, or null for an empty list. A list of one takes no draw, so the
 * sequence of draws depends only on the real choices made.
 */
export function pick<T>(items: readonly T[], rng: Rng): T | null {
  if (items.length === 0) return null;
  if (items.length === 1) return items[0] ?? null;
  return items[Math.min(items.length - 1, Math.floor(rng() * items.length))] ?? null;
}
