// Latency plus jitter on a link, both directions (latencyMs / jitterMs, with defaults).

import { bothWays, toxicFault } from './link.ts';

const params = {
  latencyMs: { doc: 'latency added each way', unit: 'ms', min: 0, max: 60_000, default: 200 },
  jitterMs: { doc: 'jitter of that latency', unit: 'ms', min: 0, max: 60_000, default: 50 },
} as const;

export const linkLatency = toxicFault(
  'link-latency',
  (f, tag) =>
    bothWays((stream) => ({
      type: 'latency',
      stream,
      name: `${tag}_${stream}`,
      attributes: {
        latency: f.latencyMs ?? params.latencyMs.default,
        jitter: f.jitterMs ?? params.jitterMs.default,
      },
    })),
  params,
);
