// What a fault kind is: one object per kind (lab/nemesis/faults/<kind>.ts), listed once in
// faults/index.ts, which the scenario validator, the schedule and the nemesis all read.
// lab/nemesis/README.md walks through adding one.

import type fc from 'fast-check';
import type { Ability, Cluster } from '../../providers/cluster.ts';
import type { HealthcheckHandle } from '../../routing/healthcheck/server.ts';
import type { FaultProxies } from '../../toxiproxy/driver.ts';
import type { LinkPlan } from '../links.ts';
import { ROLES_HINT } from '../roles.ts';

/** One fault of a plan, whatever its kind (the scenario's `nemesis.schedule[i]`), with its kind's parameters `P`. */
export type FaultParams<K extends string = string, P extends string = never> = FaultBase<K> &
  ParamValues<P>;

/** What every fault has. */
export interface FaultBase<K extends string = string> {
  kind: K;
  /** What it hits: a node, a role, a partition shape, a proxy or a link, as the kind says. */
  target: string;
  /** Seconds from the start of the workload. */
  at: number;
  /** Seconds the fault lasts before it is healed. */
  duration: number;
}

/** A kind's parameters as a scenario gives them: each may be left out (its default applies). */
export type ParamValues<P extends string> = { [N in P]?: number };

/**
 * A number a fault kind takes from its scenario entry, beside kind and target (`latencyMs: 50`).
 * The scenario validator reads it with these bounds and refuses it on a kind that does not declare
 * it; the default is the kind's to apply (`f.latencyMs ?? params.latencyMs.default`), so a stored scenario keeps what was written.
 */
export interface FaultParam {
  /** What it sets, in a few words, for messages and docs: "latency added each way". */
  doc: string;
  /** Its unit, as messages print it: "ms", "KB/s". */
  unit: string;
  /** An integer from min to max. */
  min: number;
  max: number;
  default: number;
}

/**
 * What a fault does to the topology, read by the parts that must know it without naming kinds:
 * - `node-down`: it means a node to stop serving (out of the Primary component) until it has
 *   recovered; outage stories count it, quorum-loss expects that node's 1047s (its target's node,
 *   `nodeOf`, or the sides without quorum of a `network-cut`), the fault notes explain stalls;
 * - `proxy-down`: it stops a switchboard proxy; outage stories count it;
 * - `network-cut`: it cuts the nodes into two sides (`sides`): the nemesis records them with its
 *   start and quorum-loss reads them.
 */
export type FaultTrait = 'node-down' | 'proxy-down' | 'network-cut';

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

export interface FaultKindDef<K extends string = string, P extends string = never> {
  kind: K;
  /** Its parameters by name (FaultParam); none when left out. */
  params?: { readonly [N in P]: FaultParam };
  /** What it does to the topology (FaultTrait); none when left out. */
  traits?: readonly FaultTrait[];
  /** The cluster ability it needs (lab/providers/cluster.ts); the validator refuses a provider without it. */
  ability?: Ability;
  /** A Toxiproxy link fault: needs topology.links routed through Toxiproxy. */
  link?: boolean;
  /** Its target may name a role (roles.ts): the node itself, or `isolate:<role>` for a partition. */
  roleTargets?: boolean;
  /** Why a concrete target (not random, not a role) is wrong on this topology, or null. */
  targetProblem(target: string, scope: TargetScope): string | null;
  /** Why the topology cannot have this kind at all whatever its target (reported on `.kind`), or null. */
  kindProblem?(scope: TargetScope): string | null;
  /** The targets a random plan draws; `nodeTargets` are the nodes, plus roles when the plan allows them. */
  targetArbitrary(scope: TargetScope, nodeTargets: string[]): fc.Arbitrary<string>;
  /** The node a concrete target names (`isolate:n2` → n2), or null; left out, the target is the node. */
  nodeOf?(target: string): string | null;
  /** The target that names a node (n2 → `isolate:n2`), what a role target resolves to; left out, the node. */
  nodeTarget?(node: string): string;
  /** A `network-cut` kind: the two sides a concrete target cuts the nodes into (throws on a bad target). */
  sides?(target: string, nodes: string[], seed: number): [string[], string[]];
  /** Made once when a plan holds this kind, before any fault starts (e.g. an iptables chain). */
  prepare?(ctx: FaultContext): Promise<void>;
  /** Starts the fault (its target already concrete); returns its heal. */
  start(ctx: FaultContext, fault: FaultParams<string, P>, id: string): Promise<Heal>;
}

/** Keeps the kind's literal name and its parameters' names in the type, so the registry's list gives the FaultKind union and the parameters a scenario may give. */
export const faultKind = <const K extends string, const P extends string = never>(
  def: FaultKindDef<K, P>,
): FaultKindDef<K, P> => def;

/** The nemesis's seed stream (lab/random deriveSeed), so its draws do not shift the clients' seeds. */
export const NEMESIS_STREAM = 0x6e656d;

/** A node target: one of the nodes (roles are checked apart). */
export function nodeTargetProblem(target: string, scope: TargetScope): string | null {
  return scope.nodes.includes(target)
    ? null
    : `must be ${[...scope.nodes, 'random'].join(', ')} or a role (${ROLES_HINT}), got ${JSON.stringify(target)}`;
}
