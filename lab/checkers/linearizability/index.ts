// Linearizability per key (P-compositionality: a history is linearizable iff every key's
// sub-history is, when keys are independent objects; Herlihy & Wing's locality). Each key is
// searched with its own model (WGL with memoisation, search.ts); a failing key is shrunk to a small
// sub-history (shrink.ts) for the report to draw. Pure: ops in, verdicts out.
//
// `ok` ops take effect between invoke and completion with the recorded output, `fail` ops never,
// `info` ops (and ops that never completed) at any time after their invoke, or never.

import type { Model } from '../../../models/specs/model.ts';
import type { Op } from '../../history/event.ts';
import { searchLinearization, type SearchOp } from './search.ts';
import { shrinkFailure } from './shrink.ts';
import { DEFAULT_BUDGET, type FailureOp, type KeyResult, type LinFailure, type LinOptions, type LinResult } from './types.ts';

export type { FailureOp, KeyResult, LinFailure, LinOptions, LinResult, Verdict } from './types.ts';
export { DEFAULT_BUDGET } from './types.ts';

/** Real-time position of an event: its history index when present, else its time. */
function position(e: { index?: number; time: number }): number {
  return typeof e.index === 'number' && Number.isFinite(e.index) ? e.index : e.time;
}

function toSearchOps(ops: readonly Op[], model: Model): { search: SearchOp[]; droppedReads: number } {
  const search: SearchOp[] = [];
  let droppedReads = 0;
  for (const o of ops) {
    const outcome = o.complete?.type;
    if (outcome === 'fail') continue;
    const known = outcome === 'ok';
    if (!known && model.readOnly?.(o.invoke.value)) {
      droppedReads++;
      continue;
    }
    search.push({
      id: o.op,
      call: position(o.invoke),
      ret: known ? position(o.complete!) : Infinity,
      input: o.invoke.value,
      output: known ? o.complete!.value : undefined,
      known,
    });
  }
  return { search, droppedReads };
}

function describeFailure(model: Model, byId: Map<number, Op>, shrunk: readonly SearchOp[], from: number, budget: number): LinFailure {
  const again = searchLinearization(model, shrunk, budget);
  const describe = (id: number): string => {
    const s = shrunk.find((o) => o.id === id)!;
    return model.describeOp(s.input, s.output);
  };
  const ops: FailureOp[] = [...shrunk]
    .sort((a, b) => a.call - b.call)
    .map((s) => {
      const o = byId.get(s.id)!;
      const f: FailureOp = { op: s.id, process: o.process, outcome: s.known ? 'ok' : 'info', description: describe(s.id), invoke: o.invoke.time };
      if (o.complete) f.complete = o.complete.time;
      return f;
    });
  const stateAfterPrefix = model.describeState(again.state);
  const prefix = again.order.map((id) => `#${id} ${describe(id)}`).join(', ');
  const explanation =
    `No order of these ${ops.length} ops is a legal run of ${model.name}` +
    (again.blocked !== null
      ? `: after the longest legal order found (${prefix || 'nothing'}), the state is ${stateAfterPrefix}, and op #${again.blocked} (${describe(again.blocked)}) completed without any legal point to take effect.`
      : '.');
  return { ops, shrunkFrom: from, longestPrefix: again.order, stateAfterPrefix, blockedOp: again.blocked, explanation };
}

export function checkLinearizable(ops: readonly Op[], modelFor: (key: string) => Model | undefined, opts: LinOptions = {}): LinResult {
  const budget = opts.budget ?? DEFAULT_BUDGET;
  const byKey = new Map<string, Op[]>();
  let skipped = 0;
  const models = new Map<string, Model>();
  for (const o of ops) {
    if (o.key === undefined) continue;
    let m = models.get(o.key);
    if (!m) {
      m = modelFor(o.key);
      if (!m) {
        skipped++;
        continue;
      }
      models.set(o.key, m);
    }
    let list = byKey.get(o.key);
    if (!list) byKey.set(o.key, (list = []));
    list.push(o);
  }
  const keys: KeyResult[] = [];
  let opsChecked = 0;
  let droppedReads = 0;
  const byId = new Map<number, Op>();
  for (const o of ops) byId.set(o.op, o);
  for (const [key, list] of [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const model = models.get(key)!;
    const { search, droppedReads: dropped } = toSearchOps(list, model);
    droppedReads += dropped;
    opsChecked += search.length;
    const r = searchLinearization(model, search, budget);
    const k: KeyResult = { key, model: model.name, verdict: r.verdict, ops: search.length, steps: r.steps };
    if (r.verdict === 'unknown') k.budget = budget;
    if (r.verdict === 'not-linearizable') {
      const shrunk = opts.shrink === false ? search : shrinkFailure(model, search, r.blocked, { budget: Math.min(budget, 200_000), maxChecks: 400 });
      k.failure = describeFailure(model, byId, shrunk, search.length, budget);
    }
    keys.push(k);
  }
  const valid = keys.some((k) => k.verdict === 'not-linearizable') ? false : keys.some((k) => k.verdict === 'unknown') ? 'unknown' : true;
  return { valid, keys, opsChecked, skipped, droppedReads };
}
