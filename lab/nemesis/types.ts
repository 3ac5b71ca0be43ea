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
  | 'proxy-kill'
  /** Faults on a Toxiproxy link (links.ts): the target names the link, e.g. client-proxy1, proxy1-n2. */
  | 'link-latency'
  | 'link-reset'
  | 'link-timeout'
  | 'link-bandwidth'
  | 'link-down';

/**
 * Partition targets: 'isolate:n3' (one node alone), 'minority' (the highest-ordinal minority
 * apart from the rest), 'bridge' (two halves that only the middle node sees: 5 nodes), 'halves'
 * (a random split, seeded). Node targets name a node ('n2') or 'random'. Proxy targets name a
 * proxy ('proxy1') or 'random'. Link targets name a link ('client-proxy1', 'proxy1-n2'), or
 * 'random', 'random-client' or 'random-backend'.
 */
export type FaultTarget = string;

export interface FaultSpec {
  kind: FaultKind;
  target: FaultTarget;
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
    /**
     * Node faults and partitions may also draw role targets (active-of:<proxy>, most-written,
     * a-non-active; lab/nemesis/roles.ts), resolved when the fault starts. Off by default, so the
     * plans of existing seeds stay as they were.
     */
    roles?: boolean;
  };
}
