// A connection pool that decides where each NEW connection goes, the way Go's database/sql pool
// and dialer do for the BBS: a connection, once made, stays on its server until it breaks (a
// proxy severing it, a timeout); each new connection asks `candidates()` again (a DNS lookup, a
// load balancer's pick) and tries the addresses in order until one connects (Go's dialer on a
// name with several A records). Used by the client configurations that pick per connection.
//
// It offers what the store needs of a pool: getConnection() and, on the connection, release()
// and destroy(). Open and idle limits and the connection lifetime follow Go's pool
// (go-pool-policy.ts): a broken connection is destroyed by its user; a server error (1047, 1213)
// does not break it, so it stays on its node until it breaks, expires or finds the idle list full.

import mysql from 'mysql2/promise';
import { expired, mayOpen, onRelease, type GoPoolOptions } from './go-pool-policy.ts';

export interface DialTarget {
  name: string;
  host: string;
  port: number;
}

export interface DialPoolOptions {
  /** The addresses to try for one new connection, in order. */
  candidates(): Promise<DialTarget[]>;
  user: string;
  password: string;
  database: string;
  /** Go's pool limits; getConnection waits when maxOpen connections are open. */
  pool: GoPoolOptions;
  connectTimeoutMs: number;
  ssl?: mysql.SslOptions;
  /** Told which target each new connection reached. */
  onDial?(target: DialTarget): void;
  /** The clock (ms) lifetimes are measured on; a test gives its own. */
  now?(): number;
}

export type DialedConnection = mysql.PoolConnection & { labTarget: string };

export interface DialPool {
  getConnection(): Promise<DialedConnection>;
  end(): Promise<void>;
}

export function createDialPool(o: DialPoolOptions): DialPool {
  const now = o.now ?? (() => performance.now());
  const born = new WeakMap<DialedConnection, number>();
  const idle: DialedConnection[] = [];
  const waiters: ((c: DialedConnection | null) => void)[] = [];
  let open = 0;
  let ended = false;
  const all = new Set<mysql.Connection>();

  const hand = (c: DialedConnection): void => {
    const w = waiters.shift();
    if (w) w(c);
    else idle.push(c);
  };
  const gone = (c: mysql.Connection): void => {
    if (!all.delete(c)) return;
    open--;
    // A slot freed: a waiter may now dial.
    const w = waiters.shift();
    if (w) w(null);
  };

  const dial = async (): Promise<DialedConnection> => {
    const targets = await o.candidates();
    if (targets.length === 0)
      throw Object.assign(new Error('no address to connect to (the lookup returned none)'), {
        code: 'ENOTFOUND',
      });
    let last: unknown;
    for (const t of targets) {
      try {
        const conn = await mysql.createConnection({
          host: t.host,
          port: t.port,
          user: o.user,
          password: o.password,
          database: o.database,
          connectTimeout: o.connectTimeoutMs,
          ...(o.ssl ? { ssl: o.ssl } : {}),
        });
        const c = conn as unknown as DialedConnection;
        c.labTarget = t.name;
        all.add(conn);
        // An idle connection severed by a proxy errors out of band; the next getConnection must not
        // hand it out.
        conn.on('error', () => {
          const i = idle.indexOf(c);
          if (i >= 0) idle.splice(i, 1);
          gone(conn);
        });
        born.set(c, now());
        c.release = () => {
          if (
            ended ||
            onRelease({ createdAt: born.get(c)!, broken: false }, now(), idle.length, o.pool) !==
              'keep'
          ) {
            c.destroy();
            return;
          }
          hand(c);
        };
        const destroy = conn.destroy.bind(conn);
        c.destroy = () => {
          gone(conn);
          destroy();
        };
        o.onDial?.(t);
        return c;
      } catch (e) {
        last = e;
      }
    }
    throw last;
  };

  const getConnection = async (): Promise<DialedConnection> => {
    if (ended) throw new Error('pool is closed');
    for (;;) {
      if (ended) throw new Error('pool is closed');
      // Go takes the most recently used idle connection, and closes one past its lifetime instead.
      const c = idle.pop();
      if (c && expired(born.get(c)!, now(), o.pool)) {
        c.destroy();
        continue;
      }
      if (c) return c;
      if (mayOpen(open, o.pool)) {
        open++;
        try {
          return await dial();
        } catch (e) {
          open--;
          const w = waiters.shift();
          if (w) w(null);
          throw e;
        }
      }
      const got = await new Promise<DialedConnection | null>((resolve) => waiters.push(resolve));
      if (got) return got;
    }
  };

  return {
    getConnection,
    async end() {
      ended = true;
      for (const w of waiters.splice(0)) w(null);
      idle.length = 0;
      await Promise.allSettled([...all].map((c) => c.end().catch(() => c.destroy())));
      all.clear();
    },
  };
}
