// Every anomaly the checkers found, with the ops that show it, ready for a timeline chart and for
// the report's evidence list: non-linearizable keys (the shrunk sub-history), broken BBS
// invariants, failed-but-applied ops and isolation anomalies (the ops of each cycle). Pure.

import type { CheckReport } from '../verdicts.ts';
import type { Anomaly } from '../../checkers/isolation/types.ts';
import { ANOMALY_TYPES } from '../../checkers/isolation/types.ts';
import type { Op } from '../../history/event.ts';
import type { TimelineOp } from './anomaly.ts';
import { opLabel } from './op-label.ts';
import { witnessContextSentences } from '../witness-context.ts';

export interface AnomalyItem {
  /** Anchor id in report.html, e.g. 'anomaly-3'. */
  id: string;
  kind: 'linearizability' | 'invariant' | 'failed-applied' | 'isolation';
  title: string;
  explanation: string;
  ops: TimelineOp[];
}

/** A timeline op from a history op: "f args → result in words", with the node that served it. */
export function timelineOp(o: Op): TimelineOp {
  const c = o.complete;
  const t: TimelineOp = {
    op: o.op,
    process: o.process,
    label: opLabel(o),
    outcome: c ? c.type : 'open',
    invoke: o.invoke.time,
  };
  if (c) t.complete = c.time;
  if (c?.node) t.node = c.node;
  return t;
}

function opsOfIsolation(a: Anomaly): number[] {
  switch (a.type) {
    case 'G0':
    case 'G1c':
    case 'G-single':
    case 'G2-item':
      return a.cycle.flatMap((s) => [s.from, s.to]);
    case 'G1a':
    case 'G1b':
      return [a.op, a.txn];
    case 'duplicate-append':
      return a.txn !== undefined ? [a.op, a.txn] : [a.op];
    case 'garbage-read':
    case 'internal':
    case 'future-read':
      return [a.op];
    case 'lost-update':
      return a.txns.map((t) => t.txn);
    case 'incompatible-order':
      return a.reads.map((r) => r.op);
  }
}

export function collectAnomalies(check: CheckReport, ops: readonly Op[]): AnomalyItem[] {
  const byId = new Map(ops.map((o) => [o.op, o]));
  const fromIds = (ids: readonly number[]): TimelineOp[] =>
    [...new Set(ids)]
      .map((id) => byId.get(id))
      .filter((o): o is Op => o !== undefined)
      .sort((a, b) => a.invoke.time - b.invoke.time)
      .map(timelineOp);
  // The workload's start, the report's one time origin (ops begin with the first invoke).
  const t0 = ops.reduce((m, o) => Math.min(m, o.invoke.time), Infinity);
  const out: AnomalyItem[] = [];
  const push = (
    kind: AnomalyItem['kind'],
    title: string,
    explanation: string,
    tops: TimelineOp[],
  ) => out.push({ id: `anomaly-${out.length + 1}`, kind, title, explanation, ops: tops });

  for (const k of check.linearizability?.keys ?? []) {
    if (k.verdict !== 'not-linearizable' || !k.failure) continue;
    // The checker's own times and outcome; the label and node from the history op when it is there.
    const tops: TimelineOp[] = k.failure.ops.map((f) => {
      const h = byId.get(f.op);
      const t: TimelineOp = {
        op: f.op,
        process: f.process,
        label: h ? opLabel(h) : f.description,
        outcome: f.complete === undefined ? 'open' : f.outcome,
        invoke: f.invoke,
      };
      if (f.complete !== undefined) t.complete = f.complete;
      if (h?.complete?.node) t.node = h.complete.node;
      return t;
    });
    push(
      'linearizability',
      `Not linearizable: ${k.key} (${k.model})`,
      [k.failure.explanation, ...witnessContextSentences(k.failure, t0)].join(' '),
      tops,
    );
  }
  for (const v of check.invariants?.violations ?? [])
    push(
      'invariant',
      `Invariant broken: ${v.invariant} on ${v.key}`,
      v.explanation,
      fromIds(v.ops),
    );
  for (const fa of check.failedApplied)
    push(
      'failed-applied',
      `Failed but applied: op ${fa.op} (${fa.f} ${fa.key}, ${fa.error})`,
      fa.explanation,
      fromIds([fa.op, fa.seenBy]),
    );
  if (check.isolation) {
    for (const type of ANOMALY_TYPES) {
      for (const a of check.isolation.anomalies[type] ?? [])
        push('isolation', `Isolation anomaly ${type}`, a.explanation, fromIds(opsOfIsolation(a)));
    }
  }
  return out;
}
