// A BBS deployment for migration tests and scenarios: Consul as `bbs-lab run` gets it
// (lab/consul/connection.ts: CONSUL_HTTP_ADDR's agent, else the lab's own on <base>.2), one real
// etcd URL and one SQL target given by the caller, and BBS nodes (bbs/node) started and killed one
// by one, each with its own Consul client. Nodes run as OS processes of their own
// (bbs-node-handle.ts) unless `inProcess` asks for objects in the lab's process (quicker to start;
// a kill there is modelled, not a signal). It polls who holds `v1/locks/bbs_lock` every 100 ms, so
// a test can say who held the lock when, and it collects every node's journal events in one
// Journal.
//
// Lock timing: the real BBS's session TTL is 10 s (15 s from 2016-10) and Consul's minimum TTL is
// 10 s; tests lower the lab agent's session_ttl_min to 1 s and use a 1 s TTL and a 0.5 s retry so a
// takeover takes ~3 s (TTL lapse up to 2×TTL, then lock-delay 1 s) instead of ~25 s. A real agent
// keeps its own minimum: give it a lock TTL of at least its session_ttl_min.

import { rmSync } from 'node:fs';
import { labConsul } from '../consul/connection.ts';
import { ownedTempDir } from '../lifecycle/owned.ts';
import { BbsNodeHandle } from './bbs-node-handle.ts';
import { connectConsul, type ConsulHandle } from '../consul/driver.ts';
import { Journal } from '../../bbs/migrations/journal.ts';
import {
  BbsNode,
  BBS_LOCK_KEY,
  type BbsNodeOptions,
  type NodeMode,
  type RunningBbs,
  type SqlConfig,
} from '../../bbs/node/node.ts';

export interface DeploymentOptions {
  /**
   * First three octets of the deployment's loopback /24; the agent gets .2, node k gets .(20+k).
   */
  base: string;
  etcdUrl: string;
  sql: SqlConfig;
  lockTtl?: string;
  retryMs?: number;
  /** The agent's session_ttl_min; default "1s" (Consul's is 10s). */
  sessionTtlMin?: string;
  log?: (msg: string) => void;
  /**
   * The BBS profile (bbs/versions) of every node with SQL; default bbs/migrations'
   * MIGRATION_DEFAULT_VERSION.
   */
  version?: string;
  /** Run nodes as objects in the lab's process instead of OS processes. */
  inProcess?: boolean;
}

export interface HolderSample {
  t: number;
  id: string | null;
}

export class Deployment {
  readonly journal = new Journal();
  readonly nodes: RunningBbs[] = [];
  readonly holders: HolderSample[] = [];
  private readonly handles: ConsulHandle[] = [];
  private poller: NodeJS.Timeout | undefined;
  private next = 0;
  /**
   * Node configs of process nodes live here (a lab temp dir, so `bbs-lab cleanup` finds leftovers).
   */
  private dir: string | undefined;

  private constructor(
    readonly o: DeploymentOptions,
    /** The deployment's Consul (the nodes' "local agent"); also the lock watcher's connection. */
    readonly consul: ConsulHandle,
  ) {}

  static async start(o: DeploymentOptions): Promise<Deployment> {
    const consul = await labConsul({ host: `${o.base}.2`, sessionTtlMin: o.sessionTtlMin ?? '1s' });
    o.log?.(`consul: ${consul.embedded ? "the lab's own agent" : 'Consul'} at ${consul.url}`);
    const d = new Deployment(o, consul);
    d.poller = setInterval(() => void d.sample(), 100);
    return d;
  }

  private async sample(): Promise<void> {
    const id = await this.holder().catch(() => null);
    const last = this.holders[this.holders.length - 1];
    if (!last || last.id !== id) this.holders.push({ t: Date.now(), id });
  }

  /** The id in the lock key's value when a session holds it. */
  async holder(): Promise<string | null> {
    const e = (await this.consul.client.kv.get(BBS_LOCK_KEY)) as
      | { Value?: string; Session?: string }
      | undefined;
    if (!e?.Session || !e.Value) return null;
    return (JSON.parse(e.Value) as { id: string }).id;
  }

  /**
   * Starts a node of a config: legacy = etcd only; dual = etcd + SQL; sql = SQL only. `version`
   * overrides the deployment's profile for this node. Throws StartError.
   */
  async startNode(
    mode: NodeMode,
    extra: Pick<BbsNodeOptions, 'hooks' | 'killAt' | 'version'> = {},
  ): Promise<RunningBbs> {
    const k = ++this.next;
    const id = `${mode}-${k}`;
    const host = `${this.o.base}.${20 + k}`;
    const lockTtl = this.o.lockTtl ?? '1s';
    const retryMs = this.o.retryMs ?? 500;
    const stores = {
      ...(mode !== 'sql' ? { etcdUrl: this.o.etcdUrl } : {}),
      ...(mode !== 'legacy' ? { sql: this.o.sql } : {}),
      ...(mode !== 'legacy' && (extra.version ?? this.o.version)
        ? { version: extra.version ?? this.o.version }
        : {}),
    };
    if (this.o.inProcess) {
      const handle = await connectConsul({ url: this.consul.url });
      this.handles.push(handle);
      const { version: _v, ...rest } = extra;
      const node = await BbsNode.start({
        id,
        host,
        lock: handle,
        lockTtl,
        retryMs,
        journal: this.journal,
        ...stores,
        ...(this.o.log ? { log: this.o.log } : {}),
        ...rest,
      });
      this.nodes.push(node);
      return node;
    }
    if (!this.dir) {
      this.dir = ownedTempDir({ bbsNodes: this.o.base });
    }
    const hooks = { ...extra.hooks };
    let node: BbsNodeHandle | undefined;
    if (extra.killAt) {
      const at = extra.killAt;
      const user = hooks[at];
      hooks[at] = async () => {
        await user?.();
        node?.kill();
        throw new Error(`${id} killed at ${at}`);
      };
    }
    node = await BbsNodeHandle.start({
      config: { id, host, consulUrl: this.consul.url, lockTtl, retryMs, pauseAt: [], ...stores },
      dir: this.dir,
      journal: this.journal,
      hooks,
      ...(this.o.log ? { log: this.o.log } : {}),
    });
    this.nodes.push(node);
    return node;
  }

  serving(): RunningBbs[] {
    return this.nodes.filter((n) => n.state === 'serving');
  }

  async waitFor(
    what: string,
    cond: () => boolean | Promise<boolean>,
    timeoutMs: number,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await cond())) {
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Waits until some node serves; returns it. */
  async waitServing(timeoutMs: number): Promise<RunningBbs> {
    await this.waitFor('a serving BBS node', () => this.serving().length > 0, timeoutMs);
    return this.serving()[0]!;
  }

  async stop(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    for (const n of this.nodes) await n.stop().catch(() => undefined);
    for (const h of this.handles) await h.close().catch(() => undefined);
    // Closing stops the lab's agent, or removes from a real one what the lab created there.
    await this.consul.close().catch(() => undefined);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
