// Starts how clients reach the nodes: the Toxiproxy links (when the scenario routes them), Consul
// (when the client configuration needs it), the switchboards with their healthchecks, the proxies'
// Consul registration or lock, and the client → target links (<base>.(31 + t):3306); under
// consul-dns-nodes, the nodes' healthchecks and the nodes' Consul registration. Everything
// started goes into one `Routing`, filled as it starts, so a failed start can still stop it all.

import type { Cluster } from '../providers/cluster.ts';
import type { Scenario } from '../scenario/types.ts';
import { usesToxiproxy } from '../scenario/validate.ts';
import { connectToxiproxy, type FaultProxies } from '../toxiproxy/driver.ts';
import { recordExternalProxies } from '../toxiproxy/leftovers.ts';
import type { ConsulHandle } from '../consul/driver.ts';
import { describeConsul, labConsul } from '../consul/connection.ts';
import { LOCK_KEY, SERVICE, startProxyConsul, type ProxyRef } from '../routing/leader.ts';
import { clientConfig } from '../client/configs/index.ts';
import type { Routing, ThroughLink } from './routing-state.ts';
import { HEALTHCHECK_PORT, startSwitchboards } from './switchboards-start.ts';
import { startHealthchecks } from '../routing/healthcheck/server.ts';
import { NODE_CHECK_INTERVAL, registerNodes } from '../routing/consul-nodes.ts';
import type { TopologyOptions } from './topology-options.ts';

/** The name the proxies register under in Consul, as clients resolve it. */
export const CONSUL_SERVICE_NAME = `${SERVICE}.service.consul`;

/** Starts the routing into `r` (see the header for the order). */
export async function startRouting(
  s: Scenario,
  cluster: Cluster,
  o: TopologyOptions,
  r: Routing,
): Promise<void> {
  r.links = usesToxiproxy(s) ? await connectToxiproxy() : null;
  if (r.links)
    o.log(
      `links: through ${r.links.embedded ? "the lab's own Toxiproxy-compatible server" : 'Toxiproxy'} at ${r.links.url}`,
    );
  const throughLink = linkMaker(r.links, cluster, r.linkNames);

  const config = clientConfig(s.clients.config);
  r.consul = config.consul ? await labConsul({ host: `${o.addressBase}.9` }) : null;
  if (r.consul) o.log(`consul: ${describeConsul(r.consul)}`);

  if (s.topology.proxies > 0) {
    await startSwitchboards(s, cluster, o, r, throughLink);
    if (r.consul) await joinConsul(s, o, r, r.consul);
  } else {
    for (const n of cluster.nodes) r.targets.push({ name: n.name, host: n.host, port: n.port });
  }

  if (r.links) {
    for (const [i, t] of r.targets.entries())
      r.targets[i] = await throughLink(`client-${t.name}`, `${o.addressBase}.${31 + i}`, t);
  }
  if (r.consul && config.consul === 'nodes')
    await registerNodesInConsul(s, cluster, o, r, r.consul);
}

/**
 * consul-dns-nodes: a galera-healthcheck per node (no switchboard starts them; a kept routing
 * already has them), and each node a Consul instance checked by it.
 */
export async function registerNodesInConsul(
  s: Scenario,
  cluster: Cluster,
  o: TopologyOptions,
  r: Routing,
  consul: ConsulHandle,
): Promise<void> {
  if (r.healthchecks.length === 0)
    r.healthchecks.push(
      ...(await startHealthchecks(cluster.nodes, cluster, {
        port: s.topology.provider === 'docker' ? 0 : HEALTHCHECK_PORT,
      })),
    );
  const nodes = r.targets.map((t, i) => ({
    name: cluster.nodes[i]!.name,
    host: t.host,
    port: t.port,
    healthcheckUrl: r.healthchecks[i]!.baseUrl,
  }));
  await registerNodes(consul, nodes, 60_000);
  o.log(
    `consul: ${nodes.length} nodes registered as ${CONSUL_SERVICE_NAME}, each checked by its galera-healthcheck every ${NODE_CHECK_INTERVAL}`,
  );
}

function linkMaker(links: FaultProxies | null, cluster: Cluster, made: string[]): ThroughLink {
  const externalLinks: string[] = [];
  return async (name, host, upstream) => {
    if (!links) return upstream;
    await links.createProxy(name, `${host}:3306`, `${upstream.host}:${upstream.port}`);
    made.push(name);
    if (!links.embedded) {
      // So `bbs-lab cleanup` can delete them from a real Toxiproxy if this lab is SIGKILLed.
      externalLinks.push(name);
      recordExternalProxies(cluster.workDir, links.url, externalLinks);
    }
    return { name: upstream.name, host, port: 3306 };
  };
}

/** Registers every proxy in Consul, or has them campaign for the lock, as the client configuration says. */
export async function joinConsul(
  s: Scenario,
  o: TopologyOptions,
  r: Routing,
  consul: ConsulHandle,
): Promise<void> {
  const mode = clientConfig(s.clients.config).consul === 'leader' ? 'leader' : 'registered';
  const refs: ProxyRef[] = [...r.proxyOptions.values()].map((opts) => ({
    name: opts.name,
    host: opts.listen.host,
    port: opts.listen.port,
    handle: () => r.proxies.find((x) => x.name === opts.name),
  }));
  r.proxyConsul = await startProxyConsul(consul, refs, {
    mode,
    ttl: '10s',
    lockDelay: '1s',
    // Leadership changes reach the report from the history, with their times.
    onEvent: (e) =>
      o.writer.append({
        type: 'nemesis',
        phase: 'event',
        fault: e.proxy,
        kind: `consul-${e.event}`,
        detail: e,
      }),
  });
  await r.proxyConsul.ready(60_000);
  o.log(
    `consul: ${mode === 'leader' ? `${r.proxyConsul.leader()} holds ${LOCK_KEY} and serves` : `${refs.length} proxies registered as ${SERVICE}.service.consul`}`,
  );
}

export async function stopConsul(r: Routing): Promise<void> {
  await r.proxyConsul?.stop();
  await r.consul?.close();
}
