// The decisions Go's database/sql pool makes about a connection, as the BBS configures it: whether
// a new one may be opened, whether an idle one may still be handed out, and whether a released one
// is kept idle or closed. Pure, so the dial pool (dial-pool.ts) and its unit tests share them.
//
// Sources (read for facts only):
// - cloudfoundry/bbs cmd/bbs/main.go (b2385bea, 2026-06-12): SetMaxOpenConns, SetMaxIdleConns,
//   SetConnMaxLifetime from max_open_database_connections, max_idle_database_connections,
//   max_database_connection_lifetime; the last in-code defaults were 200 open / 200 idle (removed
//   to the BOSH job in 313c27d4, 2018-09-06); the lifetime option came in 07ab838c (2025-11-06)
//   with no default, so 0: a connection is never closed for its age.
// - Go database/sql: maxOpen ≤ 0 is no limit; maxIdle ≤ 0 keeps no idle connection; maxIdle is
//   capped at maxOpen; a connection past its lifetime is closed when next taken or released.
// - go-sql-driver/mysql connection.go (416cd99d, 2026-07-16): only a broken connection (a network
//   error, a closed socket found by the liveness check) is discarded; a server error such as 1047
//   or 1213 leaves the connection in the pool, on the same node.

export interface GoPoolOptions {
  /** SetMaxOpenConns: most connections open at once; 0 = no limit. */
  maxOpen: number;
  /** SetMaxIdleConns: most idle connections kept; 0 = none (each op dials anew). */
  maxIdle: number;
  /** SetConnMaxLifetime in ms: a connection this old is closed instead of reused; 0 = forever. */
  maxLifetimeMs: number;
}

/** The BBS's pool settings when the operator sets none (see the header). */
export const BBS_POOL_DEFAULTS: Readonly<GoPoolOptions> = {
  maxOpen: 200,
  maxIdle: 200,
  maxLifetimeMs: 0,
};

/** The idle limit Go applies: none when ≤ 0, and never above a positive open limit. */
export function effectiveMaxIdle(o: GoPoolOptions): number {
  if (o.maxIdle <= 0) return 0;
  return o.maxOpen > 0 ? Math.min(o.maxIdle, o.maxOpen) : o.maxIdle;
}

export const mayOpen = (open: number, o: GoPoolOptions): boolean =>
  o.maxOpen <= 0 || open < o.maxOpen;

/** Whether a connection made at `createdAt` has outlived the pool's lifetime at `now` (ms). */
export const expired = (createdAt: number, now: number, o: GoPoolOptions): boolean =>
  o.maxLifetimeMs > 0 && now - createdAt >= o.maxLifetimeMs;

/** What the pool does with a connection handed back: keep it idle, or close it (and why). */
export function onRelease(
  c: { createdAt: number; broken: boolean },
  now: number,
  idleCount: number,
  o: GoPoolOptions,
): 'keep' | 'broken' | 'expired' | 'idle-full' {
  if (c.broken) return 'broken';
  if (expired(c.createdAt, now, o)) return 'expired';
  return idleCount < effectiveMaxIdle(o) ? 'keep' : 'idle-full';
}
