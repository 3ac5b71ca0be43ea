// What a routing kept between runs (warm-routing.ts) must look like before the next run uses it,
// and which proxy each switchboard must have chosen once it is resumed. Pure: snapshots in, one
// line per difference out; an empty list is a routing in the state a fresh start has.

import { clientConfig } from '../client/configs/index.ts';
import { seededRng } from '../routing/switchboard/random.ts';
import {
  chooseLowestIndex,
  chooseSticky,
  initialStickyPick,
  type BackendHealth,
} from '../routing/switchboard/rules.ts';
import type { SwitchboardRule } from '../routing/switchboard/types.ts';
import type { Scenario } from '../scenario/types.ts';
import { usesToxiproxy } from '../scenario/validate.ts';

export interface LinkSnapshot {
  name: string;
  enabled: boolean;
  /** The names of its toxics. */
  toxics: string[];
}

export interface ConsulSnapshot {
  sessions: string[];
  /** Every KV key. */
  keys: string[];
  /** The agent's services by id. */
  services: string[];
  /** The agent's checks by id, without the node's own serfHealth (every agent has it). */
  checks: string[];
  /** Whether a session of the lab's could take the proxies' lock now (no lock-delay left on it). */
  lockFree: boolean;
}

export interface RoutingSnapshot {
  /** Toxiproxy's proxies (null: the run has no links). */
  links: LinkSnapshot[] | null;
  consul: ConsulSnapshot | null;
  healthchecks: { name: string; override: string | null }[];
  proxies: { name: string; paused: boolean; openConnections: number }[];
}

/** What the kept routing was started with: the parts a fresh start of the next run would have. */
export interface RoutingShape {
  links: string[] | null;
  consul: boolean;
  healthchecks: string[];
  proxies: string[];
}

/**
 * The settings that decide what the routing starts (and so whether a kept one fits the next run);
 * the seed is not among them, a resumed proxy takes the run's own.
 */
export function routingKey(s: Pick<Scenario, 'topology' | 'clients' | 'nemesis'>): string {
  const config = clientConfig(s.clients.config);
  return JSON.stringify({
    proxies: s.topology.proxies,
    proxyRule: s.topology.proxyRule,
    config: s.clients.config,
    consul: config.consul ?? null,
    links: usesToxiproxy(s as Scenario),
  });
}

/** The one leftover that goes away by itself (a lock-delay runs out): the check waits for it. */
export const LOCK_DELAY_LEFT = 'consul: the lock key is still held or under lock-delay';

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

/** Why the parked routing `now` is not what a fresh start of `shape` has, one line each; [] when it is. */
export function dirtyRouting(shape: RoutingShape, now: RoutingSnapshot): string[] {
  const problems: string[] = [];
  if (shape.links === null) {
    if (now.links !== null) problems.push('links: Toxiproxy is running but the run has no links');
  } else if (now.links === null) {
    problems.push('links: Toxiproxy did not answer');
  } else {
    const names = now.links.map((l) => l.name);
    if (!sameSet(names, shape.links))
      problems.push(
        `links: proxies ${names.sort().join(', ') || 'none'} instead of ${[...shape.links].sort().join(', ')}`,
      );
    for (const l of now.links) {
      if (!l.enabled) problems.push(`link ${l.name}: disabled`);
      if (l.toxics.length > 0)
        problems.push(`link ${l.name}: toxic(s) left: ${l.toxics.join(', ')}`);
    }
  }
  if (shape.consul) {
    const c = now.consul;
    if (c === null) problems.push('consul: the agent did not answer');
    else {
      if (c.sessions.length > 0) problems.push(`consul: ${c.sessions.length} session(s) left`);
      if (c.keys.length > 0) problems.push(`consul: KV key(s) left: ${c.keys.join(', ')}`);
      if (c.services.length > 0) problems.push(`consul: service(s) left: ${c.services.join(', ')}`);
      if (c.checks.length > 0) problems.push(`consul: check(s) left: ${c.checks.join(', ')}`);
      if (!c.lockFree) problems.push(LOCK_DELAY_LEFT);
    }
  }
  for (const h of now.healthchecks)
    if (h.override !== null) problems.push(`healthcheck ${h.name}: override ${h.override} left`);
  const hcs = now.healthchecks.map((h) => h.name);
  if (!sameSet(hcs, shape.healthchecks))
    problems.push(
      `healthchecks: ${hcs.join(', ') || 'none'} instead of ${shape.healthchecks.join(', ')}`,
    );
  const running = now.proxies.map((p) => p.name);
  for (const name of shape.proxies)
    if (!running.includes(name)) problems.push(`proxy ${name}: not running`);
  for (const p of now.proxies) {
    if (!p.paused) problems.push(`proxy ${p.name}: still routing (not paused)`);
    if (p.openConnections > 0)
      problems.push(`proxy ${p.name}: ${p.openConnections} connection(s) still open`);
  }
  return problems;
}

/** What a fresh switchboard with this rule and seed picks after its first poll sees `health`. */
export function initialChoice(
  rule: SwitchboardRule,
  seed: number,
  health: readonly BackendHealth[],
): string | null {
  const rng = seededRng(seed);
  if (rule === 'lowest-index') return chooseLowestIndex(health, rng);
  const first = initialStickyPick(
    health.map((h) => h.name),
    rng,
  );
  return chooseSticky(first, health, rng);
}

export interface ResumedProxy {
  name: string;
  rule: SwitchboardRule;
  seed: number;
  active: string | null;
  /** The backends as their healthchecks answer now. */
  health: BackendHealth[];
}

/** A resumed proxy whose choice is not a fresh start's, one line each. */
export function choiceProblems(proxies: readonly ResumedProxy[]): string[] {
  return proxies.flatMap((p) => {
    const want = initialChoice(p.rule, p.seed, p.health);
    return p.active === want
      ? []
      : [
          `proxy ${p.name}: chose ${p.active ?? 'nothing'}, a fresh start chooses ${want ?? 'nothing'}`,
        ];
  });
}
