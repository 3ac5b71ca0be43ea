// latency: every chunk is handed on `latency` ms (± a uniform `jitter`) after it arrived. The
// delay is measured from arrival, not from the previous chunk's delivery, so a stream of small
// chunks is not slowed down cumulatively; order is kept, so a chunk whose jitter came out shorter
// waits for the one before it.

import { DueQueue, now } from './due-queue.ts';
import type { ToxicKind } from './types.ts';

export const latency: ToxicKind = {
  type: 'latency',
  attributes: { latency: 0, jitter: 0 },
  validate: () => null,
  create(attrs, out) {
    const base = attrs.latency ?? 0;
    const jitter = attrs.jitter ?? 0;
    const delay = () => Math.max(0, base + (jitter > 0 ? (Math.random() * 2 - 1) * jitter : 0));
    const queue = new DueQueue(out);
    return {
      write: (chunk) => queue.add(chunk, now() + delay()),
      end: () => queue.add(null, now()),
      flush: () => queue.flush(),
      dispose: () => queue.dispose(),
    };
  },
};
