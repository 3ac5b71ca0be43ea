// The providers by the name `topology.provider` gives them: what each can do to its nodes (static,
// so the scenario validator refuses a fault whose ability the provider lacks before anything
// starts) and how each starts a cluster. Each start is imported when used, so validating a
// scenario loads no provider.

import type { Ability, Cluster } from './cluster.ts';
import { disconnectProblem } from './docker/disconnect.ts';
import { detectionProviderOptions, FAST_DETECTION } from './galera-detection.ts';

export type ProviderName = 'local' | 'docker' | 'external' | 'ssh';

/** What starting a cluster needs from the scenario and the run. */
export interface ProviderStartOptions {
  nodes: 1 | 3 | 5;
  failureDetection: 'default' | 'fast';
  /**
   * The evs.* wsrep_provider_options every node starts with ('' for Galera's defaults;
   * lab/providers/galera-detection.ts).
   */
  detectionOptions: string;
  /** docker: which engine. */
  engine?: 'auto' | 'real' | 'lab';
  /** external, ssh: the target YAML. */
  target?: string;
  /**
   * The fault kinds the scenario's nemesis uses (an ssh target in attach mode allows some only).
   */
  faultKinds: readonly string[];
  /** local: first three octets of the nodes' loopback addresses. */
  addressBase: string;
  /** Where each node's log is copied when the cluster stops; left out, nowhere. */
  logDir?: string;
  log: (msg: string) => void;
  /** Lab events worth a line in the report. */
  notes: string[];
}

export interface ProviderDef {
  abilities: readonly Ability[];
  /**
   * Partition shapes the provider cannot make (its partition ability's refuse(), known before the
   * run): how it partitions, and why a target on `nodes` nodes cannot be made, or null.
   */
  partitionShapes?: { how: string; problem(target: string, nodes: number): string | null };
  start(o: ProviderStartOptions): Promise<Cluster>;
}

/** Galera options of `failureDetection: fast`: a departed node is noticed in seconds, not ~10 s. */
export const FAST_FAILURE_DETECTION = detectionProviderOptions(FAST_DETECTION);

const synced = (o: ProviderStartOptions, c: Cluster, t0: number) =>
  o.log(`cluster: ${c.nodes.length} node(s) Synced in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

export const PROVIDERS: Readonly<Record<ProviderName, ProviderDef>> = {
  local: {
    abilities: ['kill', 'pause', 'partition', 'admin'],
    async start(o) {
      const t0 = Date.now();
      const { startLocalCluster } = await import('./local/cluster.ts');
      o.log(`cluster: starting ${o.nodes} Galera node(s) on ${o.addressBase}.${11}…`);
      const cluster = await startLocalCluster({
        nodes: o.nodes,
        addressBase: o.addressBase,
        firstHost: 11,
        logDir: o.logDir,
        log: o.log,
        ...(o.detectionOptions ? { extraProviderOptions: o.detectionOptions } : {}),
      });
      synced(o, cluster, t0);
      return cluster;
    },
  },
  docker: {
    abilities: ['kill', 'pause', 'partition'],
    partitionShapes: {
      how: 'partitions by network disconnect',
      problem: disconnectProblem,
    },
    async start(o) {
      const t0 = Date.now();
      const { startDockerCluster } = await import('./docker/provider.ts');
      o.log(`cluster: starting ${o.nodes} Galera node(s) as containers of the MariaDB image…`);
      const docker = await startDockerCluster({
        nodes: o.nodes,
        engine: o.engine ?? 'auto',
        logDir: o.logDir,
        log: o.log,
        ...(o.detectionOptions ? { providerOptions: o.detectionOptions } : {}),
      });
      o.notes.push(
        `cluster: Docker containers on ${docker.engine === 'lab' ? "the lab's own Docker-compatible engine (lab/docker-engine)" : 'a Docker engine'}`,
      );
      synced(o, docker, t0);
      return docker;
    },
  },
  external: {
    abilities: [],
    async start(o) {
      const [{ connectExternal }, { loadTarget, TargetError }, { registerCleanup }] =
        await Promise.all([
          import('./external/cluster.ts'),
          import('./external/target.ts'),
          import('../lifecycle/cleanup.ts'),
        ]);
      const target = loadTarget(o.target!);
      if (target.hosts.length !== o.nodes) {
        throw new TargetError(o.target!, [
          `hosts: the scenario's topology.nodes is ${o.nodes} but the target lists ${target.hosts.length} host(s); make them equal`,
        ]);
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
    },
  },
  ssh: {
    // Install mode has every ability; attach mode only those its target file lists commands for,
    // checked against the scenario's faults when the run starts, before anything connects (the
    // validator does not read target files).
    abilities: ['kill', 'pause', 'partition', 'admin'],
    async start(o) {
      const { startSshProvider } = await import('./ssh/run.ts');
      return startSshProvider(o);
    },
  },
};
