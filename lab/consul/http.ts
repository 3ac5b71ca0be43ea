// The agent's HTTP API: routes, status codes, headers and bodies as Consul's (see README.md for the
// subset). One routing table of endpoint groups (http/kv.ts, session.ts, agent.ts, catalog.ts);
// this file matches a request to its route and writes the reply. JSON answers carry Content-Type
// application/json; errors are plain text, as Consul's are. Reads that Consul serves as blocking
// queries send X-Consul-Index, X-Consul-KnownLeader and X-Consul-LastContact (http/route.ts).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { agentRoutes } from './http/agent.ts';
import { catalogRoutes } from './http/catalog.ts';
import { kvRoutes } from './http/kv.ts';
import type { Ctx, HttpDeps, Reply, Route } from './http/route.ts';
import { sessionRoutes } from './http/session.ts';
import { badRequest, ConsulError, serverError } from './util.ts';

export { CONSUL_VERSION, type HttpDeps } from './http/route.ts';

const BODY_MAX = 1 << 20;

/** Every endpoint group, in matching order (a group's exact paths before its prefixes). */
const GROUPS: ((deps: HttpDeps) => Route[])[] = [
  kvRoutes,
  sessionRoutes,
  agentRoutes,
  catalogRoutes,
];

export function consulHttpHandler(
  deps: HttpDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  const routes = GROUPS.flatMap((g) => g(deps));
  const supported = routes
    .map((r) => `${Object.keys(r.methods).join('|')} ${r.path}${r.path.endsWith('/') ? '<…>' : ''}`)
    .join(', ');

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

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    signal: AbortSignal,
  ): Promise<void> {
    const rawUrl = req.url ?? '/';
    const qAt = rawUrl.indexOf('?');
    const rawPath = qAt < 0 ? rawUrl : rawUrl.slice(0, qAt);
    const q = new URLSearchParams(qAt < 0 ? '' : rawUrl.slice(qAt + 1));
    const method = req.method ?? 'GET';

    const { route, restRaw } = matchRoute(routes, rawPath);
    if (!route) {
      drain(req);
      sendText(
        res,
        404,
        `Unsupported endpoint: ${method} ${rawPath}. The lab's Consul agent (a subset of Consul's HTTP API) supports: ${supported}`,
      );
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
    writeReply(res, reply, q.has('pretty'));
  }
}

/**
 * The route a path names: exact paths, prefixes ending in "/" (the rest is their parameter), bare
 * roots.
 */
function matchRoute(
  routes: readonly Route[],
  rawPath: string,
): { route: Route | undefined; restRaw: string } {
  for (const r of routes) {
    if (r.path.endsWith('/') ? rawPath.startsWith(r.path) : rawPath === r.path)
      return { route: r, restRaw: r.path.endsWith('/') ? rawPath.slice(r.path.length) : '' };
    if (r.bareRoot && rawPath === r.path.slice(0, -1)) return { route: r, restRaw: '' };
  }
  return { route: undefined, restRaw: '' };
}

function writeReply(res: ServerResponse, reply: Reply, pretty: boolean): void {
  if (reply.index !== undefined) {
    res.setHeader('X-Consul-Index', String(Math.max(1, reply.index)));
    res.setHeader('X-Consul-KnownLeader', 'true');
    res.setHeader('X-Consul-LastContact', '0');
  }
  const status = reply.status ?? 200;
  if (reply.raw !== undefined) {
    res.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(reply.raw);
  } else if (reply.json !== undefined) {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(pretty ? JSON.stringify(reply.json, null, 4) : JSON.stringify(reply.json));
  } else {
    res.writeHead(status);
    res.end();
  }
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
        reject(
          new ConsulError(`Request body(${size} bytes) too large, max size: ${limit} bytes`, 413),
        );
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
