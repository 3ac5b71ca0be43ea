// reset_peer: the first data (or the end) on the link arms it; `timeout` ms later the connection is
// aborted with a TCP RST on both sockets, so the peers see ECONNRESET. Data after the arming is
// dropped, as the real one does. Taking the toxic out once armed resets at once rather than
// leaving a half-dead link.

import type { ToxicKind } from './types.ts';

export const resetPeer: ToxicKind = {
  type: 'reset_peer',
  attributes: { timeout: 0 },
  validate: () => null,
  create(attrs, out) {
    let timer: NodeJS.Timeout | null = null;
    let fired = false;
    const fire = () => {
      timer = null;
      fired = true;
      out.reset();
    };
    const arm = () => {
      if (!timer && !fired) timer = setTimeout(fire, attrs.timeout ?? 0);
    };
    return {
      write(chunk) {
        out.discard(chunk.length);
        arm();
      },
      end: arm,
      flush() {
        if (timer) {
          clearTimeout(timer);
          fire();
        }
      },
      dispose() {
        if (timer) clearTimeout(timer);
        timer = null;
      },
    };
  },
};
