// limit_data: the first `bytes` bytes of the link pass, then the connection is closed (FIN, not
// RST). The count is kept per connection and direction across updates of the toxic.

import type { ToxicKind } from './types.ts';

export const limitData: ToxicKind = {
  type: 'limit_data',
  attributes: { bytes: 0 },
  validate: () => null,
  create(attrs, out, state) {
    const limit = attrs.bytes ?? 0;
    let closed = false;
    const close = () => {
      closed = true;
      out.close();
    };
    return {
      write(chunk) {
        if (closed) {
          out.discard(chunk.length);
          return;
        }
        const sent = state.sent ?? 0;
        const room = Math.max(0, limit - sent);
        const pass = Math.min(room, chunk.length);
        if (pass > 0) out.push(pass === chunk.length ? chunk : chunk.subarray(0, pass));
        if (pass < chunk.length) out.discard(chunk.length - pass);
        state.sent = sent + pass;
        if (state.sent >= limit) close();
      },
      end() {
        if (!closed) out.end();
      },
      flush: () => undefined,
      dispose: () => undefined,
    };
  },
};
