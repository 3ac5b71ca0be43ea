// One workload client: draws ops from its stream and records each as an invoke and exactly one
// completion. It follows Jepsen's process rule: after an op ends `info` the client is considered
// crashed and continues under a new process id, so no process ever has two ops open.

import { classifyError } from '../history/errors.ts';
import type { Outcome } from '../history/event.ts';
import type { HistoryWriter } from '../history/writer.ts';
import type { ExecOutcome, Executor, WorkloadOp } from '../workload/types.ts';

export interface ClientOptions {
  client: number;
  /** Added to the process id after an `info`: the number of clients, so process ids never collide. */
  processStride: number;
  target: string;
  exec: Executor;
  ops: Iterator<WorkloadOp>;
  writer: HistoryWriter;
  nextOpId: () => number;
  shouldStop: () => boolean;
  /** Pause after an op that did not succeed (scenario clients.backoffMs). */
  backoffMs?: number;
  /** Called with every completion as recorded (the runner counts ok writes per node for role targets). */
  onComplete?: (outcome: Outcome, completion: { f: string; node?: string }) => void;
}

export async function runClient(o: ClientOptions): Promise<void> {
  let process = o.client;
  while (!o.shouldStop()) {
    const next = o.ops.next();
    if (next.done) return;
    const op = next.value;
    const id = o.nextOpId();
    const key = op.key !== undefined ? { key: op.key } : {};
    o.writer.append({ type: 'invoke', op: id, process, client: o.client, f: op.f, ...key, value: op.value });
    let res: ExecOutcome;
    try {
      res = await o.exec(op);
    } catch (e) {
      // The executor reports database errors in its result; a throw is a lab bug or an unexpected
      // driver state, and must still close the op: unknown outcome.
      res = { error: { message: `executor threw: ${(e as Error).message}` } };
    }
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
