// How the SQL store behaves: the behaviour of one real BBS commit (bbs/versions/, chosen by
// `version`, today's BBS by default), the operator's database settings, and the lab's own switches
// (planted bugs). A behaviour that differs from the version's profile is a hypothetical: the
// scenario must say so and the report labels it (bbs/versions/README.md).

import type { OpError } from '../db/error.ts';
import {
  DEFAULT_BBS_VERSION,
  DEADLOCK_RETRIES,
  profileOf,
  type BbsBehaviour,
  type BbsVersion,
  type DeadlockRetry,
} from '../versions/index.ts';
import { plantListProblem, type PlantName } from './plants.ts';

export { DEADLOCK_RETRIES, type DeadlockRetry };

/**
 * Settings of the database a CF operator chooses, not of any BBS commit: no BBS commit set
 * wsrep_sync_wait (no commit mentions wsrep), and the BBS had no statement timeout until 2025-10.
 */
export interface DatabaseSettings {
  /** SET SESSION wsrep_sync_wait = N on each connection before its first op (0 = leave it). */
  syncWait: number;
  /**
   * mysql2 per-statement timeout; a statement that takes longer breaks its connection (unknown
   * outcome).
   */
  statementTimeoutMs: number;
}

export const DEFAULT_DATABASE_SETTINGS: DatabaseSettings = {
  syncWait: 0,
  statementTimeoutMs: 10_000,
};

export interface StoreOptions extends BbsBehaviour, DatabaseSettings {
  /** The BBS profile the behaviour starts from (bbs/versions/). */
  version: BbsVersion;
  /** Planted bug for testing the lab: the mutations read their row without FOR UPDATE. */
  unsafeNoRowLocks: boolean;
  /** Planted bugs for the self-test (plants.ts); none by default. */
  plants: readonly PlantName[];
}

/** Today's BBS, no database settings, no plants. */
export const DEFAULT_STORE_OPTIONS: StoreOptions = storeOptions();

/**
 * The options of a profile (`version`, today's by default) with the given overrides on top. An
 * override of a behaviour makes the store hypothetical; callers that label runs compare with
 * `hypotheticalFields` (bbs/versions/index.ts).
 */
export function storeOptions(partial: Partial<StoreOptions> = {}): StoreOptions {
  const version = partial.version ?? DEFAULT_BBS_VERSION;
  const o: StoreOptions = {
    ...profileOf(version).behaviour,
    ...DEFAULT_DATABASE_SETTINGS,
    version,
    unsafeNoRowLocks: false,
    plants: [],
    ...partial,
  };
  if (!Number.isInteger(o.deadlockAttempts) || o.deadlockAttempts < 1)
    throw new Error(`deadlockAttempts must be a whole number ≥ 1, got ${o.deadlockAttempts}`);
  if (!(o.deadlockRetryDelayMs >= 0))
    throw new Error(`deadlockRetryDelayMs must be ≥ 0, got ${o.deadlockRetryDelayMs}`);
  if (!Number.isInteger(o.syncWait) || o.syncWait < 0 || o.syncWait > 15)
    throw new Error(`syncWait must be a wsrep_sync_wait bitmask 0..15, got ${o.syncWait}`);
  const plants = plantListProblem(o.plants);
  if (plants) throw new Error(`plants: ${plants}`);
  if (!(o.statementTimeoutMs > 0))
    throw new Error(`statementTimeoutMs must be > 0, got ${o.statementTimeoutMs}`);
  return o;
}

/** Driver codes that go-sql-driver would report as driver.ErrBadConn / mysql.ErrInvalidConn. */
const BAD_CONNECTION_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'EPIPE',
  'ERR_STREAM_DESTROYED',
  'PROTOCOL_PACKETS_OUT_OF_ORDER',
]);

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
