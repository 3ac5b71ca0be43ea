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
    taskAndDesiredLRPLock: 'for-update',
    maskFetchErrors: false,
    upsertDomain: 'insert-on-duplicate',
    domainTtlZero: 'never-expires',
    migrationVersionReadErrors: 'fresh-start',
    etcdReadErrors: 'log-and-continue',
  },
  cites: {
    deadlockRetry: CITE.allRetry,
    deadlockAttempts: CITE.retryLoop,
    deadlockRetryDelayMs: CITE.retryLoop,
    transactionalReads: CITE.transactional,
    actualLRPLock: CITE.forUpdate,
    actualLRPRules: CITE.transitionRules,
    taskAndDesiredLRPLock: CITE.forUpdateTasksDesired,
    maskFetchErrors: CITE.unmaskedFetch,
    upsertDomain: CITE.upsertOnDuplicate,
    domainTtlZero: CITE.ttlZeroNeverExpires,
    migrationVersionReadErrors: CITE.versionReadAsFresh,
    etcdReadErrors: CITE.etcdToSql,
  },
};
