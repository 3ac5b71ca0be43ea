// The switchboard proxy's public shapes: options, the handle, events and counters.

export type SwitchboardRule = 'lowest-index' | 'sticky-random';

export interface BackendConfig {
  name: string;
  host: string;
  port: number;
  /** galera-healthcheck URL, e.g. http://127.0.0.11:9200/api/v1/status. */
  healthUrl: string;
}

export interface SwitchboardOptions {
  name: string;
  /** Loopback address and port clients connect to; port 0 picks a free one. */
  listen: { host: string; port: number };
  backends: BackendConfig[];
  /**
   * 'lowest-index': switchboard from Sep 2016 on — the healthy backend with the lowest
   *   wsrep_local_index, re-chosen after every poll; any change severs the old one's connections.
   * 'sticky-random': switchboard up to Aug 2016 — a random first pick (Go map order), kept until it
   *   turns unhealthy, then a random healthy one; the unhealthy one's connections are severed.
   */
  rule: SwitchboardRule;
  /** Seed for every random choice (the Go map order); default 0. */
  seed?: number;
  /** Time between polls; default healthTimeoutMs / 5 (1 s), as the real one. */
  pollIntervalMs?: number;
  /** A healthcheck that takes longer counts as unhealthy; default 5000 ms. */
  healthTimeoutMs?: number;
  /** Serve the real switchboard's API (GET /v0/backends) on this port of the listen address. */
  apiPort?: number;
  onEvent?: (e: SwitchboardEvent) => void;
  /**
   * Whether the proxy serves from the start (default true). A leader-elected proxy (the 2016
   * Consul-lock variant, lab/routing/leader.ts) starts not serving and is switched on while it
   * holds the lock.
   */
  serving?: boolean;
}

interface EventBase {
  proxy: string;
  /** Wall clock, ms since the epoch. */
  at: number;
  /** performance.now() in ms: monotonic, for ordering within one process. */
  mono: number;
}

export type SwitchboardEvent =
  | (EventBase & { type: 'active-changed'; from: string | null; to: string | null; reason: string })
  | (EventBase & { type: 'severed'; backend: string; connections: number })
  | (EventBase & { type: 'serving-changed'; serving: boolean })
  | (EventBase & {
      type: 'health-changed';
      backend: string;
      /** null before the first poll. */
      was: boolean | null;
      healthy: boolean;
      index: number | null;
      detail: string;
    });

export interface BackendStats {
  /** Client connections ever routed to this backend. */
  total: number;
  /** Open now (the API's currentSessionCount). */
  open: number;
  /** Closed by the proxy because the backend lost active. */
  severed: number;
}

export interface SwitchboardStats {
  /** Client connections accepted by the listener. */
  accepted: number;
  /** Closed at once because no backend was active. */
  rejectedNoActive: number;
  /** Closed at once because the proxy was not serving (a leader-elected proxy without the lock). */
  rejectedNotServing: number;
  /** Closed because the active backend refused or failed the connection. */
  dialFailed: number;
  activeChanges: number;
  /** Completed polls (rounds of healthchecks); lets a caller wait for "N more polls". */
  polls: number;
  backends: Record<string, BackendStats>;
}

/** One backend as GET /v0/backends shows it. */
export interface BackendView {
  name: string;
  host: string;
  port: number;
  healthy: boolean;
  active: boolean;
  currentSessionCount: number;
}

export interface SwitchboardHandle {
  name: string;
  /** The address actually bound (the port is resolved when 0 was asked). */
  listen: { host: string; port: number };
  /** http://host:apiPort when apiPort was given. */
  apiUrl: string | null;
  rule: SwitchboardRule;
  activeBackend(): string | null;
  backends(): BackendView[];
  stats(): SwitchboardStats;
  /**
   * Serve or not. Not serving: new connections are closed at once and every open one is severed,
   * as a proxy that lost its leader lock and stopped routing.
   */
  setServing(on: boolean): void;
  isServing(): boolean;
  /**
   * Between two runs of a campaign: stops polling and routing (every connection closed, new ones
   * refused) but keeps the listener, so the next run can resume it instead of starting a proxy.
   */
  pause(): Promise<void>;
  isPaused(): boolean;
  /**
   * Back from a pause in the state a fresh start with these settings has: the generator reseeded,
   * health unknown, no active backend, counters at zero; then the first poll (and sticky-random's
   * first pick) as at a start.
   */
  resume(next: {
    seed: number;
    onEvent?: (e: SwitchboardEvent) => void;
    serving?: boolean;
  }): Promise<void>;
  /** Closes the listener, the API and every client and backend socket; stops polling. */
  stop(): Promise<void>;
}
