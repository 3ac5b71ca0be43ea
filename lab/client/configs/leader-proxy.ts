// leader-proxy: as consul-dns, but the proxies take a Consul lock and only the holder serves and is
// registered (the 2016 mitigation).

import { consulLookupSource, needsRegisteredProxies } from './consul-lookup.ts';
import { defineClientConfig, describeGoPool } from './types.ts';

export const leaderProxy = defineClientConfig({
  name: 'leader-proxy',
  consul: 'leader',
  serve: 'lock-holder',
  problem: (s) => needsRegisteredProxies('leader-proxy', s),
  describe: (s) =>
    `each new connection resolving mysql.service.consul, where only the proxy holding the Consul lock serves and is registered (${describeGoPool(s)})`,
  source: (s, ctx) => consulLookupSource('leader-proxy', s, ctx),
});
