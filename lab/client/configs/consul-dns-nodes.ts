// consul-dns-nodes: no proxy; every Galera node is an instance of the Consul service `mysql` whose
// check is that node's galera-healthcheck (HTTP GET /: 200 healthy, 503 not), and each new
// connection resolves mysql.service.consul, so a connection dialled after a node fails its check
// goes to another node. Connections live in Go's pool: one on a node that turns unhealthy stays
// there until it breaks or reaches connectionMaxLifetime (a 1047 does not break it).

import { consulLookupSource } from './consul-lookup.ts';
import { defineClientConfig, describeGoPool } from './types.ts';

export const consulDnsNodes = defineClientConfig({
  name: 'consul-dns-nodes',
  consul: 'nodes',
  serve: 'every-proxy',
  problem: (s) =>
    s.clients.via !== 'nodes' || s.topology.proxies !== 0
      ? 'clients.config: consul-dns-nodes registers the Galera nodes themselves in Consul (each checked by its galera-healthcheck); it needs clients.via: nodes and topology.proxies: 0'
      : null,
  describe: (s) =>
    `each new connection resolving mysql.service.consul on Consul DNS, where every node is registered with its galera-healthcheck as the check (${describeGoPool(s)})`,
  source: (s, ctx) => consulLookupSource('consul-dns-nodes', s, ctx),
});
