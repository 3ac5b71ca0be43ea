// What an endpoint group (kv.ts, session.ts, catalog.ts, agent.ts) is written against: a route, its
// handlers, the request as a handler sees it, and the blocking-query read most GETs share.

import type { Catalog } from '../catalog.ts';
import type { KvStore } from '../kv.ts';
import type { Sessions } from '../sessions.ts';
import type { Change, StateIndex } from '../state.ts';
import { badRequest, nsToMs, parseGoDuration } from '../util.ts';

export const CONSUL_VERSION = '1.16.0-bbs-lab';

const DEFAULT_WAIT_MS = 5 * 60_000;
const MAX_WAIT_MS = 10 * 60_000;

export interface HttpDeps {
  state: StateIndex;
  kv: KvStore;
  sessions: Sessions;
  catalog: Catalog;
  /** What /v1/status/leader answers, e.g. "127.0.30.1:8300". */
  leader: string;
  datacenter: string;
  /** The agent's serf LAN port shown in /v1/agent/self and /v1/agent/members. */
  serfPort: number;
}

export interface Reply {
  status?: number;
  /** Serialised as JSON. */
  json?: unknown;
  /** Sent as is (text/plain). */
  raw?: Buffer | string;
  /** X-Consul-Index (and the other query meta headers) when set. */
  index?: number;
}

export interface Ctx {
  method: string;
  /** The part of the path after the route's prefix, percent-decoded. */
  rest: string;
  q: URLSearchParams;
  body(limit?: number): Promise<Buffer>;
  json(): Promise<unknown>;
  signal: AbortSignal;
}

export type Handler = (ctx: Ctx) => Promise<Reply> | Reply;

export interface Route {
  /** Exact path, or a prefix ending in "/" that takes the rest of the path as a parameter. */
  path: string;
  methods: Partial<Record<'GET' | 'PUT' | 'DELETE', Handler>>;
  /**
   * The prefix without its trailing "/" is the route too (as "/v1/kv", the root of the KV store).
   */
  bareRoot?: true;
}

export const flag = (q: URLSearchParams, name: string): boolean => {
  if (!q.has(name)) return false;
  const v = q.get(name)!.toLowerCase();
  return v !== 'false' && v !== '0';
};

export function uintParam(q: URLSearchParams, name: string, what: string): number | undefined {
  if (!q.has(name)) return undefined;
  const v = q.get(name)!;
  if (!/^\d+$/.test(v)) throw badRequest(`Invalid ${what} index`);
  return Number(v);
}

/** The path parameter of a prefix route, required. */
export const idParam = (ctx: Ctx, what: string): string => {
  if (ctx.rest === '') throw badRequest(`Missing ${what}`);
  return ctx.rest;
};

/** Changes to one table of the state. */
export const table = (t: Change['table']) => (c: Change) => c.table === t;

/**
 * Runs a read as a blocking query when ?index is given: with ?index=N, waits until the index passes
 * N or ?wait (default 5m, at most 10m, plus up to wait/16 of jitter) runs out.
 */
export async function blocking(
  state: StateIndex,
  ctx: Ctx,
  relevant: (c: Change) => boolean,
  read: () => Reply & { index: number },
): Promise<Reply> {
  const min = uintParam(ctx.q, 'index', 'query') ?? 0;
  let first = read();
  if (min === 0 || first.index > min) return first;
  let waitMs = DEFAULT_WAIT_MS;
  if (ctx.q.has('wait')) {
    const ns = parseGoDuration(ctx.q.get('wait')!);
    if (ns === null) throw badRequest('Invalid wait time');
    waitMs = nsToMs(ns);
  }
  waitMs = Math.min(waitMs, MAX_WAIT_MS);
  waitMs += Math.random() * (waitMs / 16);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0 || ctx.signal.aborted) return first;
    const changed = await state.waitForChange(relevant, left, ctx.signal);
    first = read();
    if (!changed || first.index > min) return first;
  }
}
