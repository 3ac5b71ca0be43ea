// A bandwidth limit on a link, both directions (rateKBps, with a default).

import { bothWays, toxicFault } from './link.ts';

const params = {
  rateKBps: { doc: 'bandwidth each way', unit: 'KB/s', min: 1, max: 1_000_000, default: 16 },
} as const;

export const linkBandwidth = toxicFault(
  'link-bandwidth',
  (f, tag) =>
    bothWays((stream) => ({
      type: 'bandwidth',
      stream,
      name: `${tag}_${stream}`,
      attributes: { rate: f.rateKBps ?? params.rateKBps.default },
    })),
  params,
);
