// What a scenario runs on, started in four parts: the cluster (cluster-start.ts, by
// topology.provider), the routing (routing-start.ts: healthchecks, switchboards, Toxiproxy links,
// Consul), the clients' connection sources (client-sources.ts, from the client configurations
// table) and, at the end, the final read (final-read.ts). Addresses: node i on <base>.(11+i),
// proxy p on <base>.(21+p), all port 3306; healthchecks on the node's address, port 9200, as
// galera-healthcheck runs beside each node.

import type { HistoryWriter } from '../history/writer.ts';
import { registerCleanup } from '../lifecycle/cleanup.ts';
import type { Cluster } from '../providers/cluster.ts';
import type { HealthcheckHandle } from '../routing/healthcheck/server.ts';
import type { SwitchboardHandle } from '../routing/switchboard/proxy.ts';
import type { ProxyControl } from '../nemesis/nemesis.ts';
import type { Scenario } from '../scenario/types.ts';
import type { FaultProxies } from '../toxiproxy/driver.ts';
import type { Executor, Workload } from '../workload/types.ts';
import { coldLease, type ClusterStart, type WarmClusters } from './warm.ts';
import { startRouting } from './routing-start.ts';
import { SERVICE } from '../routing/leader.ts';
import type { Routing } from './routing-state.ts';
import { emptyRouting } from './routing-state.ts';
import { proxyControlOf } from './switchboards-start.ts';
import {
  notKeepable,
  parkRouting,
  resumeRouting,
  shapeOf,
  stopRouting,
  type KeptRouting,
} from './warm-routing.ts';
import { routingKey } from './warm-routing-state.ts';
import { clientSources, createClientPools } from './client-sources.ts';
import { finalRead } from './final-read.ts';
import type { TopologyOptions } from './topology-options.ts';

export { FAST_FAILURE_DETECTION } from './cluster-start.ts';
export { HEALTHCHECK_PORT } from './switchboards-start.ts';
export type { Target } from '../client/configs/index.ts';
export type { TopologyOptions } from './topology-options.ts';

export interface Topology {
  cluster: Cluster;
  /** Whether the cluster was started for this run (cold) or reused, reset and checked (warm). */
  start: ClusterStart;
  /** Toxiproxy, when the links go through it (topology.links); link faults act on it. */
  links: FaultProxies | null;
  proxies: SwitchboardHandle[];
  healthchecks: HealthcheckHandle[];
  /** Stops and restarts proxies by name (the nemesis's proxy-kill). */
  proxyControl: ProxyControl;
  /** What the history records as a client's proxy: its target, or its configuration's name when each connection picks anew. */
  clientLabel(client: number): string;
  executorFor(client: number): Executor;
  /** The names of the instances Consul's DNS would answer now (null without Consul), for the route watch. */
  passingNames: (() => Promise<string[]>) | null;
  /** Waits for every node to be Synced, then records a FinalRead op of every BBS table. */
  finalRead(writer: HistoryWriter, nextOpId: () => number): Promise<void>;
  stop(): Promise<void>;
}

/** `warm`: a campaign's kept clusters, so a run of the same topology as the last reuses its cluster (warm.ts). */
export async function startTopology(
  s: Scenario,
  workload: Workload,
  o: TopologyOptions,
  warm?: WarmClusters,
): Promise<Topology> {
  o.phases?.enter('clusterStart');
  const lease = warm ? await warm.take(s, o) : await coldLease(s, o);
  const cluster = lease.cluster;
  // The schema is created through the routing, so it counts as the routing's start.
  o.phases?.enter('routingStart');
  const key = routingKey(s);
  let routing = lease.routing?.routing ?? emptyRouting();
  const pools = createClientPools(cluster, s.clients.poolSize);
  // Registered before anything of the routing starts, so a start that fails half-way stops what it started.
  const stopSide = async () => {
    await pools.end();
    await stopRouting(routing);
  };
  const unregisterSide = registerCleanup('proxies, healthchecks and client pools', stopSide);
  const routingStart = await takeRouting(lease.routing, key, s, cluster, o, () => {
    routing = emptyRouting();
    return routing;
  });
  lease.start.routing = routingStart;

  // The schema, created once through the first target, as the BBS's migration would.
  await workload.setup(pools.pool(routing.targets[0]!));
  const sources = clientSources(s, workload, pools, routing);
  const n1 = cluster.nodes[0]!;

  return {
    cluster,
    start: lease.start,
    links: routing.links,
    proxies: routing.proxies,
    healthchecks: routing.healthchecks,
    proxyControl: proxyControlOf(routing),
    clientLabel: sources.label,
    executorFor: sources.executor,
    passingNames: routing.consul ? () => passingNames(routing) : null,
    finalRead: (writer, nextOpId) =>
      finalRead({
        cluster,
        workload,
        direct: pools.pool({ name: `final-${n1.name}`, host: n1.host, port: n1.port }),
        writer,
        nextOpId,
        notes: o.notes,
      }),
    async stop() {
      unregisterSide();
      await pools.end();
      // A campaign keeps the cluster and the parked routing for its next run (checked then); else
      // both stop.
      const why = lease.keepsRouting ? notKeepable(routing) : 'nothing keeps it';
      if (why === null) {
        try {
          await parkRouting(routing);
          return await lease.release(true, { key, routing, shape: shapeOf(routing) });
        } catch (e) {
          o.log(`routing: could not be parked (${(e as Error).message}); stopping it`);
        }
      }
      await stopRouting(routing);
      await lease.release(true);
    },
  };
}

/**
 * The run's routing: the parked one resumed when it fits and checks clean, else a fresh start into
 * `fresh()` (after stopping the parked one), with the reason either way.
 */
async function takeRouting(
  kept: KeptRouting | null,
  key: string,
  s: Scenario,
  cluster: Cluster,
  o: TopologyOptions,
  fresh: () => Routing,
): Promise<{ kind: 'warm' | 'cold'; why: string }> {
  let why = 'no routing kept from an earlier run';
  if (kept && kept.key !== key) why = 'the previous run had another routing';
  else if (kept) {
    const t0 = Date.now();
    let problems: string[];
    try {
      problems = await resumeRouting(kept, s, cluster, o);
    } catch (e) {
      problems = [(e as Error).message.split('\n')[0]!];
    }
    if (problems.length === 0) {
      const start = {
        kind: 'warm' as const,
        why: `reused the previous run's proxies, healthchecks, Consul and links, reset and checked clean in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      };
      o.log(`routing: warm: ${start.why}`);
      return start;
    }
    why = `the reset of the previous run's routing failed (${problems.join('; ')})`;
    o.log(`routing: ${why}; starting a fresh routing`);
  }
  if (kept) await stopRouting(kept.routing);
  await startRouting(s, cluster, o, fresh());
  return { kind: 'cold', why };
}

/** Consul's passing `mysql` instances by name: a proxy by its listen address, a node by its target's. */
async function passingNames(r: Routing): Promise<string[]> {
  const addrs = await r.consul!.passingAddresses(SERVICE);
  const proxies = [...r.proxyOptions.values()];
  return addrs.map(
    (a) =>
      proxies.find((p) => p.listen.host === a)?.name ??
      r.targets.find((t) => t.host === a)?.name ??
      a,
  );
}
