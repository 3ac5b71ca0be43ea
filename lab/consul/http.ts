// The agent's HTTP API: routes, status codes, headers and bodies as Consul's (see README.md for the
// subset). JSON answers carry Content-Type application/json; errors are plain text, as Consul's
// are. Reads that Consul serves as blocking queries (KV, sessions, catalog, health) send
// X-Consul-Index, X-Consul-KnownLeader and X-Consul-LastContact, and with ?index=N wait until the
// index passes N or ?wait (default 5m, at most 10m, plus up to wait/16 of jitter) runs out.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Catalog } from './catalog.ts';
import { kvToJson, type KvStore } from './kv.ts';
import type { Sessions, CheckStatus } from './sessions.ts';
import type { Change, StateIndex } from './state.ts';
import { badRequest, ConsulError, isObject, notFound, nsToMs, parseGoDuration, serverError, stringField } from './util.ts';

export const CONSUL_VERSION = '1.16.0-bbs-lab';

const KV_MAX_VALUE = 512 * 1024;
const BODY_MAX = 1 << 20;
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

interface Reply {
  status?: number;
  /** Serialised as JSON. */
  json?: unknown;
  /** Sent as is (text/plain). */
  raw?: Buffer | string;
  /** X-Consul-Index (and the other query meta headers) when set. */
  index?: number;
}

interface Ctx {
  method: string;
  /** The part of the path after the route's prefix, percent-decoded. */
  rest: string;
  q: URLSearchParams;
  body(limit?: number): Promise<Buffer>;
  json(): Promise<unknown>;
  signal: AbortSignal;
}

type Handler = (ctx: Ctx) => Promise<Reply> | Reply;

interface Route {
  /** Exact path, or a prefix ending in "/" that takes the rest of the path as a parameter. */
  path: string;
  methods: Partial<Record<'GET' | 'PUT' | 'DELETE', Handler>>;
}

const flag = (q: URLSearchParams, name: string): boolean => {
  if (!q.has(name)) return false;
  const v = q.get(name)!.toLowerCase();
  return v !== 'false' && v !== '0';
};

function uintParam(q: URLSearchParams, name: string, what: string): number | undefined {
  if (!q.has(name)) return undefined;
  const v = q.get(name)!;
  if (!/^\d+$/.test(v)) throw badRequest(`Invalid ${what} index`);
  return Number(v);
}

export function consulHttpHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { state, kv, sessions, catalog } = deps;

  /** Runs a read as a blocking query when ?index is given. */
  async function blocking(ctx: Ctx, relevant: (c: Change) => boolean, read: () => Reply & { index: number }): Promise<Reply> {
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

  const kvRelevant =
    (key: string, prefix: boolean) =>
    (c: Change): boolean =>
      c.table === 'kv' && (c.keys ?? []).some((k) => (prefix ? k.startsWith(key) || key.startsWith(k) : k === key));
  const table = (t: Change['table']) => (c: Change) => c.table === t;

  const kvRoute: Route = {
    path: '/v1/kv/',
    methods: {
      GET: (ctx) => {
        const key = ctx.rest;
        if (ctx.q.has('keys')) {
          const sep = ctx.q.get('separator') ?? undefined;
          return blocking(ctx, kvRelevant(key, true), () => {
            const keys = kv.keys(key, sep || undefined);
            return { index: kv.prefixIndex(key), ...(keys.length > 0 ? { json: keys } : { status: 404 }) };
          });
        }
        if (flag(ctx.q, 'recurse')) {
          return blocking(ctx, kvRelevant(key, true), () => {
            const entries = kv.list(key);
            return { index: kv.prefixIndex(key), ...(entries.length > 0 ? { json: entries.map(kvToJson) } : { status: 404 }) };
          });
        }
        return blocking(ctx, kvRelevant(key, false), () => {
          const e = kv.get(key);
          const index = kv.keyIndex(key);
          if (!e) return { index, status: 404 };
          if (ctx.q.has('raw')) return { index, raw: e.Value ?? Buffer.alloc(0) };
          return { index, json: [kvToJson(e)] };
        });
      },
      PUT: async (ctx) => {
        const key = ctx.rest;
        if (key === '') throw badRequest('Missing key name');
        let flags = 0;
        if (ctx.q.has('flags')) {
          const f = ctx.q.get('flags')!;
          if (!/^\d+$/.test(f)) throw badRequest('Invalid flags');
          flags = Number(f);
        }
        const value = await ctx.body(KV_MAX_VALUE);
        let ok: boolean;
        // As Consul's KVSPut decides the operation: release over acquire over cas.
        const cas = uintParam(ctx.q, 'cas', 'cas');
        if (ctx.q.has('release')) ok = sessions.release(key, value, flags, ctx.q.get('release')!);
        else if (ctx.q.has('acquire')) ok = sessions.acquire(key, value, flags, ctx.q.get('acquire')!);
        else if (cas !== undefined) ok = kv.cas(key, value, flags, cas);
        else ok = kv.set(key, value, flags);
        return { json: ok };
      },
      DELETE: (ctx) => {
        const key = ctx.rest;
        if (flag(ctx.q, 'recurse')) return { json: kv.deleteTree(key) };
        if (key === '') throw badRequest('Missing key name');
        if (ctx.q.has('cas')) return { json: kv.deleteCas(key, uintParam(ctx.q, 'cas', 'cas')!) };
        return { json: kv.delete(key) };
      },
    },
  };

  const idParam = (ctx: Ctx, what: string): string => {
    if (ctx.rest === '') throw badRequest(`Missing ${what}`);
    return ctx.rest;
  };

  const ttlUpdate =
    (status: CheckStatus): Handler =>
    (ctx) => {
      catalog.updateTtl(idParam(ctx, 'check ID'), status, ctx.q.get('note') ?? '');
      return {};
    };

  const routes: Route[] = [
    kvRoute,
    // ---- sessions ----
    {
      path: '/v1/session/create',
      methods: {
        PUT: async (ctx) => {
          const body = await ctx.json();
          return { json: { ID: sessions.create(body ?? undefined) } };
        },
      },
    },
    {
      path: '/v1/session/destroy/',
      methods: {
        PUT: (ctx) => {
          sessions.destroy(idParam(ctx, 'session'));
          return { json: true };
        },
      },
    },
    {
      path: '/v1/session/renew/',
      methods: {
        PUT: (ctx) => {
          const id = idParam(ctx, 'session');
          const s = sessions.renew(id);
          if (!s) throw notFound(`Session id '${id}' not found`);
          return { json: [s] };
        },
      },
    },
    {
      path: '/v1/session/info/',
      methods: {
        GET: (ctx) => {
          const id = idParam(ctx, 'session');
          return blocking(ctx, table('sessions'), () => {
            const s = sessions.info(id);
            return { index: state.tableIndex('sessions'), json: s ? [s] : [] };
          });
        },
      },
    },
    {
      path: '/v1/session/list',
      methods: { GET: (ctx) => blocking(ctx, table('sessions'), () => ({ index: state.tableIndex('sessions'), json: sessions.list() })) },
    },
    {
      path: '/v1/session/node/',
      methods: {
        GET: (ctx) => {
          const node = idParam(ctx, 'node name');
          return blocking(ctx, table('sessions'), () => ({ index: state.tableIndex('sessions'), json: sessions.list().filter((s) => s.Node === node) }));
        },
      },
    },
    // ---- agent ----
    {
      path: '/v1/agent/service/register',
      methods: {
        PUT: async (ctx) => {
          catalog.registerService(await ctx.json());
          return {};
        },
      },
    },
    {
      path: '/v1/agent/service/deregister/',
      methods: {
        PUT: (ctx) => {
          catalog.deregisterService(idParam(ctx, 'service ID'));
          return {};
        },
      },
    },
    { path: '/v1/agent/services', methods: { GET: () => ({ json: catalog.agentServices() }) } },
    {
      path: '/v1/agent/service/',
      methods: {
        GET: (ctx) => {
          const s = catalog.agentService(idParam(ctx, 'service ID'));
          if (!s) throw notFound(`unknown service ID: ${ctx.rest}`);
          return { json: s };
        },
      },
    },
    { path: '/v1/agent/checks', methods: { GET: () => ({ json: catalog.agentChecks() }) } },
    {
      path: '/v1/agent/check/register',
      methods: {
        PUT: async (ctx) => {
          catalog.registerCheck(await ctx.json());
          return {};
        },
      },
    },
    {
      path: '/v1/agent/check/deregister/',
      methods: {
        PUT: (ctx) => {
          catalog.deregisterCheck(idParam(ctx, 'check ID'));
          return {};
        },
      },
    },
    { path: '/v1/agent/check/pass/', methods: { PUT: ttlUpdate('passing') } },
    { path: '/v1/agent/check/warn/', methods: { PUT: ttlUpdate('warning') } },
    { path: '/v1/agent/check/fail/', methods: { PUT: ttlUpdate('critical') } },
    {
      path: '/v1/agent/check/update/',
      methods: {
        PUT: async (ctx) => {
          const id = idParam(ctx, 'check ID');
          const body = await ctx.json();
          if (!isObject(body)) throw badRequest('Request decode failed: body must be a JSON object');
          const status = stringField(body, 'Status') ?? '';
          if (status !== 'passing' && status !== 'warning' && status !== 'critical') throw badRequest(`Invalid check status: "${status}"`);
          catalog.updateTtl(id, status, stringField(body, 'Output') ?? '');
          return {};
        },
      },
    },
    {
      path: '/v1/agent/self',
      methods: {
        GET: () => {
          const n = catalog.node;
          return {
            json: {
              Config: { Datacenter: n.datacenter, NodeName: n.name, NodeID: n.id, Server: true, Revision: 'bbs-lab', Version: CONSUL_VERSION },
              DebugConfig: {},
              Coord: null,
              Member: memberJson(n, deps),
              Stats: {},
              Meta: {},
            },
          };
        },
      },
    },
    { path: '/v1/agent/members', methods: { GET: () => ({ json: [memberJson(catalog.node, deps)] }) } },
    // ---- health ----
    {
      path: '/v1/health/service/',
      methods: {
        GET: (ctx) => {
          const name = idParam(ctx, 'service name');
          const tag = ctx.q.get('tag') ?? undefined;
          return blocking(ctx, table('catalog'), () => ({ index: state.tableIndex('catalog'), json: catalog.healthService(name, { passing: flag(ctx.q, 'passing'), tag }) }));
        },
      },
    },
    {
      path: '/v1/health/checks/',
      methods: {
        GET: (ctx) => {
          const name = idParam(ctx, 'service name');
          return blocking(ctx, table('catalog'), () => ({ index: state.tableIndex('catalog'), json: catalog.healthChecksOfService(name) }));
        },
      },
    },
    {
      path: '/v1/health/node/',
      methods: {
        GET: (ctx) => {
          const node = idParam(ctx, 'node name');
          return blocking(ctx, table('catalog'), () => ({ index: state.tableIndex('catalog'), json: catalog.healthNode(node) }));
        },
      },
    },
    {
      path: '/v1/health/state/',
      methods: {
        GET: (ctx) => {
          const st = ctx.rest;
          if (!['any', 'passing', 'warning', 'critical'].includes(st)) throw badRequest(`Invalid state: ${st}`);
          return blocking(ctx, table('catalog'), () => ({ index: state.tableIndex('catalog'), json: catalog.healthState(st) }));
        },
      },
    },
    // ---- catalog ----
    {
      path: '/v1/catalog/services',
      methods: { GET: (ctx) => blocking(ctx, table('catalog'), () => ({ index: state.tableIndex('catalog'), json: catalog.catalogServices() })) },
    },
    {
      path: '/v1/catalog/service/',
      methods: {
        GET: (ctx) => {
          const name = idParam(ctx, 'service name');
          const tag = ctx.q.get('tag') ?? undefined;
          return blocking(ctx, table('catalog'), () => ({ index: state.tableIndex('catalog'), json: catalog.catalogService(name, tag) }));
        },
      },
    },
    {
      path: '/v1/catalog/nodes',
      methods: { GET: (ctx) => blocking(ctx, table('catalog'), () => ({ index: state.tableIndex('catalog'), json: catalog.nodes() })) },
    },
    {
      path: '/v1/catalog/node/',
      methods: {
        GET: (ctx) => {
          const node = idParam(ctx, 'node name');
          return blocking(ctx, table('catalog'), () => {
            if (node !== catalog.node.name) return { index: state.tableIndex('catalog'), json: null };
            const services: Record<string, unknown> = {};
            for (const [id, s] of Object.entries(catalog.agentServices())) services[id] = s;
            services.consul = catalog.catalogService('consul').map((s) => ({ ID: 'consul', Service: 'consul', Tags: [], Port: s.ServicePort, Address: '' }))[0];
            return { index: state.tableIndex('catalog'), json: { Node: catalog.nodes()[0], Services: services } };
          });
        },
      },
    },
    { path: '/v1/catalog/datacenters', methods: { GET: () => ({ json: [deps.datacenter] }) } },
    // ---- status ----
    { path: '/v1/status/leader', methods: { GET: () => ({ json: deps.leader }) } },
    { path: '/v1/status/peers', methods: { GET: () => ({ json: [deps.leader] }) } },
  ];

  const supported = routes.map((r) => `${Object.keys(r.methods).join('|')} ${r.path}${r.path.endsWith('/') ? '<…>' : ''}`).join(', ');

  return (req, res) => {
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    void handle(req, res, ac.signal).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const status = err instanceof ConsulError ? err.status : 500;
      sendText(res, status, (err as Error)?.message ?? String(err));
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const rawUrl = req.url ?? '/';
    const qAt = rawUrl.indexOf('?');
    const rawPath = qAt < 0 ? rawUrl : rawUrl.slice(0, qAt);
    const q = new URLSearchParams(qAt < 0 ? '' : rawUrl.slice(qAt + 1));
    const method = req.method ?? 'GET';

    let route: Route | undefined;
    let restRaw = '';
    for (const r of routes) {
      if (r.path.endsWith('/') ? rawPath.startsWith(r.path) : rawPath === r.path) {
        route = r;
        restRaw = r.path.endsWith('/') ? rawPath.slice(r.path.length) : '';
        break;
      }
      // "/v1/kv" without a trailing slash is the root of the KV store.
      if (r.path.endsWith('/') && rawPath === r.path.slice(0, -1) && r === kvRoute) {
        route = r;
        break;
      }
    }
    if (!route) {
      drain(req);
      sendText(res, 404, `Unsupported endpoint: ${method} ${rawPath}. The lab's Consul agent (a subset of Consul's HTTP API) supports: ${supported}`);
      return;
    }
    const handler = route.methods[method as keyof Route['methods']];
    if (!handler) {
      drain(req);
      res.setHeader('Allow', Object.keys(route.methods).join(', '));
      sendText(res, 405, `method ${method} not allowed`);
      return;
    }
    let rest: string;
    try {
      rest = decodeURIComponent(restRaw);
    } catch {
      throw badRequest(`Invalid URL path encoding: ${restRaw}`);
    }
    const dc = q.get('dc');
    if (dc && dc !== deps.datacenter) throw serverError('No path to datacenter');

    let bodyPromise: Promise<Buffer> | null = null;
    const body = (limit = BODY_MAX) => (bodyPromise ??= readBody(req, limit));
    const ctx: Ctx = {
      method,
      rest,
      q,
      body,
      async json() {
        const b = await body();
        if (b.length === 0) return undefined;
        try {
          return JSON.parse(b.toString('utf8')) as unknown;
        } catch (err) {
          throw badRequest(`Request decode failed: ${(err as Error).message}`);
        }
      },
      signal,
    };
    const reply = await handler(ctx);
    if (!bodyPromise) drain(req);
    if (res.destroyed) return;
    if (reply.index !== undefined) {
      res.setHeader('X-Consul-Index', String(Math.max(1, reply.index)));
      res.setHeader('X-Consul-KnownLeader', 'true');
      res.setHeader('X-Consul-LastContact', '0');
    }
    const status = reply.status ?? 200;
    if (reply.raw !== undefined) {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end(reply.raw);
    } else if (reply.json !== undefined) {
      const pretty = q.has('pretty');
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(pretty ? JSON.stringify(reply.json, null, 4) : JSON.stringify(reply.json));
    } else {
      res.writeHead(status);
      res.end();
    }
  }
}

function memberJson(n: { name: string; address: string; datacenter: string }, deps: HttpDeps) {
  return {
    Name: n.name,
    Addr: n.address,
    Port: deps.serfPort,
    Tags: { role: 'consul', dc: n.datacenter, bootstrap: '1', build: CONSUL_VERSION, port: deps.leader.split(':').pop() ?? '8300' },
    Status: 1,
  };
}

function sendText(res: ServerResponse, status: number, text: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function drain(req: IncomingMessage): void {
  req.resume();
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new ConsulError(`Request body(${size} bytes) too large, max size: ${limit} bytes`, 413));
        req.resume();
        return;
      }
      parts.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(parts));
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
    });
  });
}
