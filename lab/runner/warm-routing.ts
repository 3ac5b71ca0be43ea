// Warm routing: the switchboards, healthchecks, Consul agent and Toxiproxy links a run started,
// kept for the next run of the same topology (beside its kept cluster, warm.ts) instead of being
// stopped and started again. Three steps, each on every part:
// - park, at the run's teardown: the proxies' Consul registrations and locks released, every
//   session, KV entry, service and check removed from the agent, every toxic removed and every link
//   enabled, the switchboards paused (no polls, no connections), the healthchecks reset (no
//   override, no connection to their node). Nothing of the routing touches the cluster while it
//   waits, so the cluster's own reset and check are not disturbed.
// - check, at the next run's start: each part read back through its own API (warm-routing-state.ts
//   says what a fresh start has); a difference is the run's reason to start the routing fresh.
// - resume: the switchboards with the new run's seed and history, then the Consul registration or
//   lock campaign as a fresh start does, then each proxy's choice checked against a fresh one's.
//
// Only what the lab owns is kept: a real Toxiproxy (TOXIPROXY_URL) or Consul (CONSUL_HTTP_ADDR)
// serves others too, so a run that uses one starts and removes its own parts as before.

import { clientConfig } from '../client/configs/index.ts';
import type { ConsulHandle } from '../consul/driver.ts';
import type { Cluster } from '../providers/cluster.ts';
import { LOCK_KEY } from '../routing/leader.ts';
import { startSwitchboard } from '../routing/switchboard/proxy.ts';
import type { Scenario } from '../scenario/types.ts';
import { joinConsul, registerNodesInConsul, stopConsul } from './routing-start.ts';
import type { Routing } from './routing-state.ts';
import { activeBackends, runSettings, stopSwitchboards } from './switchboards-start.ts';
import type { TopologyOptions } from './topology-options.ts';
import {
  LOCK_DELAY_LEFT,
  choiceProblems,
  dirtyRouting,
  type ConsulSnapshot,
  type LinkSnapshot,
  type ResumedProxy,
  type RoutingShape,
  type RoutingSnapshot,
} from './warm-routing-state.ts';

export interface KeptRouting {
  /** routingKey of the runs it fits. */
  key: string;
  routing: Routing;
  shape: RoutingShape;
}

/** Why this routing cannot be kept for another run, or null when it can. */
export function notKeepable(r: Routing): string | null {
  if (r.links && !r.links.embedded) return 'its links are on a Toxiproxy the lab does not own';
  if (r.consul && !r.consul.embedded) return 'it uses a Consul agent the lab does not own';
  return null;
}

/** The parts a fresh start of this routing has, read when it is parked. */
export function shapeOf(r: Routing): RoutingShape {
  return {
    links: r.links ? [...r.linkNames] : null,
    consul: r.consul !== null,
    healthchecks: r.healthchecks.map((h) => h.name),
    proxies: [...r.proxyOptions.keys()],
  };
}

/** Stops every part (the routing is not kept). */
export async function stopRouting(r: Routing): Promise<void> {
  await stopConsul(r);
  await stopSwitchboards(r);
  await r.links?.close();
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

async function api(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${base}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.trim()}`);
  return text === '' ? null : JSON.parse(text);
}

const SERF = 'serfHealth';

/** Removes everything a run put into the lab's Consul agent: services and checks, sessions, KV. */
async function clearConsul(c: ConsulHandle): Promise<void> {
  const services = (await api(c.url, 'GET', '/v1/agent/services')) as Record<string, unknown>;
  for (const id of Object.keys(services ?? {})) await c.deregister(id);
  const checks = (await api(c.url, 'GET', '/v1/agent/checks')) as Record<string, unknown>;
  for (const id of Object.keys(checks ?? {}).filter((x) => x !== SERF))
    await api(c.url, 'PUT', `/v1/agent/check/deregister/${encodeURIComponent(id)}`);
  // A session destroyed while it holds a key puts lock-delay on it; the check waits that out.
  const sessions = ((await api(c.url, 'GET', '/v1/session/list')) ?? []) as { ID: string }[];
  for (const s of sessions) await api(c.url, 'PUT', `/v1/session/destroy/${s.ID}`);
  await api(c.url, 'DELETE', '/v1/kv/?recurse');
}

/** At the run's teardown: every part back to what a fresh start has, nothing left running or connected. */
export async function parkRouting(r: Routing): Promise<void> {
  await r.proxyConsul?.stop();
  r.proxyConsul = null;
  if (r.consul) await clearConsul(r.consul);
  // A proxy the nemesis killed and could not start again runs again, paused, as the others.
  // Without the ended run's event listener: its history is closed.
  for (const [name, { onEvent: _ended, ...opts }] of r.proxyOptions)
    if (!r.proxies.some((p) => p.name === name)) r.proxies.push(await startSwitchboard(opts));
  await Promise.all(r.proxies.map((p) => p.pause()));
  await Promise.all(r.healthchecks.map((h) => h.reset()));
  await r.links?.reset();
}

/** Toxiproxy's proxies as its API lists them. */
async function linkSnapshot(url: string): Promise<LinkSnapshot[]> {
  const all = (await api(url, 'GET', '/proxies')) as Record<
    string,
    { name: string; enabled: boolean; toxics: { name: string }[] }
  >;
  return Object.values(all ?? {}).map((p) => ({
    name: p.name,
    enabled: p.enabled,
    toxics: p.toxics.map((t) => t.name),
  }));
}

/** The agent as its API lists it, and whether the proxies' lock could be taken now. */
async function consulSnapshot(c: ConsulHandle): Promise<ConsulSnapshot> {
  const sessions = ((await api(c.url, 'GET', '/v1/session/list')) ?? []) as { ID: string }[];
  const keys = ((await api(c.url, 'GET', '/v1/kv/?keys')) ?? []) as string[];
  const services = Object.keys(((await api(c.url, 'GET', '/v1/agent/services')) ?? {}) as object);
  const checks = Object.keys(((await api(c.url, 'GET', '/v1/agent/checks')) ?? {}) as object);
  // Lock-delay shows nowhere in the API: try the lock with a session of our own, then undo it all.
  const probe = (await api(c.url, 'PUT', '/v1/session/create', {
    Name: 'bbs-lab warm check',
    TTL: '10s',
    LockDelay: '0s',
  })) as { ID: string };
  let lockFree = false;
  try {
    lockFree =
      (await api(c.url, 'PUT', `/v1/kv/${LOCK_KEY}?acquire=${probe.ID}`, 'probe')) === true;
    if (lockFree) {
      await api(c.url, 'PUT', `/v1/kv/${LOCK_KEY}?release=${probe.ID}`, 'probe');
      await api(c.url, 'DELETE', `/v1/kv/${LOCK_KEY}`);
    }
  } finally {
    await api(c.url, 'PUT', `/v1/session/destroy/${probe.ID}`);
  }
  return {
    sessions: sessions.map((s) => s.ID),
    keys,
    services,
    checks: checks.filter((x) => x !== SERF),
    lockFree,
  };
}

/** Every part of a parked routing, read back through its own API. */
export async function snapshotRouting(r: Routing): Promise<RoutingSnapshot> {
  return {
    links: r.links ? await linkSnapshot(r.links.url).catch(() => null) : null,
    consul: r.consul ? await consulSnapshot(r.consul).catch(() => null) : null,
    healthchecks: r.healthchecks.map((h) => ({ name: h.name, override: h.override() })),
    proxies: r.proxies.map((p) => ({
      name: p.name,
      paused: p.isPaused(),
      openConnections: p.backends().reduce((n, b) => n + b.currentSessionCount, 0),
    })),
  };
}

/**
 * Checks the parked routing; while the lock's lock-delay is all that is left (it runs out by
 * itself), checks again, up to `ms`.
 */
export async function checkParked(k: KeptRouting, ms = 3000): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const problems = dirtyRouting(k.shape, await snapshotRouting(k.routing));
    const waitable = problems.length > 0 && problems.every((p) => p === LOCK_DELAY_LEFT);
    if (!waitable || Date.now() > deadline) return problems;
    await sleep(200);
  }
}

/**
 * Resumes a parked routing for the run of `s`: checked clean first, then the proxies with the run's
 * seed and history, Consul as a fresh start joins it, and the proxies' choices checked. Returns the
 * problems ([] when the routing is the run's); the caller stops it and starts a fresh one otherwise.
 */
export async function resumeRouting(
  k: KeptRouting,
  s: Scenario,
  cluster: Cluster,
  o: TopologyOptions,
): Promise<string[]> {
  const problems = await checkParked(k);
  if (problems.length > 0) return problems;
  const r = k.routing;
  const names = [...r.proxyOptions.keys()];
  for (const p of r.proxies) {
    const i = names.indexOf(p.name);
    const settings = runSettings(s, o, i);
    // A proxy the nemesis kills and starts again starts with this run's settings too.
    r.proxyOptions.set(p.name, { ...r.proxyOptions.get(p.name)!, ...settings });
    await p.resume(settings);
  }
  if (r.proxies.length > 0) await activeBackends(r);
  const choices = await proxyChoices(r);
  if (choices.length > 0) return choices;
  if (r.consul && s.topology.proxies > 0) await joinConsul(s, o, r, r.consul);
  if (r.consul && clientConfig(s.clients.config).consul === 'nodes')
    await registerNodesInConsul(s, cluster, o, r, r.consul);
  return [];
}

/** Each resumed proxy's choice against a fresh one's, from the healthchecks' answers now. */
async function proxyChoices(r: Routing): Promise<string[]> {
  if (r.proxies.length === 0) return [];
  const status = await Promise.all(r.healthchecks.map((h) => h.status()));
  const health = r.healthchecks.map((h, i) => ({
    name: h.name,
    healthy: status[i]!.healthy,
    index: status[i]!.localIndex === null ? null : Number(status[i]!.localIndex),
  }));
  const resumed: ResumedProxy[] = r.proxies.map((p) => ({
    name: p.name,
    rule: p.rule,
    seed: r.proxyOptions.get(p.name)!.seed ?? 0,
    active: p.activeBackend(),
    health: r.proxyOptions.get(p.name)!.backends.map((b) => health.find((h) => h.name === b.name)!),
  }));
  return choiceProblems(resumed);
}
