// How the SQL store behaves: which BBS version's transaction handling it reproduces, and which
// mitigations are on. Every mitigation is off by default so the lab sees the raw behaviour; the
// defaults otherwise follow the mid-2016 BBS (FACTS.md).

import type { OpError } from '../db/error.ts';
import type { ActualLRPRules } from '../rules.ts';
import { plantListProblem, type PlantName } from './plants.ts';

/**
 * The deadlock retry of the BBS's transact helper, by the commit that introduced each policy:
 * - 'none': no retry (before 6683fe36).
 * - 'commit-only-2016-04': 6683fe36 retries on MySQL 1213, but statements inside the transaction
 *   converted their errors to BBS errors first, so only a raw 1213 from COMMIT was retried.
 * - 'all-2016-11': 47049111 retries a 1213 from any statement of the transaction.
 * - 'all-and-bad-conn-2017-06': 18ba2854 also retries driver.ErrBadConn (a lost connection). A lost
 *   connection during COMMIT leaves the outcome unknown, and the retry runs the op again: when
 *   the first COMMIT had in fact applied, the op is applied twice. That is a real bug the lab must
 *   be able to find; this store reproduces it as is.
 * Ops the BBS ran outside any transaction (see `transactionalReads`) are never retried.
 */
export const DEADLOCK_RETRIES = ['none', 'commit-only-2016-04', 'all-2016-11', 'all-and-bad-conn-2017-06'] as const;
export type DeadlockRetry = (typeof DEADLOCK_RETRIES)[number];

export interface StoreOptions {
  deadlockRetry: DeadlockRetry;
  /** Attempts in all, as the real loop (`for attempts := 0; attempts < 3; …`): 3. */
  deadlockAttempts: number;
  /** Wait between attempts: 500 ms in the real helper. */
  deadlockRetryDelayMs: number;
  /** SET SESSION wsrep_sync_wait = N on each connection before its first op (0 = leave it). */
  syncWait: number;
  /**
   * false (mid-2016): reads, DesireTask and CreateUnclaimedActualLRP run as autocommit statements
   * outside any transaction. true (47049111, 2016-11): they run inside BEGIN … COMMIT too.
   */
  transactionalReads: boolean;
  /** Planted bug for testing the lab: the mutations read their row without FOR UPDATE. */
  unsafeNoRowLocks: boolean;
  /** Planted bugs for the self-test (plants.ts); none by default. */
  plants: readonly PlantName[];
  /**
   * Mid-2016 fetchTask and fetchDesiredLRP turned any error of the row read (QueryRow … Scan) into
   * ErrResourceNotFound, so a database error there reached the client as "not found". Off by default.
   */
  maskFetchErrors: boolean;
  /** Which AllowsTransitionTo the actual LRP mutations apply (rules.ts). */
  actualLRPRules: ActualLRPRules;
  /** Mid-2016 actual LRP mutations locked their row LOCK IN SHARE MODE before FOR UPDATE replaced it. */
  actualLRPLock: 'for-update' | 'share';
  /** mysql2 per-statement timeout; a statement that takes longer breaks its connection (unknown outcome). */
  statementTimeoutMs: number;
}

export const DEFAULT_STORE_OPTIONS: StoreOptions = {
  deadlockRetry: 'none',
  deadlockAttempts: 3,
  deadlockRetryDelayMs: 500,
  syncWait: 0,
  transactionalReads: false,
  unsafeNoRowLocks: false,
  plants: [],
  maskFetchErrors: false,
  actualLRPRules: '2016',
  actualLRPLock: 'for-update',
  statementTimeoutMs: 10_000,
};

export function storeOptions(partial: Partial<StoreOptions> = {}): StoreOptions {
  const o = { ...DEFAULT_STORE_OPTIONS, ...partial };
  if (!Number.isInteger(o.deadlockAttempts) || o.deadlockAttempts < 1) throw new Error(`deadlockAttempts must be a whole number ≥ 1, got ${o.deadlockAttempts}`);
  if (!(o.deadlockRetryDelayMs >= 0)) throw new Error(`deadlockRetryDelayMs must be ≥ 0, got ${o.deadlockRetryDelayMs}`);
  if (!Number.isInteger(o.syncWait) || o.syncWait < 0 || o.syncWait > 15) throw new Error(`syncWait must be a wsrep_sync_wait bitmask 0..15, got ${o.syncWait}`);
  const plants = plantListProblem(o.plants);
  if (plants) throw new Error(`plants: ${plants}`);
  if (!(o.statementTimeoutMs > 0)) throw new Error(`statementTimeoutMs must be > 0, got ${o.statementTimeoutMs}`);
  return o;
}

/** Driver codes that go-sql-driver would report as driver.ErrBadConn / mysql.ErrInvalidConn. */
const BAD_CONNECTION_CODES = new Set(['PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'EPIPE', 'ERR_STREAM_DESTROYED', 'PROTOCOL_PACKETS_OUT_OF_ORDER']);

export function isBadConnection(e: OpError): boolean {
  return e.code !== undefined && BAD_CONNECTION_CODES.has(e.code);
}

/** Whether the policy runs a transactional op again after this error of one attempt. */
export function shouldRetry(policy: DeadlockRetry, e: OpError): boolean {
  switch (policy) {
    case 'none':
      return false;
    case 'commit-only-2016-04':
      return e.errno === 1213 && e.phase === 'commit';
    case 'all-2016-11':
      return e.errno === 1213;
    case 'all-and-bad-conn-2017-06':
      return e.errno === 1213 || isBadConnection(e);
  }
}
