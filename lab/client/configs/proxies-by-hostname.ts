// proxies-by-hostname: each new connection resolves one name whose answer holds every target's
// address, the first one rotating per lookup (round-robin DNS), and tries them in order.

import { createDialPool } from '../dial-pool.ts';
import { defineClientConfig, describeGoPool, goPoolOf } from './types.ts';

export const proxiesByHostname = defineClientConfig({
  name: 'proxies-by-hostname',
  consul: null,
  serve: 'every-proxy',
  problem: () => null,
  describe: (s) =>
    `each new connection resolving one name to every address, rotated per lookup, trying them in order (${describeGoPool(s)})`,
  source: (s, ctx) => ({
    name: 'by-hostname',
    lender: ctx.shared('by-hostname', () => {
      const targets = ctx.targets;
      let rotation = 0;
      const pool = createDialPool({
        candidates: async () => {
          const first = rotation++ % targets.length;
          return targets.map((_, i) => targets[(first + i) % targets.length]!);
        },
        ...ctx.login,
        pool: goPoolOf(s),
        connectTimeoutMs: 5000,
      });
      return { lender: pool, end: () => pool.end() };
    }),
  }),
});
