// What the store sends, captured on the wire side of a real connection: every statement of every
// leased connection, in order, and optionally a fault in place of one statement (as a toxic would
// cut it: the database stays real, the statement is simply not sent and the caller sees the error
// a mysql2 connection raises). Conformance tests compare the captured sequence with the sequence
// written out by hand from the real BBS code at a commit.

import type mysql from 'mysql2/promise';
import type { ConnectionSource } from '../../../bbs/db/connection.ts';

export interface Sent {
  /** The statement text, whitespace collapsed. */
  sql: string;
  params: unknown[];
  /** Which lease (1, 2, …) sent it: one per attempt of an op. */
  lease: number;
  /** The fault that replaced it, when one did. */
  injected?: InjectedError;
}

export interface InjectedError {
  message: string;
  errno?: number;
  code?: string;
  sqlState?: string;
  /** mysql2 marks a connection-level failure fatal: the connection is unusable afterwards. */
  fatal?: boolean;
  /**
   * Send the statement and let the server run it, then lose the answer: the connection is cut
   * (destroyed) and the caller sees this error, as when a link fails while a COMMIT's OK is in
   * flight. Without it the statement is never sent.
   */
  afterSend?: boolean;
}

export interface RecordingOptions {
  /** Called before each statement with its text and its index in the whole recording (0-based). */
  failWhen?: (sql: string, n: number) => InjectedError | undefined;
}

export interface Recording {
  source: ConnectionSource;
  sent: Sent[];
  /**
   * The statements of the op, without the lab's per-connection session setup (node name, sync
   * wait).
   */
  opStatements(): string[];
  clear(): void;
}

const SESSION_SETUP = /^(SHOW VARIABLES LIKE 'wsrep_node_name'|SET SESSION wsrep_sync_wait)/i;

export const squash = (sql: string): string => sql.replace(/\s+/g, ' ').trim();

function injectedError(e: InjectedError): Error {
  const { afterSend: _sent, ...rest } = e;
  return Object.assign(new Error(e.message), { ...rest, ...(e.fatal ? { fatal: true } : {}) });
}

/** A connection source that records (and may fault) every statement of the connections it lends. */
export function recordingSource(inner: mysql.Pool, opts: RecordingOptions = {}): Recording {
  const sent: Sent[] = [];
  let leases = 0;
  const wrap = (conn: mysql.PoolConnection): mysql.PoolConnection => {
    const lease = ++leases;
    const query = async (arg: string | mysql.QueryOptions, values?: unknown) => {
      const sql = squash(typeof arg === 'string' ? arg : arg.sql);
      const params = ((typeof arg === 'string' ? values : (arg.values ?? values)) ??
        []) as unknown[];
      const fault = opts.failWhen?.(sql, sent.length);
      sent.push({ sql, params, lease, ...(fault ? { injected: fault } : {}) });
      if (fault?.afterSend) {
        await conn.query(arg as mysql.QueryOptions, values as never);
        conn.destroy();
        throw injectedError(fault);
      }
      if (fault) {
        if (fault.fatal) conn.destroy();
        throw injectedError(fault);
      }
      return conn.query(arg as mysql.QueryOptions, values as never);
    };
    return new Proxy(conn, {
      get: (target, p, r) => (p === 'query' ? query : Reflect.get(target, p, r)),
    });
  };
  return {
    source: { getConnection: async () => wrap(await inner.getConnection()) },
    sent,
    opStatements: () => sent.filter((s) => !SESSION_SETUP.test(s.sql)).map((s) => s.sql),
    clear: () => {
      sent.length = 0;
    },
  };
}
