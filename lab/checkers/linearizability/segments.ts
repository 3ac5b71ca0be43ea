// The fast path: a key's history cut where no `ok` op is open (a quiescent cut: every ok op either
// completed before the cut or is invoked after it, equal times counting as concurrent), each
// segment searched on its own, carrying across each cut the exact set of configurations the
// segment can end in: (state, ops of unknown outcome not yet taken effect). An op of unknown
// outcome never completes, so it is carried until it takes effect; leaving it pending is never
// worse than taking it, so a configuration whose pending set contains another's with the same
// state makes the other redundant. A history whose ops barely overlap is then searched in time
// linear in its length, with a memo the size of one segment. With a single segment this is the
// plain search.

import { Memo } from './memo.ts';
import { DEFAULT_MEMORY, searchEnds, type SearchEnd, type SearchOp, type SearchResult, type StepBudget } from './search.ts';
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
  /** Configurations at the start of the failing segment (sparse: index = segment; only the failing one is kept). */
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
}

/** Cuts the ops (ok ones by invoke time) where none is open; ops of unknown outcome go with the segment their invoke falls in. */
export function segmentsOf(ops: readonly SearchOp[]): Segment[] {
  const ok = ops.map((_, i) => i).filter((i) => ops[i]!.known).sort((a, b) => ops[a]!.call - ops[b]!.call);
  const segs: Segment[] = [];
  for (const i of ok) {
    const o = ops[i]!;
    const last = segs[segs.length - 1];
    if (last && o.call <= last.to) {
      last.ops.push(i);
      if (o.ret > last.to) last.to = o.ret;
    } else segs.push({ from: o.call, to: o.ret, ops: [i] });
  }
  if (segs.length === 0) segs.push({ from: -Infinity, to: Infinity, ops: [] });
  const info = ops.map((_, i) => i).filter((i) => !ops[i]!.known);
  let s = 0;
  for (const i of info.sort((a, b) => ops[a]!.call - ops[b]!.call)) {
    while (s < segs.length - 1 && ops[i]!.call > segs[s]!.to) s++;
    segs[s]!.ops.push(i);
  }
  return segs;
}

/** Drops configurations another one makes redundant (same state, a superset of pending ops). */
export function prune(configs: Config[]): Config[] {
  const byState = new Map<number, Config[]>();
  for (const c of configs) {
    let l = byState.get(c.state);
    if (!l) byState.set(c.state, (l = []));
    l.push(c);
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

export function searchKey(cache: StepCache, ops: readonly SearchOp[], opts: KeySearchOptions): KeySearch {
  const memoryBytes = opts.memoryBytes ?? DEFAULT_MEMORY;
  const maxConfigs = opts.maxConfigs ?? 100_000;
  const segments = segmentsOf(ops);
  const shared: StepBudget = { left: opts.budget };
  if (opts.deadline !== undefined) shared.deadline = opts.deadline;
  // Breadth first over the segments: every configuration a segment can end in, pruned, is carried
  // across its cut, and only those. Memory is one cut's configurations and one segment's memo
  // (freed when the segment is done), so a long history whose ops barely overlap is checked in
  // linear time and constant memory. The configuration limit applies at each cut on its own.
  //
  // One memo per segment is shared by the searches of every configuration entering it: its ok
  // bits are the segment's ok ops, its optional bits every op of unknown outcome up to the
  // segment. A node one configuration's search explored gives the same ends (or ends a pruned
  // configuration dominates) when another reaches it, and those are collected already.
  const rank = new Int32Array(ops.length).fill(-1);
  const infoUpTo: number[] = [];
  let ranked = 0;
  for (const seg of segments) {
    let ok = 0;
    for (const i of seg.ops) rank[i] = ops[i]!.known ? ok++ : ranked++;
    infoUpTo.push(ranked);
  }
  const kept: Config[][] = [];
  const out = (k: Partial<KeySearch> & Pick<KeySearch, 'verdict'>): KeySearch => ({ steps: opts.budget - shared.left, segments, configs: kept, blocked: null, blockedRet: null, order: [], state: cache.init, ...k });
  let configs: Config[] = [{ state: cache.init, pending: [] }];
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k]!;
    const last = k === segments.length - 1;
    let memo: Memo | undefined;
    const segInfo = seg.ops.length === 1 && ops[seg.ops[0]!]!.known ? [] : seg.ops.filter((i) => !ops[i]!.known);
    const next: Config[] = [];
    let deepest: SearchResult | null = null;
    for (const config of configs) {
      // The common case of a sequential key: one ok op alone, nothing pending. One model step.
      if (config.pending.length === 0 && seg.ops.length === 1 && ops[seg.ops[0]!]!.known) {
        const o = ops[seg.ops[0]!]!;
        if (--shared.left < 0) return out({ verdict: 'unknown', exhausted: 'steps' });
        if ((k & 4095) === 0 && shared.deadline !== undefined && performance.now() > shared.deadline) return out({ verdict: 'unknown', exhausted: 'time' });
        const to = cache.step(cache.slot(o), o, config.state);
        if (to !== -1) {
          if (last) return out({ verdict: 'linearizable' });
          next.push({ state: to, pending: [] });
        } else if (!deepest) deepest = { verdict: 'not-linearizable', steps: 1, order: [], state: config.state, blocked: o.id, ends: [] };
        continue;
      }
      const list = [...config.pending, ...seg.ops];
      memo ??= new Memo(seg.ops.filter((i) => ops[i]!.known).length, infoUpTo[k]!, { bytes: 0 });
      const m = memo;
      const bitOf = Int32Array.from(list, (i) => m.bit(ops[i]!.known, rank[i]!));
      const gen = searchEnds(cache, list.map((i) => ops[i]!), { memoryBytes, start: config.state, ends: !last, memo: m, bitOf }, shared);
      let res: SearchResult;
      for (;;) {
        const r = gen.next();
        if (r.done) {
          res = r.value;
          break;
        }
        const taken = new Set(r.value.taken);
        next.push({ state: r.value.state, pending: [...config.pending, ...segInfo].filter((i) => !taken.has(ops[i]!.id)) });
      }
      if (res.verdict === 'unknown') return out({ verdict: 'unknown', exhausted: res.exhausted ?? 'steps' });
      if (last && res.verdict === 'linearizable') return out({ verdict: 'linearizable' });
      if (!deepest || res.order.length > deepest.order.length) deepest = res;
      if (next.length > 4 * maxConfigs) {
        const pruned = prune(next);
        next.length = 0;
        next.push(...pruned);
        if (next.length > maxConfigs) return out({ verdict: 'unknown', exhausted: 'configurations' });
      }
    }
    const carried = last ? [] : next.length <= 1 ? next : prune(next);
    if (carried.length === 0) {
      // No configuration gets through this segment: it is the failing one, and `configs` are
      // every configuration that can reach it.
      kept[k] = configs;
      const blocked = deepest?.blocked ?? null;
      const b = blocked === null ? undefined : ops.find((o) => o.id === blocked);
      return out({ verdict: 'not-linearizable', failedSegment: k, blocked, blockedRet: b ? b.ret : null, order: deepest?.order ?? [], state: deepest?.state ?? cache.init });
    }
    if (carried.length > maxConfigs) return out({ verdict: 'unknown', exhausted: 'configurations' });
    configs = carried;
  }
  return out({ verdict: 'linearizable' });
}
