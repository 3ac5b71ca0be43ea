// bandwidth: data leaves at most `rate` KB/s (KB = 1000 bytes, as Toxiproxy counts). A chunk
// larger than 100 ms worth of rate is cut into 100 ms pieces, so a slow link delivers steadily
// instead of in one late burst. rate <= 0 lets data through unchanged.

import { DueQueue, now } from './due-queue.ts';
import type { ToxicKind } from './types.ts';

const PIECE_MS = 100;

export const bandwidth: ToxicKind = {
  type: 'bandwidth',
  attributes: { rate: 0 },
  validate: () => null,
  create(attrs, out) {
    const bytesPerMs = attrs.rate ?? 0; // KB/s == bytes/ms
    const queue = new DueQueue(out);
    return {
      write(chunk) {
        if (bytesPerMs <= 0) {
          queue.add(chunk, now());
          return;
        }
        const piece = bytesPerMs * PIECE_MS;
        for (let off = 0; off < chunk.length; off += piece) {
          const part = chunk.subarray(off, Math.min(chunk.length, off + piece));
          const start = Math.max(now(), queue.lastDue);
          queue.add(part, start + part.length / bytesPerMs);
        }
      },
      end: () => queue.add(null, now()),
      flush: () => queue.flush(),
      dispose: () => queue.dispose(),
    };
  },
};
