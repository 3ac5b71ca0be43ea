// The fast path: a key's history cut where no `ok` op is open (a quiescent cut: every ok op either
// completed before the cut or is invoked after it, equal times counting as concurrent), each
// segment searched on its own, carrying across each cut the exact set of configurations the
// segment can end in: (state, ops of unknown outcome not yet taken effect). An op of unknown
// outcome never completes, so it is carried until it takes effect; leaving it pending is never
// worse than taking it, so a configuration whose pending set contains another's with the same
// state makes the other redundant. A history whose ops barely overlap is then searched in time
// linear in its length, with a memo the size of one segment. With a single segment this is the
// plain search.

import { DEFAULT_MEMORY, searchLinearization, type SearchOp, type SearchResult } from './search.ts';
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
  exhausted?: 'steps' | 'memory' | 'configurations';
  steps: number;
  segments: Segment[];
  /** Configurations at the start of each segment searched (index = segment). */
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
  /** Configurations carried across one cut before the verdict is 'unknown'. */
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
  const maxConfigs = opts.maxConfigs ?? 10_000;
  const segments = segmentsOf(ops);
  let configs: Config[] = [{ state: cache.init, pending: [] }];
  const history: Config[][] = [];
  let steps = 0;
  const out = (k: Partial<KeySearch> & Pick<KeySearch, 'verdict'>): KeySearch => ({ steps, segments, configs: history, blocked: null, blockedRet: null, order: [], state: configs[0]?.state ?? cache.init, ...k });
  for (let s = 0; s < segments.length; s++) {
    history.push(configs);
    const seg = segments[s]!;
    const last = s === segments.length - 1;
    const segInfo = seg.ops.filter((i) => !ops[i]!.known);
    const next: Config[] = [];
    let deepest: SearchResult | null = null;
    for (const c of configs) {
      const idx = [...c.pending, ...seg.ops];
      const list = idx.map((i) => ops[i]!);
      const r = searchLinearization(cache, list, { budget: opts.budget - steps, memoryBytes, start: c.state, ends: !last });
      steps += r.steps;
      if (r.verdict === 'unknown') return out({ verdict: 'unknown', exhausted: r.exhausted ?? 'steps' });
      if (last && r.verdict === 'linearizable') return out({ verdict: 'linearizable' });
      if (r.verdict === 'not-linearizable' && (!deepest || r.order.length > deepest.order.length)) deepest = r;
      for (const e of r.ends) {
        const taken = new Set(e.taken);
        const pending = [...c.pending, ...segInfo].filter((i) => !taken.has(ops[i]!.id));
        next.push({ state: e.state, pending });
      }
    }
    if (next.length === 0) {
      const blocked = deepest?.blocked ?? null;
      const b = blocked === null ? undefined : ops.find((o) => o.id === blocked);
      return out({ verdict: 'not-linearizable', failedSegment: s, blocked, blockedRet: b ? b.ret : null, order: deepest?.order ?? [], state: deepest?.state ?? cache.init });
    }
    configs = prune(dedupe(next));
    if (configs.length > maxConfigs) return out({ verdict: 'unknown', exhausted: 'configurations' });
  }
  return out({ verdict: 'linearizable' });
}

function dedupe(configs: Config[]): Config[] {
  const seen = new Set<string>();
  return configs.filter((c) => {
    const k = `${c.state}:${[...c.pending].sort((a, b) => a - b).join(',')}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
