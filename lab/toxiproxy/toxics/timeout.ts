// timeout: nothing gets through — data is dropped, as the real one drops it — and after `timeout`
// ms the connection is closed; with 0 it is never closed, the peer just waits. Because the dropped
// bytes leave the stream unusable, deleting the toxic closes the connections it applied to (the
// real one does the same since Shopify/toxiproxy#168). The end of the input closes at once.

import type { ToxicKind } from './types.ts';

export const timeout: ToxicKind = {
  type: 'timeout',
  attributes: { timeout: 0 },
  validate: () => null,
  create(attrs, out) {
    const ms = attrs.timeout ?? 0;
    let timer: NodeJS.Timeout | null = ms > 0 ? setTimeout(() => out.close(), ms) : null;
    const stop = () => {
      if (timer) clearTimeout(timer);
      timer = null;
    };
    return {
      write: (chunk) => out.discard(chunk.length),
      end() {
        stop();
        out.close();
      },
      flush: () => undefined,
      onRemove: () => out.close(),
      dispose: stop,
    };
  },
};
