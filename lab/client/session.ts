// Runs one transaction on a pooled connection and reports what the history needs: the result or
// the error with the phase it came in (connect / statement / commit), the MySQL connection id, and
// the Galera node that served it (bbs/db/connection.ts reads it once per physical connection).

import {
  lease,
  prepareSession,
  queryOn,
  type ConnectionLender,
  type Lease,
  type Query,
} from '../../bbs/db/connection.ts';
import { toOpError, type OpError } from '../../bbs/db/error.ts';
import type { ExecOutcome } from './outcome.ts';

export interface SessionOptions {
  /**
   * Per-statement timeout; a statement that takes longer fails with PROTOCOL_SEQUENCE_TIMEOUT
   * (unknown outcome).
   */
  timeoutMs: number;
  /** SET SESSION wsrep_sync_wait on each connection (0 = leave the server default). */
  syncWait?: number;
  /** BEGIN … COMMIT around the body, or autocommit statements. */
  transaction: boolean;
  /**
   * SET TRANSACTION ISOLATION LEVEL for this transaction only (the server default, REPEATABLE READ,
   * when missing).
   */
  isolationLevel?: IsolationLevel;
}

export type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

/** Errors are returned, never thrown. */
export async function runInSession<T>(
  pool: ConnectionLender,
  o: SessionOptions,
  body: (q: Query) => Promise<T>,
): Promise<ExecOutcome & { value?: T }> {
  let l: Lease;
  try {
    l = await lease(pool);
  } catch (e) {
    return { error: toOpError(e, 'connect') };
  }
  const out: ExecOutcome & { value?: T } = l.threadId !== undefined ? { conn: l.threadId } : {};
  const q = queryOn(l.conn, o.timeoutMs);
  let phase: OpError['phase'] = 'connect';
  let broken = false;
  try {
    const node = await prepareSession(l.conn, q, o.syncWait ?? 0);
    if (node) out.node = node;
    phase = 'statement';
    if (o.transaction && o.isolationLevel)
      await q(`SET TRANSACTION ISOLATION LEVEL ${o.isolationLevel}`);
    if (o.transaction) await q('BEGIN');
    const value = await body(q);
    if (o.transaction) {
      phase = 'commit';
      await q('COMMIT');
    }
    out.value = value;
  } catch (e) {
    out.error = toOpError(e, phase);
    broken = (e as { fatal?: boolean }).fatal === true || out.error.errno === undefined;
    if (!broken && o.transaction && phase === 'statement')
      await q('ROLLBACK').catch(() => (broken = true));
  } finally {
    l.done(broken);
  }
  return out;
}
