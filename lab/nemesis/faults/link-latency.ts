// Latency plus jitter on a link, both directions (latencyMs / jitterMs, with defaults).

import { bothWays, toxicFault } from './link.ts';

export const DEFAULT_LATENCY_MS = 200;
export const DEFAULT_JITTER_MS = 50;

export const linkLatency = toxicFault('link-latency', (f, tag) =>
  bothWays((stream) => ({
    type: 'latency',
    stream,
    name: `${tag}_${stream}`,
    attributes: {
      latency: f.latencyMs ?? DEFAULT_LATENCY_MS,
      jitter: f.jitterMs ?? DEFAULT_JITTER_MS,
    },
  })),
);
