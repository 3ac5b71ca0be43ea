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

export async function startSwitchboard(opts: SwitchboardOptions): Promise<SwitchboardHandle> {
  validate(opts);
  const healthTimeoutMs = opts.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  const intervalMs = opts.pollIntervalMs ?? healthTimeoutMs / 5;
  let rng = seededRng(opts.seed ?? 0);
  let onEvent = opts.onEvent;
  const backends: readonly BackendConfig[] = opts.backends.map((b) => ({ ...b }));
  const byName = new Map(backends.map((b) => [b.name, b]));
  const health = new Map<string, HealthState>(
    backends.map((b) => [b.name, { healthy: null, index: null }]),
  );
  const table = new ConnectionTable(backends.map((b) => b.name));
  let active: string | null = null;
  let accepted = 0;
  let rejectedNoActive = 0;
  let activeChanges = 0;
  let polls = 0;
  let stopped = false;
  // Between the runs of a campaign (lab/runner/warm-routing.ts): no polling, no routing.
  let paused = false;

  const emit = (body: EventBody): void => {
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

  const setActive = (next: string | null, reason: string): void => {
    if (next === active) return;
    const from = active;
    // Switch first, then sever: a client connecting meanwhile must already reach the new one.
    active = next;
    activeChanges++;
    emit({ type: 'active-changed', from, to: next, reason });
    if (from !== null) emit({ type: 'severed', backend: from, connections: table.sever(from) });
  };

  let serving = opts.serving ?? true;
  let rejectedNotServing = 0;
  const server = createServer({ noDelay: true }, (client: Socket) => {
    accepted++;
    client.on('error', () => {});
    if (stopped || paused || !serving) {
      if (!serving) rejectedNotServing++;
      client.destroy();
      return;
    }
    const target = active === null ? undefined : byName.get(active);
    if (!target) {
      rejectedNoActive++;
      client.destroy();
      return;
    }
    table.route(client, target);
  });
  server.on('error', (e) =>
    process.stderr.write(`switchboard ${opts.name}: listener error: ${e.message}\n`),
  );
  let port: number;
  try {
    port = await listen(server, opts.listen.host, opts.listen.port);
  } catch (e) {
    throw new Error(
      `switchboard ${opts.name}: cannot listen on ${opts.listen.host}:${opts.listen.port}: ${(e as Error).message}`,
    );
  }

  const list = (): BackendView[] =>
    backends.map((b) => ({
      name: b.name,
      host: b.host,
      port: b.port,
      healthy: health.get(b.name)?.healthy === true,
      active: active === b.name,
      currentSessionCount: table.openCount(b.name),
    }));

  let api: Awaited<ReturnType<typeof startBackendsApi>> | null = null;
  if (opts.apiPort !== undefined) {
    try {
      api = await startBackendsApi(opts.listen.host, opts.apiPort, list);
    } catch (e) {
      await new Promise<void>((r) => server.close(() => r()));
      throw new Error(
        `switchboard ${opts.name}: cannot serve the API on ${opts.listen.host}:${opts.apiPort}: ${(e as Error).message}`,
      );
    }
  }

  if (opts.rule === 'sticky-random') {
    setActive(
      initialStickyPick(
        backends.map((b) => b.name),
        rng,
      ),
      'first pick: every backend counts as healthy before the first poll (random pick)',
    );
  }

  let abort = new AbortController();
  const applyPoll = (outcomes: readonly ProbeOutcome[]): void => {
    outcomes.forEach((o, i) => {
      const name = backends[i]!.name;
      const h = health.get(name)!;
      const was = h.healthy;
      h.healthy = o.healthy;
      // The real one keeps the last index it heard when an answer carries none.
      if (o.index !== null) h.index = o.index;
      if (was !== o.healthy)
        emit({
          type: 'health-changed',
          backend: name,
          was,
          healthy: o.healthy,
          index: h.index,
          detail: o.detail,
        });
    });
    const view: BackendHealth[] = backends.map((b) => ({
      name: b.name,
      healthy: health.get(b.name)!.healthy === true,
      index: health.get(b.name)!.index,
    }));
    const next = chooseActive(opts.rule, active, view, rng);
    if (next !== active) setActive(next, changeReason(opts.rule, active, next, health));
  };
  const pollOnce = async (): Promise<void> => {
    const outcomes = await Promise.all(
      backends.map((b) => probeHealth(opts.rule, b.healthUrl, healthTimeoutMs, abort.signal)),
    );
    if (stopped || paused) return;
    applyPoll(outcomes);
    polls++;
  };

  let wake: (() => void) | null = null;
  let timer: NodeJS.Timeout | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });

  const startLoop = () =>
    (async () => {
      while (!stopped && !paused) {
        await sleep(intervalMs);
        if (stopped || paused) break;
        await pollOnce();
      }
    })();
  /** Ends the poll loop (and the probe in flight) without closing the listener. */
  const endLoop = async () => {
    abort.abort();
    if (timer) clearTimeout(timer);
    (wake as (() => void) | null)?.();
    await loop;
  };

  await pollOnce();
  let loop = startLoop();

  let stopping: Promise<void> | null = null;
  return {
    name: opts.name,
    listen: { host: opts.listen.host, port },
    apiUrl: api?.url ?? null,
    rule: opts.rule,
    activeBackend: () => active,
    backends: list,
    stats(): SwitchboardStats {
      return {
        accepted,
        rejectedNoActive,
        rejectedNotServing,
        dialFailed: table.dialFailed,
        activeChanges,
        polls,
        backends: Object.fromEntries(backends.map((b) => [b.name, table.stats(b.name)])),
      };
    },
    setServing(on) {
      if (on === serving) return;
      serving = on;
      emit({ type: 'serving-changed', serving: on });
      if (!on) table.closeAll();
    },
    isServing: () => serving,
    async pause() {
      if (paused || stopped) return;
      paused = true;
      await endLoop();
      table.closeAll();
    },
    isPaused: () => paused,
    async resume(next) {
      if (!paused || stopped) return;
      // Everything a start sets, set again: what a fresh proxy with these options would hold.
      rng = seededRng(next.seed);
      onEvent = next.onEvent;
      serving = next.serving ?? true;
      for (const h of health.values()) {
        h.healthy = null;
        h.index = null;
      }
      active = null;
      accepted = rejectedNoActive = rejectedNotServing = activeChanges = polls = 0;
      table.resetCounts();
      abort = new AbortController();
      paused = false;
      if (opts.rule === 'sticky-random')
        setActive(
          initialStickyPick(
            backends.map((b) => b.name),
            rng,
          ),
          'first pick: every backend counts as healthy before the first poll (random pick)',
        );
      await pollOnce();
      loop = startLoop();
    },
    stop() {
      stopping ??= (async () => {
        stopped = true;
        const closed = new Promise<void>((r) => server.close(() => r()));
        await endLoop();
        table.closeAll();
        await Promise.all([closed, api?.stop()]);
      })();
      return stopping;
    },
  };
}
