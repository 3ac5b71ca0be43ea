// Every anomaly the checkers found, with the ops that show it, ready for a timeline chart and for
// the report's anomaly list: one item per anomaly of the check's one list (anomaliesOf), worded
// by anomaly-wording.ts, so a new checker's findings are charted with no edit here. Pure.

import { anomaliesOf } from '../../checkers/index.ts';
import type { Op } from '../../history/event.ts';
import { anomalyWords } from '../anomaly-wording.ts';
import type { CheckReport } from '../verdicts.ts';
import type { TimelineOp } from './anomaly.ts';
import { opLabel } from './op-label.ts';

export interface AnomalyItem {
  /** Anchor id in report.html, e.g. 'anomaly-3'. */
  id: string;
  /** The checker that found it (its registry name). */
  checker: string;
  /** What it found, in the checker's terms (the anomaly's type). */
  type: string;
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
  return anomaliesOf(check).map((a, i) => ({
    id: `anomaly-${i + 1}`,
    checker: a.checker,
    type: a.type,
    ...anomalyWords(a, check, { t0 }),
    ops: fromIds(a.ops),
  }));
}
