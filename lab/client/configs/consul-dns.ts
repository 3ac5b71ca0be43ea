// consul-dns: every switchboard proxy is a Consul service with a TCP check; each new connection
// resolves mysql.service.consul on Consul's DNS.

import { consulLookupSource, needsRegisteredProxies } from './consul-lookup.ts';
import { defineClientConfig, describeGoPool } from './types.ts';

export const consulDns = defineClientConfig({
  name: 'consul-dns',
  consul: 'registered',
  serve: 'every-proxy',
  problem: (s) => needsRegisteredProxies('consul-dns', s),
  describe: (s) =>
    `each new connection resolving mysql.service.consul on Consul DNS (every proxy registered with a TCP check, ${describeGoPool(s)})`,
  source: (s, ctx) => consulLookupSource('consul-dns', s, ctx),
});
