// Where the store's connections come from, and what it learns about each: the MySQL connection id
// and the Galera node that serves it. The node is read once per physical connection and cached:
// a connection stays on one node for its whole life (through a switchboard proxy too, which severs
// a connection rather than move it), so the first answer stays true.

import type mysql from 'mysql2/promise';

/**
 * Anything that lends pooled connections: a mysql2/promise pool or pool cluster, or the lab's dial
 * pool.
 */
export interface ConnectionLender {
  getConnection(): Promise<mysql.PoolConnection>;
}

/** A connection lender, or a factory of fresh connections (each closed after one op). */
export type ConnectionSource = ConnectionLender | (() => Promise<mysql.Connection>);

export type Query = <T = unknown>(sql: string, params?: unknown[]) => Promise<T>;

export interface Lease {
  conn: mysql.Connection;
  /** CONNECTION_ID() of the server session (mysql2's threadId). */
  threadId: number | undefined;
  /** Hands the connection back; a broken one (unknown session state) is destroyed, never reused. */
  done(broken: boolean): void;
}

export async function lease(source: ConnectionSource): Promise<Lease> {
  if (typeof source === 'function') {
    const conn = await source();
    return {
      conn,
      threadId: conn.threadId ?? undefined,
      done(broken) {
        if (broken) conn.destroy();
        else conn.end().catch(() => conn.destroy());
      },
    };
  }
  const conn = await source.getConnection();
  return {
    conn,
    threadId: conn.threadId ?? undefined,
    done(broken) {
      if (broken) conn.destroy();
      else conn.release();
    },
  };
}

/** A statement runner on one connection, each statement bounded by the timeout. */
export function queryOn(conn: mysql.Connection, timeoutMs: number): Query {
  return async <T>(sql: string, params?: unknown[]) => {
    const [rows] = await conn.query({
      sql,
      timeout: timeoutMs,
      ...(params ? { values: params } : {}),
    });
    return rows as T;
  };
}

interface Prepared {
  node: string | undefined;
  syncWait: number;
}

const prepared = new WeakMap<object, Prepared>();

/**
 * The object that lives as long as the server session: the core connection under a promise wrapper.
 */
function physical(conn: mysql.Connection): object {
  return (conn as unknown as { connection?: object }).connection ?? conn;
}

/**
 * Readies a connection for its first op: sets wsrep_sync_wait when asked, and reads the node name.
 * `SHOW VARIABLES` answers even on a node that is not Primary (where SELECTs get 1047), so the
 * history can name the node that refused an op.
 */
export async function prepareSession(
  conn: mysql.Connection,
  q: Query,
  syncWait: number,
): Promise<string | undefined> {
  const key = physical(conn);
  const known = prepared.get(key);
  if (known && known.syncWait === syncWait) return known.node;
  if (syncWait > 0 || (known && known.syncWait !== syncWait))
    await q(`SET SESSION wsrep_sync_wait = ${Number(syncWait)}`);
  let node = known?.node;
  if (!known) {
    const rows = await q<{ Variable_name: string; Value: string }[]>(
      "SHOW VARIABLES LIKE 'wsrep_node_name'",
    );
    node = rows[0]?.Value || undefined;
  }
  prepared.set(key, { node, syncWait });
  return node;
}
