// The BBS of today (the newest commit the lab has read): the default profile.
import { CITE } from './cites.ts';
import type { BbsProfile } from './types.ts';

export const bbsToday: BbsProfile = {
  name: 'today',
  commit: 'b2385bea',
  date: '2026-06-12',
  title: "today's BBS",
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
    etcdReadErrors: 'fail',
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
