// Linearizability per key (P-compositionality: a history is linearizable iff every key's
// sub-history is, when keys are independent objects; Herlihy & Wing's locality). Each key is
// searched with its own model (WGL with memoisation, search.ts); a failing key is shrunk to a small
// sub-history (shrink.ts) for the report to draw. Pure: ops in, verdicts out.
//
// `ok` ops take effect between invoke and completion with the recorded output, `fail` ops never,
// `info` ops (and ops that never completed) at any time after their invoke, or never.

import type { Model } from '../../../specs/model.ts';
import type { Op } from '../../history/event.ts';
import { DEFAULT_MEMORY, type SearchOp } from './search.ts';
import { searchKey, segmentsOf, type KeySearch } from './segments.ts';
import { contextBefore, earliestFailure } from './context.ts';
import { shrinkFailure, type Witness } from './shrink.ts';
import { StepCache } from './steps.ts';
import {
  DEFAULT_BUDGET,
  type FailureOp,
  type KeyResult,
  type LinFailure,
  type LinOptions,
  type LinResult,
} from './types.ts';

export type { FailureOp, KeyResult, LinFailure, LinOptions, LinResult, Verdict } from './types.ts';
export { DEFAULT_BUDGET } from './types.ts';

/** The step budget of a key's first round; each later round's is eight times the last. */
const FIRST_ROUND = 10_000;

/** Past this many ops a witness is no longer read at a glance; the evidence then says why. */
const SMALL_WITNESS = 10;

/** Real time is the events' `time`; an op that never completed, or ended `info`, has no end. */
export function toSearchOps(
  ops: readonly Op[],
  model: Model,
): { search: SearchOp[]; droppedReads: number } {
  const search: SearchOp[] = [];
  let droppedReads = 0;
  for (const o of ops) {
    const outcome = o.complete?.type;
    if (outcome === 'fail') continue;
    const known = outcome === 'ok';
    // Of unknown outcome, an op that can never change the state (a read; a cas from a value to
    // itself) may be left untaken in any order: it constrains nothing, so it is not searched over.
    if (
      !known &&
      (model.readOnly?.(o.invoke.value) ||
        model.changesState?.(o.invoke.value, undefined) === false)
    ) {
      droppedReads++;
      continue;
    }
    search.push({
      id: o.op,
      call: o.invoke.time,
      ret: known ? o.complete!.time : Infinity,
      input: o.invoke.value,
      output: known ? o.complete!.value : undefined,
      known,
    });
  }
  return { search, droppedReads };
}

function failureOp(model: Model, byId: Map<number, Op>, s: SearchOp): FailureOp {
  const o = byId.get(s.id)!;
  const known = o.complete?.type === 'ok';
  const f: FailureOp = {
    op: s.id,
    process: o.process,
    outcome: known ? 'ok' : 'info',
    description: model.describeOp(o.invoke.value, known ? o.complete!.value : undefined),
    invoke: o.invoke.time,
  };
  if (o.complete) f.complete = o.complete.time;
  return f;
}

function describeWitness(
  cache: StepCache,
  byId: Map<number, Op>,
  w: Witness,
  from: number,
): LinFailure {
  const model = cache.model;
  const describe = (id: number): string => {
    const o = byId.get(id)!;
    return model.describeOp(
      o.invoke.value,
      o.complete?.type === 'ok' ? o.complete.value : undefined,
    );
  };
  const ops = w.ops.map((s) => failureOp(model, byId, s));
  const startStates = w.starts.map((s) => model.describeState(cache.state(s)));
  const stateAfterPrefix = model.describeState(cache.state(w.proof.state));
  const prefix = w.proof.order.map((id) => `#${id} ${describe(id)}`).join(', ');
  const fromText =
    w.from === -Infinity
      ? `From the initial state (${startStates[0]})`
      : `From ${startStates.length === 1 ? `the one state the earlier state-changing ops can leave (${startStates[0]})` : `any of the ${startStates.length} states the earlier state-changing ops can leave (${startStates.join('; ')})`}`;
  const explanation =
    `${fromText}, no order of these ${ops.length} ops is a legal run of ${model.name}, so the whole history cannot be one` +
    (w.proof.blocked !== null
      ? `: after the longest legal order found (${prefix || 'nothing'}${startStates.length > 1 ? `, from ${model.describeState(cache.state(w.proofStart))}` : ''}), the state is ${stateAfterPrefix}, and op #${w.proof.blocked} (${describe(w.proof.blocked)}) completed without any legal point to take effect.`
      : '.');
  const f: LinFailure = {
    ops,
    startStates,
    shrunkFrom: from,
    longestPrefix: w.proof.order,
    stateAfterPrefix,
    blockedOp: w.proof.blocked,
    explanation,
  };
  if (ops.length > SMALL_WITNESS) {
    f.note =
      `This witness has ${ops.length} ops and cannot be made smaller: every op left changes the state or is needed to show the violation` +
      (w.pendingBefore > 0
        ? `, and ${w.pendingBefore} of them are ops of unknown outcome invoked before the window, which may still take effect in it.`
        : '.');
  }
  return f;
}

/** The failure as the full search left it, when no witness was asked for (or none was found). */
function describeSearch(
  cache: StepCache,
  byId: Map<number, Op>,
  search: readonly SearchOp[],
  ks: KeySearch,
): LinFailure {
  const model = cache.model;
  const seg = ks.segments[ks.failedSegment ?? 0]!;
  const inSeg = new Set(seg.ops);
  const pending = new Set((ks.configs[ks.failedSegment ?? 0] ?? []).flatMap((c) => c.pending));
  const shown = search
    .filter((_, i) => inSeg.has(i) || pending.has(i))
    .sort((a, b) => a.call - b.call || a.id - b.id);
  const describe = (id: number): string => {
    const o = byId.get(id)!;
    return model.describeOp(
      o.invoke.value,
      o.complete?.type === 'ok' ? o.complete.value : undefined,
    );
  };
  const startStates = [
    ...new Set((ks.configs[ks.failedSegment ?? 0] ?? []).map((c) => c.state)),
  ].map((s) => model.describeState(cache.state(s)));
  const prefix = ks.order.map((id) => `#${id} ${describe(id)}`).join(', ');
  return {
    ops: shown.map((s) => failureOp(model, byId, s)),
    startStates,
    shrunkFrom: search.length,
    longestPrefix: ks.order,
    stateAfterPrefix: model.describeState(cache.state(ks.state)),
    blockedOp: ks.blocked,
    explanation:
      `From ${startStates.join('; ')}, no order of the ops of this stretch of the history (no op open at its start) is a legal run of ${model.name}` +
      (ks.blocked !== null
        ? `: after the longest legal order found (${prefix || 'nothing'}), op #${ks.blocked} (${describe(ks.blocked)}) completed without any legal point to take effect.`
        : '.'),
    note: 'Not shrunk to a witness (shrinking was off or ran out of budget): these are the ops of the stretch where the search failed.',
  };
}

export function checkLinearizable(
  ops: readonly Op[],
  modelFor: (key: string) => Model | undefined,
  opts: LinOptions = {},
): LinResult {
  const budget = opts.budget ?? DEFAULT_BUDGET;
  const deadline = opts.timeoutMs !== undefined ? performance.now() + opts.timeoutMs : undefined;
  const late = () => deadline !== undefined && performance.now() > deadline;
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
    const list = byKey.get(o.key);
    if (list) list.push(o);
    else byKey.set(o.key, [o]);
  }
  let opsChecked = 0;
  let droppedReads = 0;
  // Built on the first failure only: a valid history of a million ops does not need it.
  let byIdMap: Map<number, Op> | undefined;
  const byIdOf = (): Map<number, Op> => (byIdMap ??= new Map(ops.map((o) => [o.op, o])));
  interface Pending {
    key: string;
    model: Model;
    search: SearchOp[];
    cache: StepCache;
    steps: number;
    result?: KeySearch;
    /** The result is the verdict: not an 'unknown' that a later round with more steps may decide. */
    final: boolean;
  }
  const todo: Pending[] = [];
  for (const [key, list] of [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const model = models.get(key)!;
    const { search, droppedReads: dropped } = toSearchOps(list, model);
    droppedReads += dropped;
    opsChecked += search.length;
    todo.push({ key, model, search, cache: new StepCache(model), steps: 0, final: false });
  }
  // Rounds: every undecided key is searched with a step budget that grows eightfold each round, up
  // to the budget, so the keys that decide quickly are decided before a hard one takes the whole
  // budget or the time (a key Porcupine's parallel search would leave to its other goroutines).
  // A key re-searched keeps its step cache; the work of its earlier rounds is at most a seventh
  // of its last. With stopAtFirstFailure the first non-linearizable key ends the search, as
  // Porcupine cancels its other partitions: the keys left undecided are 'unknown' ('stopped').
  let stopped: 'time' | 'stopped' | null = null;
  for (let round = FIRST_ROUND; ; round *= 8) {
    let undecided = 0;
    // A key left alone has no other key to make room for: it gets the whole budget at once (a
    // single-key history is searched once, not re-searched round after round).
    const alone = todo.filter((p) => !p.final).length === 1;
    for (const p of todo) {
      if (p.final) continue;
      if (stopped) break;
      // A key whose ops barely overlap needs about one step per op: its first round fits them, so
      // a long sequential key is not searched twice.
      const slice = alone ? budget : Math.min(Math.max(round, 4 * p.search.length), budget);
      const r = searchKey(p.cache, p.search, {
        budget: slice,
        memoryBytes: opts.memoryBytes ?? DEFAULT_MEMORY,
        ...(deadline !== undefined ? { deadline } : {}),
      });
      p.steps += r.steps;
      p.result = r;
      p.final = !(r.verdict === 'unknown' && r.exhausted === 'steps' && slice < budget);
      if (r.verdict === 'unknown' && r.exhausted === 'time') stopped = 'time';
      else if (r.verdict === 'not-linearizable' && opts.stopAtFirstFailure) stopped = 'stopped';
      else if (!p.final) undecided++;
    }
    if (stopped || undecided === 0 || round >= budget) break;
  }
  const keys: KeyResult[] = [];
  for (const { key, model, search, cache, steps, result, final } of todo) {
    const k: KeyResult = {
      key,
      model: model.name,
      verdict: result?.verdict ?? 'unknown',
      ops: search.length,
      steps,
      modelSteps: cache.calls,
      segments: result?.segments.length ?? segmentsOf(search).length,
    };
    if (!result || !final) {
      k.verdict = 'unknown';
      k.budget = budget;
      k.exhausted = stopped ?? 'steps';
      if (stopped === 'time') k.timeoutMs = opts.timeoutMs!;
      keys.push(k);
      continue;
    }
    const r = result;
    if (r.verdict === 'unknown') {
      k.budget = budget;
      if (r.exhausted) k.exhausted = r.exhausted;
      if (r.exhausted === 'time') k.timeoutMs = opts.timeoutMs!;
    }
    if (r.verdict === 'not-linearizable') {
      // The witness search gets as many steps as the verdict took, and at least enough for a
      // small window: shrinking stays a fraction of the work on a large history.
      // Past the deadline the verdict stands, and the evidence is the failing stretch as found.
      const w =
        opts.shrink === false || late()
          ? null
          : shrinkFailure(cache, search, r, {
              budget: Math.max(100_000, r.steps),
              ...(deadline !== undefined ? { deadline } : {}),
            });
      const byId = byIdOf();
      k.failure = w
        ? describeWitness(cache, byId, w, search.length)
        : describeSearch(cache, byId, search, r);
      if (w) {
        const context = contextBefore(model, search, w.from).map((s) => failureOp(model, byId, s));
        if (context.length > 0) k.failure.context = context;
      }
      const earliest =
        opts.shrink === false || late()
          ? null
          : earliestFailure(cache, search, r, {
              budget: Math.max(100_000, r.steps),
              memoryBytes: opts.memoryBytes ?? DEFAULT_MEMORY,
            });
      if (earliest) k.failure.earliest = earliest;
    }
    keys.push(k);
  }
  for (const p of todo) p.cache.release();
  const valid = keys.some((k) => k.verdict === 'not-linearizable')
    ? false
    : keys.some((k) => k.verdict === 'unknown')
      ? 'unknown'
      : true;
  return { valid, keys, opsChecked, skipped, droppedReads };
}
