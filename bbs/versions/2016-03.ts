// Before the SQL store shipped: actual LRPs locked LOCK IN SHARE MODE, no deadlock retry, no
// etcd-to-SQL migration yet (db3234a7 came in May).
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
    actualLRPForm: 'prerelease-2016-03',
    statementsOnPool: false,
    maskFetchErrors: true,
    upsertDomain: 'insert-on-duplicate',
    migrationVersionReadErrors: 'fresh-start',
    etcdReadErrors: 'log-and-continue',
  },
  cites: {
    deadlockRetry: CITE.noRetry,
    deadlockAttempts: CITE.noRetry,
    deadlockRetryDelayMs: CITE.noRetry,
    transactionalReads: CITE.autocommitReads,
    actualLRPLock: CITE.sqlActualLRPs,
    actualLRPRules: CITE.transitionRules,
    actualLRPForm: CITE.actualLRPPrerelease,
    statementsOnPool: CITE.noPoolStatements,
    maskFetchErrors: CITE.maskedFetch,
    upsertDomain: CITE.upsertOnDuplicate,
    // No etcd-to-SQL migration yet: the manager read the version from etcd only; inert here.
    migrationVersionReadErrors: CITE.preSqlManager,
    etcdReadErrors: CITE.preSqlManager,
  },
};
