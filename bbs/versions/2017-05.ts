// The migration manager stops treating a failed version read as a fresh start (8eda15e2), and
// UpsertDomain becomes UPDATE then INSERT (b08a6ca0, the commit pinned).
import { CITE } from './cites.ts';
import type { BbsProfile } from './types.ts';

export const bbs2017_05: BbsProfile = {
  name: '2017-05',
  commit: 'b08a6ca0',
  date: '2017-05-23',
  title: 'version read errors fatal, UpsertDomain as UPDATE then INSERT',
  behaviour: {
    deadlockRetry: 'all-2016-11',
    deadlockAttempts: 3,
    deadlockRetryDelayMs: 500,
    transactionalReads: true,
    actualLRPLock: 'for-update',
    actualLRPRules: 'per-state',
    actualLRPForm: 'instance-key-2016-06',
    statementsOnPool: false,
    maskFetchErrors: false,
    upsertDomain: 'update-then-insert',
    migrationVersionReadErrors: 'fail',
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
    statementsOnPool: CITE.txStatements,
    maskFetchErrors: CITE.unmaskedFetch,
    upsertDomain: CITE.upsertUpdateThenInsert,
    migrationVersionReadErrors: CITE.versionReadFatal,
    etcdReadErrors: CITE.etcdToSql,
  },
};
