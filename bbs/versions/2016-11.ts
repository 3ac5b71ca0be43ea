// "correctly retry on deadlock errors": every op in a transaction, any 1213 retried, fetch errors
// no longer masked. The migration manager still takes a failed version read as "no version".
import { CITE } from './cites.ts';
import type { BbsProfile } from './types.ts';

export const bbs2016_11: BbsProfile = {
  name: '2016-11',
  commit: '47049111',
  date: '2016-11-30',
  title: 'every op in a transaction, any 1213 retried',
  behaviour: {
    deadlockRetry: 'all-2016-11',
    deadlockAttempts: 3,
    deadlockRetryDelayMs: 500,
    transactionalReads: true,
    actualLRPLock: 'for-update',
    actualLRPRules: 'per-state',
    maskFetchErrors: false,
    upsertDomain: 'insert-on-duplicate',
    migrationVersionReadErrors: 'as-not-found',
    etcdReadErrors: 'log-and-continue',
    migrationStores: 'etcd-and-sql',
    versionReadTransaction: 'own',
    etcdVersionWrite: 'capped',
    etcdToSqlStoreClient: 'from-last-etcd',
    etcdToSqlTables: 'drop-and-create',
    versionWrites: 'once-after-all',
    targetVersionCheck: true,
  },
  cites: {
    deadlockRetry: CITE.allRetry,
    deadlockAttempts: CITE.retryLoop,
    deadlockRetryDelayMs: CITE.retryLoop,
    transactionalReads: CITE.transactional,
    actualLRPLock: CITE.forUpdate,
    actualLRPRules: CITE.transitionRules,
    maskFetchErrors: CITE.unmaskedFetch,
    upsertDomain: CITE.upsertOnDuplicate,
    migrationVersionReadErrors: CITE.versionReadAsFresh,
    etcdReadErrors: CITE.etcdToSql,
    migrationStores: CITE.dualManager,
    versionReadTransaction: CITE.versionReadTransact,
    etcdVersionWrite: CITE.etcdVersionCapped,
    etcdToSqlStoreClient: CITE.etcdVersionCapped,
    etcdToSqlTables: CITE.tablesDropped,
    versionWrites: CITE.dualManager,
    targetVersionCheck: CITE.dualManager,
  },
};
