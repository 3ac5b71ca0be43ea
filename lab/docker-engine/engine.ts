// A Docker-Engine-API-compatible server inside the lab, for machines without a Docker engine: it
// serves the subset of the Engine API that dockerode uses for lab/providers/docker (_ping,
// version, info; images inspect and pull; networks create, inspect, list, remove, connect,
// disconnect; containers create, start, stop, restart, kill, pause, unpause, inspect, list with
// JSON `filters`, wait, logs, remove), versioned (/v1.43/…) or not, on a unix socket (or
// 127.0.0.1 TCP). `new Docker({ socketPath })` talks to it as to dockerd.
//
// | module            | job                                                                    |
// | ----------------- | ---------------------------------------------------------------------- |
// | routes.ts, api.ts | paths and versions → handlers; status codes, shapes, {message} errors  |
// | filters.ts        | the `filters` query parameter                                          |
// | images.ts         | the image catalogue (image name → what runs it on this machine)        |
// | networks.ts       | loopback /24 networks, endpoints, disconnects as iptables DROP rules   |
// | addresses.ts      | which /24 a network gets, which address a container gets               |
// | containers.ts     | container state true to its process: start, stop, kill, pause, wait    |
// | ports.ts          | published ports: 127.0.0.1:hostPort → container address                |
// | names.ts          | names of the network → addresses in the command's options              |
// | entrypoints/      | each image's entrypoint (mariadb, toxiproxy, consul)                   |
//
// What differs from a real engine, deliberately:
// - One kernel and one network namespace: a container is a process group on this machine, not a
//   namespace or cgroup. Its processes bind only their container's loopback address, but nothing
//   stops a process from binding another; there is no filesystem isolation (a container is a
//   directory of its own), no user namespace, no resource limits, no exec, attach or TTY.
// - No image layers and no registry: an image is a catalogue entry mapping a name to what is
//   installed here (mariadb → Debian's mariadbd + galera-4 behind the official image's entrypoint
//   semantics; toxiproxy → lab/toxiproxy; consul → lab/consul). A pull checks that it can run;
//   an unknown image fails the pull with 404, as a registry without the repository does.
// - Networks are loopback /24s (127.0.X.0/24, X from the range the engine is given), not bridges;
//   a container has exactly the one network it was created on. There is no DNS server: the
//   entrypoints rewrite network names in the options that carry addresses (names.ts), from the
//   network's names when the container starts (a name that did not exist then points nowhere).
// - Network disconnect keeps the container's address (its processes are bound to it) and cuts it
//   off with iptables DROP rules in a chain of the lab's own; connect only reconnects it to that
//   network. Its published ports (forwarded from 127.0.0.1) stay reachable while disconnected,
//   where in Docker they go with the endpoint.
// - Published ports bind 127.0.0.1 only (any other HostIp is refused); UDP is forwarded per
//   client address. Logs are stdout then stderr (not interleaved), without follow or timestamps.
// - Pause is SIGSTOP of the process group (Docker freezes the cgroup); State.Pid is the
//   entrypoint's pid, not mariadbd's.
//
// Everything it starts is cleaned up: the engine's stop (and Ctrl-C or a crash of the lab, through
// lab/lifecycle) kills every container's process group, closes the forwarders, removes the
// iptables chain and the work dir. The work dir is /tmp/bbs-lab-engine-* with the lab's owner file,
// and every container process has that dir on its command line, so `bbs-lab cleanup` finds and
// kills what a SIGKILLed lab left, and removes its chain (BBSLAB-<pid>-…).

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
/** Where the lab's engine puts its networks unless told otherwise (BBS_LAB_ENGINE_SUBNETS or the option). */
export const DEFAULT_SUBNETS = '127.0.100-127.0.109';

export interface DockerEngineOptions {
  /** Unix socket to listen on; default <work dir>/docker.sock. */
  socketPath?: string;
  /** Listen on 127.0.0.1:<port> instead of a socket (0: a free port). */
  tcpPort?: number;
  /** The /24s networks get, e.g. "127.0.50-127.0.59"; default BBS_LAB_ENGINE_SUBNETS or DEFAULT_SUBNETS. */
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
  const range = parseSubnetRange(o.subnets ?? process.env['BBS_LAB_ENGINE_SUBNETS'] ?? DEFAULT_SUBNETS);
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

  const socketPath = o.tcpPort === undefined ? (o.socketPath ?? join(workDir, 'docker.sock')) : null;
  if (socketPath && existsSync(socketPath)) {
    // A socket left by an engine that is gone; a live one answers and is not ours to take.
    const alive = await new Promise<boolean>((resolve) => {
      const s = connect(socketPath, () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (alive) {
      rmSync(workDir, { recursive: true, force: true });
      throw new Error(`${socketPath}: something already listens there; give the lab's engine another --socket`);
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
      for (const c of containers.all()) await containers.remove(c, true).catch(() => (c.proc ? killGroup(c.proc.pid, 'SIGKILL') : undefined));
      await networks.close();
      if (socketPath && existsSync(socketPath)) unlinkSync(socketPath);
      rmSync(workDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      clearInterval(keepAlive);
      log(`engine: stopped, ${workDir} removed`);
    })());
  const unregister = registerCleanup(`the lab's Docker engine (${workDir})`, stop);
  log(`engine: listening on ${socketPath ?? `127.0.0.1:${port}`}, networks in ${subnets}, work dir ${workDir}`);
  return {
    socketPath,
    host: socketPath ? `unix://${socketPath}` : `tcp://127.0.0.1:${port}`,
    dockerOptions: socketPath ? { socketPath } : { host: '127.0.0.1', port, protocol: 'http' },
    workDir,
    subnets,
    stop,
  };
}
