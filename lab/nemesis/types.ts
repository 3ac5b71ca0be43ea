// Faults the nemesis can cause, each with a start and a heal, and the schedule that says when.

export type FaultKind =
  /** iptables DROP between Galera nodes; `target` picks the sides (see PartitionTarget). */
  | 'partition'
  /** kill -9 of a node; heal restarts it (it rejoins by IST/SST). */
  | 'kill'
  /** SIGSTOP of a node; heal is SIGCONT. */
  | 'pause'
  /** The node's galera-healthcheck answers unhealthy, so proxies move their active backend. */
  | 'health-flap'
  /** A switchboard proxy is stopped (its connections die); heal starts it again. */
  | 'proxy-kill';

/**
 * Partition targets: 'isolate:n3' (one node alone), 'minority' (the highest-ordinal minority
 * apart from the rest), 'bridge' (two halves that only the middle node sees: 5 nodes), 'halves'
 * (a random split, seeded). Node targets name a node ('n2') or 'random'. Proxy targets name a
 * proxy ('proxy1') or 'random'.
 */
export type FaultTarget = string;

export interface FaultSpec {
  kind: FaultKind;
  target: FaultTarget;
  /** Seconds from the start of the workload. */
  at: number;
  /** Seconds the fault lasts before it is healed. */
  duration: number;
}

export interface NemesisSpec {
  /** A fixed timeline. */
  schedule: FaultSpec[];
  /** A seeded random schedule, added to the timeline. */
  random: null | {
    kinds: FaultKind[];
    /** Mean seconds between the end of one fault and the start of the next. */
    interval: number;
    /** Mean seconds a fault lasts. */
    duration: number;
  };
}
