// A small seeded generator (mulberry32): the lab's one source of "random" choices that must come
// out the same from the same seed (a switchboard's Go-map order, generated benchmark histories,
// the checker's hash table).

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
 * A 32-bit seed from (run seed, stream, index), so the streams drawn from one run seed (each
 * client's batches, the nemesis's plan, role choices) differ and do not shift each other.
 */
export function deriveSeed(seed: number, stream: number, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const x of [stream, index]) {
    h = Math.imul(h ^ (x + 0x7f4a7c15), 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
  }
  return h | 0;
}
