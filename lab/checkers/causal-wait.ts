// Whether an op's node could have lagged behind a commit acknowledged before the op began: the
// premise of a "stale read". With wsrep_sync_wait covering the op's first statement, Galera makes
// the node apply every writeset the cluster had certified when the statement arrived before it
// runs (MariaDB's wsrep_sync_wait: bit 1 READ = SELECT, SHOW, BEGIN/START TRANSACTION; bit 2 =
// UPDATE, DELETE; bit 4 = INSERT, REPLACE; bit 8 = SHOW). So a write acknowledged before the op was
// invoked is applied on the op's node before the op reads anything: no lag can hide it.
// Pure: the run's settings and an op name in, a yes/no out.

/** The run's settings the causes need (the scenario's database and BBS behaviour). */
export interface CauseSettings {
  /** The operator's wsrep_sync_wait bitmask on every connection (0: off, the server's default). */
  syncWait: number;
  /**
   * Whether reads, DesireTask, CreateUnclaimedActualLRP and UpsertDomain run in a transaction
   * (47049111, 2016-11 on); before, they were autocommit statements (bbs/sql,
   * `whenTransactionalReads`).
   */
  transactionalReads: boolean;
}

/**
 * When a history comes without its run's settings: the server's defaults (no sync wait) and today's
 * BBS.
 */
export const DEFAULT_CAUSE_SETTINGS: CauseSettings = { syncWait: 0, transactionalReads: true };

const READ_BIT = 1;
const UPDATE_DELETE_BIT = 2;
const INSERT_REPLACE_BIT = 4;

/** The first statement of the ops the BBS ran outside a transaction before 47049111 (bbs/sql). */
const AUTOCOMMIT_FIRST: Record<string, number> = {
  TaskByGuid: READ_BIT,
  DesiredLRPByProcessGuid: READ_BIT,
  ActualLRPByIndex: READ_BIT,
  Domains: READ_BIT,
  DesireTask: INSERT_REPLACE_BIT,
  CreateUnclaimedActualLRP: INSERT_REPLACE_BIT,
  // UPDATE then INSERT (helpers.Upsert) or INSERT … ON DUPLICATE KEY UPDATE, by version: either.
  UpsertDomain: UPDATE_DELETE_BIT | INSERT_REPLACE_BIT,
};

/** The wsrep_sync_wait bits that must all be set for op `f` to wait for causality. */
export function syncWaitBitsFor(f: string, s: CauseSettings): number {
  const auto = AUTOCOMMIT_FIRST[f];
  // Every other op, and these from 47049111, open with BEGIN (a READ for wsrep_sync_wait).
  return !s.transactionalReads && auto !== undefined ? auto : READ_BIT;
}

/** Does op `f`'s node apply every earlier commit of the cluster before the op reads? */
export function waitsForCausality(f: string, s: CauseSettings): boolean {
  const bits = syncWaitBitsFor(f, s);
  return (s.syncWait & bits) === bits;
}
