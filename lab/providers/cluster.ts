// The one contract every provider meets (local processes, Docker containers, an external target,
// hosts over SSH). Node faults are optional abilities, as Jepsen's db protocols are optional: a
// provider offers only what it can do, the nemesis asks for an ability by name, and the scenario
// validator refuses a scenario that needs an ability its provider lacks (naming the field) before
// anything starts. A provider never "implements" an ability by throwing.

import type { SslOptions } from 'mysql2/promise';

export interface NodeInfo {
  name: string;
  host: string;
  port: number;
  /** wsrep_local_index order is not the start order; this is the start order (n1 = 0). */
  ordinal: number;
}

export interface NodeStatus {
  localState: number;
  clusterStatus: string;
  clusterSize: number;
  ready: boolean;
}

/** kill -9 of a node's server (and any SST helper), and starting it again. */
export interface KillAbility {
  kill(node: string): Promise<void>;
  /**
   * Starts a killed node again without waiting for Synced (it recovers its position and rejoins by
   * IST when it can).
   */
  restart(node: string): Promise<void>;
}

/** SIGSTOP / SIGCONT of a node's server. A paused node is resumed by the cluster's stop(). */
export interface PauseAbility {
  pause(node: string): Promise<void>;
  resume(node: string): Promise<void>;
}

/** Two groups of nodes that cannot reach each other while a cut is in place. */
export type Sides = readonly [readonly string[], readonly string[]];

/**
 * Cuts between groups of nodes. Cuts are named so overlapping partitions heal one at a time; the
 * cluster's stop() heals whatever is left.
 */
export interface PartitionAbility {
  /** Why this provider cannot make this shape (e.g. Docker disconnects one node only), or null. */
  refuse(sides: Sides): string | null;
  /**
   * Sets up what cuts need (e.g. an iptables chain), so a missing permission shows before the run.
   */
  prepare?(): Promise<void>;
  cut(id: string, sides: Sides): Promise<void>;
  heal(id: string): Promise<void>;
  /** Heals every cut at once (a reused cluster's reset between runs, lab/runner/warm.ts). */
  healAll?(): Promise<void>;
}

/** SQL as an administrator on one node (outside the lab's user and the proxies). */
export interface AdminAbility {
  query(node: string, sql: string): Promise<string>;
}

export interface Abilities {
  kill: KillAbility;
  pause: PauseAbility;
  partition: PartitionAbility;
  admin: AdminAbility;
}

export type Ability = keyof Abilities;

export interface Cluster {
  /** The provider that started it, as `topology.provider` names it. */
  provider: string;
  nodes: NodeInfo[];
  user: string;
  password: string;
  database: string;
  /** The owned temp directory of this cluster (lab/lifecycle); removed by stop(). */
  workDir: string;
  /** TLS options for client connections (an external target with tls: true). */
  ssl?: SslOptions;
  /** Node status as the healthcheck sees it. */
  status(node: string): Promise<NodeStatus>;
  /** Waits until the node is Synced in a Primary component of `size` nodes. */
  waitSynced(node: string, size: number, timeoutMs: number): Promise<void>;
  /** What this cluster can do to its nodes; an ability left out is one the provider lacks. */
  abilities: Partial<Abilities>;
  stop(): Promise<void>;
}

/**
 * A cluster whose provider always has these abilities (what a test of that provider may use
 * directly).
 */
export type ClusterWith<A extends Ability> = Cluster & { abilities: Pick<Abilities, A> };

export class MissingAbilityError extends Error {}

/** The ability, or a clear error naming the provider and what asked for it. */
export function need<A extends Ability>(
  cluster: Cluster,
  ability: A,
  forWhat: string,
): Abilities[A] {
  const a = cluster.abilities[ability];
  if (!a)
    throw new MissingAbilityError(
      `${forWhat} needs the ${ability} ability, which provider ${cluster.provider} does not have`,
    );
  return a as Abilities[A];
}
