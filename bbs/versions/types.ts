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
 *   fd3b8213 (2017-09-27) added mysql.ErrInvalidConn to the same test. With the go-sql-driver of
 *   each commit's time the two retry the same errors: before go-sql-driver 26471af (2017-08-22,
 *   "fewer driver.ErrBadConn") every lost connection, on a read or a write, came back as
 *   driver.ErrBadConn; after it, a lost connection once something was sent is ErrInvalidConn, which
 *   fd3b8213 let the retry see again. So one value serves both profiles; see
 *   docs/bbs-versions/actual-lrps.md.
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

/**
 * What the actual LRP mutations write around the (same) transition rule, by db/sqldb/actual_lrp_db.go:
 * - 'prerelease-2016-03' (2a8d20a0): ClaimActualLRP and StartActualLRP write even when the LRP is
 *   already claimed / running by the asking instance; a StartActualLRP whose read fails, for any
 *   reason, INSERTs a RUNNING row without instance guid or cell; a start keeps the placement error;
 *   CrashActualLRP picks UNCLAIMED or CRASHED from the crash count before the crash; RemoveActualLRP
 *   reads the row (LOCK IN SHARE MODE) before its DELETE and takes no instance key; an error of a
 *   mutation's UPDATE or DELETE panics the request handler (the client's connection drops).
 * - 'no-instance-key-2016-03-24': the shipped forms (31b2b5a2, 2016-03-24; 660efc68, 2016-04-14):
 *   no-op claim and start, createRunningActualLRP only on ResourceNotFound, errors returned;
 *   RemoveActualLRP is one DELETE without an instance key (an instance key in the request is ignored).
 * - 'instance-key-2016-06': RemoveActualLRP also matches the instance key when given (1f4fe8c6).
 */
export const ACTUAL_LRP_FORMS = ['prerelease-2016-03', 'no-instance-key-2016-03-24', 'instance-key-2016-06'] as const;
export type ActualLRPForm = (typeof ACTUAL_LRP_FORMS)[number];
export const UPSERT_DOMAIN_FORMS = ['insert-on-duplicate', 'update-then-insert'] as const;
export const VERSION_READ_ERRORS = ['fresh-start', 'fail'] as const;
export const ETCD_READ_ERRORS = ['log-and-continue', 'fail'] as const;

/** Every behaviour of a BBS commit the lab models. */
export interface BbsBehaviour {
  deadlockRetry: DeadlockRetry;
  /** Attempts in all (`for attempts := 0; attempts < 3; …`): 3 at every version. */
  deadlockAttempts: number;
  /** Wait between attempts: 500 ms at every version. */
  deadlockRetryDelayMs: number;
  /** Reads, DesireTask and CreateUnclaimedActualLRP inside BEGIN … COMMIT (47049111) or autocommit (before). */
  transactionalReads: boolean;
  /** How actual LRP mutations lock their row: LOCK IN SHARE MODE (3940fad4) or FOR UPDATE (ad910341). */
  actualLRPLock: (typeof ACTUAL_LRP_LOCKS)[number];
  actualLRPRules: ActualLRPRules;
  actualLRPForm: ActualLRPForm;
  /**
   * Statements of a transaction that ran on the pool (db.db: another connection, autocommit) and
   * not on the transaction: 47049111 wrapped CreateUnclaimedActualLRP's INSERT, the actual LRP reads
   * and fetchTask in `transact` but passed them db.db, until b33de3b0 (2016-12-28).
   */
  statementsOnPool: boolean;
  /** The locked-read helpers turned any database error into ResourceNotFound (until 47049111). */
  maskFetchErrors: boolean;
  /** INSERT … ON DUPLICATE KEY UPDATE (until b08a6ca0), then UPDATE and an INSERT when no row changed. */
  upsertDomain: (typeof UPSERT_DOMAIN_FORMS)[number];
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
