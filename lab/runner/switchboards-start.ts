// The switchboard side of the routing: a galera-healthcheck per node, the switchboard proxies in
// front of the nodes (each backend through a Toxiproxy link when links are routed), and the
// control the nemesis's proxy-kill uses to stop and restart them. Proxy p listens on
// <base>.(21+p):3306; its link to node i on <base>.(41 + p*N + i).

import type { Cluster } from '../providers/cluster.ts';
import { startHealthchecks } from '../routing/healthcheck/server.ts';
import { startSwitchboard, type SwitchboardOptions } from '../routing/switchboard/proxy.ts';
import type { ProxyControl } from '../nemesis/nemesis.ts';
import type { Scenario } from '../scenario/types.ts';
import { clientConfig } from '../client/configs/index.ts';
import type { Routing, ThroughLink } from './routing-state.ts';
import type { TopologyOptions } from './topology-options.ts';

export const HEALTHCHECK_PORT = 9200;

/**
 * Starts the healthchecks and the proxies into `r`, and waits until each proxy has an active
 * backend.
 */
export async function startSwitchboards(
  s: Scenario,
  cluster: Cluster,
  o: TopologyOptions,
  r: Routing,
  throughLink: ThroughLink,
): Promise<void> {
  // Docker nodes share 127.0.0.1 (each its own published port): their healthchecks take free ports.
  r.healthchecks.push(
    ...(await startHealthchecks(cluster.nodes, cluster, {
      port: s.topology.provider === 'docker' ? 0 : HEALTHCHECK_PORT,
    })),
  );
  for (let p = 0; p < s.topology.proxies; p++) {
    const name = `proxy${p + 1}`;
    const host = `${o.addressBase}.${21 + p}`;
    const backends = [];
    for (const [i, n] of cluster.nodes.entries()) {
      const via = await throughLink(
        `${name}-${n.name}`,
        `${o.addressBase}.${41 + p * cluster.nodes.length + i}`,
        { name: n.name, host: n.host, port: n.port },
      );
      backends.push({
        name: n.name,
        host: via.host,
        port: via.port,
        healthUrl: r.healthchecks[i]!.statusUrl,
      });
    }
    const opts: SwitchboardOptions = {
      name,
      listen: { host, port: 3306 },
      backends,
      rule: s.topology.proxyRule,
      ...runSettings(s, o, p),
    };
    r.proxyOptions.set(name, opts);
    r.proxies.push(await startSwitchboard(opts));
    r.targets.push({ name, host, port: 3306 });
  }
  await activeBackends(r);
  o.log(
    `proxies: ${r.proxies.map((p) => `${p.name} → ${p.activeBackend() ?? 'no active backend'}`).join(', ')}`,
  );
}

/** What proxy p takes from the run (not from the topology): a kept proxy is resumed with these. */
export function runSettings(
  s: Scenario,
  o: Pick<TopologyOptions, 'writer'>,
  p: number,
): Required<Pick<SwitchboardOptions, 'seed' | 'serving' | 'onEvent'>> {
  const name = `proxy${p + 1}`;
  return {
    seed: (s.seed ?? 0) + p,
    // Under a configuration where only the Consul lock holder serves, a proxy waits for the lock.
    serving: clientConfig(s.clients.config).serve === 'every-proxy',
    // The report lists active-backend changes from the history, with their times.
    onEvent: (e) =>
      o.writer.append({
        type: 'nemesis',
        phase: 'event',
        fault: name,
        kind: `proxy-${e.type}`,
        detail: e,
      }),
  };
}

/** Clients connecting before a proxy's first poll would be turned away (no active backend yet). */
export async function activeBackends(r: Routing): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (r.proxies.some((p) => p.activeBackend() === null)) {
    if (Date.now() > deadline)
      throw new Error(
        `proxies found no healthy backend within 30 s: ${r.proxies.map((p) => `${p.name} → ${p.activeBackend() ?? 'none'}`).join(', ')}`,
      );
    await new Promise((res) => setTimeout(res, 100));
  }
}

/**
 * Stops and restarts the proxies of `r` by name; a killed one is out of `r.proxies` until started.
 */
export function proxyControlOf(r: Routing): ProxyControl {
  return {
    names: () => [...r.proxyOptions.keys()],
    async kill(name) {
      const i = r.proxies.findIndex((p) => p.name === name);
      if (i < 0) throw new Error(`no running proxy ${name}`);
      const [p] = r.proxies.splice(i, 1);
      r.proxyConsul?.crashed(name);
      await p!.stop();
    },
    async start(name) {
      const opts = r.proxyOptions.get(name);
      if (!opts) throw new Error(`no proxy ${name}`);
      if (r.proxies.some((p) => p.name === name)) return;
      r.proxies.push(await startSwitchboard(opts));
      await r.proxyConsul?.restarted(name);
    },
  };
}

export async function stopSwitchboards(r: Routing): Promise<void> {
  await Promise.allSettled(r.proxies.map((p) => p.stop()));
  await Promise.allSettled(r.healthchecks.map((h) => h.stop()));
}
