// The lab's handle on Consul, through the `consul` npm client. With CONSUL_HTTP_ADDR (or opts.url)
// set it drives that agent, which must be on loopback and answer /v1/status/leader with a leader;
// otherwise it starts the lab's own agent (agent.ts) on 127.0.0.1 with free ports.
//
// What the lab needs of Consul, in the shape the BBS used it (locket, 2016: a session with a TTL,
// renewed while held; the lock is a KV acquire; losing the session or the key means losing the
// lock), plus service registration and discovery (health ?passing and DNS).
//
// close() releases every lock, destroys every session and deregisters every service this handle
// created (and stops the embedded agent); it is registered with the cleanup registry so Ctrl-C
// leaves a real agent as it found it.

import { EventEmitter } from 'node:events';
import Consul from 'consul';
import { registerCleanup } from '../lifecycle/cleanup.ts';
import { startConsulAgent, type ConsulAgent, type ConsulAgentOptions } from './agent.ts';
import { isLoopbackHost, normaliseLoopback, nsToMs, parseGoDuration } from './util.ts';

export interface ConnectConsulOptions {
  /**
   * A real agent's HTTP address, "127.0.0.1:8500" or "http://127.0.0.1:8500". Default:
   * CONSUL_HTTP_ADDR.
   */
  url?: string;
  /** A real agent's DNS address; default CONSUL_DNS_ADDR, else the HTTP host with port 8600. */
  dnsAddr?: string;
  /** Options for the embedded agent (ignored with a real agent). */
  agent?: ConsulAgentOptions;
  /**
   * Start the lab's agent even when CONSUL_HTTP_ADDR is set (the choice was made by connection.ts).
   */
  embedded?: boolean;
  /** How long to wait for /v1/status/leader of a real agent; default 3000 ms. */
  connectTimeoutMs?: number;
}

export interface LockOptions {
  /** Session TTL; default "15s" (Consul accepts 10s..24h unless session_ttl_min is lowered). */
  ttl?: string;
  /**
   * Session LockDelay; default Consul's 15s. Values below 1000ns count as seconds (Consul's rule).
   */
  lockDelay?: string;
  /** What invalidating the session does to the key; default "release". */
  behavior?: 'release' | 'delete';
  sessionName?: string;
  /** Keep trying for this long while another session holds the key; default 0 (one attempt). */
  waitMs?: number;
  /** Pause between attempts while waiting; default 1000 ms. */
  retryMs?: number;
  /** Asked before every attempt: true gives up at once (null), as a holder that is shutting down. */
  cancelled?: () => boolean;
}

export interface ConsulLock {
  readonly key: string;
  readonly sessionId: string;
  /**
   * Resolves with the reason when the lock is lost: renewing failed, or the key was released,
   * deleted or taken.
   */
  readonly lost: Promise<string>;
  isHeld(): boolean;
  on(event: 'lost', listener: (reason: string) => void): this;
  /** Releases the key (and deletes it for Behavior=delete) and destroys the session; idempotent. */
  release(): Promise<void>;
  /**
   * Stops renewing and watching without releasing anything: what a holder that crashed leaves
   * behind. The session lapses on the agent (after up to 2×TTL) and only then frees the key.
   */
  abandon(): void;
}

export type CheckSpec =
  | { ttl: string; status?: 'passing' | 'warning' | 'critical' }
  | {
      http: string;
      interval: string;
      timeout?: string;
      status?: 'passing' | 'warning' | 'critical';
    }
  | {
      tcp: string;
      interval: string;
      timeout?: string;
      status?: 'passing' | 'warning' | 'critical';
    };

export interface ServiceSpec {
  id: string;
  name: string;
  address: string;
  port: number;
  tags?: string[];
  check?: CheckSpec;
}

export interface ConsulHandle {
  /** The consul npm client, for anything beyond the helpers below. */
  readonly client: Consul;
  /** http://host:port of the agent in use. */
  readonly url: string;
  /** True when the lab started its own agent. */
  readonly embedded: boolean;
  readonly agent: ConsulAgent | null;
  /** The agent's DNS interface (UDP). */
  readonly dnsAddress: { host: string; port: number };
  acquireLock(key: string, value: string, opts?: LockOptions): Promise<ConsulLock | null>;
  registerService(spec: ServiceSpec): Promise<void>;
  /** The check ID Consul gives a service's single check. */
  checkIdOf(serviceId: string): string;
  passCheck(checkId: string, note?: string): Promise<void>;
  warnCheck(checkId: string, note?: string): Promise<void>;
  failCheck(checkId: string, note?: string): Promise<void>;
  deregister(serviceId: string): Promise<void>;
  /** Addresses of the instances of `name` whose every check passes (health/service?passing). */
  passingAddresses(name: string): Promise<string[]>;
  close(): Promise<void>;
}

/** The HTTP status of a failed consul client call, if it got that far. */
export function statusOf(err: unknown): number | null {
  const s = (err as { statusCode?: unknown })?.statusCode;
  return typeof s === 'number' ? s : null;
}

function parseHttpAddr(
  text: string,
  source: string,
): { host: string; port: number; secure: boolean } {
  const withScheme = /^[a-z]+:\/\//i.test(text) ? text : `http://${text}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new Error(
      `${source}: not an address: ${JSON.stringify(text)} (expected e.g. 127.0.0.1:8500)`,
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(
      `${source}: only http:// and https:// are supported, got ${JSON.stringify(text)}`,
    );
  if (!isLoopbackHost(u.hostname))
    throw new Error(
      `${source}: the lab only talks to loopback addresses (127.x.y.z or localhost), got ${JSON.stringify(text)}`,
    );
  const secure = u.protocol === 'https:';
  return {
    host: normaliseLoopback(u.hostname),
    port: u.port ? Number(u.port) : secure ? 8501 : 8500,
    secure,
  };
}

function parseDnsAddr(text: string, source: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  const host = colon < 0 ? text : text.slice(0, colon);
  const port = colon < 0 ? 8600 : Number(text.slice(colon + 1));
  if (!isLoopbackHost(host) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(
      `${source}: expected a loopback host:port (127.x.y.z or localhost), got ${JSON.stringify(text)}`,
    );
  }
  return { host: normaliseLoopback(host), port };
}

export async function connectConsul(opts: ConnectConsulOptions = {}): Promise<ConsulHandle> {
  const external = opts.embedded ? undefined : (opts.url ?? process.env.CONSUL_HTTP_ADDR);
  let agent: ConsulAgent | null = null;
  let http: { host: string; port: number; secure: boolean };
  let dnsAddress: { host: string; port: number };
  if (external) {
    const source = opts.url ? 'connectConsul url' : 'CONSUL_HTTP_ADDR';
    http = parseHttpAddr(external, source);
    const dnsText = opts.dnsAddr ?? process.env.CONSUL_DNS_ADDR;
    dnsAddress = dnsText
      ? parseDnsAddr(dnsText, opts.dnsAddr ? 'connectConsul dnsAddr' : 'CONSUL_DNS_ADDR')
      : { host: http.host, port: 8600 };
  } else {
    agent = await startConsulAgent(opts.agent);
    http = { host: agent.host, port: agent.port, secure: false };
    dnsAddress = agent.dns;
  }
  const url = `${http.secure ? 'https' : 'http'}://${http.host}:${http.port}`;
  const client = new Consul({ host: http.host, port: http.port, secure: http.secure });

  if (external) {
    let leader: string;
    try {
      leader = await client.status.leader({ timeout: opts.connectTimeoutMs ?? 3000 } as never);
    } catch (err) {
      client.destroy();
      throw new Error(
        `Consul at ${url} (from ${opts.url ? 'opts.url' : 'CONSUL_HTTP_ADDR'}) is not reachable: GET /v1/status/leader failed: ${(err as Error).message}`,
      );
    }
    if (typeof leader !== 'string' || leader === '') {
      client.destroy();
      throw new Error(
        `Consul at ${url} answers but has no leader (GET /v1/status/leader returned ${JSON.stringify(leader)})`,
      );
    }
  }

  const locks = new Set<LockImpl>();
  const services = new Set<string>();
  let closing: Promise<void> | null = null;

  const handle: ConsulHandle = {
    client,
    url,
    embedded: agent !== null,
    agent,
    dnsAddress,

    async acquireLock(key, value, lo = {}) {
      const ttl = lo.ttl ?? '15s';
      const ttlNs = parseGoDuration(ttl);
      if (ttlNs === null || ttlNs <= 0)
        throw new Error(
          `acquireLock: ttl must be a positive duration like "15s", got ${JSON.stringify(ttl)}`,
        );
      const createSession = async () =>
        (
          await client.session.create({
            name: lo.sessionName ?? `bbs-lab lock ${key}`,
            ttl,
            behavior: lo.behavior ?? 'release',
            ...(lo.lockDelay !== undefined ? { lockdelay: lo.lockDelay } : {}),
          })
        ).ID;
      const deadline = Date.now() + (lo.waitMs ?? 0);
      let session = await createSession();
      try {
        for (;;) {
          if (lo.cancelled?.()) {
            await client.session.destroy(session).catch(() => undefined);
            return null;
          }
          if (await client.kv.set({ key, value, acquire: session })) break;
          const left = deadline - Date.now();
          if (left <= 0) {
            await client.session.destroy(session).catch(() => undefined);
            return null;
          }
          await sleep(Math.min(lo.retryMs ?? 1000, left));
          try {
            await client.session.renew(session);
          } catch (err) {
            if (statusOf(err) !== 404) throw err;
            session = await createSession();
          }
        }
      } catch (err) {
        await client.session.destroy(session).catch(() => undefined);
        throw err;
      }
      const lock = new LockImpl(
        client,
        key,
        value,
        session,
        nsToMs(ttlNs),
        lo.behavior ?? 'release',
        () => locks.delete(lock),
      );
      locks.add(lock);
      return lock;
    },

    async registerService(spec) {
      const body: Record<string, unknown> = {
        id: spec.id,
        name: spec.name,
        address: spec.address,
        port: spec.port,
      };
      if (spec.tags) body.tags = spec.tags;
      if (spec.check) body.check = { ...spec.check };
      await client.agent.service.register(body as never);
      services.add(spec.id);
    },

    checkIdOf: (serviceId) => `service:${serviceId}`,

    async passCheck(checkId, note) {
      await client.agent.check.pass({ id: checkId, ...(note ? { note } : {}) });
    },
    async warnCheck(checkId, note) {
      await client.agent.check.warn({ id: checkId, ...(note ? { note } : {}) });
    },
    async failCheck(checkId, note) {
      await client.agent.check.fail({ id: checkId, ...(note ? { note } : {}) });
    },

    async deregister(serviceId) {
      await client.agent.service.deregister(serviceId);
      services.delete(serviceId);
    },

    async passingAddresses(name) {
      const entries = (await client.health.service({ service: name, passing: true })) as {
        Node: { Address: string };
        Service: { Address: string };
      }[];
      return entries.map((e) => (e.Service.Address !== '' ? e.Service.Address : e.Node.Address));
    },

    close() {
      closing ??= (async () => {
        unregister();
        for (const l of [...locks]) await l.release().catch(() => undefined);
        for (const id of [...services])
          await client.agent.service.deregister(id).catch(() => undefined);
        services.clear();
        client.destroy();
        if (agent) await agent.stop();
      })();
      return closing;
    },
  };
  const unregister = registerCleanup(`consul driver ${url}`, () => handle.close());
  return handle;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

class LockImpl extends EventEmitter implements ConsulLock {
  readonly lost: Promise<string>;
  private resolveLost!: (reason: string) => void;
  private held = true;
  private released = false;
  private renewTimer: NodeJS.Timeout | null = null;
  private lastRenewOk = Date.now();
  private readonly watch: ReturnType<Consul['watch']>;
  private releasing: Promise<void> | null = null;

  constructor(
    private readonly client: Consul,
    readonly key: string,
    private readonly value: string,
    readonly sessionId: string,
    private readonly ttlMs: number,
    private readonly behavior: 'release' | 'delete',
    private readonly forget: () => void,
  ) {
    super();
    this.lost = new Promise((resolve) => (this.resolveLost = resolve));
    // Renew at half the TTL, as Consul's own lock helpers do.
    this.renewTimer = setInterval(() => void this.renew(), Math.max(50, ttlMs / 2));
    // Watch the key with blocking queries: released, deleted or held by another session = lost.
    this.watch = client.watch({ method: client.kv.get, options: { key, wait: '10s' } as never });
    this.watch.on('change', (data: { Session?: string } | undefined | null) => {
      if (!data) this.markLost(`key ${key} was deleted`);
      else if (data.Session !== sessionId)
        this.markLost(
          data.Session
            ? `key ${key} is held by session ${data.Session}`
            : `key ${key} was released`,
        );
    });
    this.watch.on('error', () => {
      /* the watch retries with backoff; the renewer decides when the agent is gone for good */
    });
  }

  isHeld(): boolean {
    return this.held;
  }

  private async renew(): Promise<void> {
    if (!this.held) return;
    try {
      await this.client.session.renew(this.sessionId);
      this.lastRenewOk = Date.now();
    } catch (err) {
      if (!this.held) return;
      if (statusOf(err) === 404)
        this.markLost(`session ${this.sessionId} was invalidated (renew answered 404)`);
      else if (Date.now() - this.lastRenewOk >= this.ttlMs)
        this.markLost(
          `could not renew session ${this.sessionId} within its TTL: ${(err as Error).message}`,
        );
    }
  }

  private stopTimers(): void {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
    this.watch.end();
  }

  private markLost(reason: string): void {
    if (!this.held || this.released) return;
    this.held = false;
    this.stopTimers();
    this.forget();
    this.resolveLost(reason);
    this.emit('lost', reason);
    // The session may still exist (the key was taken by force): do not leave it behind.
    void this.client.session.destroy(this.sessionId).catch(() => undefined);
  }

  abandon(): void {
    if (this.released) return;
    this.released = true;
    this.held = false;
    this.stopTimers();
    this.forget();
  }

  release(): Promise<void> {
    this.releasing ??= (async () => {
      const wasHeld = this.held;
      this.released = true;
      this.held = false;
      this.stopTimers();
      this.forget();
      if (wasHeld) {
        try {
          if (
            await this.client.kv.set({ key: this.key, value: this.value, release: this.sessionId })
          ) {
            if (this.behavior === 'delete') {
              const e = await this.client.kv.get(this.key);
              if (e && !(e as { Session?: string }).Session)
                await this.client.kv.del({ key: this.key, cas: e.ModifyIndex });
            }
          }
        } finally {
          await this.client.session.destroy(this.sessionId).catch(() => undefined);
        }
      }
    })();
    return this.releasing;
  }
}
