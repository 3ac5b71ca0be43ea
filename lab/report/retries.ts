// Errors a retry policy absorbed: the BBS client retried the transaction and the caller never saw
// them. A report that counts only the errors that reached the client shows 7 1213s where 345
// happened; these figures come from each completion's `retried` errors and `attempts`. Pure.

import type { Op } from '../history/event.ts';
import { medianOf } from './intervals.ts';
import { errorLabel } from './labels.ts';

export interface RetryStats {
  /** Errors absorbed by a retry policy (the `retried` field), by label, op and node. */
  absorbed: Record<string, number>;
  /** label → op → count */
  absorbedByOp: Record<string, Record<string, number>>;
  /** label → node that served the op's last attempt ('(unknown)' when not recorded) → count */
  absorbedByNode: Record<string, Record<string, number>>;
  /** Ops that were attempted more than once, and how they ended. */
  opsRetried: number;
  retriedOutcome: { ok: number; fail: number; info: number };
  /**
   * Latency of retried ok ops minus the median latency of not-retried ok ops of the same f, summed,
   * ms. A retried op whose f never succeeded without a retry has no baseline and adds nothing.
   */
  extraLatencyMs: number;
}

function bump(m: Record<string, Record<string, number>>, a: string, b: string): void {
  const inner = m[a] ?? {};
  m[a] = inner;
  inner[b] = (inner[b] ?? 0) + 1;
}

export function computeRetries(ops: readonly Op[]): RetryStats {
  const r: RetryStats = {
    absorbed: {},
    absorbedByOp: {},
    absorbedByNode: {},
    opsRetried: 0,
    retriedOutcome: { ok: 0, fail: 0, info: 0 },
    extraLatencyMs: 0,
  };
  const plain = new Map<string, number[]>();
  const retriedOk: { f: string; ms: number }[] = [];
  for (const o of ops) {
    const c = o.complete;
    if (!c) continue;
    const retried = c.retried ?? [];
    const wasRetried = retried.length > 0 || (c.attempts ?? 1) > 1;
    const ms = (c.time - o.invoke.time) / 1e6;
    for (const e of retried) {
      const label = errorLabel(e);
      r.absorbed[label] = (r.absorbed[label] ?? 0) + 1;
      bump(r.absorbedByOp, label, o.f);
      bump(r.absorbedByNode, label, c.node ?? '(unknown)');
    }
    if (wasRetried) {
      r.opsRetried++;
      r.retriedOutcome[c.type]++;
      if (c.type === 'ok') retriedOk.push({ f: o.f, ms });
    } else if (c.type === 'ok') {
      let xs = plain.get(o.f);
      if (!xs) {
        xs = [];
        plain.set(o.f, xs);
      }
      xs.push(ms);
    }
  }
  const medians = new Map(
    [...plain].map(([f, xs]) => [f, medianOf([...xs].sort((a, b) => a - b))]),
  );
  for (const { f, ms } of retriedOk) {
    const base = medians.get(f);
    if (base !== undefined) r.extraLatencyMs += ms - base;
  }
  return r;
}

/** Total errors absorbed (every label). */
export function absorbedTotal(r: RetryStats): number {
  return Object.values(r.absorbed).reduce((a, b) => a + b, 0);
}
