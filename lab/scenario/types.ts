// A scenario: one question, the topology and client configuration to ask it on, the workload, and
// the BBS options (the mitigations under comparison). Written in YAML under scenarios/, validated
// by lab/scenario/validate.ts, and stored as run in the run directory.

import type { NemesisSpec } from '../nemesis/types.ts';

export type ClientConfig = 'spread' | 'single-proxy' | 'proxies-by-hostname' | 'multi-ip' | 'consul-dns' | 'leader-proxy';
export type ProxyRule = 'lowest-index' | 'sticky-random';
export type DeadlockRetry = 'none' | 'commit-only-2016-04' | 'all-2016-11' | 'all-and-bad-conn-2017-06';

export interface Scenario {
  name: string;
  description: string;
  /** The question this scenario answers; the report's summary answers it. */
  question: string;
  /** Seed of the workload; a run prints and stores it, and `--seed` repeats a run. */
  seed?: number;
  /** Seconds the workload runs. */
  duration: number;
  topology: {
    nodes: 1 | 3 | 5;
    /** Switchboard proxies, each on its own loopback address, each deciding alone. */
    proxies: number;
    proxyRule: ProxyRule;
    /** Galera failure detection: 'default' timeouts, or 'fast' (evs suspect 2 s / inactive 3 s). */
    failureDetection: 'default' | 'fast';
    /**
     * Whether client -> target and switchboard -> node hops go through Toxiproxy proxies (needed
     * by link faults): 'auto' routes them when the nemesis has a link fault.
     */
    links: 'auto' | 'direct' | 'toxiproxy';
    /**
     * 'local': Galera nodes the lab starts; 'external': MySQL described by `target`
     * (lab/providers/external); 'docker': Galera nodes as containers of the MariaDB image
     * (lab/providers/docker), on the engine `engine` picks.
     */
    provider: 'local' | 'external' | 'docker' | 'ssh';
    /** provider docker: 'auto' (a real engine when one answers, else the lab's), 'real' or 'lab' (lab/docker-engine). */
    engine?: 'auto' | 'real' | 'lab';
    /** provider external or ssh: path of the target YAML; its host count must equal `nodes`. */
    target?: string;
  };
  clients: {
    count: number;
    /**
     * How clients reach MySQL: 'proxies' spreads clients over the proxies (client i uses proxy
     * i mod P, as a load balancer in front of several proxies would); 'nodes' connects client i
     * straight to node i mod N (every node a writer: the multi-master case).
     */
    via: 'proxies' | 'nodes';
    /**
     * How a client finds its server (lab/client/configs.ts), over the targets `via` names:
     *   spread               client i always uses target i mod T (a load balancer pinning clients)
     *   single-proxy         every client uses the first target only (one hostname, one proxy)
     *   proxies-by-hostname  each new connection resolves a name with every target's address,
     *                        rotated per lookup (round-robin DNS), and tries them in order
     *   multi-ip             the client holds every address and fails over itself (mysql2
     *                        PoolCluster with `selector`)
     *   consul-dns           every proxy is a Consul service with a TCP check; each new
     *                        connection resolves mysql.service.consul on Consul's DNS
     *   leader-proxy         as consul-dns, but the proxies take a Consul lock and only the
     *                        holder serves and is registered (the 2016 mitigation)
     */
    config: ClientConfig;
    /** multi-ip: PoolCluster's selector: ORDER (first healthy, failover), RR or RANDOM. */
    selector: 'ORDER' | 'RR' | 'RANDOM';
    /** mysql2 pool size per target. */
    poolSize: number;
    /** Per-op client timeout in ms; an op that times out ends `info`. */
    timeoutMs: number;
    /**
     * Pause (ms) after an op that did not succeed before the client's next op. The default, 500, is
     * the real BBS's: its SQL Transact helper (cloudfoundry/bbs db/sqldb/helpers/transact.go) sleeps
     * 500 ms before it tries a transaction again after a deadlock or a bad connection (Go's
     * database/sql itself retries driver.ErrBadConn at once on a fresh connection, outside a
     * transaction). 0 is Jepsen's client: the next op at once, so an outage shows as thousands of
     * instant failures and op totals stop comparing across configurations.
     */
    backoffMs: number;
  };
  workload: {
    /** 'bbs': BBS API calls on the BBS schema; 'list-append': Elle-style transactions on a plain table. */
    kind: 'bbs' | 'list-append';
    /** list-append: number of lists (keys) and the most micro-ops in one transaction. */
    keys: number;
    txnLength: number;
    /** list-append: the transactions' isolation level (InnoDB's default is repeatable-read). */
    isolation: 'read-committed' | 'repeatable-read' | 'serializable';
    /** Key space: small, so keys contend. */
    tasks: number;
    desiredLRPs: number;
    /** Actual LRP instances per process guid. */
    instances: number;
    cells: number;
    /** Relative weights of op families. */
    mix: { tasks: number; desiredLRPs: number; actualLRPs: number; domains: number };
  };
  /** Faults on a schedule; none by default. */
  nemesis: NemesisSpec;
  bbs: {
    deadlockRetry: DeadlockRetry;
    /** SET SESSION wsrep_sync_wait on every connection; 0 = off. */
    syncWait: number;
    /** Reads and DesireTask in a transaction (47049111, 2016-11) rather than outside (mid-2016). */
    transactionalReads: boolean;
    /** A planted bug for testing the lab: SELECT without FOR UPDATE. */
    unsafeNoRowLocks: boolean;
    /**
     * How actual LRP mutations lock their row: 'for-update' (today's BBS) or 'share' (mid-2016:
     * LOCK IN SHARE MODE, which deadlocks under contention when two holders both upgrade).
     */
    actualLRPLock: 'for-update' | 'share';
  };
}
