// A bandwidth limit on a link, both directions (rateKBps, with a default).

import { bothWays, toxicFault } from './link.ts';

export const DEFAULT_RATE_KBPS = 16;

export const linkBandwidth = toxicFault('link-bandwidth', (f, tag) =>
  bothWays((stream) => ({
    type: 'bandwidth',
    stream,
    name: `${tag}_${stream}`,
    attributes: { rate: f.rateKBps ?? DEFAULT_RATE_KBPS },
  })),
);
