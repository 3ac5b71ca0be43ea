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
    actualLRPForm: 'instance-key-2016-06',
    statementsOnPool: true,
    maskFetchErrors: false,
    upsertDomain: 'insert-on-duplicate',
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
    actualLRPForm: CITE.removeInstanceKey,
    statementsOnPool: CITE.poolStatements,
    maskFetchErrors: CITE.unmaskedFetch,
    upsertDomain: CITE.upsertOnDuplicate,
    migrationVersionReadErrors: CITE.versionReadAsFresh,
    etcdReadErrors: CITE.etcdToSql,
  },
};
