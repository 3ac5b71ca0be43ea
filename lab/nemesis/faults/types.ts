// What a fault kind is: one object per kind (lab/nemesis/faults/<kind>.ts), listed once in
// faults/index.ts, which the scenario validator, the schedule and the nemesis all read.
// lab/nemesis/README.md walks through adding one.

import type fc from 'fast-check';
import type { Ability, Cluster } from '../../providers/cluster.ts';
import type { HealthcheckHandle } from '../../routing/healthcheck/server.ts';
import type { FaultProxies } from '../../toxiproxy/driver.ts';
import type { LinkPlan } from '../links.ts';
import { ROLES_HINT } from '../roles.ts';

/** One fault of a plan, whatever its kind (the scenario's `nemesis.schedule[i]`). */
export interface FaultParams<K extends string = string> {
  kind: K;
  /** What it hits: a node, a role, a partition shape, a proxy or a link, as the kind says. */
  target: string;
  /** Seconds from the start of the workload. */
  at: number;
  /** Seconds the fault lasts before it is healed. */
  duration: number;
  /** link-latency: added latency and its jitter, ms. */
  latencyMs?: number;
  jitterMs?: number;
  /** link-bandwidth: the rate, KB/s. */
  rateKBps?: number;
}

/** Stops a fault. */
export type Heal = () => Promise<void>;

/** Stops and starts switchboard proxies by name (the topology's). */
export interface ProxyControl {
  names(): string[];
  kill(name: string): Promise<void>;
  start(name: string): Promise<void>;
}

/** What a fault acts on, from the live topology. */
export interface FaultContext {
  cluster: Cluster;
  /** Toxiproxy, when the topology routes its links through it (link faults need it). */
  links?: FaultProxies | null;
  healthchecks: HealthcheckHandle[];
  proxies: ProxyControl;
  seed: number;
  log: (msg: string) => void;
}

/** The names a scenario's topology gives (the validator's and the planner's view). */
export interface TargetScope {
  nodes: string[];
  proxies: string[];
  /** Toxiproxy links the topology has (whether or not it routes through them). */
  links: LinkPlan;
}

export interface FaultKindDef<K extends string = string> {
  kind: K;
  /**
   * The cluster ability it needs (lab/providers/cluster.ts); the validator refuses a provider
   * without it.
   */
  ability?: Ability;
  /** A Toxiproxy link fault: needs topology.links routed through Toxiproxy. */
  link?: boolean;
  /**
   * Its target may name a role (roles.ts): the node itself, or `isolate:<role>` for a partition.
   */
  roleTargets?: boolean;
  /** Why a concrete target (not random, not a role) is wrong on this topology, or null. */
  targetProblem(target: string, scope: TargetScope): string | null;
  /**
   * Why the topology cannot have this kind at all whatever its target (reported on `.kind`), or
   * null.
   */
  kindProblem?(scope: TargetScope): string | null;
  /**
   * The targets a random plan draws; `nodeTargets` are the nodes, plus roles when the plan allows
   * them.
   */
  targetArbitrary(scope: TargetScope, nodeTargets: string[]): fc.Arbitrary<string>;
  /** Made once when a plan holds this kind, before any fault starts (e.g. an iptables chain). */
  prepare?(ctx: FaultContext): Promise<void>;
  /** Starts the fault (its target already concrete); returns its heal. */
  start(ctx: FaultContext, fault: FaultParams, id: string): Promise<Heal>;
}

/** Keeps the kind's literal name in the type, so the registry's list gives the FaultKind union. */
export const faultKind = <const K extends string>(def: FaultKindDef<K>): FaultKindDef<K> => def;

/**
 * The nemesis's seed stream (lab/random deriveSeed), so its draws do not shift the clients' seeds.
 */
export const NEMESIS_STREAM = 0x6e656d;

/** A node target: one of the nodes (roles are checked apart). */
export function nodeTargetProblem(target: string, scope: TargetScope): string | null {
  return scope.nodes.includes(target)
    ? null
    : `must be ${[...scope.nodes, 'random'].join(', ')} or a role (${ROLES_HINT}), got ${JSON.stringify(target)}`;
}
