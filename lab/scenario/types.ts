// A scenario: one question, the topology and client configuration to ask it on, the workload, and
// the BBS options (the mitigations under comparison). Written in YAML under scenarios/, read by
// lab/scenario/validate.ts, and stored as run in the run directory. SCENARIO_SCHEMA is the one
// description: the Scenario type is inferred from it, and validate.ts reads files with it.

import {
  ACTUAL_LRP_FORMS,
  ACTUAL_LRP_LOCKS,
  ACTUAL_LRP_RULES,
  BBS_VERSIONS,
  DEADLOCK_RETRIES,
  DEFAULT_BBS_VERSION,
  DOMAIN_TTL_ZERO,
  ETCD_READ_ERRORS,
  UPSERT_DOMAIN_FORMS,
  VERSION_READ_ERRORS,
  type DeadlockRetry,
} from '../../bbs/versions/index.ts';
import {
  FAULT_KINDS,
  FAULT_PARAMS,
  paramProblem,
  type FaultKind,
  type FaultParamName,
} from '../nemesis/faults/index.ts';
import type { NemesisSpec } from '../nemesis/types.ts';
import {
  bool,
  duration,
  durationOrZero,
  field,
  int,
  listOf,
  num,
  oneOf,
  optional,
  show,
  str,
  withDefault,
  type Field,
  type Infer,
} from '../schema/schema.ts';
import { CLIENT_CONFIG_NAMES, type ClientConfig } from '../client/configs/index.ts';
import { plantListProblem, type PlantName } from '../../bbs/sql/plants.ts';

export type { DeadlockRetry };

/** The names of the client configurations, one per file in lab/client/configs/. */
export const CLIENT_CONFIGS = CLIENT_CONFIG_NAMES;
export type { ClientConfig };
export const PROXY_RULES = ['lowest-index', 'sticky-random'] as const;
export type ProxyRule = (typeof PROXY_RULES)[number];

/** The real BBS's pause before it tries a transaction again (see clients.backoffMs). */
export const DEFAULT_BACKOFF_MS = 500;

/**
 * The offered load when a scenario names none: ops/s per client, the one place it is set. Measured
 * on the lab's 2-core machine (lab/runner/README.md, "Why 10 ops/s per client"): quickstart,
 * multi-writer and kill-node keep it beside two busy-loop processes on a machine already 3–5×
 * oversubscribed.
 */
export const DEFAULT_RATE_PER_CLIENT = 10;
/** clients.rate: ops/s per client, or 'closed' (the next op when the last returns). */
export type ClientRate = number | 'closed';
const RATE_MIN = 0.1;
const RATE_MAX = 1000;
const rateProblem = (v: unknown): string | null =>
  v === 'closed' || (typeof v === 'number' && Number.isFinite(v) && v >= RATE_MIN && v <= RATE_MAX)
    ? null
    : `must be ops/s per client, a number from ${RATE_MIN} to ${RATE_MAX} such as ${DEFAULT_RATE_PER_CLIENT}, or "closed" (each client's next op when its last returns, so the load follows the machine), got ${show(v)}`;

const DAY = 24 * 3600;

export const SCENARIO_SCHEMA = {
  name: str({ required: true }),
  description: str({ default: '' }),
  /** The question this scenario answers; the report's summary answers it. */
  question: str({ required: true }),
  /** Seed of the workload; a run prints and stores it, and `--seed` repeats a run. */
  seed: field<number>((v) =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
      ? null
      : `must be a non-negative integer, got ${show(v)}`,
  ),
  /** Seconds the workload runs. */
  duration: duration(DAY),
  topology: {
    nodes: oneOf([1, 3, 5]),
    /** Switchboard proxies, each on its own loopback address, each deciding alone. */
    proxies: int(0, 8, 1),
    proxyRule: oneOf(PROXY_RULES, 'lowest-index'),
    /** Galera failure detection: 'default' timeouts, or 'fast' (evs suspect 2 s / inactive 3 s). */
    failureDetection: oneOf(['default', 'fast'], 'default'),
    /**
     * Galera's failure-detection settings, each overriding `failureDetection`'s (seconds; Galera's
     * defaults 5, 15, 0.5, 1, 7.5): passed to wsrep_provider_options as evs.suspect_timeout,
     * evs.inactive_timeout, evs.inactive_check_period, evs.keepalive_period, evs.install_timeout
     * (lab/providers/galera-detection.ts).
     */
    galera: {
      suspectTimeout: optional(duration(600)),
      inactiveTimeout: optional(duration(600)),
      inactiveCheckPeriod: optional(duration(600)),
      keepalivePeriod: optional(duration(600)),
      installTimeout: optional(duration(600)),
    },
    /**
     * Whether client -> target and switchboard -> node hops go through Toxiproxy proxies (needed
     * by link faults): 'auto' routes them when the nemesis has a link fault.
     */
    links: oneOf(['auto', 'direct', 'toxiproxy'], 'auto'),
    /**
     * 'local': Galera nodes the lab starts; 'external': MySQL described by `target`
     * (lab/providers/external); 'docker': Galera nodes as containers of the MariaDB image
     * (lab/providers/docker), on the engine `engine` picks; 'ssh': Galera nodes on hosts the lab
     * reaches over SSH, described by `target` (lab/providers/ssh, docs/ssh-targets.md).
     * lab/providers/registry.ts.
     */
    provider: oneOf(['local', 'external', 'docker', 'ssh'], 'local'),
    /** provider external or ssh: path of the target YAML; its host count must equal `nodes`. */
    target: str(),
    /**
     * provider docker: 'auto' (a real engine when one answers, else the lab's), 'real' or 'lab'
     * (lab/docker-engine).
     */
    engine: optional(oneOf(['auto', 'real', 'lab'])),
  },
  clients: {
    count: int(1, 256),
    /**
     * How clients reach MySQL: 'proxies' spreads clients over the proxies (client i uses proxy
     * i mod P, as a load balancer in front of several proxies would); 'nodes' connects client i
     * straight to node i mod N (every node a writer: the multi-master case).
     */
    via: oneOf(['proxies', 'nodes'], 'proxies'),
    /**
     * How a client finds its server (lab/client/configs/<name>.ts), over the targets `via` names:
     *   spread               client i always uses target i mod T (pinned clients: it never moves)
     *   single-proxy         every client uses the first target only (one hostname, one proxy)
     *   proxies-by-hostname  each new connection resolves a name with every target's address,
     *                        rotated per lookup (round-robin DNS), and tries them in order
     *   multi-ip             the client holds every address and fails over itself (mysql2
     *                        PoolCluster with `selector`)
     *   consul-dns           every proxy is a Consul service with a TCP check; each new
     *                        connection resolves mysql.service.consul on Consul's DNS
     *   leader-proxy         as consul-dns, but the proxies take a Consul lock and only the
     *                        holder serves and is registered (the 2016 mitigation)
     *   consul-dns-nodes     no proxy: every node a Consul service checked by its
     *                        galera-healthcheck; each new connection resolves the name
     */
    config: oneOf(CLIENT_CONFIGS, 'spread'),
    /** multi-ip: PoolCluster's selector: ORDER (first healthy, failover), RR or RANDOM. */
    selector: oneOf(['ORDER', 'RR', 'RANDOM'], 'ORDER'),
    /** mysql2 pool size per target (pinned configurations: spread, single-proxy). */
    poolSize: int(1, 64, 2),
    /**
     * The Go database/sql pool of the configurations that resolve a name or choose an address per
     * connection (lab/client/go-pool-policy.ts), as the BBS's max_open_database_connections,
     * max_idle_database_connections and max_database_connection_lifetime; defaults the BBS's
     * (200, 200, 0 = forever). 0 open: no limit; 0 idle: every op dials anew.
     */
    maxOpenConnections: int(0, 10_000, 200),
    maxIdleConnections: int(0, 10_000, 200),
    connectionMaxLifetime: withDefault(durationOrZero(DAY), 0),
    /** Per-op client timeout in ms; an op that times out ends `info`. */
    timeoutMs: int(100, 600_000, 10_000),
    /**
     * Pause (ms) after an op that did not succeed before the client's next op. The default, 500, is
     * the real BBS's: its SQL Transact helper (cloudfoundry/bbs db/sqldb/helpers/transact.go)
     * sleeps 500 ms before it tries a transaction again after a deadlock or a bad connection (Go's
     * database/sql itself retries driver.ErrBadConn at once on a fresh connection, outside a
     * transaction). 0 is Jepsen's client: the next op at once, so an outage shows as thousands of
     * instant failures and op totals stop comparing across configurations.
     */
    backoffMs: int(0, 60_000, DEFAULT_BACKOFF_MS),
    /**
     * Offered load: each client's ops on a schedule of `rate` ops/s (a seeded offset per client),
     * so op counts and contention do not follow the machine's speed; 'closed' is the closed loop.
     */
    rate: field<ClientRate>(rateProblem, { default: DEFAULT_RATE_PER_CLIENT }),
  },
  workload: {
    /**
     * 'bbs': BBS API calls on the BBS schema; 'list-append': Elle-style transactions on a plain
     * table.
     */
    kind: oneOf(['bbs', 'list-append'], 'bbs'),
    /** list-append: number of lists (keys) and the most micro-ops in one transaction. */
    keys: int(1, 10_000, 8),
    txnLength: int(1, 20, 4),
    /** list-append: the transactions' isolation level (InnoDB's default is repeatable-read). */
    isolation: oneOf(['read-committed', 'repeatable-read', 'serializable'], 'repeatable-read'),
    /** Key space: small, so keys contend. */
    tasks: int(0, 10_000, 4),
    desiredLRPs: int(0, 10_000, 2),
    /** Actual LRP instances per process guid. */
    instances: int(1, 100, 2),
    cells: int(1, 100, 3),
    /**
     * What a run needs to mean something (issue 27): ops run to the end, in all and of each op
     * made; 0: none stated. The report says when a run fell short.
     */
    minOps: optional(int(0, 100_000_000)),
    minOpsPerOp: optional(int(0, 100_000_000)),
    /** Relative weights of op families. */
    mix: {
      tasks: num(0, 1000, 5),
      desiredLRPs: num(0, 1000, 2),
      actualLRPs: num(0, 1000, 3),
      domains: num(0, 1000, 1),
    },
  },
  /** Faults (lab/nemesis/faults/, one file per kind) on a schedule; none by default. */
  nemesis: {
    /** A fixed timeline. */
    schedule: listOf({
      kind: oneOf(FAULT_KINDS),
      target: str({ required: true }),
      /** Seconds from the start of the workload. */
      at: durationOrZero(DAY),
      /** Seconds the fault lasts before it is healed. */
      duration: duration(DAY),
      /** Each kind's parameters (faults/<kind>.ts `params`: link-latency's latencyMs, …). */
      ...faultParamFields(),
    }),
    /** A seeded random schedule, added to the timeline. */
    random: {
      kinds: field<FaultKind[]>(
        (v) =>
          Array.isArray(v) && v.every((k) => (FAULT_KINDS as readonly unknown[]).includes(k))
            ? null
            : `must be a list of ${FAULT_KINDS.join(', ')}, got ${show(v)}`,
        { default: [] },
      ),
      /** Mean seconds between the end of one fault and the start of the next. */
      interval: withDefault(duration(3600), 15),
      /** Mean seconds a fault lasts. */
      duration: withDefault(duration(3600), 8),
      /**
       * Node faults and partitions may also draw role targets (active-of:<proxy>, most-written,
       * a-non-active; lab/nemesis/roles.ts), resolved when the fault starts. Off by default, so the
       * plans of existing seeds stay as they were.
       */
      roles: bool(false),
    },
  },
  /**
   * The BBS under test: one real cloudfoundry/bbs commit (`version`, bbs/versions/,
   * docs/bbs-versions.md) with every behaviour of it. A behaviour field set here overrides the
   * profile's: a "what if" no commit had, refused unless `hypothetical: true`, and labelled
   * hypothetical in every report.
   */
  bbs: {
    version: oneOf(BBS_VERSIONS, DEFAULT_BBS_VERSION),
    /** Allows behaviour overrides that differ from the version's profile. */
    hypothetical: bool(false),
    deadlockRetry: optional(oneOf(DEADLOCK_RETRIES)),
    deadlockAttempts: optional(int(1, 10)),
    deadlockRetryDelayMs: optional(int(0, 60_000)),
    /** Reads and DesireTask in a transaction (47049111, 2016-11) rather than outside (mid-2016). */
    transactionalReads: optional(bool(false)),
    /**
     * How actual LRP mutations lock their row: 'for-update' (ad910341) or 'share' (3940fad4, LOCK
     * IN SHARE MODE).
     */
    actualLRPLock: optional(oneOf(ACTUAL_LRP_LOCKS)),
    /** 'per-state' (every commit) or 'permissive' (no commit: hypothetical only). */
    actualLRPRules: optional(oneOf(ACTUAL_LRP_RULES)),
    /**
     * How task and desired LRP mutations lock their row: 'for-update' (ad910341) or 'share'
     * (b488321d).
     */
    taskAndDesiredLRPLock: optional(oneOf(ACTUAL_LRP_LOCKS)),
    /**
     * What the actual LRP mutations write around the rule (bbs/versions/types.ts ActualLRPForm).
     */
    actualLRPForm: optional(oneOf(ACTUAL_LRP_FORMS)),
    /** Statements of a transaction run on another pooled connection (47049111 until b33de3b0). */
    statementsOnPool: optional(bool(false)),
    maskFetchErrors: optional(bool(false)),
    upsertDomain: optional(oneOf(UPSERT_DOMAIN_FORMS)),
    /** UpsertDomain ttl 0: 'expires-now' (2a8d20a0) or 'never-expires' (23dfa3fb). */
    domainTtlZero: optional(oneOf(DOMAIN_TTL_ZERO)),
    migrationVersionReadErrors: optional(oneOf(VERSION_READ_ERRORS)),
    etcdReadErrors: optional(oneOf(ETCD_READ_ERRORS)),
    /** A planted bug for testing the lab: SELECT without FOR UPDATE. */
    unsafeNoRowLocks: bool(false),
    /** Planted bugs for the self-test (bbs/sql/plants.ts); none by default. */
    plant: field<PlantName[]>(plantListProblem, { default: [] }),
    /** Moved: wsrep_sync_wait is the operator's database setting, not the BBS's. */
    syncWait: optional(
      field<number>(
        () =>
          'moved to database.syncWait: wsrep_sync_wait is a setting of the database an operator chooses, no BBS commit set it',
      ),
    ),
  },
  /**
   * The operator's database settings (never a BBS mitigation: no BBS commit set them). Reports name
   * them "operator setting".
   */
  database: {
    /** SET SESSION wsrep_sync_wait = N on every connection; 0 = the server's default (off). */
    syncWait: int(0, 15, 0),
    /**
     * Per-statement timeout in ms (the client's: a statement that takes longer breaks its
     * connection); default clients.timeoutMs.
     */
    statementTimeoutMs: optional(int(100, 600_000)),
  },
} as const;

export type Scenario = Infer<typeof SCENARIO_SCHEMA>;

/** One optional field per registered fault parameter, read with its kind's bounds (validate.ts refuses it on other kinds). */
function faultParamFields(): { [N in FaultParamName]: Field<number, true> } {
  return Object.fromEntries(
    Object.keys(FAULT_PARAMS).map((name) => [name, field<number>((v) => paramProblem(name, v))]),
  ) as { [N in FaultParamName]: Field<number, true> };
}

// The nemesis reads a scenario's block as its own spec: a compile-time check that they agree.
const _nemesisAgrees = (s: Scenario): NemesisSpec => s.nemesis;
void _nemesisAgrees;
