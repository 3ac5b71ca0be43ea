// A galera-healthcheck server beside one Galera node: HTTP on the node's own loopback address (port
// 9200 by default, as cf-mysql-release runs it), each request reading the node afresh and answering
// as the real one does (see responses.ts, decide.ts).
//
// Lab-only, not part of the real API: an override a nemesis uses to make the healthcheck lie for a
// while, in code (setOverride) and over HTTP:
//   PUT /lab/override  {"state": "healthy" | "unhealthy" | null, "forMs"?: number}  → 200 {"state",
//   "remainingMs"} GET /lab/override
//   → 200 {"state", "remainingMs"}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { DEFAULT_HEALTH_OPTIONS, decideHealth, type HealthOptions } from './decide.ts';
import { createNodeStatusReader, type NodeStatusReader } from './node-status.ts';
import {
  answerRoot,
  answerV1Status,
  type Evaluation,
  type HttpAnswer,
  type OverrideState,
} from './responses.ts';

export const DEFAULT_HEALTHCHECK_PORT = 9200;

export interface HealthcheckOptions {
  /** The node's name, for logs and events. */
  name: string;
  /** Where to serve: the node's own loopback address. Port 0 picks a free one. */
  listen: { host: string; port?: number };
  /** How to reach the node's MySQL. */
  mysql: { host: string; port: number; user: string; password: string };
  availableWhenDonor?: boolean;
  availableWhenReadOnly?: boolean;
  /** Per query to the node. Default 2000 ms. */
  queryTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/** The healthcheck's view of its node right now (what GET /api/v1/status would say). */
export interface HealthcheckStatus {
  healthy: boolean;
  /** The real healthcheck's message, or the read error. */
  message: string;
  localState: number | null;
  localIndex: string | null;
  override: OverrideState | null;
}

export interface HealthcheckHandle {
  name: string;
  /** http://host:port */
  baseUrl: string;
  /** http://host:port/api/v1/status, what a switchboard polls. */
  statusUrl: string;
  status(): Promise<HealthcheckStatus>;
  /** Forces the answer (null clears it); with forMs, only for that long. Lab-only. */
  setOverride(state: OverrideState | null, forMs?: number): void;
  override(): OverrideState | null;
  /**
   * Between two runs of a campaign: no override, no index remembered, no connection to the node
   * (the next request opens one), as a fresh start has.
   */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

interface OverrideSlot {
  state: OverrideState;
  /** performance.now() deadline; Infinity when it holds until cleared. */
  until: number;
}

const isOverrideState = (v: unknown): v is OverrideState => v === 'healthy' || v === 'unhealthy';

function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > limit) {
        reject(new Error('body too large'));
        req.destroy();
      }
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, a: HttpAnswer): void {
  res.writeHead(a.status, {
    'Content-Type': a.contentType,
    'Content-Length': Buffer.byteLength(a.body),
  });
  res.end(a.body);
}

const json = (status: number, value: unknown): HttpAnswer => ({
  status,
  contentType: 'application/json',
  body: `${JSON.stringify(value)}\n`,
});

export async function startHealthcheck(
  opts: HealthcheckOptions,
  reader?: NodeStatusReader,
): Promise<HealthcheckHandle> {
  const healthOpts: HealthOptions = {
    availableWhenDonor: opts.availableWhenDonor ?? DEFAULT_HEALTH_OPTIONS.availableWhenDonor,
    availableWhenReadOnly:
      opts.availableWhenReadOnly ?? DEFAULT_HEALTH_OPTIONS.availableWhenReadOnly,
  };
  const node =
    reader ??
    createNodeStatusReader({
      ...opts.mysql,
      ...(opts.queryTimeoutMs !== undefined ? { queryTimeoutMs: opts.queryTimeoutMs } : {}),
      ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
    });
  let slot: OverrideSlot | null = null;
  let lastIndex: string | null = null;

  const currentOverride = (): OverrideState | null => {
    if (slot && performance.now() >= slot.until) slot = null;
    return slot?.state ?? null;
  };
  const setOverride = (state: OverrideState | null, forMs?: number): void => {
    if (state === null) {
      slot = null;
      return;
    }
    if (!isOverrideState(state))
      throw new Error(`override must be 'healthy', 'unhealthy' or null, got ${String(state)}`);
    if (forMs !== undefined && !(Number.isFinite(forMs) && forMs > 0))
      throw new Error(`forMs must be a positive number, got ${forMs}`);
    slot = { state, until: forMs === undefined ? Infinity : performance.now() + forMs };
  };
  const overrideView = () => ({
    state: currentOverride(),
    remainingMs:
      slot && Number.isFinite(slot.until)
        ? Math.max(0, Math.round(slot.until - performance.now()))
        : null,
  });

  const evaluate = async (): Promise<Evaluation> => {
    try {
      const reading = await node.read();
      lastIndex = reading.localIndex;
      return { ok: true, reading, decision: decideHealth(reading, healthOpts) };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/lab/override') {
      if (req.method === 'GET') return send(res, json(200, overrideView()));
      if (req.method !== 'PUT') return send(res, json(405, { error: 'use GET or PUT' }));
      let body: unknown;
      try {
        body = JSON.parse(await readBody(req));
      } catch {
        return send(
          res,
          json(400, {
            error: 'body must be JSON: {"state": "healthy" | "unhealthy" | null, "forMs"?: number}',
          }),
        );
      }
      const b = body as { state?: unknown; forMs?: unknown };
      if (
        typeof body !== 'object' ||
        body === null ||
        !('state' in b) ||
        !(b.state === null || isOverrideState(b.state))
      ) {
        return send(res, json(400, { error: 'state must be "healthy", "unhealthy" or null' }));
      }
      if (
        b.forMs !== undefined &&
        !(typeof b.forMs === 'number' && Number.isFinite(b.forMs) && b.forMs > 0)
      ) {
        return send(res, json(400, { error: 'forMs must be a positive number of milliseconds' }));
      }
      setOverride(b.state, b.forMs as number | undefined);
      return send(res, json(200, overrideView()));
    }
    if (req.method !== 'GET') return send(res, json(405, { error: 'GET only' }));
    if (path === '/api/v1/status') {
      const ev = await evaluate();
      return send(res, answerV1Status(ev, currentOverride(), lastIndex));
    }
    if (path === '/') {
      const ev = await evaluate();
      return send(res, answerRoot(ev, currentOverride()));
    }
    return send(res, {
      status: 404,
      contentType: 'text/plain; charset=utf-8',
      body: '404 page not found\n',
    });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      if (!res.headersSent)
        send(res, { status: 500, contentType: 'text/plain; charset=utf-8', body: e.message });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.listen.port ?? DEFAULT_HEALTHCHECK_PORT, opts.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (e: Error) => {
    await node.close();
    throw new Error(
      `healthcheck ${opts.name}: cannot listen on ${opts.listen.host}:${opts.listen.port ?? DEFAULT_HEALTHCHECK_PORT}: ${e.message}`,
    );
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://${opts.listen.host}:${port}`;

  let stopping: Promise<void> | null = null;
  return {
    name: opts.name,
    baseUrl,
    statusUrl: `${baseUrl}/api/v1/status`,
    async status() {
      const ev = await evaluate();
      const override = currentOverride();
      return {
        healthy: override ? override === 'healthy' : ev.ok && ev.decision.healthy,
        message: ev.ok ? ev.decision.message : ev.error,
        localState: ev.ok ? ev.reading.localState : null,
        localIndex: ev.ok ? ev.reading.localIndex : null,
        override,
      };
    },
    setOverride,
    override: currentOverride,
    async reset() {
      slot = null;
      lastIndex = null;
      await node.disconnect();
    },
    stop() {
      stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await node.close();
      })();
      return stopping;
    },
  };
}

export interface HealthcheckNode {
  name: string;
  host: string;
  port: number;
}

/**
 * One healthcheck per node, each on the node's own address. If one cannot start, those already
 * started are stopped before the error is thrown.
 */
export async function startHealthchecks(
  nodes: readonly HealthcheckNode[],
  credentials: { user: string; password: string },
  opts: Omit<HealthcheckOptions, 'name' | 'listen' | 'mysql'> & { port?: number } = {},
): Promise<HealthcheckHandle[]> {
  const { port, ...rest } = opts;
  const started: HealthcheckHandle[] = [];
  try {
    for (const n of nodes) {
      started.push(
        await startHealthcheck({
          ...rest,
          name: n.name,
          listen: { host: n.host, port: port ?? DEFAULT_HEALTHCHECK_PORT },
          mysql: {
            host: n.host,
            port: n.port,
            user: credentials.user,
            password: credentials.password,
          },
        }),
      );
    }
    return started;
  } catch (e) {
    await Promise.allSettled(started.map((h) => h.stop()));
    throw e;
  }
}
