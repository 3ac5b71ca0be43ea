// The shape of one BBS operation in the SQL store: the statements it runs on a connection the
// store has already placed in (or out of) a transaction, and whether the BBS ran it in one.

import { randomUUID } from 'node:crypto';
import type { BbsOpArgs, BbsOpName, BbsResult } from '../ops.ts';
import type { Query } from '../db/connection.ts';
import type { StoreOptions } from './options.ts';
import { planted, type PlantRecord } from './plants.ts';

export interface OpContext {
  /** A statement on the op's connection (inside its transaction when it has one). */
  q: Query;
  /**
   * A statement on another connection of the pool, in autocommit: db.db where 47049111 wrote it
   * inside a transact (`statementsOnPool`). Use `onTxOrPool` to pick by the behaviour.
   */
  pool: Query;
  opts: StoreOptions;
}

/**
 * The connection a statement that 47049111 sent to db.db goes to: the pool then, the transaction
 * otherwise.
 */
export function onTxOrPool(ctx: OpContext): Query {
  return ctx.opts.statementsOnPool ? ctx.pool : ctx.q;
}

/**
 * The code of the error a client sees when the BBS's request handler panicked (its connection
 * drops).
 */
export const HANDLER_PANIC = 'BBS_HANDLER_PANIC';

/**
 * A statement whose error the pre-release BBS answered with `panic(err)` (2a8d20a0,
 * db/sqldb/actual_lrp_db.go): Go's HTTP server recovers the panic and closes the client's
 * connection, so the client learns nothing (the deferred tx.Rollback() undoes the transaction).
 * The error carries no MySQL number, so the history takes it as an unknown outcome.
 */
export async function panicsOnError<T>(run: () => Promise<T>, panics: boolean): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!panics) throw e;
    const x = e as { message?: unknown; fatal?: unknown; onPool?: unknown };
    const wrapped = new Error(
      `the BBS request handler panicked on ${String(x.message)}: the client's connection was closed`,
    );
    throw Object.assign(wrapped, {
      code: HANDLER_PANIC,
      ...(x.fatal === true ? { fatal: true } : {}),
    });
  }
}

export interface SqlOp<F extends BbsOpName> {
  /**
   * Whether the BBS wrapped this op in BEGIN … COMMIT (some ran as autocommit statements in 2016).
   */
  transactional(opts: StoreOptions): boolean;
  /**
   * The op's statements. A BBS state-check rejection is returned as `error`; database errors are
   * thrown. The store commits when there is no `error` and rolls back otherwise.
   */
  run(ctx: OpContext, args: BbsOpArgs[F]): Promise<BbsResult>;
  /**
   * Whether the transaction ends in ROLLBACK although the op has no `error`: a read of a missing
   * row, which the lab answers `record: null` and the BBS (from 47049111) answered with
   * ResourceNotFound from inside its transaction, so its deferred Rollback ran instead of COMMIT.
   */
  rollsBack?(value: BbsResult): boolean;
}

export type SqlOps = { [F in BbsOpName]: SqlOp<F> };

export const always = (): boolean => true;
export const whenTransactionalReads = (o: StoreOptions): boolean => o.transactionalReads;
export const whenNotFound = (v: BbsResult): boolean => v.record === null;

/** The row lock a mutation's read of a `record` row takes (none with a missing-lock plant). */
const NO_ROW_LOCK = {
  task: 'task-no-row-lock',
  'actual-lrp': 'actual-lrp-no-row-lock',
  'desired-lrp': 'desired-lrp-no-row-lock',
} as const;

export function lockClause(
  opts: StoreOptions,
  record: Exclude<PlantRecord, 'domain'>,
  mode: 'for-update' | 'share' = 'for-update',
): string {
  if (opts.unsafeNoRowLocks) return '';
  // PLANTED BUG (task-no-row-lock, actual-lrp-no-row-lock, desired-lrp-no-row-lock): the read takes
  // no lock.
  if (planted(opts, NO_ROW_LOCK[record])) return '';
  return mode === 'share' ? ' LOCK IN SHARE MODE' : ' FOR UPDATE';
}

export function isDuplicateKey(e: unknown): boolean {
  return (e as { errno?: unknown }).errno === 1062;
}

/**
 * A row read the way mid-2016 fetchTask / fetchDesiredLRP did it when `maskFetchErrors` is on:
 * any error of the read came back as "no row" (ErrResourceNotFound). Otherwise errors propagate.
 */
export async function readRows<T>(
  ctx: OpContext,
  sql: string,
  params: unknown[],
  maskable: boolean,
): Promise<T[]> {
  try {
    return await ctx.q<T[]>(sql, params);
  } catch (e) {
    if (maskable && ctx.opts.maskFetchErrors) return [];
    throw e;
  }
}

/** A fresh modification tag epoch, as guidProvider.NextGUID() gives the BBS. */
export function newEpoch(): string {
  return randomUUID();
}
