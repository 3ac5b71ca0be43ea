// The HTTP side of the lab's engine: a request is matched to a route (routes.ts) and handed to that
// route's handler (HANDLERS, one small function per route), which answers with the Engine API's
// status codes and shapes; errors are {"message": …}.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { arch, release } from 'node:os';
import {
  containerInspect,
  containerSummary,
  CONTAINER_FILTERS,
  parseSignal,
  type ContainerStore,
} from './containers.ts';
import { badRequest, EngineError } from './errors.ts';
import { parseFilters } from './filters.ts';
import { imageInspect, type ImageStore } from './images.ts';
import { networkInspect, NETWORK_FILTERS, type NetworkStore } from './networks.ts';
import {
  API_VERSION,
  matchRoute,
  MIN_API_VERSION,
  muxFrame,
  queryBool,
  type RouteName,
} from './routes.ts';

export interface EngineParts {
  images: ImageStore;
  networks: NetworkStore;
  containers: ContainerStore;
  /** e.g. "127.0.50-127.0.59" */
  subnets: string;
  log: (m: string) => void;
}

export const ENGINE_VERSION = '24.0.0-bbslab';

function send(res: ServerResponse, status: number, body?: unknown): void {
  const headers: Record<string, string> = {
    'Api-Version': API_VERSION,
    Server: `Docker/${ENGINE_VERSION} (linux)`,
    'Docker-Experimental': 'false',
    Ostype: 'linux',
  };
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  headers['Content-Type'] =
    typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  res.writeHead(status, headers).end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 4 * 1024 * 1024) throw badRequest('request body too large');
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw badRequest('invalid JSON body: must be a JSON object');
  }
}

export function apiHandler(p: EngineParts): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(p, req, res).catch((e: unknown) => {
      const status = e instanceof EngineError ? e.status : 500;
      if (!(e instanceof EngineError))
        p.log(`engine: ${req.method} ${req.url}: ${(e as Error).stack ?? String(e)}`);
      if (res.headersSent) res.destroy();
      else send(res, status, { message: (e as Error).message });
    });
  };
}

/** What a handler gets: the engine's parts, the request and response, the route's id and query. */
interface Call {
  p: EngineParts;
  req: IncomingMessage;
  res: ServerResponse;
  route: RouteName;
  /** The id in the path ('' when the route has none). */
  id: string;
  q: URLSearchParams;
}

type Handler = (c: Call) => void | Promise<void>;

async function handle(p: EngineParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const m = matchRoute(req.method ?? 'GET', req.url ?? '/');
  if (!m.ok) {
    req.resume();
    send(res, m.status, { message: m.message });
    return;
  }
  await HANDLERS[m.name]({ p, req, res, route: m.name, id: m.id ?? '', q: m.query });
}

/** A handler for a call whose body carries nothing: drain it, then act. */
const bodiless =
  (h: Handler): Handler =>
  (c) => {
    c.req.resume();
    return h(c);
  };

const seconds = (v: string | null) => (v === null ? undefined : Number(v));

// --- the engine itself

function ping({ req, res }: Call): void {
  res.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate');
  send(res, 200, req.method === 'HEAD' ? undefined : 'OK');
}

function version({ res }: Call): void {
  send(res, 200, {
    Platform: { Name: 'bbs-lab engine' },
    Components: [
      {
        Name: 'Engine',
        Version: ENGINE_VERSION,
        Details: { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Experimental: 'false' },
      },
    ],
    Version: ENGINE_VERSION,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: 'bbs-lab',
    GoVersion: `node${process.versions.node}`,
    Os: 'linux',
    Arch: arch() === 'x64' ? 'amd64' : arch(),
    KernelVersion: release(),
  });
}

function info({ p, res }: Call): void {
  const cs = p.containers.all();
  send(res, 200, {
    ID: 'bbs-lab',
    Name: 'bbs-lab-engine',
    ServerVersion: ENGINE_VERSION,
    Containers: cs.length,
    ContainersRunning: cs.filter((c) => c.status === 'running').length,
    ContainersPaused: cs.filter((c) => c.status === 'paused').length,
    ContainersStopped: cs.filter((c) => c.status === 'exited' || c.status === 'created').length,
    Images: p.images.list().length,
    Driver: 'bbs-lab',
    OperatingSystem: 'bbs-lab engine (local processes on loopback networks)',
    OSType: 'linux',
    Architecture: arch(),
    KernelVersion: release(),
    Labels: [`bbs-lab.subnets=${p.subnets}`],
  });
}

// --- images

function imagesList({ p, res }: Call): void {
  send(
    res,
    200,
    p.images.list().map((i) => ({
      Id: i.id,
      RepoTags: [i.ref],
      RepoDigests: [],
      Created: Math.floor(Date.parse(i.created) / 1000),
      Size: 0,
      Labels: {},
      Containers: -1,
      ParentId: '',
      SharedSize: -1,
    })),
  );
}

/** A pull: the progress stream dockerode reads, as JSON lines. */
function imagesCreate({ p, res, q }: Call): void {
  const from = q.get('fromImage');
  if (!from) throw badRequest("fromImage: required (the lab's engine cannot import images)");
  const image = p.images.pull(from, q.get('tag') ?? undefined);
  const [repo, tag] = [
    image.ref.slice(0, image.ref.lastIndexOf(':')),
    image.ref.slice(image.ref.lastIndexOf(':') + 1),
  ];
  const lines = [
    { status: `Pulling from ${repo}`, id: tag },
    { status: `Digest: ${image.id}` },
    {
      status: `Status: Image is up to date for ${image.ref} (the lab's engine runs it from this machine: ${image.kind})`,
    },
  ];
  res.writeHead(200, { 'Content-Type': 'application/json', 'Api-Version': API_VERSION });
  res.end(`${lines.map((l) => JSON.stringify(l)).join('\r\n')}\r\n`);
}

// --- containers

async function containersCreate({ p, req, res, q }: Call): Promise<void> {
  const body = await readJson(req);
  const c = p.containers.create(q.get('name'), body);
  send(res, 201, { Id: c.id, Warnings: [] });
}

function containersList({ p, res, q }: Call): void {
  const filters = parseFilters(q.get('filters'), CONTAINER_FILTERS);
  let list = p.containers.list(queryBool(q, 'all'), filters);
  const limit = Number(q.get('limit') ?? -1);
  if (limit > 0) list = list.slice(0, limit);
  send(res, 200, list.map(containerSummary));
}

async function containersStart({ p, res, id }: Call): Promise<void> {
  const started = await p.containers.start(p.containers.get(id));
  send(res, started ? 204 : 304);
}

async function containersStop({ p, res, id, q }: Call): Promise<void> {
  const stopped = await p.containers.stop(
    p.containers.get(id),
    seconds(q.get('t') ?? q.get('timeout')),
  );
  send(res, stopped ? 204 : 304);
}

async function containersRestart({ p, res, id, q }: Call): Promise<void> {
  const c = p.containers.get(id);
  await p.containers.stop(c, seconds(q.get('t')));
  await p.containers.start(c);
  send(res, 204);
}

async function containersWait({ p, res, id, q }: Call): Promise<void> {
  const code = await p.containers.wait(p.containers.get(id), q.get('condition') ?? 'not-running');
  send(res, 200, { StatusCode: code, Error: null });
}

/** Logs up to now, as the multiplexed stream of a container without a TTY. */
function containersLogs({ p, res, id, q }: Call): void {
  const c = p.containers.get(id);
  if (queryBool(q, 'follow'))
    throw badRequest("follow: the lab's engine answers logs up to now only; poll instead");
  const stdout = queryBool(q, 'stdout');
  const stderr = queryBool(q, 'stderr');
  if (!stdout && !stderr) throw badRequest('Bad parameters: you must choose at least one stream');
  const tailRaw = q.get('tail') ?? 'all';
  const tail = tailRaw === 'all' ? null : Number(tailRaw);
  if (tail !== null && !(Number.isInteger(tail) && tail >= 0))
    throw badRequest(`tail: must be "all" or a number of lines, got ${tailRaw}`);
  const frames = p.containers
    .logs(c, { stdout, stderr, tail })
    .filter((x) => x.text.length > 0)
    .map((x) => muxFrame(x.stream, Buffer.from(x.text, 'utf8')));
  res.writeHead(200, {
    'Content-Type': 'application/vnd.docker.multiplexed-stream',
    'Api-Version': API_VERSION,
  });
  res.end(Buffer.concat(frames));
}

// --- networks

async function networksCreate({ p, req, res }: Call): Promise<void> {
  const body = await readJson(req);
  const n = p.networks.create(body);
  send(res, 201, { Id: n.id, Warning: '' });
}

function networksList({ p, res, q }: Call): void {
  const filters = parseFilters(q.get('filters'), NETWORK_FILTERS);
  send(
    res,
    200,
    p.networks.list(filters).map((n) => networkInspect(n, p.containers.nameOf)),
  );
}

async function networksConnectOrDisconnect({ p, req, res, id, route }: Call): Promise<void> {
  const body = await readJson(req);
  const n = p.networks.get(id);
  const cid = body.Container;
  if (typeof cid !== 'string' || cid === '') throw badRequest('Container: required');
  const c = p.containers.get(cid);
  if (route === 'networks.disconnect') await p.networks.disconnect(n, c.id, c.name);
  else {
    const aliases = (
      (body.EndpointConfig as { Aliases?: string[] } | undefined)?.Aliases ?? []
    ).map(String);
    await p.networks.connect(n, c.id, c.name, aliases);
  }
  send(res, 200, '');
}

/** Every route's handler (routes.ts names them; a route without one does not compile). */
const HANDLERS: Record<RouteName, Handler> = {
  ping,
  version,
  info,
  'images.list': imagesList,
  'images.inspect': ({ p, res, id }) => send(res, 200, imageInspect(p.images.get(id))),
  'images.create': bodiless(imagesCreate),
  'containers.create': containersCreate,
  'containers.list': containersList,
  'containers.inspect': ({ p, res, id }) => send(res, 200, containerInspect(p.containers.get(id))),
  'containers.start': bodiless(containersStart),
  'containers.stop': bodiless(containersStop),
  'containers.restart': bodiless(containersRestart),
  'containers.kill': bodiless(async ({ p, res, id, q }) => {
    await p.containers.kill(p.containers.get(id), parseSignal(q.get('signal')));
    send(res, 204);
  }),
  'containers.pause': bodiless(({ p, res, id }) => {
    p.containers.pause(p.containers.get(id));
    send(res, 204);
  }),
  'containers.unpause': bodiless(({ p, res, id }) => {
    p.containers.unpause(p.containers.get(id));
    send(res, 204);
  }),
  'containers.wait': bodiless(containersWait),
  'containers.logs': containersLogs,
  'containers.remove': bodiless(async ({ p, res, id, q }) => {
    await p.containers.remove(p.containers.get(id), queryBool(q, 'force'));
    send(res, 204);
  }),
  'networks.create': networksCreate,
  'networks.list': networksList,
  'networks.inspect': ({ p, res, id }) =>
    send(res, 200, networkInspect(p.networks.get(id), p.containers.nameOf)),
  'networks.remove': bodiless(async ({ p, res, id }) => {
    await p.networks.remove(id);
    send(res, 204);
  }),
  'networks.connect': networksConnectOrDisconnect,
  'networks.disconnect': networksConnectOrDisconnect,
};
