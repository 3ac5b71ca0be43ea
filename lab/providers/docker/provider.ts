// The Docker provider: the Cluster contract from real images (specs.ts) on a network of the run's
// own, with the kill, pause and partition (by network disconnect) abilities;
// lab/providers/README.md says how each maps to the engine and which engine is used.

import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Docker from 'dockerode';
import { registerCleanup } from '../../lifecycle/cleanup.ts';
import { processAlive } from '../../lifecycle/process-alive.ts';
import { ownedTempDir } from '../../lifecycle/owned.ts';
import { NOT_A_MEMBER, readNodeStatus } from '../wsrep-status.ts';
import { ClusterStartError } from '../../mariadb/install.ts';
import type { ClusterWith, NodeStatus, PartitionAbility } from '../cluster.ts';
import { loneNode } from './disconnect.ts';
import {
  connectDockerEngine,
  dockerAvailable,
  type EngineChoice,
  type EngineHandle,
} from './engine-choice.ts';
import {
  labelFilter,
  LABEL_OWNER,
  networkName,
  nodeSpec,
  topologySpecs,
  type ContainerSpec,
  type DockerTopology,
} from './specs.ts';

export { dockerAvailable } from './engine-choice.ts';

async function ensureImage(docker: Docker, image: string, log: (m: string) => void): Promise<void> {
  try {
    await docker.getImage(image).inspect();
    return;
  } catch {
    log(`docker: pulling ${image}…`);
  }
  const stream = await docker.pull(image);
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
  );
}

async function create(docker: Docker, spec: ContainerSpec): Promise<Docker.Container> {
  const c = await docker.createContainer(spec as unknown as Docker.ContainerCreateOptions);
  await c.start();
  return c;
}

/** The text of a non-TTY container's logs (the multiplexed stream: 8-byte frame headers). */
export function demuxLogs(buf: Buffer): string {
  const parts: string[] = [];
  let i = 0;
  while (
    i + 8 <= buf.length &&
    (buf[i] === 1 || buf[i] === 2) &&
    buf[i + 1] === 0 &&
    buf[i + 2] === 0 &&
    buf[i + 3] === 0
  ) {
    const size = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + size).toString('utf8'));
    i += 8 + size;
  }
  return i === 0 ? buf.toString('utf8') : parts.join('');
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * A base port whose next `count` ports are free on 127.0.0.1 (the nodes' published MySQL ports).
 */
export async function freePortRange(count: number, from = 33060, to = 60000): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = from + Math.floor(Math.random() * (to - from - count));
    let ok = true;
    for (let p = base; p < base + count && ok; p++) ok = await portFree(p);
    if (ok) return base;
  }
  throw new Error(
    `docker: found no ${count} free consecutive ports on 127.0.0.1 between ${from} and ${to}`,
  );
}

export interface DockerClusterOptions {
  nodes: 1 | 3 | 5;
  runId?: string;
  /** Node i publishes MySQL on 127.0.0.1:basePort+i; default a free range. */
  basePort?: number;
  providerOptions?: string;
  syncTimeoutMs?: number;
  log?: (m: string) => void;
  /** An engine client to use; without it, `engine` picks one (engine-choice.ts). */
  docker?: Docker;
  engine?: EngineChoice;
  /**
   * The lab's engine: the /24s its networks get (default BBS_LAB_ENGINE_SUBNETS or its own
   * default).
   */
  subnets?: string;
  /** Where each node's log (the container's output) is copied when the cluster stops. */
  logDir?: string;
}

export type DockerCluster = ClusterWith<'kill' | 'pause' | 'partition'> & {
  /** 'real' or 'lab' (the lab's own engine); 'given' when the caller passed a client. */
  engine: 'real' | 'lab' | 'given';
  runId: string;
  /** The engine client, for tests and tools. */
  docker: Docker;
};

export async function startDockerCluster(o: DockerClusterOptions): Promise<DockerCluster> {
  const log = o.log ?? (() => {});
  const handle: EngineHandle | null = o.docker
    ? null
    : await connectDockerEngine(o.engine ?? 'auto', {
        ...(o.subnets ? { subnets: o.subnets } : {}),
        log,
      });
  const docker = o.docker ?? handle!.docker;
  if (handle) log(`docker: using ${handle.describe}`);
  const t: DockerTopology = {
    runId: o.runId ?? randomBytes(4).toString('hex'),
    nodes: o.nodes,
    basePort: o.basePort ?? (await freePortRange(o.nodes)),
    rootPassword: randomBytes(12).toString('hex'),
    user: 'bbslab',
    password: randomBytes(12).toString('hex'),
    database: 'bbs',
    toxiproxy: false,
    consul: false,
    ...(o.providerOptions ? { providerOptions: o.providerOptions } : {}),
  };
  // A temp dir of the lab's own, as the local provider has: `bbs-lab cleanup` finds it, and the
  // runner records external Toxiproxy proxies in it.
  const workDir = ownedTempDir({ docker: t.runId }, { tag: 'docker-' });
  const { network, containers } = topologySpecs(t);
  const byName = new Map<string, Docker.Container>();
  const nodes = Array.from({ length: t.nodes }, (_, i) => ({
    name: `n${i + 1}`,
    host: '127.0.0.1',
    port: t.basePort + i,
    ordinal: i,
  }));
  const containerName = (name: string) => containers[Number(name.slice(1)) - 1]?.name ?? name;

  const nodeLog = async (name: string, tail?: number): Promise<string> => {
    const c = byName.get(name);
    if (!c) return '';
    const raw = (await c
      .logs({ stdout: true, stderr: true, follow: false, ...(tail ? { tail } : {}) })
      .catch(() => Buffer.alloc(0))) as unknown as Buffer;
    return demuxLogs(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    unregister();
    if (o.logDir) {
      mkdirSync(o.logDir, { recursive: true });
      for (const n of nodes) writeFileSync(join(o.logDir, `${n.name}.err`), await nodeLog(n.name));
    }
    try {
      await removeRun(docker, t.runId);
    } finally {
      await handle?.close();
      rmSync(workDir, { recursive: true, force: true });
    }
  };
  const unregister = registerCleanup(`docker cluster ${t.runId}`, stop);

  try {
    for (const image of new Set(containers.map((c) => c.Image)))
      await ensureImage(docker, image, log);
    await docker.createNetwork(network);
    const status = async (name: string): Promise<NodeStatus> => {
      const n = nodes.find((x) => x.name === name);
      if (!n) throw new Error(`no node ${name}; nodes are ${nodes.map((x) => x.name).join(', ')}`);
      return (
        (await readNodeStatus({
          host: n.host,
          port: n.port,
          user: 'root',
          password: t.rootPassword,
          connectTimeout: 3000,
        })) ?? NOT_A_MEMBER
      );
    };
    const waitSynced = async (name: string, size: number, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const st = await status(name).catch(() => null);
        if (st && st.localState === 4 && st.clusterSize === size && st.clusterStatus === 'Primary')
          return;
        const state = await byName
          .get(name)
          ?.inspect()
          .then((x) => x.State)
          .catch(() => null);
        if (state && !state.Running)
          throw new ClusterStartError(
            `docker: ${name} exited (${state.ExitCode}) before it was Synced; its log ends:\n${(await nodeLog(name, 25)).trimEnd()}`,
          );
        if (Date.now() > deadline)
          throw new ClusterStartError(
            `docker: ${name} not Synced in a cluster of ${size} within ${timeoutMs / 1000} s; its log ends:\n${(await nodeLog(name, 25)).trimEnd()}`,
          );
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    for (const [i, spec] of containers.entries()) {
      byName.set(`n${i + 1}`, await create(docker, spec));
      // Joiners need a Primary component to join: wait for each before starting the next.
      await waitSynced(`n${i + 1}`, i + 1, o.syncTimeoutMs ?? 180_000);
      log(`docker: n${i + 1} Synced (${spec.name}, 127.0.0.1:${t.basePort + i})`);
    }
    const container = (name: string) => {
      const c = byName.get(name);
      if (!c) throw new Error(`no node ${name}; nodes are ${nodes.map((x) => x.name).join(', ')}`);
      return c;
    };
    const net = docker.getNetwork(networkName(t.runId));
    return {
      provider: 'docker',
      engine: handle ? handle.kind : 'given',
      runId: t.runId,
      docker,
      nodes,
      user: t.user,
      password: t.password,
      database: t.database,
      workDir,
      status,
      abilities: {
        kill: {
          kill: async (name) => {
            const c = container(name);
            if ((await c.inspect()).State.Running) await c.kill({ signal: 'SIGKILL' });
          },
          restart: async (name) => {
            const i = Number(name.slice(1)) - 1;
            if (i === 0) {
              // n1's command bootstraps a new cluster; it must come back as a joiner instead.
              await container(name).remove({ force: true });
              const spec = nodeSpec(t, 0);
              spec.Cmd = spec.Cmd.filter((a) => a !== '--wsrep-new-cluster').map((a) =>
                a.startsWith('--wsrep-cluster-address=')
                  ? `--wsrep-cluster-address=gcomm://${nodes.map((n) => n.name).join(',')}`
                  : a,
              );
              byName.set(name, await create(docker, spec));
            } else await container(name).start();
          },
        },
        pause: {
          pause: async (name) =>
            void (await container(name)
              .pause()
              .catch((e: Error) => log(`docker: pause ${name}: ${e.message}`))),
          resume: async (name) =>
            void (await container(name)
              .unpause()
              .catch((e: Error) => log(`docker: unpause ${name}: ${e.message}`))),
        },
        partition: disconnectPartition(
          async (name) => void (await net.disconnect({ Container: containerName(name) })),
          async (name) =>
            void (await net.connect({
              Container: containerName(name),
              EndpointConfig: { Aliases: [name] },
            })),
        ),
      },
      waitSynced,
      stop,
    };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}

/**
 * Partitions by network disconnect: a disconnect cuts one node off from every other, so only a cut
 * with one node alone on a side can be made. Overlapping cuts of one node are counted, and it is
 * connected again when the last heals.
 */
export function disconnectPartition(
  disconnect: (node: string) => Promise<void>,
  connect: (node: string) => Promise<void>,
): PartitionAbility {
  const cuts = new Map<string, string>();
  const count = (node: string) => [...cuts.values()].filter((n) => n === node).length;
  return {
    refuse: ([a, b]) =>
      loneNode([a, b])
        ? null
        : `splits ${a.join(',')} from ${b.join(',')}; this provider partitions by network disconnect, which cuts off one node only`,
    async cut(id, sides) {
      const alone = loneNode(sides);
      if (!alone) throw new Error(this.refuse(sides)!);
      const before = count(alone);
      cuts.set(id, alone);
      if (before === 0) await disconnect(alone);
    },
    async heal(id) {
      const alone = cuts.get(id);
      if (alone === undefined) return;
      cuts.delete(id);
      if (count(alone) === 0) await connect(alone);
    },
  };
}

/** Removes every container and network of one run. */
export async function removeRun(docker: Docker, runId: string): Promise<void> {
  const filters = JSON.stringify(labelFilter(runId));
  for (const c of await docker.listContainers({ all: true, filters }))
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
  for (const n of await docker.listNetworks({ filters }))
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => undefined);
}

/** Containers and networks of labs whose process is gone (or of every lab with force). */
export async function removeDockerLeftovers(
  opts: { force?: boolean; docker?: Docker } = {},
): Promise<string[]> {
  const docker = opts.docker ?? new Docker();
  if (!(await dockerAvailable(docker))) return [];
  const removed: string[] = [];
  const filters = JSON.stringify(labelFilter());
  for (const c of await docker.listContainers({ all: true, filters })) {
    const pid = Number(c.Labels[LABEL_OWNER]);
    if (!opts.force && Number.isInteger(pid) && processAlive(pid)) continue;
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
    removed.push(`container ${c.Names[0] ?? c.Id}`);
  }
  for (const n of await docker.listNetworks({ filters })) {
    const pid = Number(n.Labels?.[LABEL_OWNER]);
    if (!opts.force && Number.isInteger(pid) && processAlive(pid)) continue;
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => undefined);
    removed.push(`network ${n.Name}`);
  }
  return removed;
}
