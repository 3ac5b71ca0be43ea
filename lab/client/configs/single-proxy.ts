// single-proxy: every client uses the first target only (one hostname, one proxy).

import { defineClientConfig } from './types.ts';

export const singleProxy = defineClientConfig({
  name: 'single-proxy',
  consul: null,
  serve: 'every-proxy',
  problem: () => null,
  describe: () => 'every client to the first one only',
  source: (_s, ctx) => ({ name: ctx.targets[0]!.name, lender: ctx.pool(ctx.targets[0]!) }),
});
