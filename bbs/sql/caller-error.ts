// What the BBS's client was told when an op ended in a database or driver error: the models.Error
// the BBS converted it to, by the code of the commit a profile pins (db/sqldb/sqldb.go
// convertSQLError, later db/sqldb/helpers/errors.go ConvertSQLError; the handlers' ConvertError).
// The lab's history keeps the raw error and its phase, which is what decides whether the op may
// have happened (lab/history/errors.ts); this name is what a rep or auctioneer would have seen.
// The table with its cites is docs/bbs-versions.md (actual LRP section).

import type { OpError } from '../db/error.ts';
import type { BbsOpName } from '../ops.ts';
import { HANDLER_PANIC } from './sql-op.ts';

export type CallerErrorName =
  | 'ResourceExists'
  | 'Deadlock'
  | 'BadRequest'
  | 'Unrecoverable'
  | 'UnknownError'
  | 'ConnectionDropped';

/** The commits that changed the conversion, by author date (all cloudfoundry/bbs). */
export const CONVERSION_COMMITS = {
  /** convertMySQLError maps 1213 to ErrDeadlock (6683fe36, db/sqldb/sqldb.go). */
  deadlockNamed: '2016-04-28',
  /** 1146 (no such table) is ErrUnrecoverable, and the BBS exits (0157645b, db/sqldb/sqldb.go). */
  unrecoverable: '2016-06-13',
  /** 47049111 converts CreateUnclaimedActualLRP's transact error (db/sqldb/actual_lrp_db.go). */
  createConverted: '2016-11-30',
  /**
   * sqldb.transact converts every error it returns, the COMMIT's too (196209c9, db/sqldb/sqldb.go).
   */
  transactConverts: '2017-02-01',
} as const;

/**
 * The error the client got. `profileDate` is the pinned commit's date. Before 196209c9 an error
 * of BEGIN or COMMIT went back raw and the handler's models.ConvertError made it UnknownError; a
 * lost connection is never a MySQLError, so it is UnknownError at every commit.
 */
export function callerErrorName(profileDate: string, op: BbsOpName, e: OpError): CallerErrorName {
  if (e.code === HANDLER_PANIC) return 'ConnectionDropped';
  const raw =
    (e.phase === 'commit' || e.phase === 'connect') &&
    profileDate < CONVERSION_COMMITS.transactConverts &&
    !(op === 'CreateUnclaimedActualLRP' && profileDate >= CONVERSION_COMMITS.createConverted);
  if (raw) return 'UnknownError';
  switch (e.errno) {
    case 1062:
      return 'ResourceExists';
    case 1213:
      return profileDate >= CONVERSION_COMMITS.deadlockNamed ? 'Deadlock' : 'UnknownError';
    case 1406:
      return 'BadRequest';
    case 1146:
      return profileDate >= CONVERSION_COMMITS.unrecoverable ? 'Unrecoverable' : 'UnknownError';
    default:
      return 'UnknownError';
  }
}
