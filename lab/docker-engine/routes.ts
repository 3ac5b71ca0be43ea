// The Engine API paths the lab's engine serves, versioned (/v1.41/containers/json) or not, and
// how a request maps to one of them. Pure: api.ts does the work.

export const API_VERSION = '1.43';
export const MIN_API_VERSION = '1.24';

export type RouteName =
  | 'ping'
  | 'version'
  | 'info'
  | 'images.list'
  | 'images.inspect'
  | 'images.create'
  | 'containers.create'
  | 'containers.list'
  | 'containers.inspect'
  | 'containers.start'
  | 'containers.stop'
  | 'containers.restart'
  | 'containers.kill'
  | 'containers.pause'
  | 'containers.unpause'
  | 'containers.wait'
  | 'containers.logs'
  | 'containers.remove'
  | 'networks.create'
  | 'networks.list'
  | 'networks.inspect'
  | 'networks.remove'
  | 'networks.connect'
  | 'networks.disconnect';

interface RouteDef {
  method: string;
  pattern: RegExp;
  name: RouteName;
}

// Image names may hold slashes (ghcr.io/shopify/toxiproxy:2.12.0): their patterns are greedy.
const ROUTES: RouteDef[] = [
  { method: 'GET', pattern: /^\/_ping$/, name: 'ping' },
  { method: 'HEAD', pattern: /^\/_ping$/, name: 'ping' },
  { method: 'GET', pattern: /^\/version$/, name: 'version' },
  { method: 'GET', pattern: /^\/info$/, name: 'info' },
  { method: 'GET', pattern: /^\/images\/json$/, name: 'images.list' },
  { method: 'POST', pattern: /^\/images\/create$/, name: 'images.create' },
  { method: 'GET', pattern: /^\/images\/(?<id>.+)\/json$/, name: 'images.inspect' },
  { method: 'POST', pattern: /^\/containers\/create$/, name: 'containers.create' },
  { method: 'GET', pattern: /^\/containers\/json$/, name: 'containers.list' },
  { method: 'GET', pattern: /^\/containers\/(?<id>[^/]+)\/json$/, name: 'containers.inspect' },
  { method: 'POST', pattern: /^\/containers\/(?<id>[^/]+)\/start$/, name: 'containers.start' },
  { method: 'POST', pattern: /^\/containers\/(?<id>[^/]+)\/stop$/, name: 'containers.stop' },
  { method: 'POST', pattern: /^\/containers\/(?<id>[^/]+)\/restart$/, name: 'containers.restart' },
  { method: 'POST', pattern: /^\/containers\/(?<id>[^/]+)\/kill$/, name: 'containers.kill' },
  { method: 'POST', pattern: /^\/containers\/(?<id>[^/]+)\/pause$/, name: 'containers.pause' },
  { method: 'POST', pattern: /^\/containers\/(?<id>[^/]+)\/unpause$/, name: 'containers.unpause' },
  { method: 'POST', pattern: /^\/containers\/(?<id>[^/]+)\/wait$/, name: 'containers.wait' },
  { method: 'GET', pattern: /^\/containers\/(?<id>[^/]+)\/logs$/, name: 'containers.logs' },
  { method: 'DELETE', pattern: /^\/containers\/(?<id>[^/]+)$/, name: 'containers.remove' },
  { method: 'POST', pattern: /^\/networks\/create$/, name: 'networks.create' },
  { method: 'GET', pattern: /^\/networks\/?$/, name: 'networks.list' },
  { method: 'GET', pattern: /^\/networks\/(?<id>[^/]+)$/, name: 'networks.inspect' },
  { method: 'DELETE', pattern: /^\/networks\/(?<id>[^/]+)$/, name: 'networks.remove' },
  { method: 'POST', pattern: /^\/networks\/(?<id>[^/]+)\/connect$/, name: 'networks.connect' },
  {
    method: 'POST',
    pattern: /^\/networks\/(?<id>[^/]+)\/disconnect$/,
    name: 'networks.disconnect',
  },
];

export type RouteMatch =
  | { ok: true; name: RouteName; id: string | null; version: string | null; query: URLSearchParams }
  | { ok: false; status: 400 | 404 | 405; message: string };

const versionNumber = (v: string) => v.split('.').reduce((acc, x) => acc * 1000 + Number(x), 0);

export function matchRoute(method: string, rawUrl: string): RouteMatch {
  const url = new URL(rawUrl, 'http://engine');
  let path = url.pathname;
  let version: string | null = null;
  const vm = /^\/v(\d+\.\d+)(\/.*)$/.exec(path);
  if (vm) {
    version = vm[1]!;
    path = vm[2]!;
    if (versionNumber(version) > versionNumber(API_VERSION)) {
      return {
        ok: false,
        status: 400,
        message: `client version ${version} is too new. Maximum supported API version is ${API_VERSION}`,
      };
    }
    if (versionNumber(version) < versionNumber(MIN_API_VERSION)) {
      return {
        ok: false,
        status: 400,
        message: `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
      };
    }
  }
  let pathMatched = false;
  for (const r of ROUTES) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (r.method !== method) continue;
    const raw = m.groups?.id;
    return {
      ok: true,
      name: r.name,
      id: raw === undefined ? null : decodeURIComponent(raw),
      version,
      query: url.searchParams,
    };
  }
  if (pathMatched)
    return { ok: false, status: 405, message: `method ${method} is not allowed on ${path}` };
  return {
    ok: false,
    status: 404,
    message: `page not found: the lab's engine does not serve ${method} ${path}`,
  };
}

/** Docker's boolean query values: 1/true/True are true, 0/false/"" false. */
export function queryBool(q: URLSearchParams, name: string, def = false): boolean {
  const v = q.get(name);
  if (v === null) return def;
  return v === '1' || v.toLowerCase() === 'true';
}

/**
 * One frame of the multiplexed (non-TTY) stream: 8-byte header [stream, 0, 0, 0, size32BE], then
 * the bytes.
 */
export function muxFrame(stream: 1 | 2, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}
