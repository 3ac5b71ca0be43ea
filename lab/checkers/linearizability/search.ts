// Wing & Gong's search, with Lowe's memoisation, for one key (one model instance) from one start
// state.
//
// The history is a list of call and return entries in real-time order: by `time`, and at equal
// times calls before returns, so an op that completes at t and one invoked at t are concurrent (the
// rule the isolation checker follows too). The search walks the list: at a call it tries to let
// that op take effect now (a legal model step whose (set of ops taken effect, state) pair was
// never seen before); if so the op's entries are lifted out and the walk restarts from the front;
// at a return it must undo the last choice, because that op's completion came before it took
// effect. An op of unknown outcome has no return entry: it may take effect at any point after its
// call, or never, so the search is done once every `ok` op has taken effect.
//
// Memo keys are an incremental Zobrist hash of the set plus the interned state; collisions are
// resolved by comparing the bitsets, so the memo never wrongly prunes. The memo counts its bytes:
// past the memory budget the verdict is 'unknown', never an exhausted machine.
//
// With `ends`, the search does not stop at the first full order: it lists every (state, optional
// ops taken) it can end in with all `ok` ops taken effect, taking optional ops only when an ok op
// needs them earlier (one left for later stays available to whatever follows: the fast path
// carries it to the next segment).

import { seededRng } from '../../random/seeded-rng.ts';
import type { StepCache, StepOp } from './steps.ts';

export interface SearchOp extends StepOp {
  /** Invoke and completion times (the history's `time`); `ret` is Infinity for an op of unknown outcome. */
  call: number;
  ret: number;
}

export interface SearchOptions {
  /** Model steps this search may try. */
  budget: number;
  /** Bytes the memo may hold. */
  memoryBytes: number;
  /** Start state id (of the cache); the model's initial state when absent. */
  start?: number;
  ends?: boolean;
}

export interface SearchEnd {
  state: number;
  /** Ids of the ops of unknown outcome taken effect on the way. */
  taken: number[];
}

export interface SearchResult {
  verdict: 'linearizable' | 'not-linearizable' | 'unknown';
  /** Why the verdict is unknown. */
  exhausted?: 'steps' | 'memory';
  steps: number;
  /** Op ids, in the order they took effect: the full order when linearizable, else the longest prefix found. */
  order: number[];
  /** The state id after `order`. */
  state: number;
  /** For a failure: the op whose completion forced the search back at the deepest point. */
  blocked: number | null;
  ends: SearchEnd[];
}

const zobristLo = new Uint32Array(0);
const zobristHi = new Uint32Array(0);
let zLo = zobristLo;
let zHi = zobristHi;
/** Deterministic 32-bit values per op index for the Zobrist hash, shared by every search. */
function zobrist(n: number): void {
  if (zLo.length >= n) return;
  const size = Math.max(n, zLo.length * 2, 1024);
  const a = seededRng(0x2545f491);
  const b = seededRng(0x6a09e667);
  zLo = Uint32Array.from({ length: size }, () => Math.floor(a() * 4294967296));
  zHi = Uint32Array.from({ length: size }, () => Math.floor(b() * 4294967296));
}

export const DEFAULT_MEMORY = 1 << 30;

/** Steps shared by the searches of one key (the fast path runs many). */
export interface StepBudget {
  left: number;
}

export function searchLinearization(cache: StepCache, ops: readonly SearchOp[], opts: SearchOptions): SearchResult {
  const shared = { left: opts.budget };
  const gen = searchEnds(cache, ops, opts, shared);
  const ends: SearchEnd[] = [];
  for (;;) {
    const r = gen.next();
    if (r.done) return { ...r.value, steps: opts.budget - shared.left, ends };
    ends.push(r.value);
  }
}

/**
 * The search as a generator: with `ends`, yields each end as it is found (the fast path takes the
 * first and comes back for the next only if what follows fails); returns the verdict.
 */
export function* searchEnds(cache: StepCache, ops: readonly SearchOp[], opts: Omit<SearchOptions, 'budget'>, shared: StepBudget): Generator<SearchEnd, SearchResult, void> {
  const n = ops.length;
  let okCount = 0;
  const slots = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (ops[i]!.known) okCount++;
    slots[i] = cache.slot(ops[i]!);
  }
  // Entries in real-time order; a call sorts before a return at the same time (concurrent).
  const order = new Int32Array(n + okCount);
  const pos = new Float64Array(n + okCount);
  let m = 0;
  for (let i = 0; i < n; i++) {
    order[m] = i;
    pos[m++] = ops[i]!.call;
    if (ops[i]!.known) {
      order[m] = ~i;
      pos[m++] = ops[i]!.ret;
    }
  }
  const idx = Array.from({ length: m }, (_, i) => i);
  idx.sort((x, y) => pos[x]! - pos[y]! || (order[x]! >= 0 ? 0 : 1) - (order[y]! >= 0 ? 0 : 1) || x - y);
  // Entry e in 1..m (0 is the head sentinel); opOf ≥ 0 for a call, ~op for a return.
  const opOf = new Int32Array(m + 1);
  const next = new Int32Array(m + 1);
  const prev = new Int32Array(m + 1);
  const match = new Int32Array(m + 1).fill(-1);
  const returnOf = new Int32Array(n).fill(-1);
  for (let k = 0; k < m; k++) {
    const e = k + 1;
    opOf[e] = order[idx[k]!]!;
    prev[e] = e - 1;
    next[e] = e < m ? e + 1 : -1;
    if (opOf[e]! < 0) returnOf[~opOf[e]!] = e;
  }
  next[0] = m > 0 ? 1 : -1;
  prev[0] = -1;
  for (let e = 1; e <= m; e++) if (opOf[e]! >= 0) match[e] = returnOf[opOf[e]!]!;

  const lift = (e: number): void => {
    next[prev[e]!] = next[e]!;
    if (next[e] !== -1) prev[next[e]!] = prev[e]!;
    const r = match[e]!;
    if (r !== -1) {
      next[prev[r]!] = next[r]!;
      if (next[r] !== -1) prev[next[r]!] = prev[r]!;
    }
  };
  const unlift = (e: number): void => {
    const r = match[e]!;
    if (r !== -1) {
      next[prev[r]!] = r;
      if (next[r] !== -1) prev[next[r]!] = r;
    }
    next[prev[e]!] = e;
    if (next[e] !== -1) prev[next[e]!] = e;
  };

  // The memo: an open-addressing set of (hash, state, bitset) with bitsets in one arena.
  zobrist(n);
  const words = Math.ceil(n / 32) || 1;
  const bits = new Uint32Array(words);
  let hLo = 0;
  let hHi = 0;
  let cap = 16;
  let mLo = new Int32Array(cap);
  let mHi = new Int32Array(cap);
  let mState = new Int32Array(cap).fill(-1);
  let mAt = new Int32Array(cap);
  let arena = new Uint32Array(words * 16);
  let used = 0;
  let count = 0;
  const memoBytes = () => cap * 16 + arena.length * 4;
  const place = (lo: number, hi: number, st: number, at: number): void => {
    for (let i = (lo ^ Math.imul(st, 0x9e3779b1)) & (cap - 1); ; i = (i + 1) & (cap - 1)) {
      if (mState[i] === -1) {
        mLo[i] = lo;
        mHi[i] = hi;
        mState[i] = st;
        mAt[i] = at;
        return;
      }
    }
  };
  /** True when (bits, st) was seen; otherwise records it. */
  const seen = (st: number): boolean => {
    for (let i = (hLo ^ Math.imul(st, 0x9e3779b1)) & (cap - 1); ; i = (i + 1) & (cap - 1)) {
      const s = mState[i]!;
      if (s === -1) break;
      if (s === st && mLo[i] === (hLo | 0) && mHi[i] === (hHi | 0)) {
        const at = mAt[i]!;
        let same = true;
        for (let w = 0; w < words; w++) {
          if (arena[at + w] !== bits[w]) {
            same = false;
            break;
          }
        }
        if (same) return true;
      }
    }
    if (used + words > arena.length) {
      const a = new Uint32Array(arena.length * 2);
      a.set(arena);
      arena = a;
    }
    arena.set(bits, used);
    if ((count + 1) * 2 > cap) {
      const [oLo, oHi, oSt, oAt] = [mLo, mHi, mState, mAt];
      cap *= 2;
      mLo = new Int32Array(cap);
      mHi = new Int32Array(cap);
      mState = new Int32Array(cap).fill(-1);
      mAt = new Int32Array(cap);
      for (let i = 0; i < oSt.length; i++) if (oSt[i] !== -1) place(oLo[i]!, oHi[i]!, oSt[i]!, oAt[i]!);
    }
    place(hLo | 0, hHi | 0, st, used);
    used += words;
    count++;
    return false;
  };
  const flip = (i: number): void => {
    bits[i >>> 5] = bits[i >>> 5]! ^ (1 << (i & 31));
    hLo ^= zLo[i]!;
    hHi ^= zHi[i]!;
  };

  const stackEntry: number[] = [];
  const stackState: number[] = [];
  let state = opts.start ?? cache.init;
  let remaining = okCount;
  let steps = 0;
  const ends: SearchEnd[] = [];
  let found = 0;
  let bestLen = -1;
  let best = { order: [] as number[], state, blocked: null as number | null };
  const currentOrder = () => stackEntry.map((e) => ops[opOf[e]!]!.id);
  const result = (verdict: SearchResult['verdict'], exhausted?: SearchResult['exhausted']): SearchResult => {
    const r: SearchResult = { verdict, steps, order: best.order, state: best.state, blocked: best.blocked, ends };
    shared.left -= steps;
    if (exhausted) r.exhausted = exhausted;
    return r;
  };
  let cursor = next[0]!;

  for (;;) {
    if (remaining === 0) {
      if (!opts.ends) {
        shared.left -= steps;
        return { verdict: 'linearizable', steps, order: currentOrder(), state, blocked: null, ends };
      }
      const taken: number[] = [];
      for (const e of stackEntry) if (!ops[opOf[e]!]!.known) taken.push(ops[opOf[e]!]!.id);
      found++;
      shared.left -= steps;
      steps = 0;
      yield { state, taken };
      cursor = -1; // optional ops left over stay available to what follows
    }
    if (cursor !== -1 && opOf[cursor]! >= 0) {
      if (++steps > shared.left) return result('unknown', 'steps');
      const i = opOf[cursor]!;
      const nextState = cache.step(slots[i]!, ops[i]!, state);
      if (nextState !== -1) {
        flip(i);
        if (!seen(nextState)) {
          if (memoBytes() > opts.memoryBytes) return result('unknown', 'memory');
          stackEntry.push(cursor);
          stackState.push(state);
          state = nextState;
          lift(cursor);
          if (ops[i]!.known) remaining--;
          cursor = next[0]!;
          continue;
        }
        flip(i);
      }
      cursor = next[cursor]!;
      continue;
    }
    // A return (or the end of the list): the op completed without having taken effect.
    if (remaining > 0 && stackEntry.length > bestLen) {
      bestLen = stackEntry.length;
      best = { order: currentOrder(), state, blocked: cursor !== -1 ? ops[~opOf[cursor]!]!.id : null };
    }
    const top = stackEntry.pop();
    if (top === undefined) return result(found > 0 ? 'linearizable' : 'not-linearizable');
    state = stackState.pop()!;
    const i = opOf[top]!;
    flip(i);
    unlift(top);
    if (ops[i]!.known) remaining++;
    cursor = next[top]!;
  }
}
