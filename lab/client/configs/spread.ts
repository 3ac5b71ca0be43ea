// spread: client i always uses target i mod T, as a load balancer pinning clients would (with
// via: nodes, every node takes writes: the multi-master case).

import { defineClientConfig } from './types.ts';

export const spread = defineClientConfig({
  name: 'spread',
  consul: null,
  serve: 'every-proxy',
  problem: () => null,
  describe: ({ topology: t, clients }) =>
    clients.via === 'nodes'
      ? t.nodes === 1
        ? 'every client to it'
        : `client i to node i mod ${t.nodes}, so every node takes writes`
      : t.proxies === 1
        ? 'every client to it'
        : `client i to proxy i mod ${t.proxies}`,
  source: (_s, ctx, client) => {
    const t = ctx.targets[client % ctx.targets.length]!;
    return { name: t.name, lender: ctx.pool(t) };
  },
});
