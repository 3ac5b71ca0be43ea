// A Docker-Engine-API-compatible server inside the lab, for machines without a Docker engine: the
// subset of the Engine API dockerode uses for lab/providers/docker, on a unix socket, so
// lab/providers/docker runs unchanged here and against dockerd. What it serves, what differs from a
// real engine and how it cleans up: README.md in this folder.

import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { chmodSync, existsSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { registerCleanup } from '../lifecycle/cleanup.ts';
import { ownedTempDir } from '../lifecycle/owned.ts';
import { killGroup } from '../lifecycle/processes.ts';
import { formatSubnetRange, parseSubnetRange, SubnetPool } from './addresses.ts';
import { apiHandler } from './api.ts';
import { ContainerStore } from './containers.ts';
import { ImageStore } from './images.ts';
import { NetworkStore } from './networks.ts';

export const ENGINE_DIR_TAG = 'engine-';
/**
 * Where the lab's engine puts its networks unless told otherwise (BBS_LAB_ENGINE_SUBNETS or the
 * option).
 */
export const DEFAULT_SUBNETS = '127.0.100-127.0.109';

export interface DockerEngineOptions {
  /** Unix socket to listen on; default <work dir>/docker.sock. */
  socketPath?: string;
  /** Listen on 127.0.0.1:<port> instead of a socket (0: a free port). */
  tcpPort?: number;
  /**
   * The /24s networks get, e.g. "127.0.50-127.0.59"; default BBS_LAB_ENGINE_SUBNETS or
   * DEFAULT_SUBNETS.
   */
  subnets?: string;
  log?: (m: string) => void;
}

export interface DockerEngine {
  /** The socket dockerode should use (null with tcpPort). */
  socketPath: string | null;
  /** "unix:///…" or "tcp://127.0.0.1:port": what DOCKER_HOST would be. */
  host: string;
  /** dockerode's options for this engine. */
  dockerOptions: { socketPath: string } | { host: string; port: number; protocol: 'http' };
  workDir: string;
  subnets: string;
  stop(): Promise<void>;
}

export async function startDockerEngine(o: DockerEngineOptions = {}): Promise<DockerEngine> {
  const log = o.log ?? (() => {});
  const range = parseSubnetRange(
    o.subnets ?? process.env.BBS_LAB_ENGINE_SUBNETS ?? DEFAULT_SUBNETS,
  );
  const subnets = formatSubnetRange(range);
  const workDir = ownedTempDir({ engine: true, subnets }, { tag: ENGINE_DIR_TAG });
  // Traversable, not listable: mariadbd runs as mysql inside a container's directory.
  chmodSync(workDir, 0o711);
  const images = new ImageStore();
  const networks = new NetworkStore(new SubnetPool(range));
  const containers = new ContainerStore(workDir, images, networks, log);
  const server: Server = createServer(apiHandler({ images, networks, containers, subnets, log }));
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5_000;

  const socketPath =
    o.tcpPort === undefined ? (o.socketPath ?? join(workDir, 'docker.sock')) : null;
  if (socketPath && existsSync(socketPath)) {
    // A socket left by an engine that is gone; a live one answers and is not ours to take.
    const alive = await new Promise<boolean>((resolve) => {
      const s = connect(socketPath, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (alive) {
      rmSync(workDir, { recursive: true, force: true });
      throw new Error(
        `${socketPath}: something already listens there; give the lab's engine another --socket`,
      );
    }
    unlinkSync(socketPath);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      resolve();
    };
    if (socketPath) server.listen(socketPath, done);
    else server.listen(o.tcpPort, '127.0.0.1', done);
  });
  const port = socketPath ? 0 : (server.address() as { port: number }).port;

  let stopped: Promise<void> | null = null;
  const stop = () =>
    (stopped ??= (async () => {
      unregister();
      // Container processes are unref'd: once the server is closed nothing else may keep Node's
      // event loop alive, and it must not end before every container is gone.
      const keepAlive = setInterval(() => {}, 1000);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // Every container goes, running or not: SIGKILL to each group, then the directories.
      for (const c of containers.all())
        await containers
          .remove(c, true)
          .catch(() => (c.proc ? killGroup(c.proc.pid, 'SIGKILL') : undefined));
      await networks.close();
      if (socketPath && existsSync(socketPath)) unlinkSync(socketPath);
      rmSync(workDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      clearInterval(keepAlive);
      log(`engine: stopped, ${workDir} removed`);
    })());
  const unregister = registerCleanup(`the lab's Docker engine (${workDir})`, stop);
  log(
    `engine: listening on ${socketPath ?? `127.0.0.1:${port}`}, networks in ${subnets}, work dir ${workDir}`,
  );
  return {
    socketPath,
    host: socketPath ? `unix://${socketPath}` : `tcp://127.0.0.1:${port}`,
    dockerOptions: socketPath ? { socketPath } : { host: '127.0.0.1', port, protocol: 'http' },
    workDir,
    subnets,
    stop,
  };
}
