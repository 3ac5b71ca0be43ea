// A BBS profile: one real cloudfoundry/bbs commit, and every behaviour of it the lab models. The
// store, its retry loop, the migration manager and the etcd-to-SQL migration read only the
// behaviour, so choosing a profile selects all of that commit's behaviours at once. A behaviour no
// commit had can still be asked for, as a "what if" on top of a profile: a hypothetical, which the
// scenario must say and the report labels (bbs/versions/README.md).

/**
 * The retry of the BBS's transact helper, by the commit that introduced each policy:
 * - 'none': no retry (before 6683fe36).
 * - 'commit-only-2016-04': 6683fe36 retries on MySQL 1213, but statements inside the transaction
 *   converted their errors to BBS errors first, so only a raw 1213 from COMMIT was retried.
 * - 'all-2016-11': 47049111 retries a 1213 from any statement of the transaction.
 * - 'all-and-bad-conn-2017-06': 18ba2854 also retries driver.ErrBadConn (a lost connection). A lost
 *   connection during COMMIT leaves the outcome unknown, and the retry runs the op again.
 * Ops the BBS ran outside any transaction (see `transactionalReads`) are never retried.
 */
export const DEADLOCK_RETRIES = ['none', 'commit-only-2016-04', 'all-2016-11', 'all-and-bad-conn-2017-06'] as const;
export type DeadlockRetry = (typeof DEADLOCK_RETRIES)[number];

/**
 * Which AllowsTransitionTo the actual LRP mutations run:
 * - 'per-state': the per-state switch of models/actual_lrp.go, which the SQL store ran from
 *   3940fad4 (2016-02-29) to today.
 * - 'permissive': the lab's earlier reading (a crash accepted from any state by any instance). No
 *   commit had it: a hypothetical only.
 */
export const ACTUAL_LRP_RULES = ['per-state', 'permissive'] as const;
export type ActualLRPRules = (typeof ACTUAL_LRP_RULES)[number];

export const ACTUAL_LRP_LOCKS = ['for-update', 'share'] as const;
export const UPSERT_DOMAIN_FORMS = ['insert-on-duplicate', 'update-then-insert'] as const;
export const DOMAIN_TTL_ZERO = ['expires-now', 'never-expires'] as const;
export const VERSION_READ_ERRORS = ['fresh-start', 'fail'] as const;
export const ETCD_READ_ERRORS = ['log-and-continue', 'fail'] as const;

/** Every behaviour of a BBS commit the lab models. */
export interface BbsBehaviour {
  deadlockRetry: DeadlockRetry;
  /** Attempts in all (`for attempts := 0; attempts < 3; …`): 3 at every version. */
  deadlockAttempts: number;
  /** Wait between attempts: 500 ms at every version. */
  deadlockRetryDelayMs: number;
  /**
   * Reads, DesireTask, UpsertDomain and CreateUnclaimedActualLRP inside BEGIN … COMMIT (47049111)
   * or as autocommit statements (before).
   */
  transactionalReads: boolean;
  /** How actual LRP mutations lock their row: LOCK IN SHARE MODE (3940fad4) or FOR UPDATE (ad910341). */
  actualLRPLock: (typeof ACTUAL_LRP_LOCKS)[number];
  actualLRPRules: ActualLRPRules;
  /**
   * How task and desired LRP mutations lock their row: LOCK IN SHARE MODE (b488321d, 2016-02) or
   * FOR UPDATE (ad910341, 2016-04-14, the same commit as actual LRPs).
   */
  taskAndDesiredLRPLock: (typeof ACTUAL_LRP_LOCKS)[number];
  /** The locked-read helpers turned any database error into ResourceNotFound (until 47049111). */
  maskFetchErrors: boolean;
  /** INSERT … ON DUPLICATE KEY UPDATE (until b08a6ca0), then UPDATE and an INSERT when no row changed. */
  upsertDomain: (typeof UPSERT_DOMAIN_FORMS)[number];
  /**
   * What UpsertDomain with ttl 0 stores: an expiry of now, so the domain is never fresh (until
   * 23dfa3fb, 2016-04-14), or math.MaxInt64, never expiring (after).
   */
  domainTtlZero: (typeof DOMAIN_TTL_ZERO)[number];
  /** An error reading the SQL version: taken as "no version" (until 8eda15e2) or fatal. */
  migrationVersionReadErrors: (typeof VERSION_READ_ERRORS)[number];
  /** An etcd read error in the etcd-to-SQL migration: logged, nothing copied (2016) or fatal. */
  etcdReadErrors: (typeof ETCD_READ_ERRORS)[number];
}

export type BehaviourField = keyof BbsBehaviour;

/** Where a behaviour comes from in cloudfoundry/bbs. */
export interface Cite {
  commit: string;
  date: string;
  file: string;
}

export interface BbsProfile {
  /** Its name in scenarios (`bbs.version`): the month of its commit, or 'today'. */
  name: string;
  /** The cloudfoundry/bbs commit it models (short hash) and that commit's date. */
  commit: string;
  date: string;
  title: string;
  behaviour: BbsBehaviour;
  /** For every behaviour, the commit and file that gave this profile its value. */
  cites: Record<BehaviourField, Cite>;
}
