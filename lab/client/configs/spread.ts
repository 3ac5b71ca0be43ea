// spread: client i always uses target i mod T, as a load balancer pinning clients would. With
// via: nodes these are "pinned clients": client i on node i mod N for the whole run, through a
// partition or a kill of that node too (it never moves), so every node takes writes (the
// multi-master case) and a client on a cut-off node is out until the node is back.

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
        : `pinned clients: client i on node i mod ${t.nodes} for the whole run, never moving (a client on a cut-off node is out until it is back), so every node takes writes`
      : t.proxies === 1
        ? 'every client to it'
        : `client i to proxy i mod ${t.proxies}`,
  source: (_s, ctx, client) => {
    const t = ctx.targets[client % ctx.targets.length]!;
    return { name: t.name, lender: ctx.pool(t) };
  },
});
