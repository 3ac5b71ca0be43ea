// The SQL BBS store: runs one BBS op the way the real BBS runs it (BEGIN; SELECT … FOR UPDATE; a
// state check; UPDATE … WHERE <pk>; COMMIT, or an autocommit statement where the 2016 BBS used
// one), with the retry policy of the chosen BBS version, and reports what the history needs.
//
// Outcome convention (ops.ts): a BBS state-check rejection is a result (`value.error`), because
// the op observed the state. A database or driver error is returned in `error` with the phase it
// came in, for the runner to classify (lab/history/errors.ts):
//   connect   - getting a connection or readying its session (wsrep_sync_wait, node name): no
//               statement of the op was sent
//   statement - BEGIN or a statement of the op (for an autocommit op, its only statement)
//   commit    - the COMMIT statement itself
// `execute` never throws for database errors.

import { toOpError } from '../db/error.ts';
import type { OpError } from '../db/error.ts';
import { keyOf } from '../ops.ts';
import type {
  ActualLRPRecord,
  BbsOp,
  BbsOpName,
  BbsResult,
  DesiredLRPRecord,
  DomainRecord,
  TaskRecord,
} from '../ops.ts';
import { actualLRPOps } from './actual-lrps.ts';
import { callerErrorName, type CallerErrorName } from './caller-error.ts';
import { profileOf } from '../versions/index.ts';
import { HANDLER_PANIC } from './sql-op.ts';
import {
  lease,
  prepareSession,
  queryOn,
  type ConnectionSource,
  type Lease,
} from '../db/connection.ts';
import { desiredLRPOps } from './desired-lrps.ts';
import { domainOps } from './domains.ts';
import { shouldRetry, storeOptions, type StoreOptions } from './options.ts';
import { planted } from './plants.ts';
import {
  ACTUAL_LRP_COLUMNS,
  actualLRPFromRow,
  DESIRED_LRP_COLUMNS,
  desiredLRPFromRow,
  domainFromRow,
  nowNs,
  TASK_COLUMNS,
  taskFromRow,
  type ActualLRPRow,
  type DesiredLRPRow,
  type DomainRow,
  type Queryable,
  type TaskRow,
} from './schema.ts';
import type { SqlOp, SqlOps } from './sql-op.ts';
import { taskOps } from './tasks.ts';

export const SQL_OPS: SqlOps = { ...domainOps, ...desiredLRPOps, ...actualLRPOps, ...taskOps };

/**
 * What one op did, in the shape the runner's executors return (lab/workload/types.ts ExecOutcome).
 */
export interface ExecResult {
  /** The op's BbsResult when it ran to the end (committed, or rejected by a state check). */
  value?: BbsResult;
  /** The database or driver error of the last attempt, with its phase. */
  error?: OpError;
  /** CONNECTION_ID() of the last attempt's connection. */
  conn?: number;
  /** @@wsrep_node_name of the node that served the last attempt. */
  node?: string;
  /** Attempts made (> 1 when the retry policy retried). */
  attempts: number;
  /** Errors of the earlier attempts that the policy retried, oldest first. */
  retried?: OpError[];
  /**
   * With `error`: the models.Error the BBS's client was told at this profile's commit
   * (caller-error.ts).
   */
  bbsError?: CallerErrorName;
}

export interface ExecContext {
  /** Aborts the wait between attempts (the op then ends with its last error). */
  signal?: AbortSignal;
  /**
   * Called in a transactional attempt after the op's statements succeeded and before its COMMIT
   * (not for rejected or autocommit ops): lets a scenario or test act at the moment the writes are
   * done but not committed, e.g. let a concurrent op on another node commit first, or cut the
   * connection to make the COMMIT's outcome unknown. A hook that throws fails the attempt as a
   * statement error.
   */
  beforeCommit?: (attempt: number) => Promise<void>;
}

export interface FinalRead {
  tasks: TaskRecord[];
  desiredLRPs: DesiredLRPRecord[];
  actualLRPs: ActualLRPRecord[];
  domains: DomainRecord[];
}

interface Attempt {
  value?: BbsResult;
  error?: OpError;
  conn?: number;
  node?: string;
}

function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Whether a commit-error plant covers this op's record type. */
function commitErrorPlanted(opts: StoreOptions, op: BbsOp): boolean {
  const key = keyOf(op) ?? '';
  if (key.startsWith('task/')) return planted(opts, 'task-commit-error-ok');
  if (key.startsWith('actual/')) return planted(opts, 'actual-lrp-commit-error-ok');
  return false;
}

/** Whether a commit-lost plant covers this op's record type. */
function commitLostPlanted(opts: StoreOptions, op: BbsOp): boolean {
  const key = keyOf(op) ?? '';
  if (key.startsWith('task/')) return planted(opts, 'task-commit-lost-as-failed');
  if (key.startsWith('actual/')) return planted(opts, 'actual-lrp-commit-lost-as-failed');
  if (key.startsWith('desired/')) return planted(opts, 'desired-lrp-commit-lost-as-failed');
  return false;
}

/**
 * PLANTED BUG (task-commit-lost-as-failed, actual-lrp-commit-lost-as-failed, desired-lrp-commit-lost-as-failed):
 * the error of a COMMIT whose connection was lost (no server error number: the server may have
 * committed) answered as a certification failure, which says "rolled back". Marked `final` so no retry policy runs the op again.
 */
export function commitLostAsFailed(e: OpError): OpError & { final: true } {
  return {
    ...e,
    errno: 1213,
    message: `connection lost at COMMIT answered as rolled back (planted): ${e.message}`,
    final: true,
  };
}

export class SqlBbsStore {
  readonly options: StoreOptions;

  constructor(
    private readonly source: ConnectionSource,
    opts: Partial<StoreOptions> = {},
  ) {
    this.options = storeOptions(opts);
  }

  async execute<F extends BbsOpName>(op: BbsOp<F>, ctx: ExecContext = {}): Promise<ExecResult> {
    const impl = SQL_OPS[op.f] as SqlOp<F> | undefined;
    if (!impl) throw new Error(`unknown BBS op ${String(op.f)}`);
    const transactional = impl.transactional(this.options);
    const retried: OpError[] = [];
    for (let attempt = 1; ; attempt++) {
      const a = await this.attempt(impl, op, transactional, attempt, ctx);
      const retry =
        a.error !== undefined &&
        (a.error as { final?: unknown }).final !== true &&
        transactional &&
        attempt < this.options.deadlockAttempts &&
        shouldRetry(this.options.deadlockRetry, a.error);
      if (retry && (await sleep(this.options.deadlockRetryDelayMs, ctx.signal))) {
        retried.push(a.error!);
        continue;
      }
      const out: ExecResult = { attempts: attempt };
      if (a.value !== undefined) out.value = a.value;
      if (a.error !== undefined) {
        const { final: _final, ...error } = a.error as OpError & { final?: true };
        out.error = error;
        out.bbsError = callerErrorName(profileOf(this.options.version).date, op.f, a.error);
      }
      if (a.conn !== undefined) out.conn = a.conn;
      if (a.node !== undefined) out.node = a.node;
      if (retried.length > 0) out.retried = retried;
      return out;
    }
  }

  private async attempt<F extends BbsOpName>(
    impl: SqlOp<F>,
    op: BbsOp<F>,
    transactional: boolean,
    n: number,
    ctx: ExecContext,
  ): Promise<Attempt> {
    let l: Lease;
    try {
      l = await lease(this.source);
    } catch (e) {
      return { error: toOpError(e, 'connect') };
    }
    const out: Attempt = {};
    if (l.threadId !== undefined) out.conn = l.threadId;
    const q = queryOn(l.conn, this.options.statementTimeoutMs);
    let phase: OpError['phase'] = 'connect';
    let broken = false;
    let open = false;
    // db.db inside a transact (statementsOnPool): a second connection, leased on first use.
    let side: { lease: Lease; q: typeof q; broken: boolean } | undefined;
    const pool = async <T>(sql: string, params?: unknown[]): Promise<T> => {
      if (!side) {
        const sl = await lease(this.source);
        const sq = queryOn(sl.conn, this.options.statementTimeoutMs);
        side = { lease: sl, q: sq, broken: true };
        await prepareSession(sl.conn, sq, this.options.syncWait);
        side.broken = false;
      }
      try {
        return await side.q<T>(sql, params);
      } catch (e) {
        const err = toOpError(e, 'statement');
        side.broken = (e as { fatal?: unknown }).fatal === true || err.errno === undefined;
        // The op's own connection is intact: mark the error as the other connection's.
        throw Object.assign(e as object, { onPool: true });
      }
    };
    try {
      const node = await prepareSession(l.conn, q, this.options.syncWait);
      if (node !== undefined) out.node = node;
      phase = 'statement';
      if (transactional) {
        await q('BEGIN');
        open = true;
      }
      const value = await impl.run({ q, pool, opts: this.options }, op.args);
      if (open) {
        if (value.error !== undefined || impl.rollsBack?.(value)) {
          // A rejected op wrote nothing: its outcome is certain even if the ROLLBACK fails.
          open = false;
          await q('ROLLBACK').catch(() => {
            broken = true;
          });
        } else {
          await ctx.beforeCommit?.(n);
          phase = 'commit';
          try {
            await q('COMMIT');
          } catch (e) {
            // PLANTED BUG (task-commit-error-ok, actual-lrp-commit-error-ok): a 1213 at COMMIT (the
            // transaction was rolled back) is answered as if it had committed.
            if (!(toOpError(e, 'commit').errno === 1213 && commitErrorPlanted(this.options, op)))
              throw e;
          }
          open = false;
        }
      }
      out.value = value;
    } catch (e) {
      out.error = toOpError(e, phase);
      // A connection that lost its session, or whose transaction state is unknown, is not reused.
      const onPool = (e as { onPool?: unknown }).onPool === true;
      // A handler panic (2016-03) still ran the deferred tx.Rollback() on an intact connection.
      const unknownState = out.error.errno === undefined && out.error.code !== HANDLER_PANIC;
      broken = !onPool && ((e as { fatal?: unknown }).fatal === true || unknownState);
      if (!broken && open) {
        await q('ROLLBACK').catch(() => {
          broken = true;
        });
      }
      if (
        phase === 'commit' &&
        out.error.errno === undefined &&
        commitLostPlanted(this.options, op)
      )
        out.error = commitLostAsFailed(out.error);
    } finally {
      l.done(broken);
      side?.lease.done(side.broken);
    }
    return out;
  }

  /** Every row of the BBS tables, for the FinalRead the runner appends after the workload stops. */
  async finalRead(conn?: Queryable): Promise<FinalRead> {
    if (conn) return finalRead(conn);
    const l = await lease(this.source);
    let broken = true;
    try {
      const r = await finalRead(l.conn);
      broken = false;
      return r;
    } finally {
      l.done(broken);
    }
  }
}

/** Every row of the BBS tables (non-evacuating actual LRPs only, as the ops touch no others). */
export async function finalRead(conn: Queryable): Promise<FinalRead> {
  const rows = async <T>(sql: string): Promise<T[]> => (await conn.query(sql))[0] as T[];
  const now = nowNs();
  return {
    tasks: (await rows<TaskRow>(`SELECT ${TASK_COLUMNS} FROM tasks ORDER BY guid`)).map(
      taskFromRow,
    ),
    desiredLRPs: (
      await rows<DesiredLRPRow>(
        `SELECT ${DESIRED_LRP_COLUMNS} FROM desired_lrps ORDER BY process_guid`,
      )
    ).map(desiredLRPFromRow),
    actualLRPs: (
      await rows<ActualLRPRow>(
        `SELECT ${ACTUAL_LRP_COLUMNS} FROM actual_lrps WHERE evacuating = false ORDER BY process_guid, instance_index`,
      )
    ).map(actualLRPFromRow),
    domains: (await rows<DomainRow>('SELECT domain, expire_time FROM domains ORDER BY domain')).map(
      (r) => domainFromRow(r, now),
    ),
  };
}
