// reset_peer: every connection on the link is reset (TCP RST) at once, new ones too.

import { toxicFault } from './link.ts';

export const linkReset = toxicFault('link-reset', (_f, tag) => [
  { type: 'reset_peer', stream: 'upstream', name: `${tag}_upstream`, attributes: { timeout: 0 } },
]);
