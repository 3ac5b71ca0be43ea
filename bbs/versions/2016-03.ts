// Before the SQL store shipped: tasks, desired and actual LRPs locked LOCK IN SHARE MODE, no
// deadlock retry, no etcd-to-SQL migration yet (db3234a7 came in May).
import { CITE } from './cites.ts';
import type { BbsProfile } from './types.ts';

export const bbs2016_03: BbsProfile = {
  name: '2016-03',
  commit: '2a8d20a0',
  date: '2016-03-23',
  title: 'pre-release SQL store: share locks on actual LRPs, no retry',
  behaviour: {
    deadlockRetry: 'none',
    deadlockAttempts: 3,
    deadlockRetryDelayMs: 500,
    transactionalReads: false,
    actualLRPLock: 'share',
    actualLRPRules: 'per-state',
    taskAndDesiredLRPLock: 'share',
    actualLRPForm: 'prerelease-2016-03',
    statementsOnPool: false,
    maskFetchErrors: true,
    upsertDomain: 'insert-on-duplicate',
    domainTtlZero: 'expires-now',
    migrationVersionReadErrors: 'as-not-found',
    etcdReadErrors: 'log-and-continue',
    migrationStores: 'etcd',
    versionReadTransaction: 'none',
    etcdVersionWrite: 'same',
    etcdToSqlStoreClient: 'always',
    etcdToSqlTables: 'create-if-missing',
    versionWrites: 'once-after-all',
    targetVersionCheck: true,
  },
  cites: {
    deadlockRetry: CITE.noRetry,
    deadlockAttempts: CITE.noRetry,
    deadlockRetryDelayMs: CITE.noRetry,
    transactionalReads: CITE.autocommitReads,
    actualLRPLock: CITE.sqlActualLRPs,
    actualLRPRules: CITE.transitionRules,
    taskAndDesiredLRPLock: CITE.shareTasksDesired,
    actualLRPForm: CITE.actualLRPPrerelease,
    statementsOnPool: CITE.noPoolStatements,
    maskFetchErrors: CITE.maskedFetch,
    upsertDomain: CITE.upsertOnDuplicate,
    domainTtlZero: CITE.ttlZeroExpiresNow,
    // No etcd-to-SQL migration yet: the manager read and wrote the version in etcd only (cmd/bbs
    // ran the etcd DB); the SQL and etcd-to-SQL behaviours are inert here, at db3234a7's values.
    migrationVersionReadErrors: CITE.preSqlManager,
    etcdReadErrors: CITE.preSqlManager,
    migrationStores: CITE.etcdOnlyManager,
    versionReadTransaction: CITE.etcdOnlyManager,
    etcdVersionWrite: CITE.etcdOnlyManager,
    etcdToSqlStoreClient: CITE.etcdOnlyManager,
    etcdToSqlTables: CITE.etcdOnlyManager,
    versionWrites: CITE.etcdOnlyManager,
    targetVersionCheck: CITE.etcdOnlyManager,
  },
};
