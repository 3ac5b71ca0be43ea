// A BBS node as the lab models it (cmd/bbs of 2016): a config (etcd only, as the legacy 0.1434.0
// BBS; etcd + SQL; or SQL only) and a version (the migrations it knows). Its life, in the order of
// the real process group (lock → server → migration manager):
//   1. with SQL configured, ping SQL and create `configurations`; failing either is fatal before
//      the lock is tried (StartError "sql-failed-to-connect" /
//      "sql-failed-to-create-configurations");
//   2. compete for the Consul lock `v1/locks/bbs_lock` (value {id, url}; session TTL 10 s as in
//      mid-2016, 15 s from 2016-10; retry every 5 s; Behavior=delete; LockDelay 1 ns, which Consul
//      reads as 1 s);
//   3. holding it, serve the HTTP API (503 while not current) and run the migration manager; a
//      stored version newer than it knows releases the lock and exits ("Existing DB version (%d)
//      exceeds bbs version (%d)"); a failed migration exits; losing the lock exits (f25cf6ff).
// The lab runs each node as an OS process of its own (lab/migration/bbs-node-child.ts, `bbs-lab
// bbs-node`), where a kill is a real SIGKILL. The class also runs inside the lab's process (one
// object per BBS) for tests that want no process start-up: there a kill at a named point of the
// migration (`killAt`) abandons the lock (its session lapses on the agent, as after kill -9),
// closes the server, and nothing else it would have written is written.
//
// bbs/ imports nothing from lab/: the lock client is an interface the lab's Consul driver
// (lab/consul/driver.ts connectConsul) satisfies.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import mysql from 'mysql2/promise';
import { EtcdBbsStore, LEGACY_OPS } from '../etcd/store.ts';
import type { HookPoint, Migration } from '../migrations/etcd-to-sql.ts';
import type { Journal } from '../migrations/journal.ts';
import {
  DUAL_MIGRATIONS,
  LEGACY_MIGRATIONS,
  LEGACY_VERSION,
  MIGRATION_DEFAULT_VERSION,
  MigrationFatalError,
  MigrationManager,
} from '../migrations/manager.ts';
import { profileLabel, profileOf, type BbsVersion } from '../versions/index.ts';
import { VersionTooNewError } from '../migrations/versions.ts';
import type { BbsOp, BbsOpName } from '../ops.ts';
import { CREATE_CONFIGURATIONS } from '../sql/schema.ts';
import { SqlBbsStore } from '../sql/store.ts';

export const BBS_LOCK_KEY = 'v1/locks/bbs_lock';
/** Session TTL of the BBS lock in mid-2016 (locket) and from 2016-10. */
export const LOCK_TTL_MID_2016 = '10s';
export const LOCK_TTL_FROM_2016_10 = '15s';
export const LOCK_RETRY_MS = 5000;
/** 1 ns: below Consul's 1000 ns threshold, so Consul reads it as 1 s. */
export const LOCK_DELAY = '1ns';

export interface LockHandle {
  readonly lost: Promise<string>;
  isHeld(): boolean;
  release(): Promise<void>;
  abandon(): void;
}

export interface LockClient {
  acquireLock(
    key: string,
    value: string,
    opts: {
      ttl: string;
      lockDelay: string;
      behavior: 'delete';
      sessionName: string;
      waitMs: number;
    },
  ): Promise<LockHandle | null>;
}

export interface SqlConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  connectTimeoutMs?: number;
}

export type NodeMode = 'legacy' | 'dual' | 'sql';
export type NodeState = 'starting' | 'waiting' | 'migrating' | 'serving' | 'exited';

export interface BbsNodeOptions {
  id: string;
  /** Loopback address of the node's HTTP API. */
  host: string;
  /** Default 8889, the BBS's listen port. */
  port?: number;
  etcdUrl?: string;
  sql?: SqlConfig;
  /**
   * The BBS commit it runs (a bbs/versions profile name) when SQL is configured; default
   * MIGRATION_DEFAULT_VERSION. An etcd-only node is the legacy BBS (LEGACY_VERSION's manager).
   */
  version?: string;
  /**
   * The migrations it knows; default by config: etcd only → legacy, with SQL → up to etcd-to-SQL.
   */
  migrations?: readonly Migration[];
  lock: LockClient;
  /**
   * Session TTL; default LOCK_TTL_MID_2016. Tests may lower it with an agent whose session_ttl_min
   * allows.
   */
  lockTtl?: string;
  /** Default LOCK_RETRY_MS. */
  retryMs?: number;
  journal?: Journal;
  log?: (msg: string) => void;
  hooks?: Partial<Record<HookPoint, () => Promise<void>>>;
  /** Kill the node (as kill -9) when the migration reaches this point. */
  killAt?: HookPoint;
}

export interface NodeExit {
  code: number;
  reason: string;
}

export class StartError extends Error {}

/** What a lab needs of a running BBS node, whether it runs in the lab's process or as its own. */
export interface RunningBbs {
  readonly id: string;
  readonly mode: NodeMode;
  readonly url: string;
  readonly state: NodeState;
  readonly exit: NodeExit | undefined;
  readonly exited: Promise<NodeExit>;
  /** Graceful: releases the lock, exits 0. */
  stop(): Promise<NodeExit>;
  /** As kill -9: nothing released. */
  kill(): void;
}

/** Thrown inside the migration when the node is killed at a hook point. */
export class NodeKilled extends Error {}

export class BbsNode implements RunningBbs {
  state: NodeState = 'starting';
  readonly url: string;
  readonly mode: NodeMode;
  readonly exited: Promise<NodeExit>;
  private resolveExit!: (e: NodeExit) => void;
  private pool: mysql.Pool | undefined;
  private etcd: EtcdBbsStore | undefined;
  private sqlStore: SqlBbsStore | undefined;
  private server: Server | undefined;
  private lock: LockHandle | undefined;
  private stopping = false;
  private killed = false;
  private wake: (() => void) | undefined;
  private exitInfo: NodeExit | undefined;

  private constructor(private readonly o: BbsNodeOptions) {
    this.url = `http://${o.host}:${o.port ?? 8889}`;
    this.mode = o.sql ? (o.etcdUrl ? 'dual' : 'sql') : 'legacy';
    this.exited = new Promise((r) => (this.resolveExit = r));
  }

  get exit(): NodeExit | undefined {
    return this.exitInfo;
  }

  get id(): string {
    return this.o.id;
  }

  private log(msg: string): void {
    this.o.log?.(`[${this.o.id}] ${msg}`);
  }

  /** Starts the node; throws StartError when it cannot start (SQL unreachable, no store). */
  static async start(o: BbsNodeOptions): Promise<BbsNode> {
    const n = new BbsNode(o);
    await n.init();
    void n.lockLoop();
    return n;
  }

  /** The profile name the node runs. */
  get version(): string {
    return this.o.sql ? (this.o.version ?? MIGRATION_DEFAULT_VERSION) : LEGACY_VERSION;
  }

  private async init(): Promise<void> {
    if (!this.o.etcdUrl && !this.o.sql)
      throw new StartError(`${this.o.id}: no etcd and no SQL configured`);
    const profile = profileOf(this.version);
    if (this.o.sql && profile.behaviour.migrationStores === 'etcd') {
      throw new StartError(
        `${this.o.id}: ${profileLabel(profile)} ran on etcd only: it has no SQL store; start it without sql, or choose a version from 2016-05`,
      );
    }
    if (this.o.etcdUrl) this.etcd = new EtcdBbsStore(this.o.etcdUrl);
    if (this.o.sql) {
      const s = this.o.sql;
      this.pool = mysql.createPool({
        host: s.host,
        port: s.port,
        user: s.user,
        password: s.password,
        database: s.database,
        connectionLimit: 4,
        connectTimeout: s.connectTimeoutMs ?? 5000,
      });
      try {
        await this.pool.query('SELECT 1');
      } catch (e) {
        await this.pool.end().catch(() => {});
        throw new StartError(
          `${this.o.id}: sql-failed-to-connect: cannot reach SQL at ${s.host}:${s.port}: ${(e as Error).message}`,
        );
      }
      try {
        await this.pool.query(CREATE_CONFIGURATIONS);
      } catch (e) {
        await this.pool.end().catch(() => {});
        throw new StartError(
          `${this.o.id}: sql-failed-to-create-configurations-table: ${(e as Error).message}`,
        );
      }
      this.sqlStore = new SqlBbsStore(this.pool, { version: profile.name as BbsVersion });
    }
    this.state = 'waiting';
    this.log(`started (${this.mode}), competing for ${BBS_LOCK_KEY}`);
  }

  private async lockLoop(): Promise<void> {
    const value = JSON.stringify({ id: this.o.id, url: this.url });
    while (!this.stopping) {
      let lock: LockHandle | null = null;
      try {
        lock = await this.o.lock.acquireLock(BBS_LOCK_KEY, value, {
          ttl: this.o.lockTtl ?? LOCK_TTL_MID_2016,
          lockDelay: LOCK_DELAY,
          behavior: 'delete',
          sessionName: `bbs ${this.o.id}`,
          waitMs: 0,
        });
      } catch (e) {
        this.log(`lock attempt failed: ${(e as Error).message}`);
      }
      if (lock) {
        if (this.stopping) {
          await lock.release().catch(() => {});
          return;
        }
        this.lock = lock;
        return this.holdLock(lock);
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, this.o.retryMs ?? LOCK_RETRY_MS);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  }

  private async holdLock(lock: LockHandle): Promise<void> {
    this.o.journal?.record({
      node: this.o.id,
      kind: 'lock-acquired',
      version: 0,
      detail: this.mode,
    });
    this.log('acquired the lock');
    void lock.lost.then((reason) => this.shutdown(1, `lost the lock: ${reason}`, false));
    this.state = 'migrating';
    try {
      await this.listen();
    } catch (e) {
      return this.shutdown(1, `cannot listen on ${this.url}: ${(e as Error).message}`, true);
    }
    const hooks: Partial<Record<HookPoint, () => Promise<void>>> = { ...this.o.hooks };
    if (this.o.killAt) {
      const at = this.o.killAt;
      const user = hooks[at];
      hooks[at] = async () => {
        await user?.();
        this.kill();
        throw new NodeKilled(`${this.o.id} killed at ${at}`);
      };
    }
    const manager = new MigrationManager({
      node: this.o.id,
      migrations: this.o.migrations ?? (this.o.sql ? DUAL_MIGRATIONS : LEGACY_MIGRATIONS),
      behaviour: profileOf(this.version).behaviour,
      ...(this.etcd ? { etcd: this.etcd } : {}),
      ...(this.pool ? { sql: this.pool } : {}),
      ...(this.o.journal ? { journal: this.o.journal } : {}),
      log: (m) => this.o.log?.(m),
      hooks,
    });
    try {
      await manager.run();
    } catch (e) {
      if (this.killed) return;
      if (e instanceof VersionTooNewError || e instanceof MigrationFatalError)
        return this.shutdown(1, e.message, true);
      return this.shutdown(1, `migration failed: ${(e as Error).message}`, true);
    }
    if (this.killed || this.stopping || !lock.isHeld()) return;
    this.state = 'serving';
    this.o.journal?.record({
      node: this.o.id,
      kind: 'serving',
      version: manager.newest,
      detail: this.mode,
    });
    this.log('serving');
  }

  private listen(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port ?? 8889, this.o.host, () => resolve());
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0]!;
    if (this.state !== 'serving')
      return send(503, { error: 'ServiceUnavailable', state: this.state, id: this.o.id });
    if (path === '/v1/ping') return send(200, { id: this.o.id, mode: this.mode });
    const m = /^\/v1\/ops\/([A-Za-z]+)$/.exec(path);
    if (!m || req.method !== 'POST') return send(404, { error: 'NotFound' });
    const f = m[1] as BbsOpName;
    let body = '';
    for await (const chunk of req) body += String(chunk);
    let args: unknown;
    try {
      args = JSON.parse(body || '{}');
    } catch {
      return send(400, { error: 'InvalidRequest' });
    }
    const op = { f, args } as BbsOp;
    try {
      if (this.sqlStore) {
        const r = await this.sqlStore.execute(op);
        if (r.error) return send(500, { error: 'DatabaseError', detail: r.error });
        return send(200, { ...r.value, servedBy: this.o.id });
      }
      if (!LEGACY_OPS.has(f)) return send(404, { error: 'NotFound' });
      return send(200, { ...(await this.etcd!.execute(op)), servedBy: this.o.id });
    } catch (e) {
      return send(500, { error: 'UnknownError', detail: (e as Error).message });
    }
  }

  private async shutdown(code: number, reason: string, releaseLock: boolean): Promise<void> {
    if (this.exitInfo) return;
    this.exitInfo = { code, reason };
    this.stopping = true;
    this.state = 'exited';
    this.wake?.();
    this.log(`exiting (${code}): ${reason}`);
    this.o.journal?.record({ node: this.o.id, kind: 'exit', version: code, detail: reason });
    if (releaseLock) await this.lock?.release().catch(() => {});
    await this.closeServer();
    await this.pool?.end().catch(() => {});
    this.resolveExit(this.exitInfo);
  }

  private closeServer(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return Promise.resolve();
    s.closeAllConnections();
    return new Promise((r) => s.close(() => r()));
  }

  /** Graceful stop: releases the lock (the session is destroyed) and exits 0. */
  async stop(): Promise<NodeExit> {
    await this.shutdown(0, 'stopped', true);
    return this.exited;
  }

  /** As kill -9: nothing released; the lock's session lapses on the agent after its TTL. */
  kill(): void {
    if (this.exitInfo) return;
    this.killed = true;
    this.lock?.abandon();
    void this.shutdown(137, 'killed', false);
  }
}

/** Calls one op on a node's API: the status and the answer. */
export async function callNode(
  url: string,
  f: BbsOpName,
  args: unknown,
  timeoutMs = 3000,
): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    const r = await fetch(`${url}/v1/ops/${f}`, {
      method: 'POST',
      body: JSON.stringify(args),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  } catch (e) {
    return { status: 0, body: { error: (e as Error).message } };
  }
}
