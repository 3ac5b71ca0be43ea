// Runs one transaction on a pooled connection and reports what the history needs: the result or
// the error with the phase it came in (connect / statement / commit), the MySQL connection id, and
// the Galera node that served it. The node is read once per physical connection: through a
// switchboard proxy a connection stays on one backend for its whole life (a change of active
// backend severs it), so the first answer stays true.

import type mysql from 'mysql2/promise';
import type { OpError } from '../history/event.ts';
import type { ExecOutcome } from '../workload/types.ts';
import { toOpError } from './errors.ts';

const nodeOf = new WeakMap<object, string>();

export interface SessionOptions {
  /** Per-statement timeout; a statement that takes longer fails with PROTOCOL_SEQUENCE_TIMEOUT (unknown outcome). */
  timeoutMs: number;
  /** SET SESSION wsrep_sync_wait on each new connection (0 = leave the server default). */
  syncWait?: number;
}

export type Query = <T = unknown>(sql: string, params?: unknown[]) => Promise<T>;

/** The physical connection behind a pooled one: stable for the connection's life. */
function physical(conn: mysql.PoolConnection): object {
  return (conn as unknown as { connection: object }).connection ?? conn;
}

async function prepare(conn: mysql.PoolConnection, o: SessionOptions): Promise<string | undefined> {
  const key = physical(conn);
  const known = nodeOf.get(key);
  if (known !== undefined) return known;
  if (o.syncWait) await conn.query({ sql: `SET SESSION wsrep_sync_wait = ${Number(o.syncWait)}`, timeout: o.timeoutMs });
  const [rows] = await conn.query({ sql: 'SELECT @@wsrep_node_name AS node', timeout: o.timeoutMs });
  const node = String((rows as { node: string }[])[0]?.node ?? '');
  nodeOf.set(key, node);
  return node;
}

/**
 * BEGIN, body, COMMIT. `transaction: false` runs the body in autocommit (the mid-2016 BBS ran its
 * reads and DesireTask that way). Errors are returned, never thrown.
 */
export async function runInSession<T>(
  pool: mysql.Pool,
  o: SessionOptions & { transaction: boolean },
  body: (q: Query) => Promise<T>,
): Promise<ExecOutcome & { value?: T }> {
  let conn: mysql.PoolConnection;
  try {
    conn = await pool.getConnection();
  } catch (e) {
    return { error: toOpError(e, 'connect') };
  }
  const out: ExecOutcome & { value?: T } = { conn: conn.threadId };
  let phase: OpError['phase'] = 'statement';
  let broken = false;
  try {
    const node = await prepare(conn, o);
    if (node) out.node = node;
    const q: Query = async <R,>(sql: string, params?: unknown[]) => {
      const [rows] = await conn.query({ sql, timeout: o.timeoutMs, ...(params ? { values: params } : {}) });
      return rows as R;
    };
    if (o.transaction) await conn.query({ sql: 'BEGIN', timeout: o.timeoutMs });
    const value = await body(q);
    if (o.transaction) {
      phase = 'commit';
      await conn.query({ sql: 'COMMIT', timeout: o.timeoutMs });
    }
    out.value = value;
  } catch (e) {
    out.error = toOpError(e, phase);
    const fatal = (e as { fatal?: boolean }).fatal === true;
    broken = fatal || out.error.errno === undefined;
    if (!broken && o.transaction && phase === 'statement') {
      await conn.query({ sql: 'ROLLBACK', timeout: o.timeoutMs }).catch(() => {
        broken = true;
      });
    }
  } finally {
    // A connection in an unknown state is thrown away rather than handed to the next op.
    if (broken) conn.destroy();
    else conn.release();
  }
  return out;
}
