// One unit of BBS work outside the op vocabulary (a bulk read, a convergence query or fix) run the
// way the profile's transact helper ran it: BEGIN … COMMIT with the profile's retry policy when the
// BBS wrapped it in db.transact, a bare autocommit statement otherwise. The op store
// (store.ts) records phases and nodes for the history; this helper serves the scale runs, which
// only need the answer, the error and the number of attempts.

import { toOpError, type OpError } from '../db/error.ts';
import {
  lease,
  prepareSession,
  queryOn,
  type ConnectionSource,
  type Query,
} from '../db/connection.ts';
import { shouldRetry, type StoreOptions } from './options.ts';

export interface UnitContext {
  /** A statement on the unit's connection (inside its transaction when it has one). */
  q: Query;
  /**
   * A statement on another connection of the pool (db.db inside a 2016-11 transact:
   * `statementsOnPool`).
   */
  pool: Query;
}

export interface UnitResult<T> {
  value?: T;
  error?: OpError;
  attempts: number;
  node?: string;
}

/**
 * Thrown by a unit's body to end its transaction in ROLLBACK with a BBS answer (e.g. "cannot be
 * unclaimed").
 */
export class RolledBack<T> {
  constructor(readonly value: T) {}
}

export async function runUnit<T>(
  source: ConnectionSource,
  opts: StoreOptions,
  transactional: boolean,
  body: (ctx: UnitContext) => Promise<T>,
): Promise<UnitResult<T>> {
  for (let attempt = 1; ; attempt++) {
    const r = await attemptUnit(source, opts, transactional, body);
    if (
      r.error &&
      transactional &&
      attempt < opts.deadlockAttempts &&
      shouldRetry(opts.deadlockRetry, r.error)
    ) {
      await new Promise((res) => setTimeout(res, opts.deadlockRetryDelayMs));
      continue;
    }
    return { ...r, attempts: attempt };
  }
}

async function attemptUnit<T>(
  source: ConnectionSource,
  opts: StoreOptions,
  transactional: boolean,
  body: (ctx: UnitContext) => Promise<T>,
): Promise<Omit<UnitResult<T>, 'attempts'>> {
  let l: Awaited<ReturnType<typeof lease>>;
  try {
    l = await lease(source);
  } catch (e) {
    return { error: toOpError(e, 'connect') };
  }
  const q = queryOn(l.conn, opts.statementTimeoutMs);
  let side: Awaited<ReturnType<typeof lease>> | undefined;
  const pool: Query = async (sql, params) => {
    side ??= await lease(source);
    return queryOn(side.conn, opts.statementTimeoutMs)(sql, params);
  };
  let phase: OpError['phase'] = 'connect';
  let open = false;
  let broken = false;
  const out: Omit<UnitResult<T>, 'attempts'> = {};
  try {
    const node = await prepareSession(l.conn, q, opts.syncWait);
    if (node !== undefined) out.node = node;
    phase = 'statement';
    if (transactional) {
      await q('BEGIN');
      open = true;
    }
    try {
      out.value = await body({ q, pool });
    } catch (e) {
      if (!(e instanceof RolledBack)) throw e;
      out.value = e.value as T;
      if (open) {
        open = false;
        await q('ROLLBACK').catch(() => (broken = true));
      }
    }
    if (open) {
      phase = 'commit';
      await q('COMMIT');
      open = false;
    }
  } catch (e) {
    out.error = toOpError(e, phase);
    broken = (e as { fatal?: unknown }).fatal === true || out.error.errno === undefined;
    if (!broken && open) await q('ROLLBACK').catch(() => (broken = true));
  } finally {
    l.done(broken);
    side?.done(false);
  }
  return out;
}
