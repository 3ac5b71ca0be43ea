// The HTTP routes of Toxiproxy's API (Shopify/toxiproxy api.go), with its status codes and JSON
// shapes: GET /proxies is an object keyed by proxy name; a proxy is {name, listen, upstream,
// enabled, toxics}; a toxic is {name, type, stream, toxicity, attributes}; errors are
// {"error": message, "status": code}. Creating a proxy answers 201, creating a toxic 200 (as the
// real one does), deleting and /reset 204, /populate 201 with {"proxies": [...]}.

import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  parseJson,
  parsePopulate,
  parseProxyCreate,
  parseProxyUpdate,
  parseToxicCreate,
  parseToxicUpdate,
} from './bodies.ts';
import type { ProxyCollection } from './collection.ts';
import { ApiError, badRequestBody } from './errors.ts';

export const VERSION = '2.12.0-bbs-lab';

const MAX_BODY_BYTES = 1 << 20;

interface Reply {
  status: number;
  /** Serialised as JSON; undefined sends no body. */
  body?: unknown;
}

type Params = Record<string, string>;
type Handler = (params: Params, body: () => Promise<unknown>) => Promise<Reply> | Reply;

interface Route {
  pattern: string[];
  methods: Record<string, Handler>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(badRequestBody(`larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function routes(proxies: ProxyCollection): Route[] {
  const ok = (body: unknown): Reply => ({ status: 200, body });
  const noContent: Reply = { status: 204 };
  const view = (name: string) => proxies.get(name).view();
  return [
    { pattern: ['version'], methods: { GET: () => ok({ version: VERSION }) } },
    {
      pattern: ['reset'],
      methods: {
        POST: () =>
          proxies.exclusive(async () => {
            await proxies.reset();
            return noContent;
          }),
      },
    },
    {
      pattern: ['proxies'],
      methods: {
        GET: () => ok(Object.fromEntries(proxies.list().map((p) => [p.name, p.view()]))),
        POST: async (_, body) => {
          const input = parseProxyCreate(await body());
          return proxies.exclusive(async () => ({
            status: 201,
            body: (await proxies.add(input)).view(),
          }));
        },
      },
    },
    {
      pattern: ['populate'],
      methods: {
        POST: async (_, body) => {
          const inputs = parsePopulate(await body());
          const outcome = await proxies.exclusive(() => proxies.populate(inputs));
          const listed = outcome.proxies.map((p) => p.view());
          if (outcome.error)
            return {
              status: outcome.error.status,
              body: { error: outcome.error.message, status: outcome.error.status, proxies: listed },
            };
          return { status: 201, body: { proxies: listed } };
        },
      },
    },
    {
      pattern: ['proxies', ':proxy'],
      methods: {
        GET: (p) => ok(view(p.proxy!)),
        POST: (p, body) => updateProxy(p.proxy!, body),
        PATCH: (p, body) => updateProxy(p.proxy!, body),
        DELETE: (p) =>
          proxies.exclusive(async () => {
            await proxies.remove(p.proxy!);
            return noContent;
          }),
      },
    },
    {
      pattern: ['proxies', ':proxy', 'toxics'],
      methods: {
        GET: (p) => ok(proxies.get(p.proxy!).toxicList()),
        POST: async (p, body) => {
          proxies.get(p.proxy!);
          const spec = parseToxicCreate(await body());
          return proxies.exclusive(() => ok(proxies.get(p.proxy!).addToxic(spec)));
        },
      },
    },
    {
      pattern: ['proxies', ':proxy', 'toxics', ':toxic'],
      methods: {
        GET: (p) => ok(proxies.get(p.proxy!).getToxic(p.toxic!)),
        POST: (p, body) => updateToxic(p, body),
        PATCH: (p, body) => updateToxic(p, body),
        DELETE: (p) =>
          proxies.exclusive(() => {
            proxies.get(p.proxy!).removeToxic(p.toxic!);
            return noContent;
          }),
      },
    },
  ];

  async function updateProxy(name: string, body: () => Promise<unknown>): Promise<Reply> {
    const current = proxies.get(name);
    const input = parseProxyUpdate(await body(), {
      listen: current.listen,
      upstream: current.upstream,
      enabled: current.enabled,
    });
    return proxies.exclusive(async () => ok((await proxies.update(name, input)).view()));
  }

  async function updateToxic(p: Params, body: () => Promise<unknown>): Promise<Reply> {
    const current = proxies.get(p.proxy!).getToxic(p.toxic!);
    const spec = parseToxicUpdate(await body(), current);
    return proxies.exclusive(() => ok(proxies.get(p.proxy!).updateToxic(spec)));
  }
}

function match(pattern: string[], segments: string[]): Params | null {
  if (pattern.length !== segments.length) return null;
  const params: Params = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!;
    const got = segments[i]!;
    if (want.startsWith(':')) {
      if (got === '') return null;
      params[want.slice(1)] = got;
    } else if (want !== got) return null;
  }
  return params;
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.body === undefined) {
    res.writeHead(reply.status);
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

const errorReply = (err: ApiError): Reply => ({
  status: err.status,
  body: { error: err.message, status: err.status },
});

export function apiHandler(
  proxies: ProxyCollection,
): (req: IncomingMessage, res: ServerResponse) => void {
  const table = routes(proxies);
  return (req, res) => {
    // The real one refuses browsers, so that a web page cannot drive it through the user's machine.
    if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('User agent not allowed\n');
      return;
    }
    const path = new URL(req.url ?? '/', 'http://toxiproxy').pathname;
    let segments: string[];
    try {
      segments = path.split('/').slice(1).map(decodeURIComponent);
    } catch {
      segments = [];
    }
    const body = async () => parseJson(await readBody(req));
    void (async () => {
      for (const route of table) {
        const params = match(route.pattern, segments);
        if (!params) continue;
        const handler = route.methods[req.method ?? 'GET'];
        if (!handler) return errorReply(new ApiError('method not allowed', 405));
        return handler(params, body);
      }
      return errorReply(new ApiError('not found', 404));
    })()
      .catch((err: unknown) =>
        errorReply(
          err instanceof ApiError ? err : new ApiError((err as Error).message ?? String(err), 500),
        ),
      )
      .then((reply) => send(res, reply));
  };
}
