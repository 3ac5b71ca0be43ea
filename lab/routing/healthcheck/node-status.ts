// Reads a Galera node's state for the healthcheck over one MySQL connection, as the real
// galera-healthcheck does through Go's database/sql: the connection is opened on first use, and
// after any failure (refused, lost, a query that outlives its timeout) it is dropped so the next
// read reconnects. A read that fails is an error for the caller, who answers "unhealthy".

import mysql from 'mysql2/promise';
import type { NodeReading } from './decide.ts';

export interface NodeStatusSource {
  host: string;
  port: number;
  user: string;
  password: string;
  /**
   * Per query; a node that hangs (SIGSTOP, a full disk) must not hang the healthcheck. Default
   * 2000.
   */
  queryTimeoutMs?: number;
  /** Default 2000. */
  connectTimeoutMs?: number;
}

export interface NodeStatusReader {
  read(): Promise<NodeReading>;
  /** Closes the connection now; the next read opens a new one (a reader kept between runs holds none). */
  disconnect(): Promise<void>;
  close(): Promise<void>;
}

type Row = Record<string, unknown>;

/** SHOW … output as name → value; MariaDB names the columns Variable_name / Value. */
function asMap(rows: unknown): Map<string, string> {
  const m = new Map<string, string>();
  if (!Array.isArray(rows)) return m;
  for (const r of rows as Row[]) {
    const name = r.Variable_name;
    const value = r.Value;
    if (typeof name === 'string') m.set(name.toLowerCase(), value == null ? '' : String(value));
  }
  return m;
}

export function createNodeStatusReader(src: NodeStatusSource): NodeStatusReader {
  const timeout = src.queryTimeoutMs ?? 2000;
  let conn: Promise<mysql.Connection> | null = null;
  let closed = false;

  const connect = (): Promise<mysql.Connection> => {
    if (!conn) {
      const opening: Promise<mysql.Connection> = mysql
        .createConnection({
          host: src.host,
          port: src.port,
          user: src.user,
          password: src.password,
          connectTimeout: src.connectTimeoutMs ?? 2000,
        })
        .then((c) => {
          // A connection the server drops between reads must not crash the process.
          c.on('error', () => drop(opening));
          return c;
        });
      opening.catch(() => drop(opening));
      conn = opening;
    }
    return conn;
  };

  const drop = (which: Promise<mysql.Connection>): void => {
    if (conn !== which) return;
    conn = null;
    which.then((c) => c.destroy()).catch(() => {});
  };

  return {
    async read() {
      if (closed) throw new Error('the node status reader is closed');
      const current = connect();
      try {
        const c = await current;
        const [statusRows] = await c.query({
          sql: "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state', 'wsrep_local_index')",
          timeout,
        });
        const status = asMap(statusRows);
        const state = status.get('wsrep_local_state');
        if (state === undefined || state === '') {
          throw new Error('wsrep_local_state variable not set (possibly not a galera db)');
        }
        const [roRows] = await c.query({ sql: "SHOW GLOBAL VARIABLES LIKE 'read_only'", timeout });
        const readOnly = asMap(roRows).get('read_only') === 'ON';
        const index = status.get('wsrep_local_index') ?? '';
        return {
          localState: Number(state),
          localIndex: /^\d+$/.test(index) ? index : '18446744073709551615',
          readOnly,
        };
      } catch (e) {
        // Whatever failed, the connection is no longer trusted (a timed-out query leaves it
        // mid-protocol).
        drop(current);
        throw e;
      }
    },
    async disconnect() {
      const c = conn;
      conn = null;
      if (c) await c.then((x) => x.destroy()).catch(() => {});
    },
    async close() {
      closed = true;
      const c = conn;
      conn = null;
      if (c) await c.then((x) => x.destroy()).catch(() => {});
    },
  };
}
