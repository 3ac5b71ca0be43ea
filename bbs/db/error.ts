// A database error as a client sees it, in the shape the lab's history records. It lives in
// models/ because the stores that produce it are here; the lab's error taxonomy
// (lab/history/errors.ts) decides what each one means for an op's outcome.

/** A MySQL or driver error as seen by the client. */
export interface OpError {
  /** MySQL error number (1213, 1047, 1205, …) when the server sent one. */
  errno?: number;
  /** Driver / socket code: 'ER_LOCK_DEADLOCK', 'PROTOCOL_CONNECTION_LOST', 'ECONNRESET', … */
  code?: string;
  sqlState?: string;
  message: string;
  /**
   * Where in the transaction the error came: before any statement ran, on a statement, or on
   * COMMIT.
   */
  phase?: 'connect' | 'statement' | 'commit';
}

/** Turns whatever mysql2 threw into the history's error shape. */
export function toOpError(e: unknown, phase: OpError['phase']): OpError {
  const x = (e ?? {}) as { errno?: unknown; code?: unknown; sqlState?: unknown; message?: unknown };
  const out: OpError = { message: typeof x.message === 'string' ? x.message : String(e) };
  // mysql2 sets errno for server errors and also for some socket errors (negative numbers).
  if (typeof x.errno === 'number' && x.errno > 0) out.errno = x.errno;
  if (typeof x.code === 'string') out.code = x.code;
  if (typeof x.sqlState === 'string') out.sqlState = x.sqlState;
  if (phase !== undefined) out.phase = phase;
  return out;
}
