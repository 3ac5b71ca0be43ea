// The Docker provider: the same cluster interface as the local provider, from real images
// (specs.ts) on a network of the run's own. Node faults map to the engine: kill → container kill
// (SIGKILL), restart → start again (the bootstrap node is recreated to join, since its command
// bootstraps a new cluster), pause → docker pause (the cgroup freezer), partition → disconnect
// from the run's network. Everything it creates carries the run's labels; removeDockerLeftovers
// finds exactly those of labs that are gone.
//
// Needs a Docker engine (DOCKER_HOST or /var/run/docker.sock). This machine has none: the specs are
// unit-tested, and the engine test is skipped (and says so) where no engine answers.

import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { processAlive } from '../../lifecycle/process-alive.ts';
import { NOT_A_MEMBER, readNodeStatus } from '../wsrep-status.ts';
import type { LocalCluster, NodeStatus } from '../local/cluster.ts';
import { labelFilter, LABEL_OWNER, nodeSpec, topologySpecs, type ContainerSpec, type DockerTopology } from './specs.ts';

export async function dockerAvailable(docker = new Docker()): Promise<boolean> {
  try {
    await Promise.race([docker.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000))]);
    return true;
  } catch {
    return false;
  }
}

async function ensureImage(docker: Docker, image: string, log: (m: string) => void): Promise<void> {
  try {
    await docker.getImage(image).inspect();
    return;
  } catch {
    log(`docker: pulling ${image}…`);
  }
  const stream = await docker.pull(image);
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())));
}

async function create(docker: Docker, spec: ContainerSpec): Promise<Docker.Container> {
  const c = await docker.createContainer(spec as unknown as Docker.ContainerCreateOptions);
  await c.start();
  return c;
}

export interface DockerClusterOptions {
  nodes: 1 | 3 | 5;
  runId?: string;
  basePort?: number;
  providerOptions?: string;
  syncTimeoutMs?: number;
  log?: (m: string) => void;
  docker?: Docker;
}

export async function startDockerCluster(o: DockerClusterOptions): Promise<LocalCluster> {
  const docker = o.docker ?? new Docker();
  const log = o.log ?? (() => {});
  const t: DockerTopology = {
    runId: o.runId ?? randomBytes(4).toString('hex'),
    nodes: o.nodes,
    basePort: o.basePort ?? 33060,
    rootPassword: randomBytes(12).toString('hex'),
    user: 'bbslab',
    password: randomBytes(12).toString('hex'),
    database: 'bbs',
    toxiproxy: false,
    consul: false,
    ...(o.providerOptions ? { providerOptions: o.providerOptions } : {}),
  };
  const { network, containers } = topologySpecs(t);
  const stop = async () => removeRun(docker, t.runId);
  try {
    for (const image of new Set(containers.map((c) => c.Image))) await ensureImage(docker, image, log);
    await docker.createNetwork(network);
    const nodes = Array.from({ length: t.nodes }, (_, i) => ({ name: `n${i + 1}`, host: '127.0.0.1', port: t.basePort + i, ordinal: i }));
    const status = async (name: string): Promise<NodeStatus> => {
      const n = nodes.find((x) => x.name === name)!;
      return (await readNodeStatus({ host: n.host, port: n.port, user: 'root', password: t.rootPassword, connectTimeout: 3000 })) ?? NOT_A_MEMBER;
    };
    const waitSynced = async (name: string, size: number, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const st = await status(name).catch(() => null);
        if (st && st.localState === 4 && st.clusterSize === size) return;
        if (Date.now() > deadline) throw new Error(`docker: ${name} not Synced in a cluster of ${size} within ${timeoutMs / 1000} s`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    };
    const byName = new Map<string, Docker.Container>();
    for (const [i, spec] of containers.entries()) {
      byName.set(`n${i + 1}`, await create(docker, spec));
      // Joiners need a Primary component to join: wait for each before starting the next.
      await waitSynced(`n${i + 1}`, i + 1, o.syncTimeoutMs ?? 180_000);
      log(`docker: n${i + 1} Synced`);
    }
    return {
      nodes,
      user: t.user,
      password: t.password,
      database: t.database,
      workDir: '',
      adminQuery: async () => {
        throw new Error('docker: admin SQL goes through the root account on the published port, not a socket');
      },
      status,
      killNode: async (name) => void (await byName.get(name)!.kill({ signal: 'SIGKILL' })),
      restartNode: async (name) => {
        const i = Number(name.slice(1)) - 1;
        if (i === 0) {
          // n1's command bootstraps a new cluster; it must come back as a joiner instead.
          await byName.get(name)!.remove({ force: true });
          const spec = nodeSpec(t, 0);
          spec.Cmd = spec.Cmd.filter((a) => a !== '--wsrep-new-cluster').map((a) => (a.startsWith('--wsrep-cluster-address=') ? `--wsrep-cluster-address=gcomm://${nodes.map((n) => n.name).join(',')}` : a));
          byName.set(name, await create(docker, spec));
        } else await byName.get(name)!.start();
      },
      pauseNode: (name) => void byName.get(name)!.pause(),
      resumeNode: (name) => void byName.get(name)!.unpause(),
      waitSynced,
      stop,
    };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}

/** Removes every container and network of one run. */
export async function removeRun(docker: Docker, runId: string): Promise<void> {
  const filters = JSON.stringify(labelFilter(runId));
  for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
}

/** Containers and networks of labs whose process is gone (or of every lab with force). */
export async function removeDockerLeftovers(opts: { force?: boolean; docker?: Docker } = {}): Promise<string[]> {
  const docker = opts.docker ?? new Docker();
  if (!(await dockerAvailable(docker))) return [];
  const removed: string[] = [];
  const filters = JSON.stringify(labelFilter());
  for (const c of await docker.listContainers({ all: true, filters })) {
    const pid = Number(c.Labels[LABEL_OWNER]);
    if (!opts.force && Number.isInteger(pid) && processAlive(pid)) continue;
    await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    removed.push(`container ${c.Names[0] ?? c.Id}`);
  }
  for (const n of await docker.listNetworks({ filters })) {
    const pid = Number(n.Labels?.[LABEL_OWNER]);
    if (!opts.force && Number.isInteger(pid) && processAlive(pid)) continue;
    await docker.getNetwork(n.Id).remove().catch(() => undefined);
    removed.push(`network ${n.Name}`);
  }
  return removed;
}
