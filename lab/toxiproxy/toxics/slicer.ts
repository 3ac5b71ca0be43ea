// slicer: every chunk is cut into pieces of about `average_size` bytes (± `size_variation`), with
// `delay` microseconds between pieces, to exercise a reader's handling of short reads.

import { DueQueue, now } from './due-queue.ts';
import type { ToxicKind } from './types.ts';

/**
 * Piece sizes for a chunk of `length` bytes: halve around a random midpoint (± variation) until
 * every piece is at most average + variation. Halving rather than cutting from the front keeps
 * small pieces from piling up at the end. Every piece is at least one byte; the sizes add up.
 */
export function slicePlan(
  length: number,
  averageSize: number,
  sizeVariation: number,
  random: () => number = Math.random,
): number[] {
  if (length <= 0) return [];
  if (length - averageSize <= sizeVariation || length === 1) return [length];
  const offset =
    sizeVariation > 0 ? Math.floor(random() * (2 * sizeVariation + 1)) - sizeVariation : 0;
  const mid = Math.min(length - 1, Math.max(1, Math.floor(length / 2) + offset));
  return [
    ...slicePlan(mid, averageSize, sizeVariation, random),
    ...slicePlan(length - mid, averageSize, sizeVariation, random),
  ];
}

export const slicer: ToxicKind = {
  type: 'slicer',
  attributes: { average_size: 0, size_variation: 0, delay: 0 },
  validate: (a) => ((a.average_size ?? 0) >= 1 ? null : 'average_size must be at least 1'),
  create(attrs, out) {
    const avg = attrs.average_size ?? 1;
    const variation = attrs.size_variation ?? 0;
    const gapMs = (attrs.delay ?? 0) / 1000;
    const queue = new DueQueue(out);
    let nextAt = 0;
    return {
      write(chunk) {
        let off = 0;
        for (const size of slicePlan(chunk.length, avg, variation)) {
          const at = Math.max(now(), nextAt);
          queue.add(chunk.subarray(off, off + size), at);
          nextAt = at + gapMs;
          off += size;
        }
      },
      end: () => queue.add(null, now()),
      flush: () => queue.flush(),
      dispose: () => queue.dispose(),
    };
  },
};
