// slow_close: data passes untouched; when the stream ends, the end is held back `delay` ms, so the
// peer sees the connection close late.

import type { ToxicKind } from './types.ts';

export const slowClose: ToxicKind = {
  type: 'slow_close',
  attributes: { delay: 0 },
  validate: () => null,
  create(attrs, out) {
    let pending: NodeJS.Timeout | null = null;
    const release = () => {
      if (pending) clearTimeout(pending);
      pending = null;
      out.end();
    };
    return {
      write: (chunk) => out.push(chunk),
      end() {
        pending = setTimeout(release, attrs.delay ?? 0);
      },
      flush() {
        if (pending) release();
      },
      dispose() {
        if (pending) clearTimeout(pending);
        pending = null;
      },
    };
  },
};
