// The order a campaign runs in: blocked by seed and shuffled within a block. Block k holds the
// k-th seed of every variant of every question, so a drift of the machine over the campaign (load,
// heat, a neighbour's job) falls on every variant alike instead of on whichever ran last; the
// shuffle inside a block keeps one variant from always running first. The shuffle is seeded (the
// campaign's order seed, recorded in state.json and in the command that regenerates it) and
// depends only on the block's own runs, so a resume, or a budget that keeps fewer blocks, gives
// the same order for the blocks it keeps.

import { deriveSeed, seededRng } from '../random/seeded-rng.ts';

/** Fisher–Yates with the lab's seeded generator: the same seed gives the same permutation. */
export function seededShuffle<T>(xs: readonly T[], seed: number): T[] {
  const out = xs.slice();
  const rnd = seededRng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const ORDER_STREAM = 0x0b10c;

/**
 * Items in blocks (ascending block number), each block sorted by key and then shuffled with a
 * seed derived from (orderSeed, block), so a block's order does not depend on the other blocks.
 */
export function blockedOrder<T extends { key: string; block: number }>(
  items: readonly T[],
  orderSeed: number,
): T[] {
  const blocks = [...new Set(items.map((x) => x.block))].sort((a, b) => a - b);
  return blocks.flatMap((b) =>
    seededShuffle(
      items
        .filter((x) => x.block === b)
        .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0)),
      deriveSeed(orderSeed, ORDER_STREAM, b),
    ),
  );
}

/** A default order seed from the campaign's name, so `--plan` shows the order the run will use. */
export function defaultOrderSeed(name: string): number {
  let h = 0x811c9dc5;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h % 1_000_000;
}
