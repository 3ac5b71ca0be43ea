// One workload client: draws ops from its stream and records each as an invoke and exactly one
// completion. It follows Jepsen's process rule: after an op ends `info` the client is considered
// crashed and continues under a new process id, so no process ever has two ops open. With a
// schedule (clients.rate) each op waits for its slot (pacing.ts) and its invoke records the slot
// and when it was due.

import { classifyError, REQUEST_TIMEOUT_CODE } from '../history/errors.ts';
import type { Outcome } from '../history/event.ts';
import type { HistoryWriter } from '../history/writer.ts';
import type { ExecOutcome, Executor, WorkloadOp } from '../workload/types.ts';
import { takeSlot, type Grid } from '../workload/pacing.ts';

/** A client's schedule: its grid, on the history's clock from `startNs` (the workload's start). */
export interface ClientPace {
  grid: Grid;
  startNs: number;
  /** Seconds after the start: no slot due at or after it is offered. */
  endSec: number;
}

/** The longest single sleep while waiting for a slot, so a stop is noticed promptly. */
const WAIT_CHUNK_MS = 200;

export interface ClientOptions {
  client: number;
  /**
   * Added to the process id after an `info`: the number of clients, so process ids never collide.
   */
  processStride: number;
  target: string;
  exec: Executor;
  ops: Iterator<WorkloadOp>;
  writer: HistoryWriter;
  nextOpId: () => number;
  shouldStop: () => boolean;
  /** Pause after an op that did not succeed (scenario clients.backoffMs). */
  backoffMs?: number;
  /**
   * Called with every completion as recorded (the runner counts ok writes per node for role
   * targets).
   */
  onComplete?: (outcome: Outcome, completion: { f: string; node?: string }) => void;
  /** Offered load: absent for the closed loop (the next op as soon as the last returns). */
  pace?: ClientPace;
  /**
   * The caller's request timeout (scenario clients.timeoutMs): the BBS's clients gave up on a
   * request after their HTTP client's timeout (cfhttp.NewClient() in bbs client.go, 47049111,
   * 2016-11-30), whatever the BBS was doing. An op still running then ends `info` here and keeps
   * running in the background, as the BBS's handler did. Absent: no deadline.
   */
  requestTimeoutMs?: number;
}

/**
 * The executor's outcome, or a request timeout when it has not come within `ms`. The executor's
 * promise is left running (a late result or throw is dropped): a store stuck waiting for a
 * connection (the 2016-11 pool deadlock that b33de3b0 fixed) never answers at all.
 */
export function withRequestTimeout(
  run: Promise<ExecOutcome>,
  ms: number | undefined,
): Promise<ExecOutcome> {
  if (ms === undefined) return run;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      resolve({
        error: {
          code: REQUEST_TIMEOUT_CODE,
          message: `no answer from the BBS within the caller's request timeout of ${ms} ms: the request may still take effect`,
        },
      });
    }, ms);
    run.then(
      (r) => {
        clearTimeout(timer);
        resolve(r);
      },
      (e: unknown) => {
        clearTimeout(timer);
        // The executor reports database errors in its result; a throw is a lab bug or an
        // unexpected driver state, and must still close the op: unknown outcome.
        resolve({ error: { message: `executor threw: ${(e as Error).message}` } });
      },
    );
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The same ops, the first drawn now: a stream generates its ops in batches, and the first batch
 * (with the generator's warm-up) is made before the schedule starts rather than in its first slots.
 */
export function primed<T>(it: Iterator<T>): Iterator<T> {
  let first: IteratorResult<T> | null = it.next();
  return {
    next() {
      if (first === null) return it.next();
      const r = first;
      first = null;
      return r;
    },
  };
}

export async function runClient(o: ClientOptions): Promise<void> {
  let process = o.client;
  const pace = o.pace;
  const sinceStart = () => (o.writer.now() - (pace?.startNs ?? 0)) / 1e9;
  // The first slot neither taken nor skipped.
  let nextSlot = 0;
  while (!o.shouldStop()) {
    // Drawn before the wait: generating a batch of ops costs CPU, which belongs in the idle time
    // before the slot, not between the slot and the invoke.
    const next = o.ops.next();
    if (next.done) return;
    const op = next.value;
    let slot: { slot: number; due: number } | null = null;
    if (pace) {
      const take = takeSlot(pace.grid, nextSlot, sinceStart());
      if (take.due >= pace.endSec) return;
      for (
        let left = take.due - sinceStart();
        left > 0 && !o.shouldStop();
        left = take.due - sinceStart()
      ) {
        await sleep(Math.min(WAIT_CHUNK_MS, Math.ceil(left * 1000)));
      }
      if (o.shouldStop()) return;
      nextSlot = take.slot + 1;
      slot = { slot: take.slot, due: pace.startNs + Math.round(take.due * 1e9) };
    }
    const id = o.nextOpId();
    const key = op.key !== undefined ? { key: op.key } : {};
    o.writer.append({
      type: 'invoke',
      op: id,
      process,
      client: o.client,
      f: op.f,
      ...key,
      value: op.value,
      ...(slot ?? {}),
    });
    let started: Promise<ExecOutcome>;
    try {
      started = o.exec(op);
    } catch (e) {
      started = Promise.reject(e as Error);
    }
    const res = await withRequestTimeout(started, o.requestTimeoutMs);
    const outcome: Outcome = res.error ? classifyError(res.error).outcome : 'ok';
    const completion = {
      type: outcome,
      op: id,
      process,
      client: o.client,
      f: op.f,
      ...key,
      value: res.error ? op.value : res.value,
      proxy: o.target,
      ...(res.conn !== undefined ? { conn: res.conn } : {}),
      ...(res.node !== undefined ? { node: res.node } : {}),
      ...(res.error ? { error: res.error } : {}),
      ...(res.attempts !== undefined ? { attempts: res.attempts } : {}),
      ...(res.retried !== undefined ? { retried: res.retried } : {}),
    };
    o.writer.append(completion);
    o.onComplete?.(outcome, completion);
    if (outcome === 'info') process += o.processStride;
    if (outcome !== 'ok' && o.backoffMs) await new Promise((r) => setTimeout(r, o.backoffMs));
  }
}
