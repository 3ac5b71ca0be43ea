// The transact helper also retries mysql.ErrInvalidConn (a connection lost mid-statement).
import { CITE } from './cites.ts';
import type { BbsProfile } from './types.ts';

export const bbs2017_09: BbsProfile = {
  name: '2017-09',
  commit: 'fd3b8213',
  date: '2017-09-27',
  title: 'transactions retried on invalid connections too',
  behaviour: {
    deadlockRetry: 'all-and-bad-conn-2017-06',
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
    deadlockRetry: CITE.invalidConnRetry,
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
