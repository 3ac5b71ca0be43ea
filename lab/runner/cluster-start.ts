// Starts (or connects to) the scenario's cluster with the provider `topology.provider` names. A
// small local pick for now; lab/providers/registry.ts is to replace it with one `start` per provider.

import { registerCleanup } from '../lifecycle/cleanup.ts';
import { startLocalCluster, type LocalCluster } from '../providers/local/cluster.ts';
import { connectExternal } from '../providers/external/cluster.ts';
import { startDockerCluster } from '../providers/docker/provider.ts';
import { loadTarget, TargetError } from '../providers/external/target.ts';
import type { Scenario } from '../scenario/types.ts';
import type { TopologyOptions } from './topology-options.ts';

/** Galera options of `failureDetection: fast`: a departed node is noticed in seconds, not ~10 s. */
export const FAST_FAILURE_DETECTION = 'evs.suspect_timeout=PT2S;evs.inactive_timeout=PT3S;evs.keepalive_period=PT0.5S';

type Start = (s: Scenario, o: TopologyOptions) => Promise<LocalCluster>;

const PROVIDERS: Record<Scenario['topology']['provider'], Start> = {
  local: startLocal,
  docker: startDocker,
  external: startExternal,
};

export function startCluster(s: Scenario, o: TopologyOptions): Promise<LocalCluster> {
  return PROVIDERS[s.topology.provider](s, o);
}

async function startLocal(s: Scenario, o: TopologyOptions): Promise<LocalCluster> {
  const t0 = Date.now();
  o.log(`cluster: starting ${s.topology.nodes} Galera node(s) on ${o.addressBase}.${11}…`);
  const cluster = await startLocalCluster({
    nodes: s.topology.nodes,
    addressBase: o.addressBase,
    firstHost: 11,
    logDir: o.logDir,
    log: o.log,
    ...(s.topology.failureDetection === 'fast' ? { extraProviderOptions: FAST_FAILURE_DETECTION } : {}),
  });
  o.log(`cluster: ${cluster.nodes.length} node(s) Synced in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return cluster;
}

async function startDocker(s: Scenario, o: TopologyOptions): Promise<LocalCluster> {
  const t0 = Date.now();
  o.log(`cluster: starting ${s.topology.nodes} Galera node(s) as containers of the MariaDB image…`);
  const docker = await startDockerCluster({
    nodes: s.topology.nodes,
    engine: s.topology.engine ?? 'auto',
    logDir: o.logDir,
    log: o.log,
    ...(s.topology.failureDetection === 'fast' ? { providerOptions: FAST_FAILURE_DETECTION } : {}),
  });
  o.notes.push(`cluster: Docker containers on ${docker.engine === 'lab' ? "the lab's own Docker-compatible engine (lab/docker-engine)" : 'a Docker engine'}`);
  o.log(`cluster: ${docker.nodes.length} node(s) Synced in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return docker;
}

async function startExternal(s: Scenario, o: TopologyOptions): Promise<LocalCluster> {
  const target = loadTarget(s.topology.target!);
  if (target.hosts.length !== s.topology.nodes) {
    throw new TargetError(s.topology.target!, [`hosts: the scenario's topology.nodes is ${s.topology.nodes} but the target lists ${target.hosts.length} host(s); make them equal`]);
  }
  const ext = await connectExternal(target, o.log);
  // Registered like the local cluster's stop, so Ctrl-C removes the owned temp dir too.
  const unregisterExt = registerCleanup('external target temp dir', () => ext.stop());
  return {
    ...ext,
    async stop() {
      unregisterExt();
      await ext.stop();
    },
  };
}
