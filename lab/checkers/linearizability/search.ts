// Wing & Gong's search, with Lowe's memoisation, for one key (one model instance).
//
// The history is a list of call and return entries in real-time order. The search walks the list:
// at a call it tries to let that op take effect now (a legal model step whose (set of ops taken
// effect, state) pair was never seen before); if so the op's entries are lifted out and the walk
// restarts from the front; at a return it must undo the last choice, because that op's completion
// came before it took effect. An `info` op has no return entry: it may take effect at any point
// after its call, or never, so the search is done once every `ok` op has taken effect.
//
// Memo keys are an incremental Zobrist hash of the set plus the model's state hash; collisions are
// resolved by comparing the bitsets, so the memo never wrongly prunes.

import type { Model } from '../../../models/specs/model.ts';
import { seededRng } from '../../random/seeded-rng.ts';

export interface SearchOp {
  id: number;
  /** Positions in one real-time order (history index); `ret` is Infinity for an op of unknown outcome. */
  call: number;
  ret: number;
  input: unknown;
  /** undefined: unknown outcome. */
  output: unknown;
  known: boolean;
}

export interface SearchResult {
  verdict: 'linearizable' | 'not-linearizable' | 'unknown';
  steps: number;
  /** Op ids, in the order they took effect: the full order when linearizable, else the longest prefix found. */
  order: number[];
  /** The state after `order`. */
  state: unknown;
  /** For a failure: the op whose completion forced the search back at the deepest point. */
  blocked: number | null;
}

interface Entry {
  op: number; // index into ops
  call: boolean;
  match: number; // index of the return entry of a call (-1 when none)
  prev: number;
  next: number;
}

/** Deterministic 32-bit values per op index for the Zobrist hash. */
function zobrist(n: number, seed: number): Uint32Array {
  const rng = seededRng(seed);
  return Uint32Array.from({ length: n }, () => Math.floor(rng() * 4294967296));
}

export function searchLinearization(model: Model, ops: readonly SearchOp[], budget: number): SearchResult {
  const n = ops.length;
  const okCount = ops.reduce((c, o) => c + (o.known ? 1 : 0), 0);
  // Entries in real-time order; a call sorts before a return at the same position (never happens
  // with distinct history indexes, but converted histories may tie).
  const raw: { pos: number; call: boolean; op: number }[] = [];
  ops.forEach((o, i) => {
    raw.push({ pos: o.call, call: true, op: i });
    if (o.known) raw.push({ pos: o.ret, call: false, op: i });
  });
  raw.sort((a, b) => a.pos - b.pos || (a.call === b.call ? a.op - b.op : a.call ? -1 : 1));
  // Entry 0 is the head sentinel; entries 1..m follow; next of the last is -1.
  const entries: Entry[] = [{ op: -1, call: false, match: -1, prev: -1, next: raw.length > 0 ? 1 : -1 }];
  const returnOf = new Int32Array(n).fill(-1);
  raw.forEach((r, i) => {
    entries.push({ op: r.op, call: r.call, match: -1, prev: i, next: i + 2 <= raw.length ? i + 2 : -1 });
    if (!r.call) returnOf[r.op] = i + 1;
  });
  for (let i = 1; i < entries.length; i++) if (entries[i]!.call) entries[i]!.match = returnOf[entries[i]!.op]!;

  const lift = (e: number): void => {
    const c = entries[e]!;
    entries[c.prev]!.next = c.next;
    if (c.next !== -1) entries[c.next]!.prev = c.prev;
    if (c.match !== -1) {
      const r = entries[c.match]!;
      entries[r.prev]!.next = r.next;
      if (r.next !== -1) entries[r.next]!.prev = r.prev;
    }
  };
  const unlift = (e: number): void => {
    const c = entries[e]!;
    if (c.match !== -1) {
      const r = entries[c.match]!;
      entries[r.prev]!.next = c.match;
      if (r.next !== -1) entries[r.next]!.prev = c.match;
    }
    entries[c.prev]!.next = e;
    if (c.next !== -1) entries[c.next]!.prev = e;
  };

  const words = Math.ceil(n / 32) || 1;
  const bits = new Uint32Array(words);
  const zLo = zobrist(n, 0x2545f491);
  const zHi = zobrist(n, 0x6a09e667);
  let hLo = 0;
  let hHi = 0;
  const memo = new Map<string, Uint32Array[]>();
  const seenBefore = (stateHash: string): boolean => {
    const k = `${hHi}:${hLo}:${stateHash}`;
    const list = memo.get(k);
    if (list) {
      outer: for (const b of list) {
        for (let w = 0; w < words; w++) if (b[w] !== bits[w]) continue outer;
        return true;
      }
      list.push(bits.slice());
    } else memo.set(k, [bits.slice()]);
    return false;
  };
  const flip = (i: number): void => {
    bits[i >>> 5] = bits[i >>> 5]! ^ (1 << (i & 31));
    hLo ^= zLo[i]!;
    hHi ^= zHi[i]!;
  };

  const stack: { entry: number; state: unknown }[] = [];
  let state: unknown = model.init();
  let remaining = okCount;
  let steps = 0;
  let best: { order: number[]; state: unknown; blocked: number | null } = { order: [], state, blocked: null };
  let cursor = entries[0]!.next;

  for (;;) {
    if (remaining === 0) {
      return { verdict: 'linearizable', steps, order: stack.map((s) => ops[entries[s.entry]!.op]!.id), state, blocked: null };
    }
    if (cursor !== -1 && entries[cursor]!.call) {
      if (++steps > budget) return { verdict: 'unknown', steps, order: best.order, state: best.state, blocked: best.blocked };
      const e = entries[cursor]!;
      const o = ops[e.op]!;
      const [legal, next] = model.step(state, o.input, o.output);
      if (legal) {
        flip(e.op);
        if (!seenBefore(model.hash(next))) {
          stack.push({ entry: cursor, state });
          state = next;
          lift(cursor);
          if (o.known) remaining--;
          cursor = entries[0]!.next;
          continue;
        }
        flip(e.op);
      }
      cursor = e.next;
      continue;
    }
    // A return (or the end of the list): the op completed without having taken effect.
    if (stack.length >= best.order.length) {
      best = {
        order: stack.map((s) => ops[entries[s.entry]!.op]!.id),
        state,
        blocked: cursor !== -1 ? ops[entries[cursor]!.op]!.id : null,
      };
    }
    const top = stack.pop();
    if (!top) return { verdict: 'not-linearizable', steps, order: best.order, state: best.state, blocked: best.blocked };
    const e = entries[top.entry]!;
    state = top.state;
    flip(e.op);
    unlift(top.entry);
    if (ops[e.op]!.known) remaining++;
    cursor = e.next;
  }
}
