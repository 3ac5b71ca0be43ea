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
    taskAndDesiredLRPLock: 'for-update',
    maskFetchErrors: false,
    upsertDomain: 'update-then-insert',
    domainTtlZero: 'never-expires',
    migrationVersionReadErrors: 'fail',
    etcdReadErrors: 'log-and-continue',
    migrationStores: 'sql',
    versionReadTransaction: 'manager',
    etcdVersionWrite: 'capped',
    etcdToSqlStoreClient: 'from-last-etcd',
    etcdToSqlTables: 'drop-and-create',
    versionWrites: 'with-each-in-transaction',
    targetVersionCheck: false,
  },
  cites: {
    deadlockRetry: CITE.invalidConnRetry,
    deadlockAttempts: CITE.retryLoop,
    deadlockRetryDelayMs: CITE.retryLoop,
    transactionalReads: CITE.transactional,
    actualLRPLock: CITE.forUpdate,
    actualLRPRules: CITE.transitionRules,
    taskAndDesiredLRPLock: CITE.forUpdateTasksDesired,
    maskFetchErrors: CITE.unmaskedFetch,
    upsertDomain: CITE.upsertUpdateThenInsert,
    domainTtlZero: CITE.ttlZeroNeverExpires,
    migrationVersionReadErrors: CITE.versionReadFatal,
    // No etcd since 09fd338b ("Remove all ETCD related code", 2018-02-15): the etcd behaviours are
    // inert, kept at their last value; the etcd-to-SQL migration became InitSQL (drop and create).
    etcdReadErrors: CITE.noEtcd,
    migrationStores: CITE.noEtcd,
    versionReadTransaction: CITE.versionInMigrationTx,
    etcdVersionWrite: CITE.noEtcd,
    etcdToSqlStoreClient: CITE.noEtcd,
    etcdToSqlTables: CITE.noEtcd,
    versionWrites: CITE.versionInMigrationTx,
    targetVersionCheck: CITE.noTargetVersion,
  },
};
