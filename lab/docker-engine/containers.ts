// Containers of the lab's engine: a container is a directory of its own under the engine's work
// dir and, while it runs, one process group: the image's entrypoint (entrypoints/main.ts, a Node
// process) and whatever it starts (mariadbd and its SST helpers). Its state is the process's:
// Running while the group leader lives, Paused after SIGSTOP, ExitCode from how it ended (a signal
// n is 128+n, as Docker reports it). Published ports are forwarded while it runs (ports.ts).
//
//   kill     → the signal (default SIGKILL) to the group; with SIGKILL, answered once it is gone
//   stop     → SIGTERM, then SIGKILL after the timeout (t, default 10 s); answered once it is gone
//   pause    → SIGSTOP to the group; unpause → SIGCONT
//   start    → a new process from the same directory (a restarted MariaDB finds its datadir)
//   remove   → (force: SIGKILL first) the directory and the address are freed

import { constants as osConstants } from 'node:os';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../project-root.ts';
import { killGroup, spawnTracked, stopTracked, type Tracked } from '../lifecycle/processes.ts';
import { gatewayOf } from './addresses.ts';
import { badRequest, conflict, EngineError, notFound } from './errors.ts';
import { matchesFilters, type Filters } from './filters.ts';
import { findByIdOrName } from './lookup.ts';
import { defaultCmd, type Image, type ImageStore } from './images.ts';
import type { Endpoint, Network, NetworkStore } from './networks.ts';
import {
  openForwarders,
  parsePortBindings,
  parsePortKey,
  type Forwarder,
  type PortBinding,
} from './ports.ts';
import type { EntrypointConfig } from './entrypoints/config.ts';

export const CONTAINER_FILTERS = [
  'label',
  'name',
  'id',
  'status',
  'network',
  'ancestor',
  'exited',
] as const;

// Run through tsx from the sources, also when the lab itself runs from its build in dist/.
const ENTRYPOINT = join(PROJECT_ROOT, 'lab', 'docker-engine', 'entrypoints', 'main.ts');
const TSX = import.meta.resolve('tsx');

type Status = 'created' | 'running' | 'paused' | 'exited' | 'removing';

export interface Container {
  id: string;
  name: string;
  created: string;
  image: Image;
  imageRef: string;
  cmd: string[];
  env: string[];
  labels: Record<string, string>;
  hostname: string;
  exposed: Record<string, object>;
  bindings: PortBinding[];
  autoRemove: boolean;
  stopTimeout: number;
  network: Network;
  endpoint: Endpoint;
  dir: string;
  status: Status;
  exitCode: number;
  pid: number;
  startedAt: string;
  finishedAt: string;
  error: string;
  restartCount: number;
  proc: Tracked | null;
  forwarders: Forwarder[];
  /** Resolved at each exit (wait next-exit / not-running) and at removal (wait removed). */
  exitWaiters: ((code: number) => void)[];
  removeWaiters: ((code: number) => void)[];
}

const ZERO_TIME = '0001-01-01T00:00:00Z';
const NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal) return 128 + (osConstants.signals[signal] ?? 0);
  return 255;
}

export function parseSignal(raw: string | null | undefined): NodeJS.Signals {
  if (!raw) return 'SIGKILL';
  const upper = raw.toUpperCase();
  if (/^\d+$/.test(upper)) {
    const found = Object.entries(osConstants.signals).find(([, n]) => n === Number(upper));
    if (found) return found[0] as NodeJS.Signals;
  } else {
    const name = (upper.startsWith('SIG') ? upper : `SIG${upper}`) as NodeJS.Signals;
    if (name in osConstants.signals) return name;
  }
  throw badRequest(`Invalid signal: ${raw}`);
}

export class ContainerStore {
  private readonly containers = new Map<string, Container>();

  constructor(
    private readonly workDir: string,
    private readonly images: ImageStore,
    private readonly networks: NetworkStore,
    private readonly log: (m: string) => void = () => {},
  ) {}

  find(idOrName: string): Container | undefined {
    return findByIdOrName(this.containers, idOrName);
  }

  get(idOrName: string): Container {
    const c = this.find(idOrName);
    if (!c) throw notFound('container', idOrName);
    return c;
  }

  nameOf = (id: string): string => this.containers.get(id)?.name ?? id;

  create(name: string | null, body: Record<string, unknown>): Container {
    if (name !== null && !NAME.test(name))
      throw badRequest(
        `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
      );
    const cname = name ? name.replace(/^\//, '') : `bbslab_${randomBytes(4).toString('hex')}`;
    const clash = this.find(cname);
    if (clash && clash.name === cname) {
      throw conflict(
        `Conflict. The container name "/${cname}" is already in use by container "${clash.id}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
    const imageRef = body.Image;
    if (typeof imageRef !== 'string' || imageRef === '') throw badRequest('Image: required');
    const image = this.images.get(imageRef);
    const entrypoint = body.Entrypoint;
    if (
      entrypoint !== undefined &&
      entrypoint !== null &&
      !(Array.isArray(entrypoint) && entrypoint.length === 0)
    ) {
      throw badRequest(
        `Entrypoint: the lab's images have their entrypoint built in (${image.kind}); give the command in Cmd`,
      );
    }
    const rawCmd = body.Cmd;
    const cmd =
      Array.isArray(rawCmd) && rawCmd.length > 0
        ? rawCmd.map(String)
        : typeof rawCmd === 'string'
          ? rawCmd.split(/\s+/).filter(Boolean)
          : defaultCmd(image.kind);
    const host = (body.HostConfig as Record<string, unknown> | undefined) ?? {};
    const bindings = parsePortBindings(host.PortBindings);
    const exposed = { ...((body.ExposedPorts as Record<string, object> | undefined) ?? {}) };
    for (const k of Object.keys(exposed)) parsePortKey(k);
    for (const b of bindings) exposed[b.key] ??= {};
    const mode = (host.NetworkMode as string | undefined) ?? 'default';
    if (mode === 'host' || mode === 'none' || mode.startsWith('container:'))
      throw badRequest(
        `HostConfig.NetworkMode: ${mode} is not supported by the lab's engine; use a bridge network`,
      );
    const network =
      mode === 'default' || mode === 'bridge'
        ? this.networks.defaultNetwork()
        : this.networks.get(mode);
    const endpoints = ((
      body.NetworkingConfig as
        | { EndpointsConfig?: Record<string, { Aliases?: string[] }> }
        | undefined
    )?.EndpointsConfig ?? {}) as Record<string, { Aliases?: string[] }>;
    for (const k of Object.keys(endpoints)) {
      if (this.networks.find(k) !== network)
        throw badRequest(
          `NetworkingConfig.EndpointsConfig.${k}: the lab's engine gives a container one network, its HostConfig.NetworkMode (${network.name})`,
        );
    }
    const aliases = network.builtIn ? [] : Object.values(endpoints).flatMap((e) => e.Aliases ?? []);
    const id = randomBytes(32).toString('hex');
    const env = Array.isArray(body.Env) ? (body.Env as unknown[]).map(String) : [];
    const labels = { ...((body.Labels as Record<string, string> | undefined) ?? {}) };
    // Short: mariadbd's unix socket lives in it, and a socket path has at most 107 bytes.
    const dir = join(this.workDir, 'c', id.slice(0, 12));
    mkdirSync(dir, { recursive: true });
    const endpoint = this.networks.attach(network, {
      id,
      name: cname,
      aliases: network.builtIn ? [] : aliases,
    });
    const c: Container = {
      id,
      name: cname,
      created: new Date().toISOString(),
      image,
      imageRef,
      cmd,
      env,
      labels,
      hostname:
        typeof body.Hostname === 'string' && body.Hostname !== '' ? body.Hostname : id.slice(0, 12),
      exposed,
      bindings,
      autoRemove: host.AutoRemove === true,
      stopTimeout: typeof body.StopTimeout === 'number' ? body.StopTimeout : 10,
      network,
      endpoint,
      dir,
      status: 'created',
      exitCode: 0,
      pid: 0,
      startedAt: ZERO_TIME,
      finishedAt: ZERO_TIME,
      error: '',
      restartCount: 0,
      proc: null,
      forwarders: [],
      exitWaiters: [],
      removeWaiters: [],
    };
    this.containers.set(id, c);
    return c;
  }

  /** false: it already runs (the API answers 304). */
  async start(c: Container): Promise<boolean> {
    if (c.status === 'running' || c.status === 'paused') return false;
    if (c.status === 'removing')
      throw conflict(`container ${c.name} is marked for removal and cannot be started`);
    const hosts = this.networks.hosts(c.network);
    hosts.set(c.hostname, c.endpoint.address);
    hosts.set(c.name, c.endpoint.address);
    const config: EntrypointConfig = {
      kind: c.image.kind,
      name: c.name,
      image: c.imageRef,
      cmd: c.cmd,
      env: c.env,
      address: c.endpoint.address,
      gateway: gatewayOf(c.network.base),
      hosts: Object.fromEntries(hosts),
      hostname: c.hostname,
    };
    writeFileSync(join(c.dir, 'config.json'), JSON.stringify(config, null, 2));
    c.forwarders = await openForwarders(c.bindings, c.endpoint.address, c.name);
    const out = openSync(join(c.dir, 'stdout.log'), 'a');
    const err = openSync(join(c.dir, 'stderr.log'), 'a');
    let proc: Tracked;
    try {
      proc = spawnTracked(
        `container ${c.name}`,
        process.execPath,
        ['--import', TSX, ENTRYPOINT, c.dir],
        { stdio: ['ignore', out, err], cwd: c.dir },
      );
    } catch (e) {
      await this.closeForwarders(c);
      throw new EngineError(
        500,
        `failed to create task for container ${c.name}: ${(e as Error).message}`,
      );
    } finally {
      closeSync(out);
      closeSync(err);
    }
    c.proc = proc;
    c.pid = proc.pid;
    c.status = 'running';
    c.exitCode = 0;
    c.error = '';
    c.startedAt = new Date().toISOString();
    c.finishedAt = ZERO_TIME;
    void proc.exited.then(({ code, signal }) => this.exited(c, proc, exitCodeOf(code, signal)));
    return true;
  }

  private async exited(c: Container, proc: Tracked, code: number): Promise<void> {
    if (c.proc !== proc) return;
    // Anything the entrypoint left in its group (an SST helper) goes with it, as with a container's
    // cgroup.
    killGroup(proc.pid, 'SIGKILL');
    c.proc = null;
    c.pid = 0;
    c.exitCode = code;
    c.finishedAt = new Date().toISOString();
    if (c.status !== 'removing') c.status = 'exited';
    await this.closeForwarders(c);
    this.log(`engine: container ${c.name} exited with ${code}`);
    const waiters = c.exitWaiters.splice(0);
    for (const w of waiters) w(code);
    if (c.autoRemove && c.status === 'exited') await this.remove(c, true).catch(() => undefined);
  }

  private async closeForwarders(c: Container): Promise<void> {
    const fs = c.forwarders.splice(0);
    await Promise.allSettled(fs.map((f) => f.close()));
  }

  private running(c: Container, verb: string): Tracked {
    if (!c.proc || (c.status !== 'running' && c.status !== 'paused'))
      throw conflict(`${verb}: Container ${c.id} is not running`);
    return c.proc;
  }

  private waitExit(c: Container): Promise<number> {
    return new Promise((resolve) => c.exitWaiters.push(resolve));
  }

  async kill(c: Container, signal: NodeJS.Signals): Promise<void> {
    const proc = this.running(c, `Cannot kill container: ${c.name}`);
    const gone = this.waitExit(c);
    killGroup(proc.pid, signal);
    if (signal === 'SIGKILL') await gone;
    else if (signal === 'SIGCONT' && c.status === 'paused') c.status = 'running';
  }

  /** false: it was not running (304). */
  async stop(c: Container, timeoutSecs?: number): Promise<boolean> {
    if (!c.proc || (c.status !== 'running' && c.status !== 'paused')) return false;
    const gone = this.waitExit(c);
    await stopTracked(c.proc, Math.max(0, timeoutSecs ?? c.stopTimeout) * 1000);
    await gone;
    return true;
  }

  pause(c: Container): void {
    const proc = this.running(c, `Cannot pause container ${c.name}`);
    if (c.status === 'paused') throw conflict(`Container ${c.id} is already paused`);
    killGroup(proc.pid, 'SIGSTOP');
    c.status = 'paused';
  }

  unpause(c: Container): void {
    if (c.status !== 'paused' || !c.proc) throw conflict(`Container ${c.id} is not paused`);
    killGroup(c.proc.pid, 'SIGCONT');
    c.status = 'running';
  }

  /** Docker's wait conditions: not-running (default), next-exit, removed. */
  wait(c: Container, condition: string): Promise<number> {
    if (condition === 'removed') return new Promise((resolve) => c.removeWaiters.push(resolve));
    if (condition === 'next-exit') return this.waitExit(c);
    if (condition !== 'not-running' && condition !== '')
      throw badRequest(`invalid condition: "${condition}"`);
    if (c.status !== 'running' && c.status !== 'paused') return Promise.resolve(c.exitCode);
    return this.waitExit(c);
  }

  async remove(c: Container, force: boolean): Promise<void> {
    if ((c.status === 'running' || c.status === 'paused') && !force) {
      throw conflict(
        `You cannot remove a ${c.status} container ${c.id}. Stop the container before attempting removal or force remove`,
      );
    }
    if (c.status === 'removing' && !c.proc) return;
    if (c.proc) {
      const gone = this.waitExit(c);
      c.status = 'removing';
      killGroup(c.proc.pid, 'SIGKILL');
      await gone;
    }
    c.status = 'removing';
    await this.closeForwarders(c);
    this.containers.delete(c.id);
    await this.networks.release(c.network, c.id);
    rmSync(c.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    for (const w of c.removeWaiters.splice(0)) w(c.exitCode);
  }

  list(all: boolean, filters: Filters): Container[] {
    return [...this.containers.values()]
      .filter((c) => all || c.status === 'running' || c.status === 'paused')
      .filter((c) =>
        matchesFilters(
          {
            labels: c.labels,
            id: c.id,
            name: c.name,
            fields: {
              status: c.status,
              network: c.endpoint.connected ? [c.network.name, c.network.id] : [],
              ancestor: [c.imageRef, c.image.ref, c.image.id],
              exited: c.status === 'exited' ? String(c.exitCode) : [],
            },
          },
          filters,
        ),
      )
      .sort((a, b) => b.created.localeCompare(a.created));
  }

  all(): Container[] {
    return [...this.containers.values()];
  }

  /** Non-follow logs: each stream's lines (the last `tail` of each, when given). */
  logs(
    c: Container,
    opts: { stdout: boolean; stderr: boolean; tail: number | null },
  ): { stream: 1 | 2; text: string }[] {
    const read = (f: string) =>
      existsSync(join(c.dir, f)) ? readFileSync(join(c.dir, f), 'utf8') : '';
    const cut = (text: string) => {
      if (opts.tail === null) return text;
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      return lines
        .slice(Math.max(0, lines.length - opts.tail))
        .map((l) => `${l}\n`)
        .join('');
    };
    const out: { stream: 1 | 2; text: string }[] = [];
    if (opts.stdout) out.push({ stream: 1, text: cut(read('stdout.log')) });
    if (opts.stderr) out.push({ stream: 2, text: cut(read('stderr.log')) });
    return out;
  }
}

function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 1) return 'Less than a second';
  if (s < 60) return `${s} seconds`;
  if (s < 3600) return `${Math.round(s / 60)} minutes`;
  return `${Math.round(s / 3600)} hours`;
}

/** The `Status` column of `docker ps`. */
export function statusText(c: Container, now = Date.now()): string {
  switch (c.status) {
    case 'created':
      return 'Created';
    case 'running':
      return `Up ${humanDuration(now - Date.parse(c.startedAt))}`;
    case 'paused':
      return `Up ${humanDuration(now - Date.parse(c.startedAt))} (Paused)`;
    case 'exited':
      return `Exited (${c.exitCode}) ${humanDuration(now - Date.parse(c.finishedAt))} ago`;
    case 'removing':
      return 'Removal In Progress';
  }
}

function portsOf(c: Container): Record<string, { HostIp: string; HostPort: string }[] | null> {
  const out: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const k of Object.keys(c.exposed)) out[k] = null;
  for (const f of c.forwarders) {
    let list = out[f.binding.key];
    if (!list) {
      list = [];
      out[f.binding.key] = list;
    }
    list.push({ HostIp: f.binding.hostIp, HostPort: String(f.hostPort) });
  }
  return out;
}

function networksOf(c: Container): Record<string, unknown> {
  const e = c.endpoint;
  if (!e.connected) return {};
  return {
    [c.network.name]: {
      IPAMConfig: null,
      Links: null,
      Aliases: e.aliases,
      NetworkID: c.network.id,
      EndpointID: e.endpointId,
      Gateway: gatewayOf(c.network.base),
      IPAddress: e.address,
      IPPrefixLen: 24,
      IPv6Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      MacAddress: e.mac,
      DNSNames: e.names,
    },
  };
}

export function containerInspect(c: Container): Record<string, unknown> {
  const running = c.status === 'running' || c.status === 'paused';
  return {
    Id: c.id,
    Created: c.created,
    Path: c.cmd[0] ?? '',
    Args: c.cmd.slice(1),
    State: {
      Status: c.status === 'removing' ? 'removing' : c.status,
      Running: running,
      Paused: c.status === 'paused',
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: c.pid,
      ExitCode: c.exitCode,
      Error: c.error,
      StartedAt: c.startedAt,
      FinishedAt: c.finishedAt,
    },
    Image: c.image.id,
    Name: `/${c.name}`,
    RestartCount: c.restartCount,
    Driver: 'bbs-lab',
    Platform: 'linux',
    HostConfig: {
      NetworkMode: c.network.builtIn ? 'default' : c.network.name,
      PortBindings: Object.fromEntries(
        c.bindings.map((b) => [
          b.key,
          [{ HostIp: b.hostIp, HostPort: b.hostPort === 0 ? '' : String(b.hostPort) }],
        ]),
      ),
      AutoRemove: c.autoRemove,
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    },
    Config: {
      Hostname: c.hostname,
      Image: c.imageRef,
      Cmd: c.cmd,
      Entrypoint: null,
      Env: c.env,
      Labels: c.labels,
      ExposedPorts: c.exposed,
      StopTimeout: c.stopTimeout,
    },
    NetworkSettings: {
      Ports: portsOf(c),
      Networks: networksOf(c),
      IPAddress: c.network.builtIn && c.endpoint.connected ? c.endpoint.address : '',
      Gateway: c.network.builtIn && c.endpoint.connected ? gatewayOf(c.network.base) : '',
    },
    Mounts: [],
  };
}

export function containerSummary(c: Container): Record<string, unknown> {
  return {
    Id: c.id,
    Names: [`/${c.name}`],
    Image: c.imageRef,
    ImageID: c.image.id,
    Command: c.cmd.join(' '),
    Created: Math.floor(Date.parse(c.created) / 1000),
    Ports: c.forwarders.map((f) => ({
      IP: f.binding.hostIp,
      PrivatePort: f.binding.port,
      PublicPort: f.hostPort,
      Type: f.binding.proto,
    })),
    Labels: c.labels,
    State: c.status,
    Status: statusText(c),
    HostConfig: { NetworkMode: c.network.builtIn ? 'default' : c.network.name },
    NetworkSettings: { Networks: networksOf(c) },
    Mounts: [],
  };
}
