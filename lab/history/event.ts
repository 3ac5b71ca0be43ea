// The history: the one record every checker and report reads. A run appends these as JSON lines to
// history.jsonl as they happen, so an interrupted run can still be checked.
//
// Every op is recorded twice: an `invoke` and exactly one completion with the same `op` id.
//   ok   - the op took effect (between its invoke and its completion)
//   fail - the op definitely did not take effect (e.g. 1213 on a statement before COMMIT, 1047)
//   info - unknown: it may have taken effect at any time after its invoke, or never
//          (lost connection, error during COMMIT, timeout). As in Jepsen, a process whose op ends
//          `info` is considered crashed and continues under a new process id.

import type { OpError } from '../../bbs/db/error.ts';

export type { OpError };

export type Outcome = 'ok' | 'fail' | 'info';

/**
 * The `f` of the op the runner appends after the workload stops: one read of every BBS table, for
 * the "acknowledged writes survive" invariant. It is no workload op, so figures and per-key
 * checking leave it out.
 */
export const FINAL_READ = 'FinalRead';

interface EventBase {
  /** Position in the file, 0-based; assigned by the writer. */
  index: number;
  /** Monotonic time since the start of the run, in nanoseconds (process.hrtime.bigint based). */
  time: number;
}

export interface InvokeEvent extends EventBase {
  type: 'invoke';
  /** Op id, shared by the invoke and its completion. */
  op: number;
  /** Logical process (Jepsen's): changes after an `info`, so a process never has two ops open. */
  process: number;
  /** The client (worker) that ran the op; stable across processes. */
  client: number;
  /**
   * Operation name: a BBS API call ('StartTask', 'ClaimActualLRP', …) or a generic one ('read',
   * 'write', 'cas', 'txn').
   */
  f: string;
  /** What the op is about, for per-key checking: 'task/<guid>', 'actual/<guid>/<index>', … */
  key?: string;
  /** The op's arguments. */
  value?: unknown;
  /**
   * Offered load (clients.rate): the client's schedule slot this op took (lab/workload/pacing.ts).
   */
  slot?: number;
  /**
   * …and when it was due on the same clock as `time`: the slot's time, or when the client was free
   * if it was behind.
   */
  due?: number;
}

export interface CompletionEvent extends EventBase {
  type: Outcome;
  op: number;
  process: number;
  client: number;
  f: string;
  key?: string;
  /**
   * The op's result (what a read saw, the record after a write), or the arguments again if none.
   */
  value?: unknown;
  /** MySQL connection id (CONNECTION_ID()) of the connection that served the op. */
  conn?: number;
  /** The switchboard proxy (or direct node address) the client went through. */
  proxy?: string;
  /** The Galera node that served the op (@@wsrep_node_name), when it could be read. */
  node?: string;
  error?: OpError;
  /** How many times the op's transaction was attempted (> 1 when a retry policy retried it). */
  attempts?: number;
  /**
   * Errors of the attempts a retry policy retried, oldest first (the op's outcome is its last
   * attempt's).
   */
  retried?: OpError[];
}

/** Faults and other lab events on the same clock, so reports can shade fault windows. */
export interface NemesisEvent extends EventBase {
  type: 'nemesis';
  /** 'start' opens a fault window, 'stop' closes the one with the same `fault` id. */
  phase: 'start' | 'stop' | 'event';
  fault: string;
  kind: string;
  detail?: unknown;
}

export type HistoryEvent = InvokeEvent | CompletionEvent | NemesisEvent;

/** An op with its invoke and completion paired; `complete` is missing when the run ended first. */
export interface Op {
  op: number;
  process: number;
  client: number;
  f: string;
  key?: string;
  invoke: InvokeEvent;
  complete?: CompletionEvent;
}

/** The workload's time zero: the first invoke (the history's clock also spans cluster start-up). */
export function workloadStart(events: readonly HistoryEvent[]): number {
  const first = events.find((e) => e.type === 'invoke');
  return first ? first.time : 0;
}

export function isCompletion(e: HistoryEvent): e is CompletionEvent {
  return e.type === 'ok' || e.type === 'fail' || e.type === 'info';
}

/**
 * Pairs invokes with completions. An invoke with no completion (the run was interrupted) is given
 * none: checkers treat it like `info`.
 */
export function pairOps(events: readonly HistoryEvent[]): Op[] {
  // Open ops by id: an array for the small integer ids histories use (a map of a million entries
  // was a tenth of checking a million-op history), a map for any other id.
  const dense: (Op | undefined)[] = [];
  const open = new Map<number, Op>();
  const small = (id: number) => Number.isInteger(id) && id >= 0 && id < 1 << 26;
  const ops: Op[] = [];
  for (const e of events) {
    if (e.type === 'invoke') {
      const op: Op = { op: e.op, process: e.process, client: e.client, f: e.f, invoke: e };
      if (e.key !== undefined) op.key = e.key;
      if (small(e.op)) dense[e.op] = op;
      else open.set(e.op, op);
      ops.push(op);
    } else if (isCompletion(e)) {
      const op = small(e.op) ? dense[e.op] : open.get(e.op);
      if (op) {
        op.complete = e;
        if (small(e.op)) dense[e.op] = undefined;
        else open.delete(e.op);
      }
    }
  }
  return ops;
}
