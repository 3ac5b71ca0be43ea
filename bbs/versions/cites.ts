// The commits behaviours come from, named once so the profile files read as a table. Each is a
// cloudfoundry/bbs commit (short hash), its author date and the file the behaviour lives in;
// docs/bbs-versions.md is the same table for readers.

import type { Cite } from './types.ts';

const c = (commit: string, date: string, file: string): Cite => ({ commit, date, file });

export const CITE = {
  sqlActualLRPs: c('3940fad4', '2016-02-29', 'db/sqldb/actual_lrp_db.go'),
  transitionRules: c('3940fad4', '2016-02-29', 'models/actual_lrp.go'),
  forUpdate: c('ad910341', '2016-04-14', 'db/sqldb/actual_lrp_db.go'),
  actualLRPPrerelease: c('2a8d20a0', '2016-03-23', 'db/sqldb/actual_lrp_db.go'),
  actualLRPShipped: c('31b2b5a2', '2016-03-24', 'db/sqldb/actual_lrp_db.go'),
  removeInstanceKey: c('1f4fe8c6', '2016-06-17', 'db/sqldb/actual_lrp_db.go'),
  noPoolStatements: c('2a8d20a0', '2016-03-23', 'db/sqldb/sqldb.go'),
  poolStatements: c('47049111', '2016-11-30', 'db/sqldb/actual_lrp_db.go'),
  txStatements: c('b33de3b0', '2016-12-28', 'db/sqldb/actual_lrp_db.go'),
  noRetry: c('2a8d20a0', '2016-03-23', 'db/sqldb/sqldb.go'),
  commitOnlyRetry: c('6683fe36', '2016-04-28', 'db/sqldb/sqldb.go'),
  retryLoop: c('6683fe36', '2016-04-28', 'db/sqldb/sqldb.go'),
  autocommitReads: c('2a8d20a0', '2016-03-23', 'db/sqldb/task_db.go'),
  maskedFetch: c('2a8d20a0', '2016-03-23', 'db/sqldb/task_db.go'),
  preSqlManager: c('2a8d20a0', '2016-03-23', 'migration/manager.go'),
  etcdToSql: c('db3234a7', '2016-05-03', 'db/migrations/1461790966_etcd_to_sql.go'),
  versionReadAsFresh: c('db3234a7', '2016-05-03', 'migration/manager.go'),
  shareTasksDesired: c('b488321d', '2016-02-24', 'db/sqldb/task_db.go'),
  forUpdateTasksDesired: c('ad910341', '2016-04-14', 'db/sqldb/task_db.go'),
  ttlZeroExpiresNow: c('2a8d20a0', '2016-03-23', 'db/sqldb/domain_db.go'),
  ttlZeroNeverExpires: c('23dfa3fb', '2016-04-14', 'db/sqldb/domain_db.go'),
  upsertOnDuplicate: c('2a8d20a0', '2016-03-23', 'db/sqldb/domain_db.go'),
  allRetry: c('47049111', '2016-11-30', 'db/sqldb/sqldb.go'),
  transactional: c('47049111', '2016-11-30', 'db/sqldb/task_db.go'),
  unmaskedFetch: c('47049111', '2016-11-30', 'db/sqldb/task_db.go'),
  versionReadFatal: c('8eda15e2', '2017-05-18', 'db/sqldb/configuration_db.go'),
  upsertUpdateThenInsert: c('b08a6ca0', '2017-05-23', 'db/sqldb/helpers/upsert.go'),
  badConnRetry: c('18ba2854', '2017-06-30', 'db/sqldb/helpers/transact.go'),
  invalidConnRetry: c('fd3b8213', '2017-09-27', 'db/sqldb/helpers/transact.go'),
  // The migration manager and the etcd-to-SQL migration (bbs/migrations/README.md,
  // docs/bbs-versions.md, migration section).
  etcdOnlyManager: c('2a8d20a0', '2016-03-23', 'migration/manager.go'),
  dualManager: c('db3234a7', '2016-05-03', 'migration/manager.go'),
  versionReadAutocommit: c('db3234a7', '2016-05-03', 'db/sqldb/configuration_db.go'),
  versionReadTransact: c('47049111', '2016-11-30', 'db/sqldb/configuration_db.go'),
  etcdVersionCapped: c('b1857ef9', '2016-06-13', 'migration/manager.go'),
  tablesDropped: c('e8b189e8', '2016-11-04', 'db/migrations/1461790966_etcd_to_sql.go'),
  versionAfterEach: c('642c8ac7', '2017-08-17', 'migration/manager.go'),
  noTargetVersion: c('43fc9d1d', '2018-02-08', 'migration/manager.go'),
  noEtcd: c('09fd338b', '2018-02-15', 'migration/manager.go'),
  versionInMigrationTx: c('ecdd1f99', '2023-11-30', 'migration/manager.go'),
} as const;
