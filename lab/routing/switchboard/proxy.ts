// A switchboard proxy with the real one's rules (cloudfoundry/switchboard; FACTS.md): one TCP
// listener on its own loopback address; every poll interval it asks each backend's
// galera-healthcheck (all at once, each with a timeout that counts as unhealthy), then chooses the
// active backend by its rule (rules.ts). New client connections go to the active backend, or are
// closed at once when there is none; when the active backend changes, every connection to the old
// one is severed. Each instance decides alone, as real proxies do.
//
// Two lab choices, both for reproducibility and a usable start:
// - the first poll runs at once (the real one first waits one interval), and startSwitchboard
//   resolves after it, so activeBackend() is meaningful when the caller gets the handle;
// - every random choice (sticky-random's picks, lowest-index ties) draws from a seeded generator.

import { createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { startBackendsApi } from './api.ts';
import { ConnectionTable } from './bridges.ts';
import { probeHealth, type ProbeOutcome } from './probe.ts';
import { seededRng } from './random.ts';
import { chooseActive, initialStickyPick, type BackendHealth } from './rules.ts';
import type {
  BackendConfig,
  BackendView,
  SwitchboardEvent,
  SwitchboardHandle,
  SwitchboardOptions,
  SwitchboardStats,
} from './types.ts';

export type * from './types.ts';

export const DEFAULT_HEALTH_TIMEOUT_MS = 5000;

interface HealthState {
  /** null until the first poll answered. */
  healthy: boolean | null;
  index: number | null;
}

type EventBody = SwitchboardEvent extends infer E
  ? E extends SwitchboardEvent
    ? Omit<E, 'proxy' | 'at' | 'mono'>
    : never
  : never;

function validate(opts: SwitchboardOptions): void {
  if (opts.backends.length === 0) throw new Error(`switchboard ${opts.name}: no backends`);
  const names = new Set<string>();
  for (const b of opts.backends) {
    if (names.has(b.name))
      throw new Error(`switchboard ${opts.name}: backend name ${b.name} appears twice`);
    names.add(b.name);
  }
  if (opts.rule !== 'lowest-index' && opts.rule !== 'sticky-random') {
    throw new Error(
      `switchboard ${opts.name}: rule must be 'lowest-index' or 'sticky-random', got ${String(opts.rule)}`,
    );
  }
  const t = opts.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  if (!(t > 0)) throw new Error(`switchboard ${opts.name}: healthTimeoutMs must be > 0`);
  if (opts.pollIntervalMs !== undefined && !(opts.pollIntervalMs > 0))
    throw new Error(`switchboard ${opts.name}: pollIntervalMs must be > 0`);
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
}

function changeReason(
  rule: SwitchboardOptions['rule'],
  from: string | null,
  to: string | null,
  health: ReadonlyMap<string, HealthState>,
): string {
  if (to === null)
    return from === null ? 'no healthy backend' : `${from} is unhealthy and no backend is healthy`;
  const idx = health.get(to)?.index;
  const fromHealthy = from !== null && health.get(from)?.healthy === true;
  if (rule === 'sticky-random') {
    return from === null
      ? `no active backend; ${to} is healthy (random pick)`
      : `${from} is unhealthy; ${to} is healthy (random pick)`;
  }
  if (from === null) return `${to} is the healthy backend with the lowest index (${idx})`;
  if (!fromHealthy)
    return `${from} is unhealthy; ${to} has the lowest index among the healthy (${idx})`;
  return `${to} has a lower index (${idx}) than ${from} (${health.get(from)?.index})`;
}

/** What one switchboard knows and counts while it runs (mutated by its steps below). */
interface Board {
  opts: SwitchboardOptions;
  backends: readonly BackendConfig[];
  byName: Map<string, BackendConfig>;
  health: Map<string, HealthState>;
  table: ConnectionTable;
  rng: ReturnType<typeof seededRng>;
  active: string | null;
  serving: boolean;
  stopped: boolean;
  /** Between the runs of a campaign (lab/runner/warm-routing.ts): no polling, no routing. */
  paused: boolean;
  /** The listener events go to; a resume gives the next run's. */
  onEvent: SwitchboardOptions['onEvent'];
  accepted: number;
  rejectedNoActive: number;
  rejectedNotServing: number;
  activeChanges: number;
  polls: number;
  emit: (body: EventBody) => void;
}

export async function startSwitchboard(opts: SwitchboardOptions): Promise<SwitchboardHandle> {
  validate(opts);
  const healthTimeoutMs = opts.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  const b = newBoard(opts);
  const server = createServer({ noDelay: true }, (client: Socket) => accept(b, client));
  server.on('error', (e) =>
    process.stderr.write(`switchboard ${opts.name}: listener error: ${e.message}\n`),
  );
  const port = await listenOrExplain(server, opts);
  const api = await startApiOrClose(b, server);
  if (opts.rule === 'sticky-random') firstStickyPick(b);
  const polls = pollerFor(b, healthTimeoutMs);
  await polls.once();
  polls.start();
  let stopping: Promise<void> | null = null;
  return {
    name: opts.name,
    listen: { host: opts.listen.host, port },
    apiUrl: api?.url ?? null,
    rule: opts.rule,
    activeBackend: () => b.active,
    backends: () => backendList(b),
    stats: () => boardStats(b),
    setServing: (on) => setServing(b, on),
    isServing: () => b.serving,
    async pause() {
      if (b.paused || b.stopped) return;
      b.paused = true;
      await polls.end();
      b.table.closeAll();
    },
    isPaused: () => b.paused,
    async resume(next) {
      if (!b.paused || b.stopped) return;
      resetBoard(b, next);
      b.paused = false;
      if (opts.rule === 'sticky-random') firstStickyPick(b);
      await polls.once();
      polls.start();
    },
    stop() {
      stopping ??= (async () => {
        b.stopped = true;
        const closed = new Promise<void>((r) => server.close(() => r()));
        await polls.end();
        b.table.closeAll();
        await Promise.all([closed, api?.stop()]);
      })();
      return stopping;
    },
  };
}

/**
 * The health polls of a board: one now, then every interval until stopped or paused; `end` stops
 * the loop and the probe in flight without closing the listener, and the next `start` polls anew.
 */
function pollerFor(b: Board, healthTimeoutMs: number) {
  let abort = new AbortController();
  let loop: ReturnType<typeof pollEvery> | null = null;
  const intervalMs = b.opts.pollIntervalMs ?? healthTimeoutMs / 5;
  const once = async (): Promise<void> => {
    const outcomes = await Promise.all(
      b.backends.map((x) => probeHealth(b.opts.rule, x.healthUrl, healthTimeoutMs, abort.signal)),
    );
    if (b.stopped || b.paused) return;
    applyPoll(b, outcomes);
    b.polls++;
  };
  return {
    once,
    start(): void {
      loop = pollEvery(intervalMs, once, () => b.stopped || b.paused);
    },
    async end(): Promise<void> {
      abort.abort();
      loop?.wake();
      await loop?.loop;
      // The next poll (a resume's) probes with a signal of its own.
      abort = new AbortController();
    },
  };
}

/** A sticky-random proxy's first choice: every backend counts as healthy before the first poll. */
function firstStickyPick(b: Board): void {
  setActive(
    b,
    initialStickyPick(
      b.backends.map((x) => x.name),
      b.rng,
    ),
    'first pick: every backend counts as healthy before the first poll (random pick)',
  );
}

/** Everything a start sets, set again: what a fresh proxy with these options would hold. */
function resetBoard(b: Board, next: Parameters<SwitchboardHandle['resume']>[0]): void {
  b.rng = seededRng(next.seed);
  b.onEvent = next.onEvent;
  b.serving = next.serving ?? true;
  for (const h of b.health.values()) {
    h.healthy = null;
    h.index = null;
  }
  b.active = null;
  b.accepted = 0;
  b.rejectedNoActive = 0;
  b.rejectedNotServing = 0;
  b.activeChanges = 0;
  b.polls = 0;
  b.table.resetCounts();
}

function newBoard(opts: SwitchboardOptions): Board {
  const backends: readonly BackendConfig[] = opts.backends.map((x) => ({ ...x }));
  const b: Board = {
    opts,
    backends,
    byName: new Map(backends.map((x) => [x.name, x])),
    health: new Map<string, HealthState>(
      backends.map((x) => [x.name, { healthy: null, index: null }]),
    ),
    table: new ConnectionTable(backends.map((x) => x.name)),
    rng: seededRng(opts.seed ?? 0),
    active: null,
    serving: opts.serving ?? true,
    stopped: false,
    paused: false,
    onEvent: opts.onEvent,
    accepted: 0,
    rejectedNoActive: 0,
    rejectedNotServing: 0,
    activeChanges: 0,
    polls: 0,
    emit: () => {},
  };
  b.emit = emitter(opts, () => b.onEvent);
  return b;
}

/** Sends an event to the caller's listener, stamped with the proxy and the times. */
function emitter(
  opts: SwitchboardOptions,
  listener: () => SwitchboardOptions['onEvent'],
): (body: EventBody) => void {
  return (body) => {
    const onEvent = listener();
    if (!onEvent) return;
    const e = {
      ...body,
      proxy: opts.name,
      at: Date.now(),
      mono: performance.now(),
    } as SwitchboardEvent;
    try {
      onEvent(e);
    } catch (err) {
      // A faulty listener must not stop the proxy from routing; say so where a human will see it.
      process.stderr.write(`switchboard ${opts.name}: onEvent threw: ${(err as Error).message}\n`);
    }
  };
}

function setActive(b: Board, next: string | null, reason: string): void {
  if (next === b.active) return;
  const from = b.active;
  // Switch first, then sever: a client connecting meanwhile must already reach the new one.
  b.active = next;
  b.activeChanges++;
  b.emit({ type: 'active-changed', from, to: next, reason });
  if (from !== null) b.emit({ type: 'severed', backend: from, connections: b.table.sever(from) });
}

/** A new client connection: to the active backend, or closed at once (not serving, no active). */
function accept(b: Board, client: Socket): void {
  b.accepted++;
  client.on('error', () => {});
  if (b.stopped || b.paused || !b.serving) {
    if (!b.serving) b.rejectedNotServing++;
    client.destroy();
    return;
  }
  const target = b.active === null ? undefined : b.byName.get(b.active);
  if (!target) {
    b.rejectedNoActive++;
    client.destroy();
    return;
  }
  b.table.route(client, target);
}

async function listenOrExplain(server: Server, opts: SwitchboardOptions): Promise<number> {
  try {
    return await listen(server, opts.listen.host, opts.listen.port);
  } catch (e) {
    throw new Error(
      `switchboard ${opts.name}: cannot listen on ${opts.listen.host}:${opts.listen.port}: ${(e as Error).message}`,
    );
  }
}

/** The backends API (the real one's /v0/backends), when asked for; a failure closes the listener. */
async function startApiOrClose(
  b: Board,
  server: Server,
): Promise<Awaited<ReturnType<typeof startBackendsApi>> | null> {
  const { opts } = b;
  if (opts.apiPort === undefined) return null;
  try {
    return await startBackendsApi(opts.listen.host, opts.apiPort, () => backendList(b));
  } catch (e) {
    await new Promise<void>((r) => server.close(() => r()));
    throw new Error(
      `switchboard ${opts.name}: cannot serve the API on ${opts.listen.host}:${opts.apiPort}: ${(e as Error).message}`,
    );
  }
}

function backendList(b: Board): BackendView[] {
  return b.backends.map((x) => ({
    name: x.name,
    host: x.host,
    port: x.port,
    healthy: b.health.get(x.name)?.healthy === true,
    active: b.active === x.name,
    currentSessionCount: b.table.openCount(x.name),
  }));
}

/** One poll's answers: each backend's health (an event when it changed), then the active backend by the rule. */
function applyPoll(b: Board, outcomes: readonly ProbeOutcome[]): void {
  outcomes.forEach((o, i) => {
    const name = b.backends[i]!.name;
    const h = b.health.get(name)!;
    const was = h.healthy;
    h.healthy = o.healthy;
    // The real one keeps the last index it heard when an answer carries none.
    if (o.index !== null) h.index = o.index;
    if (was !== o.healthy)
      b.emit({
        type: 'health-changed',
        backend: name,
        was,
        healthy: o.healthy,
        index: h.index,
        detail: o.detail,
      });
  });
  const view: BackendHealth[] = b.backends.map((x) => ({
    name: x.name,
    healthy: b.health.get(x.name)!.healthy === true,
    index: b.health.get(x.name)!.index,
  }));
  const next = chooseActive(b.opts.rule, b.active, view, b.rng);
  if (next !== b.active) setActive(b, next, changeReason(b.opts.rule, b.active, next, b.health));
}

/** Polls every `intervalMs` until `stopped()`; `wake` ends the current wait at once. */
function pollEvery(
  intervalMs: number,
  pollOnce: () => Promise<void>,
  stopped: () => boolean,
): { loop: Promise<void>; wake(): void } {
  let wake: (() => void) | null = null;
  let timer: NodeJS.Timeout | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });
  const loop = (async () => {
    while (!stopped()) {
      await sleep(intervalMs);
      if (stopped()) break;
      await pollOnce();
    }
  })();
  return {
    loop,
    wake() {
      if (timer) clearTimeout(timer);
      (wake as (() => void) | null)?.();
    },
  };
}

function boardStats(b: Board): SwitchboardStats {
  return {
    accepted: b.accepted,
    rejectedNoActive: b.rejectedNoActive,
    rejectedNotServing: b.rejectedNotServing,
    dialFailed: b.table.dialFailed,
    activeChanges: b.activeChanges,
    polls: b.polls,
    backends: Object.fromEntries(b.backends.map((x) => [x.name, b.table.stats(x.name)])),
  };
}

function setServing(b: Board, on: boolean): void {
  if (on === b.serving) return;
  b.serving = on;
  b.emit({ type: 'serving-changed', serving: on });
  if (!on) b.table.closeAll();
}
