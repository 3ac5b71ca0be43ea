// timeout 0 both ways: data is swallowed and nothing closes (a black hole, the way a silent network
// partition looks to a client).

import { bothWays, toxicFault } from './link.ts';

export const linkTimeout = toxicFault('link-timeout', (_f, tag) =>
  bothWays((stream) => ({
    type: 'timeout',
    stream,
    name: `${tag}_${stream}`,
    attributes: { timeout: 0 },
  })),
);
