// The first shipped SQL store, with the etcd-to-SQL migration: FOR UPDATE, the deadlock retry that
// only ever saw a 1213 from COMMIT, fetch errors masked as "not found", reads outside transactions.
import { CITE } from './cites.ts';
import type { BbsProfile } from './types.ts';

export const bbs2016_05: BbsProfile = {
  name: '2016-05',
  commit: 'db3234a7',
  date: '2016-05-03',
  title: 'first shipped SQL store and the etcd-to-SQL migration',
  behaviour: {
    deadlockRetry: 'commit-only-2016-04',
    deadlockAttempts: 3,
    deadlockRetryDelayMs: 500,
    transactionalReads: false,
    actualLRPLock: 'for-update',
    actualLRPRules: 'per-state',
    actualLRPForm: 'no-instance-key-2016-03-24',
    statementsOnPool: false,
    maskFetchErrors: true,
    upsertDomain: 'insert-on-duplicate',
    migrationVersionReadErrors: 'fresh-start',
    etcdReadErrors: 'log-and-continue',
  },
  cites: {
    deadlockRetry: CITE.commitOnlyRetry,
    deadlockAttempts: CITE.retryLoop,
    deadlockRetryDelayMs: CITE.retryLoop,
    transactionalReads: CITE.autocommitReads,
    actualLRPLock: CITE.forUpdate,
    actualLRPRules: CITE.transitionRules,
    actualLRPForm: CITE.actualLRPShipped,
    statementsOnPool: CITE.noPoolStatements,
    maskFetchErrors: CITE.maskedFetch,
    upsertDomain: CITE.upsertOnDuplicate,
    migrationVersionReadErrors: CITE.versionReadAsFresh,
    etcdReadErrors: CITE.etcdToSql,
  },
};
