// The fast path: a key's history cut where no `ok` op is open (a quiescent cut: every ok op either
// completed before the cut or is invoked after it, equal times counting as concurrent), each
// segment searched on its own, carrying across each cut the exact set of configurations the
// segment can end in: (state, ops of unknown outcome not yet taken effect). An op of unknown
// outcome never completes, so it is carried until it takes effect; leaving it pending is never
// worse than taking it, so a configuration whose pending set contains another's with the same
// state makes the other redundant. A history whose ops barely overlap is then searched in time
// linear in its length, with a memo the size of one segment. With a single segment this is the
// plain search.

import { Memo, type MemoryUsage } from './memo.ts';
import {
  DEFAULT_MEMORY,
  ints,
  searchEnds,
  type SearchEnd,
  type SearchOp,
  type SearchResult,
  type StepBudget,
} from './search.ts';
import type { StepCache } from './steps.ts';

export interface Config {
  state: number;
  /** Ops of unknown outcome invoked before the cut that have not taken effect (indexes into the key's ops). */
  pending: readonly number[];
}

export interface Segment {
  /** Time of the cut that opens the segment (the earliest invoke of its ok ops). */
  from: number;
  /** Latest completion of its ok ops. */
  to: number;
  /** Indexes into the key's ops: its ok ops and the ops of unknown outcome invoked up to its end. */
  ops: number[];
}

export interface KeySearch {
  verdict: SearchResult['verdict'];
  exhausted?: 'steps' | 'memory' | 'configurations' | 'time';
  steps: number;
  segments: Segment[];
  /** For a failure: the configurations seen at the start of the failing segment (a sparse array, that index only). */
  configs: Config[][];
  /** For a failure: the segment no configuration gets through, and the deepest search's blocked op and its completion time. */
  failedSegment?: number;
  blocked: number | null;
  blockedRet: number | null;
  /** The longest order found for the failing segment, and its state id. */
  order: number[];
  state: number;
}

export interface KeySearchOptions {
  budget: number;
  memoryBytes?: number;
  /** performance.now() past which the verdict is 'unknown' (exhausted 'time'). */
  deadline?: number;
  /** Configurations carried across any one cut before the verdict is 'unknown'. */
  maxConfigs?: number;
  /** Steps of the first pass, in list order (default a tenth of the budget; tests set 0). */
  listOrderBudget?: number;
}

/** The configurations a key's search reached at each cut, by state. */
class CutConfigs {
  private readonly byCut = new Map<number, Map<number, Config[]>>();
  private readonly counts = new Map<number, number>();

  /** One with the same state and a superset of c's pending ops was reached at cut k. */
  dominated(k: number, c: Config): boolean {
    const list = this.byCut.get(k)?.get(c.state);
    if (!list) return false;
    return list.some(
      (d) => d.pending.length >= c.pending.length && c.pending.every((p) => d.pending.includes(p)),
    );
  }

  /** Records c at cut k; returns how many the cut now holds. */
  remember(k: number, c: Config): number {
    let m = this.byCut.get(k);
    if (!m) {
      m = new Map();
      this.byCut.set(k, m);
    }
    const list = m.get(c.state);
    if (list) list.push(c);
    else m.set(c.state, [c]);
    const n = (this.counts.get(k) ?? 0) + 1;
    this.counts.set(k, n);
    return n;
  }

  at(k: number): Config[] {
    return [...(this.byCut.get(k)?.values() ?? [])].flat();
  }
}

/** Cuts the ops (ok ones by invoke time) where none is open; ops of unknown outcome go with the segment their invoke falls in. */
export function segmentsOf(ops: readonly SearchOp[]): Segment[] {
  // Ops come in invoke order from a history almost always: sort only when they do not.
  const byCall = (list: number[]): number[] => {
    for (let j = 1; j < list.length; j++)
      if (ops[list[j]!]!.call < ops[list[j - 1]!]!.call)
        return list.sort((a, b) => ops[a]!.call - ops[b]!.call);
    return list;
  };
  const ok: number[] = [];
  const info: number[] = [];
  for (let i = 0; i < ops.length; i++) (ops[i]!.known ? ok : info).push(i);
  const segs: Segment[] = [];
  let last: Segment | undefined;
  for (const i of byCall(ok)) {
    const o = ops[i]!;
    if (last && o.call <= last.to) {
      last.ops.push(i);
      if (o.ret > last.to) last.to = o.ret;
    } else {
      last = { from: o.call, to: o.ret, ops: [i] };
      segs.push(last);
    }
  }
  if (segs.length === 0) segs.push({ from: -Infinity, to: Infinity, ops: [] });
  let s = 0;
  for (const i of byCall(info)) {
    while (s < segs.length - 1 && ops[i]!.call > segs[s]!.to) s++;
    segs[s]!.ops.push(i);
  }
  return segs;
}

/** Drops configurations another one makes redundant (same state, a superset of pending ops). */
export function prune(configs: Config[]): Config[] {
  const byState = new Map<number, Config[]>();
  for (const c of configs) {
    const l = byState.get(c.state);
    if (l) l.push(c);
    else byState.set(c.state, [c]);
  }
  const out: Config[] = [];
  for (const list of byState.values()) {
    list.sort((a, b) => b.pending.length - a.pending.length);
    const kept: { c: Config; set: Set<number> }[] = [];
    for (const c of list) {
      if (kept.some((k) => c.pending.every((p) => k.set.has(p)))) continue;
      kept.push({ c, set: new Set(c.pending) });
    }
    for (const k of kept) out.push(k.c);
  }
  return out;
}

/**
 * A key's search in two passes over its budget: a tenth with the candidates in list order (ops of
 * unknown outcome tried as soon as they are invoked: quick when the ops that took effect are
 * needed soon after, as in most linearizable histories), then the rest with the ok ops first
 * (the ops of unknown outcome taken only once no ok op leads on: what makes subsumption prune
 * when a history must be searched to the end; README "Ops of unknown outcome"). Either order
 * alone decides fewer keys: list order left 2 of the bench's 20 planted etcd-shaped histories
 * unknown, ok-first 3 of the 10 keys of its 100,000-op register history.
 */
export function searchKey(
  cache: StepCache,
  ops: readonly SearchOp[],
  opts: KeySearchOptions,
): KeySearch {
  // Without an op of unknown outcome the two orders are one: a single pass.
  if (!ops.some((o) => !o.known)) return searchKeyIn(cache, ops, opts, true);
  const first = Math.min(opts.listOrderBudget ?? Math.floor(opts.budget / 10), opts.budget);
  const a = searchKeyIn(cache, ops, { ...opts, budget: first }, false);
  if (a.verdict !== 'unknown' || a.exhausted !== 'steps') return a;
  const b = searchKeyIn(cache, ops, { ...opts, budget: opts.budget - a.steps }, true);
  return { ...b, steps: a.steps + b.steps };
}

function searchKeyIn(
  cache: StepCache,
  ops: readonly SearchOp[],
  opts: KeySearchOptions,
  okFirst: boolean,
): KeySearch {
  const memoryBytes = opts.memoryBytes ?? DEFAULT_MEMORY;
  const maxConfigs = opts.maxConfigs ?? 100_000;
  const segments = segmentsOf(ops);
  const shared: StepBudget = { left: opts.budget };
  if (opts.deadline !== undefined) shared.deadline = opts.deadline;
  // Depth first over the segments: take the first way through a segment, come back for the next
  // only when what follows fails. A configuration reached at a cut is searched once: if the search
  // comes back to it, it failed (or one that leaves more ops pending with the same state did).
  // The configuration limit applies at each cut on its own.
  //
  // A trivial segment (one ok op, nothing pending) has one way through, so it gets no frame and
  // no memo: a run of them is stepped inline, one model step each. A sequential key is then
  // checked in linear time, with no stack of a million suspended searches. Its cuts are not
  // remembered: each is reached from the remembered cut before the run, deterministically.
  const seen = new CutConfigs();
  interface Frame {
    k: number;
    config: Config;
    gen: Generator<SearchEnd, SearchResult, void>;
  }
  /** The configuration at the next cut that an end of frame f's search leaves. */
  // Each segment's ok ops and ops of unknown outcome, split once (a segment is entered once per
  // configuration that reaches it).
  const okOf: number[][] = [];
  const okOpsOf: SearchOp[][] = [];
  const infoOf: number[][] = [];
  const split = (k: number): void => {
    if (okOf[k]) return;
    const ok: number[] = [];
    const info: number[] = [];
    for (const i of segments[k]!.ops) (ops[i]!.known ? ok : info).push(i);
    okOf[k] = ok;
    okOpsOf[k] = ok.map((i) => ops[i]!);
    infoOf[k] = info;
  };
  const configOf = (f: Frame, e: SearchEnd): Config => {
    split(f.k);
    const segInfo = infoOf[f.k]!;
    // Nothing taken, nothing new: the same pending ops (configurations are never changed).
    if (e.taken.length === 0 && segInfo.length === 0)
      return { state: e.state, pending: f.config.pending };
    const pending: number[] = [];
    for (const list of [f.config.pending, segInfo])
      for (const i of list) if (!e.taken.includes(ops[i]!.id)) pending.push(i);
    return { state: e.state, pending };
  };
  // One memo per segment, shared by the searches of every configuration that reaches it: its
  // ok bits are the segment's ok ops, its optional bits every op of unknown outcome up to the
  // segment (the only ops a configuration carries). When a configuration's search runs, every
  // earlier one of the same segment has finished, and every end it found has failed further on
  // (or we would not be back), so a node one of them explored needs no second visit.
  const usage: MemoryUsage = { bytes: 0 };
  const memos = new Map<number, Memo>();
  const rank = ints(ops.length, -1);
  const infoUpTo: number[] = [];
  let ranked = 0;
  for (const seg of segments) {
    let ok = 0;
    for (const i of seg.ops) rank[i] = ops[i]!.known ? ok++ : ranked++;
    infoUpTo.push(ranked);
  }
  const last = segments.length - 1;
  const trivial = (k: number, c: Config) =>
    c.pending.length === 0 && segments[k]!.ops.length === 1 && ops[segments[k]!.ops[0]!]!.known;
  /**
   * A segment's search from one configuration. With ops of unknown outcome pending or invoked in
   * it, a first pass searches its ok ops alone: an end it finds leaves every such op pending, so
   * it dominates every other end with its state, and is handed on first. The full search (all the
   * ops, the segment's memo) is set up only if that end fails further on: its own first end can
   * take ops of unknown outcome that no op needed (README "Configurations at a cut").
   */
  function* frameEnds(k: number, config: Config): Generator<SearchEnd, SearchResult, void> {
    const seg = segments[k]!;
    const ends = k < last;
    split(k);
    const okOps = okOf[k]!;
    if (okOps.length < config.pending.length + seg.ops.length) {
      if (okOps.length === 1) {
        // One ok op: one model step, no search to set up.
        const o = ops[okOps[0]!]!;
        if (--shared.left < 0) return stopped('steps', config.state);
        const to = cache.step(cache.slot(o), o, config.state);
        if (to !== -1) {
          if (!ends)
            return {
              verdict: 'linearizable',
              steps: 1,
              order: [o.id],
              state: to,
              blocked: null,
              ends: [],
            };
          yield { state: to, taken: [] };
        }
      } else {
        const quick = searchEnds(
          cache,
          okOpsOf[k]!,
          { memoryBytes, start: config.state, ends },
          shared,
        );
        const r = quick.next();
        if (r.done) {
          if (r.value.verdict !== 'not-linearizable') return r.value;
        } else {
          // Only its first end is wanted: ended now, its memo and arrays go back for reuse.
          quick.return(undefined as never);
          yield r.value;
        }
      }
    }
    let m = memos.get(k);
    if (!m) {
      m = Memo.make(okOps.length, infoUpTo[k]!, usage);
      memos.set(k, m);
    }
    const memo = m;
    const list = [...config.pending, ...seg.ops];
    const bitOf = list.map((i) => memo.bit(ops[i]!.known, rank[i]!));
    return yield* searchEnds(
      cache,
      list.map((i) => ops[i]!),
      { memoryBytes, start: config.state, ends, memo, bitOf, okFirst },
      shared,
    );
  }
  const stopped = (exhausted: 'steps', state: number): SearchResult => ({
    verdict: 'unknown',
    exhausted,
    steps: 0,
    order: [],
    state,
    blocked: null,
    ends: [],
  });
  const open = (k: number, config: Config): Frame => ({
    k,
    config,
    gen: frameEnds(k, config),
  });
  let deepestK = -1;
  let deepest: SearchResult | null = null;
  const out = (k: Partial<KeySearch> & Pick<KeySearch, 'verdict'>): KeySearch => {
    // The search is over: no frame is resumed after this, so the memos' tables and the open
    // searches' arrays go back for reuse.
    for (const f of stack) f.gen.return(undefined as never);
    stack.length = 0;
    for (const m of memos.values()) m.release();
    memos.clear();
    // Only the failing segment's are read (the evidence's start states, the earliest failure).
    const configs: Config[][] = [];
    const j = k.failedSegment;
    if (j !== undefined) configs[j] = seen.at(j);
    return {
      steps: opts.budget - shared.left,
      segments,
      configs,
      blocked: null,
      blockedRet: null,
      order: [],
      state: cache.init,
      ...k,
    };
  };
  const stack: Frame[] = [];
  /**
   * Enters cut k with config c: steps through trivial segments inline, then opens a frame.
   * Returns a verdict to stop with, or null to go on (a frame pushed, or a dead end).
   */
  const enter = (k: number, c: Config): KeySearch | null => {
    if (trivial(k, c)) {
      // Only the state changes along a run of trivial segments: no object per op.
      let state = c.state;
      for (; ; k++) {
        const seg = segments[k]!;
        if (seg.ops.length !== 1 || !ops[seg.ops[0]!]!.known) break;
        const o = ops[seg.ops[0]!]!;
        if (--shared.left < 0) return out({ verdict: 'unknown', exhausted: 'steps' });
        if (
          (k & 4095) === 0 &&
          shared.deadline !== undefined &&
          performance.now() > shared.deadline
        )
          return out({ verdict: 'unknown', exhausted: 'time' });
        const to = cache.step(cache.slot(o), o, state);
        if (to === -1) {
          if (k > deepestK) {
            deepestK = k;
            deepest = {
              verdict: 'not-linearizable',
              steps: 1,
              order: [],
              state,
              blocked: o.id,
              ends: [],
            };
          }
          // Every state that fails here is kept: if this is the failing segment, its
          // configurations are all the ones that reach it (earliestFailure relies on it).
          if (k === deepestK && !seen.dominated(k, { state, pending: [] }))
            seen.remember(k, { state, pending: [] });
          return null;
        }
        if (k === last) return out({ verdict: 'linearizable' });
        state = to;
      }
      c = { state, pending: [] };
    }
    if (seen.dominated(k, c)) return null;
    if (seen.remember(k, c) > maxConfigs)
      return out({ verdict: 'unknown', exhausted: 'configurations' });
    stack.push(open(k, c));
    return null;
  };
  const first = enter(0, { state: cache.init, pending: [] });
  if (first) return first;
  // The searches read the clock every 4,096 steps of their own; a run of small segments (fewer
  // steps each) is timed here, every 256 resumptions.
  let resumed = 0;
  while (stack.length > 0) {
    if (
      (++resumed & 255) === 0 &&
      shared.deadline !== undefined &&
      performance.now() > shared.deadline
    )
      return out({ verdict: 'unknown', exhausted: 'time' });
    const f = stack[stack.length - 1]!;
    const r = f.gen.next();
    if (r.done) {
      const res = r.value;
      if (res.verdict === 'unknown')
        return out({ verdict: 'unknown', exhausted: res.exhausted ?? 'steps' });
      if (res.verdict === 'linearizable' && f.k === last) return out({ verdict: 'linearizable' });
      if (
        f.k > deepestK ||
        (f.k === deepestK && deepest && res.order.length > deepest.order.length)
      ) {
        deepestK = f.k;
        deepest = res;
      }
      stack.pop();
      continue;
    }
    const stop = enter(f.k + 1, configOf(f, r.value));
    if (stop) return stop;
  }
  // Every configuration reached at the deepest cut failed inside its segment: that is the
  // failing segment, and the configurations seen there are all the ones that can reach it.
  const d = deepest as SearchResult | null;
  const blocked = d?.blocked ?? null;
  const b = blocked === null ? undefined : ops.find((o) => o.id === blocked);
  return out({
    verdict: 'not-linearizable',
    failedSegment: deepestK,
    blocked,
    blockedRet: b ? b.ret : null,
    order: d?.order ?? [],
    state: d?.state ?? cache.init,
  });
}
