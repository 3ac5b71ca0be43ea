// The connection source of the configurations that find the proxies through Consul's DNS
// (consul-dns, leader-proxy): every new connection looks the service name up again, as Go's
// dialer does; Consul answers the passing instances, shuffled, at most 3.

import { Resolver } from 'node:dns/promises';
import { createDialPool } from '../dial-pool.ts';
import { goPoolOf, type ConnectionSource, type ScenarioView, type SourceContext } from './types.ts';

export function consulLookupSource(
  name: string,
  s: ScenarioView,
  ctx: SourceContext,
): ConnectionSource {
  return {
    name,
    lender: ctx.shared(name, () => {
      const consul = ctx.consul;
      if (!consul)
        throw new Error(`client configuration ${name} needs Consul, but the topology started none`);
      const resolver = new Resolver({ timeout: 1000, tries: 2 });
      resolver.setServers([`${consul.dns.host}:${consul.dns.port}`]);
      const pool = createDialPool({
        candidates: async () => {
          const addrs = await resolver.resolve4(consul.serviceName).catch(() => [] as string[]);
          // An A record has no port: the target at that address gives it (3306 for a proxy).
          return addrs.map(
            (a) => ctx.targets.find((t) => t.host === a) ?? { name: a, host: a, port: 3306 },
          );
        },
        ...ctx.login,
        pool: goPoolOf(s),
        connectTimeoutMs: 5000,
      });
      return { lender: pool, end: () => pool.end() };
    }),
  };
}

/** The rule of both: the proxies are what Consul registers. */
export const needsRegisteredProxies = (name: string, s: ScenarioView): string | null =>
  s.clients.via !== 'proxies' || s.topology.proxies === 0
    ? `clients.config: ${name} registers the switchboard proxies in Consul; it needs via: proxies and topology.proxies of at least 1`
    : null;
