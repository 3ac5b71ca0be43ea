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
 *   docs/bbs-versions.md (actual LRP section).
 * Ops the BBS ran outside any transaction (see `transactionalReads`) are never retried.
 */
export const DEADLOCK_RETRIES = [
  'none',
  'commit-only-2016-04',
  'all-2016-11',
  'all-and-bad-conn-2017-06',
] as const;
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
 * What the actual LRP mutations write around the (same) transition rule, by
 * db/sqldb/actual_lrp_db.go:
 * - 'prerelease-2016-03' (2a8d20a0): ClaimActualLRP and StartActualLRP write even when the LRP is
 *   already claimed / running by the asking instance; a StartActualLRP whose read fails, for any
 *   reason, INSERTs a RUNNING row without instance guid or cell; a start keeps the placement error;
 *   CrashActualLRP picks UNCLAIMED or CRASHED from the crash count before the crash;
 *   RemoveActualLRP reads the row (LOCK IN SHARE MODE) before its DELETE and takes no instance key;
 *   an error of a mutation's UPDATE or DELETE panics the request handler (the client's connection
 *   drops).
 * - 'no-instance-key-2016-03-24': the shipped forms (31b2b5a2, 2016-03-24; 660efc68, 2016-04-14):
 *   no-op claim and start, createRunningActualLRP only on ResourceNotFound, errors returned;
 *   RemoveActualLRP is one DELETE without an instance key (an instance key in the request is
 *   ignored).
 * - 'instance-key-2016-06': RemoveActualLRP also matches the instance key when given (1f4fe8c6).
 */
export const ACTUAL_LRP_FORMS = [
  'prerelease-2016-03',
  'no-instance-key-2016-03-24',
  'instance-key-2016-06',
] as const;
export type ActualLRPForm = (typeof ACTUAL_LRP_FORMS)[number];
export const UPSERT_DOMAIN_FORMS = ['insert-on-duplicate', 'update-then-insert'] as const;
export const DOMAIN_TTL_ZERO = ['expires-now', 'never-expires'] as const;
/**
 * 'as-not-found': any error reading the SQL version was "no version" (the etcd version next, then a
 * fresh start).
 */
export const VERSION_READ_ERRORS = ['as-not-found', 'fail'] as const;
export const ETCD_READ_ERRORS = ['log-and-continue', 'fail'] as const;
/**
 * Which stores the migration manager reads and writes the version in (bbs/migrations/README.md).
 */
export const MIGRATION_STORES = ['etcd', 'etcd-and-sql', 'sql'] as const;
/**
 * How the SQL version is read: one autocommit SELECT, in a transaction of its own (retried as ops
 * are), or in the manager's one transaction.
 */
export const VERSION_READ_TRANSACTIONS = ['none', 'own', 'manager'] as const;
/** The version written to etcd: the same as SQL's, or Current capped at lastETCD+1. */
export const ETCD_VERSION_WRITES = ['same', 'capped'] as const;
/**
 * Whether the etcd-to-SQL migration gets the etcd client always, or only when migrating from
 * lastETCD or below.
 */
export const ETCD_TO_SQL_STORE_CLIENTS = ['always', 'from-last-etcd'] as const;
/** The four BBS tables before copying: CREATE TABLE IF NOT EXISTS, or DROP and CREATE. */
export const ETCD_TO_SQL_TABLES = ['create-if-missing', 'drop-and-create'] as const;
/**
 * When the version is written: once after all pending migrations, after each, or with each in one
 * transaction.
 */
export const VERSION_WRITES = ['once-after-all', 'after-each', 'with-each-in-transaction'] as const;

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
  /**
   * How actual LRP mutations lock their row: LOCK IN SHARE MODE (3940fad4) or FOR UPDATE
   * (ad910341).
   */
  actualLRPLock: (typeof ACTUAL_LRP_LOCKS)[number];
  actualLRPRules: ActualLRPRules;
  /**
   * How task and desired LRP mutations lock their row: LOCK IN SHARE MODE (b488321d, 2016-02) or
   * FOR UPDATE (ad910341, 2016-04-14, the same commit as actual LRPs).
   */
  taskAndDesiredLRPLock: (typeof ACTUAL_LRP_LOCKS)[number];
  actualLRPForm: ActualLRPForm;
  /**
   * Statements of a transaction that ran on the pool (db.db: another connection, autocommit) and
   * not on the transaction: 47049111 wrapped CreateUnclaimedActualLRP's INSERT, the actual LRP
   * reads and fetchTask in `transact` but passed them db.db, until b33de3b0 (2016-12-28).
   */
  statementsOnPool: boolean;
  /** The locked-read helpers turned any database error into ResourceNotFound (until 47049111). */
  maskFetchErrors: boolean;
  /**
   * INSERT … ON DUPLICATE KEY UPDATE (until b08a6ca0), then UPDATE and an INSERT when no row
   * changed.
   */
  upsertDomain: (typeof UPSERT_DOMAIN_FORMS)[number];
  /**
   * What UpsertDomain with ttl 0 stores: an expiry of now, so the domain is never fresh (until
   * 23dfa3fb, 2016-04-14), or math.MaxInt64, never expiring (after).
   */
  domainTtlZero: (typeof DOMAIN_TTL_ZERO)[number];
  /** An error reading the SQL version: taken as "no version" (until 8eda15e2) or fatal. */
  migrationVersionReadErrors: (typeof VERSION_READ_ERRORS)[number];
  /**
   * An etcd read error in the etcd-to-SQL migration: logged, nothing of that resource copied (every
   * commit that had the migration); 'fail' is a hypothetical.
   */
  etcdReadErrors: (typeof ETCD_READ_ERRORS)[number];
  /** etcd only (2a8d20a0), etcd and SQL (db3234a7), SQL only (09fd338b). */
  migrationStores: (typeof MIGRATION_STORES)[number];
  /**
   * The SQL version read: autocommit (db3234a7), its own retried transaction (47049111), the
   * manager's transaction (ecdd1f99).
   */
  versionReadTransaction: (typeof VERSION_READ_TRANSACTIONS)[number];
  /** etcd's copy of the version: as SQL's (db3234a7) or Current capped at lastETCD+1 (b1857ef9). */
  etcdVersionWrite: (typeof ETCD_VERSION_WRITES)[number];
  /**
   * The etcd client handed to the etcd-to-SQL migration always (db3234a7) or only from lastETCD or
   * below (b1857ef9).
   */
  etcdToSqlStoreClient: (typeof ETCD_TO_SQL_STORE_CLIENTS)[number];
  /**
   * The tables before the copy: created if missing (db3234a7) or dropped and created (e8b189e8).
   */
  etcdToSqlTables: (typeof ETCD_TO_SQL_TABLES)[number];
  /**
   * Once after all migrations (db3234a7), after each (642c8ac7), with each in its transaction
   * (ecdd1f99).
   */
  versionWrites: (typeof VERSION_WRITES)[number];
  /**
   * "Existing DB target version (%d) exceeds current version (%d)": refused until 43fc9d1d removed
   * the target version.
   */
  targetVersionCheck: boolean;
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
