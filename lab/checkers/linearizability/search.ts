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
// The memo (memo.ts) is keyed by the set of ops still to take effect and the interned state, and
// counts its bytes: past the memory budget the verdict is 'unknown', never an exhausted machine.
//
// With `ends`, the search does not stop at the first full order: it lists every (state, optional
// ops taken) it can end in with all `ok` ops taken effect, taking no optional op after the last
// ok op (one left for later stays available to whatever follows: the fast path carries it to the
// next segment).
//
// Optional ops multiply the nodes (each may be taken at any point or never); three rules keep
// that down without losing an order: interchangeable ones (same input) are taken in list order
// only; an optional op right after another is not taken when it gives the same state from before
// the other (a blind write after a blind write); and the memo prunes a node when one explored
// before had the same ok ops and state left and more optional ops still to take (memo.ts).
//
// That pruning works only when the node with more optional ops left comes first. In list order
// (optional ops, invoked earlier, tried before the ok ops after them) the first way through takes
// every optional op as soon as it can, so the nodes with fewer left come first, and each larger
// set left is explored again: 2^k on a history that must be searched to the end. `okFirst` tries
// the ok ops at each node first and the optional ones only after (searchKey runs both orders; the
// README's "Ops of unknown outcome" says why and what each costs).

import { Memo, zobrist } from './memo.ts';
import type { StepCache, StepOp } from './steps.ts';

export interface SearchOp extends StepOp {
  /**
   * Invoke and completion times (the history's `time`); `ret` is Infinity for an op of unknown
   * outcome.
   */
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
  /** performance.now() past which the search gives up. */
  deadline?: number;
  /**
   * A memo shared with other searches (bytes counted in its usage against memoryBytes), and each
   * op's bit in it (Memo.bit).
   */
  memo?: Memo;
  bitOf?: readonly number[];
  /**
   * False: every optional op is its own, as a memo keyed by op identities would have them (tests
   * compare the search with and without the twin rule; the checker always has it).
   */
  twins?: boolean;
  /**
   * False: candidates in list order, so an op of unknown outcome (invoked earlier) is tried before
   * the ok ops after it (the order before issue 24; searchKey's first pass).
   */
  okFirst?: boolean;
}

export interface SearchEnd {
  state: number;
  /** Ids of the ops of unknown outcome taken effect on the way. */
  taken: number[];
}

export interface SearchResult {
  verdict: 'linearizable' | 'not-linearizable' | 'unknown';
  /** Why the verdict is unknown. */
  exhausted?: 'steps' | 'memory' | 'time';
  steps: number;
  /**
   * Op ids, in the order they took effect: the full order when linearizable, else the longest
   * prefix found.
   */
  order: number[];
  /** The state id after `order`. */
  state: number;
  /** For a failure: the op whose completion forced the search back at the deepest point. */
  blocked: number | null;
  ends: SearchEnd[];
}

export const DEFAULT_MEMORY = 1 << 30;

/** Steps shared by the searches of one key (the fast path runs many). */
export interface StepBudget {
  left: number;
  /** performance.now() past which the search gives up ('unknown', exhausted 'time'). */
  deadline?: number;
}

export function searchLinearization(
  cache: StepCache,
  ops: readonly SearchOp[],
  opts: SearchOptions,
): SearchResult {
  const shared: StepBudget = { left: opts.budget };
  if (opts.deadline !== undefined) shared.deadline = opts.deadline;
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
export function* searchEnds(
  cache: StepCache,
  ops: readonly SearchOp[],
  opts: Omit<SearchOptions, 'budget'>,
  shared: StepBudget,
): Generator<SearchEnd, SearchResult, void> {
  const n = ops.length;
  let okCount = 0;
  // Its arrays come from a scratch that a finished search leaves for the next (the fast path and
  // the shrinker run thousands of small searches); an abandoned search's scratch is collected.
  const sc: Scratch = scratches.pop() ?? { arrays: [], bits: new Uint32Array(0) };
  const slots = filled(sc, 0, n, 0);
  // 1 for an ok op: read in the search's inner loop, where a field of ops whose shapes vary (an ok
  // op relaxed by the shrinker is a spread copy) costs a polymorphic load.
  const okOf = filled(sc, 1, n, 0);
  for (let i = 0; i < n; i++) {
    if (ops[i]!.known) {
      okCount++;
      okOf[i] = 1;
    }
    slots[i] = cache.slot(ops[i]!);
  }
  const { m, opOf, next, prev, match } = entriesOf(ops, okCount, sc);
  const twin = twinsOf(ops, cache, slots, okOf, okCount, opOf, m, sc, opts.twins !== false);
  const left = filled(sc, 10, n, 1);
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

  // The memo holds (ops not yet taken effect, state): the bits of the ops still to take effect,
  // so that searches sharing a memo (the fast path's, over one segment) meet on equal nodes.
  let memo = opts.memo;
  let bitOf = opts.bitOf;
  // A memo of its own is given back when the search is over (an abandoned search's is collected).
  const own = !memo || !bitOf;
  if (!memo || !bitOf) {
    memo = Memo.make(okCount, n - okCount);
    const bits = filled(sc, 11, n, 0);
    for (let i = 0, k = 0, u = 0; i < n; i++)
      bits[i] = memo.bit(okOf[i] === 1, okOf[i] === 1 ? k++ : u++);
    bitOf = bits;
  } else if (bitOf.length !== n)
    throw new Error(`searchEnds: bitOf has ${bitOf.length} entries for ${n} ops`);
  const { lo: zLo, hi: zHi } = zobrist(memo.words * 32);
  // Its bitset too comes from a finished search (memo.seen reads only its first `words`).
  const bits = bitsOf(sc, memo.words);
  // Zobrist hashes of the ok bits (hLo, hHi) and of every bit (fLo, fHi), kept as bits flip.
  let hLo = 0;
  let hHi = 0;
  let fLo = 0;
  let fHi = 0;
  const flip = (i: number): void => {
    const b = bitOf[i]!;
    bits[b >>> 5] = bits[b >>> 5]! ^ (1 << (b & 31));
    fLo ^= zLo[b]!;
    fHi ^= zHi[b]!;
    if (okOf[i] === 1) {
      hLo ^= zLo[b]!;
      hHi ^= zHi[b]!;
    }
  };
  for (let i = 0; i < n; i++) flip(i);
  const usage = memo.usage;
  const seen = memo.seen.bind(memo);

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
  const result = (
    verdict: SearchResult['verdict'],
    exhausted?: SearchResult['exhausted'],
  ): SearchResult => {
    const r: SearchResult = {
      verdict,
      steps,
      order: best.order,
      state: best.state,
      blocked: best.blocked,
      ends,
    };
    shared.left -= steps;
    if (exhausted) r.exhausted = exhausted;
    return r;
  };
  let cursor = next[0]!;
  // Phase 0 tries the ok ops among the candidates, phase 1 (once no ok op leads on) the optional
  // ones: see the comment at the top.
  const okFirst = opts.okFirst ?? true;
  let phase = 0;
  const stackPhase: number[] = [];

  const used = memo;
  try {
    for (;;) {
      if (remaining === 0) {
        if (!opts.ends) {
          shared.left -= steps;
          return {
            verdict: 'linearizable',
            steps,
            order: currentOrder(),
            state,
            blocked: null,
            ends,
          };
        }
        const taken: number[] = [];
        for (const e of stackEntry) if (okOf[opOf[e]!] === 0) taken.push(ops[opOf[e]!]!.id);
        found++;
        shared.left -= steps;
        steps = 0;
        yield { state, taken };
        cursor = -1; // optional ops left over stay available to what follows
        phase = 1;
      }
      if (cursor !== -1 && opOf[cursor]! >= 0) {
        const i = opOf[cursor]!;
        if (okFirst && okOf[i] !== (phase === 0 ? 1 : 0)) {
          cursor = next[cursor]!;
          continue;
        }
        if (twin[i] !== -1 && left[twin[i]!] === 1) {
          cursor = next[cursor]!;
          continue;
        }
        if (++steps > shared.left) return result('unknown', 'steps');
        // The clock is read once every 4,096 steps: cheap, and a few ms at most past the deadline.
        if (
          (steps & 4095) === 0 &&
          shared.deadline !== undefined &&
          performance.now() > shared.deadline
        )
          return result('unknown', 'time');
        let nextState = cache.step(slots[i]!, ops[i]!, state);
        // Two optional ops in a row, x then this one (y): if y gives the same state from before x,
        // taking y there instead leaves x pending as well, a node at least as good (and one the
        // parent tries), so this one is not needed. Blind writes never chain this way.
        if (
          nextState !== -1 &&
          okOf[i] === 0 &&
          stackEntry.length > 0 &&
          okOf[opOf[stackEntry[stackEntry.length - 1]!]!] === 0
        ) {
          if (cache.step(slots[i]!, ops[i]!, stackState[stackState.length - 1]!) === nextState)
            nextState = -1;
        }
        if (nextState !== -1) {
          flip(i);
          if (!seen(bits, hLo, hHi, fLo, fHi, nextState)) {
            if (usage.bytes > opts.memoryBytes) return result('unknown', 'memory');
            stackEntry.push(cursor);
            stackState.push(state);
            stackPhase.push(phase);
            state = nextState;
            lift(cursor);
            left[i] = 0;
            if (okOf[i] === 1) remaining--;
            cursor = next[0]!;
            phase = 0;
            continue;
          }
          flip(i);
        }
        cursor = next[cursor]!;
        continue;
      }
      if (okFirst && phase === 0) {
        phase = 1;
        cursor = next[0]!;
        continue;
      }
      // A return (or the end of the list): the op completed without having taken effect.
      if (remaining > 0 && stackEntry.length > bestLen) {
        bestLen = stackEntry.length;
        best = {
          order: currentOrder(),
          state,
          blocked: cursor !== -1 ? ops[~opOf[cursor]!]!.id : null,
        };
      }
      const top = stackEntry.pop();
      if (top === undefined) return result(found > 0 ? 'linearizable' : 'not-linearizable');
      state = stackState.pop()!;
      phase = stackPhase.pop()!;
      const i = opOf[top]!;
      flip(i);
      unlift(top);
      left[i] = 1;
      if (okOf[i] === 1) remaining++;
      cursor = next[top]!;
    }
  } finally {
    if (own) used.release();
    if (scratches.length < SCRATCHES) scratches.push(sc);
  }
}

/**
 * The entry list: calls and returns in real-time order; a call sorts before a return at the same
 * time (concurrent), and equal entries keep the ops' list order. Calls and returns are each
 * sorted (the calls almost always already are) and merged: no comparator sort on the small
 * searches the fast path runs by the thousand. Entry e in 1..m (0 is the head sentinel); opOf ≥ 0
 * for a call, ~op for a return; match is a call's return entry.
 */
function entriesOf(ops: readonly SearchOp[], okCount: number, sc: Scratch) {
  const n = ops.length;
  const calls = byTime(ops, n, false, filled(sc, 2, n, 0));
  const rets = byTime(ops, okCount, true, filled(sc, 3, okCount, 0));
  const m = n + okCount;
  const opOf = filled(sc, 4, m + 1, 0);
  const next = filled(sc, 5, m + 1, 0);
  const prev = filled(sc, 6, m + 1, 0);
  const match = filled(sc, 7, m + 1, -1);
  const returnOf = filled(sc, 8, n, -1);
  for (let e = 1, c = 0, r = 0; e <= m; e++) {
    if (r >= okCount || (c < n && ops[calls[c]!]!.call <= ops[rets[r]!]!.ret))
      opOf[e] = calls[c++]!;
    else {
      opOf[e] = ~rets[r]!;
      returnOf[rets[r++]!] = e;
    }
    prev[e] = e - 1;
    next[e] = e < m ? e + 1 : -1;
  }
  next[0] = m > 0 ? 1 : -1;
  prev[0] = -1;
  for (let e = 1; e <= m; e++) if (opOf[e]! >= 0) match[e] = returnOf[opOf[e]!]!;
  return { m, opOf, next, prev, match };
}

/**
 * Optional ops with the same input are interchangeable once both are invoked: taking the later
 * one while the earlier (listed first, so also a candidate) is left gives the same states as
 * taking the earlier one, with a twin left pending instead. The search takes them in list order
 * only, so n interchangeable optional ops give n+1 ways forward, not 2^n sets. Each optional op's
 * twin is the latest optional op before it with an equal input (-1: none): found by a scan back
 * over the few optional ops of a small search, by a map in a large one.
 */
function twinsOf(
  ops: readonly SearchOp[],
  cache: StepCache,
  slots: readonly number[],
  okOf: readonly number[],
  okCount: number,
  opOf: readonly number[],
  m: number,
  sc: Scratch,
  on: boolean,
): number[] {
  const n = ops.length;
  const twin = filled(sc, 9, n, -1);
  if (!on || n - okCount < 2) return twin;
  const few = n - okCount <= 32;
  const listed: number[] = [];
  const inputs: number[] = [];
  const lastOf = few ? undefined : new Map<number, number>();
  for (let k = 1; k <= m; k++) {
    const i = opOf[k]!;
    if (i < 0 || okOf[i] === 1) continue;
    const id = cache.inputId(slots[i]!, ops[i]!);
    if (lastOf) {
      const t = lastOf.get(id);
      if (t !== undefined) twin[i] = t;
      lastOf.set(id, i);
      continue;
    }
    for (let j = listed.length - 1; j >= 0; j--)
      if (inputs[j] === id) {
        twin[i] = listed[j]!;
        break;
      }
    listed.push(i);
    inputs.push(id);
  }
  return twin;
}

/**
 * The indexes of the ops (with `rets`, of the ok ops only) in order of call (return) time, equal
 * times in list order: an insertion sort, linear on the nearly sorted lists a history gives, with
 * the library sort for a list that is far from sorted.
 */
function byTime(ops: readonly SearchOp[], size: number, rets: boolean, out: number[]): number[] {
  const t = (i: number): number => (rets ? ops[i]!.ret : ops[i]!.call);
  let moves = 0;
  let k = 0;
  for (let i = 0; i < ops.length && k < size; i++) {
    if (rets && !ops[i]!.known) continue;
    const ti = t(i);
    let j = k++;
    while (j > 0 && t(out[j - 1]!) > ti) {
      out[j] = out[j - 1]!;
      j--;
      if (++moves > 8 * size + 64) return sortedByTime(ops, rets);
    }
    out[j] = i;
  }
  return out;
}

function sortedByTime(ops: readonly SearchOp[], rets: boolean): number[] {
  const idx: number[] = [];
  for (let i = 0; i < ops.length; i++) if (!rets || ops[i]!.known) idx.push(i);
  const t = (i: number): number => (rets ? ops[i]!.ret : ops[i]!.call);
  idx.sort((a, b) => t(a) - t(b) || a - b);
  return idx;
}

/** A search's arrays and bitset, kept when it is over for the next search to reuse. */
interface Scratch {
  arrays: number[][];
  bits: Uint32Array;
}

/** Scratches kept for reuse: about as many as searches can be open at once on a deep key. */
const scratches: Scratch[] = [];
const SCRATCHES = 64;

/** The scratch's bitset, zeroed, of at least `words` words (memo.seen reads only those). */
function bitsOf(sc: Scratch, words: number): Uint32Array {
  if (sc.bits.length < words) sc.bits = new Uint32Array(words);
  else sc.bits.fill(0, 0, words);
  return sc.bits;
}

/**
 * Array k of a scratch with its first n entries v (it may be longer: a search reads only those).
 * Plain arrays, not typed ones: see ints.
 */
function filled(sc: Scratch, k: number, n: number, v: number): number[] {
  let a = sc.arrays[k];
  if (!a) {
    a = ints(n, v);
    sc.arrays[k] = a;
    return a;
  }
  const have = Math.min(a.length, n);
  for (let i = 0; i < have; i++) a[i] = v;
  for (let i = have; i < n; i++) a.push(v);
  return a;
}

/**
 * An array of n small integers, all v. Plain arrays, not typed ones: a typed array over 64 bytes
 * is allocated outside V8's heap (about a microsecond each, measured), and a search sets up ten
 * of them; the fast path runs thousands of small searches per key.
 */
export function ints(n: number, v: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) a.push(v);
  return a;
}
