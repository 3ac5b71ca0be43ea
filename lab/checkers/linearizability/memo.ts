// The search's memo: the nodes (ops not yet taken effect, state) already explored. Two lookups,
// both hash probes, so a call costs the same however many nodes were recorded:
//
// - exact: a 64-bit Zobrist hash of every bit (ok and optional ops left) with the state, to the
//   nodes recorded with that hash, compared by equality (Porcupine's cache);
// - subsumption: a node is also pruned when one explored before has the same state, the same `ok`
//   ops left and a superset of the optional ops (of unknown outcome) left: whatever the new node
//   can still do, the old one could do too, leaving those optional ops untaken. The candidates are
//   the group of nodes with the same ok bits and state (found by the hash of the ok bits alone);
//   only the SCAN most recent of a group are compared as sets. Comparing fewer only prunes less,
//   never wrongly: a group of thousands of incomparable sets (many `info` ops pending) was scanned
//   whole on every call before, 92% of the time on 10,000 overlapping ops.
//
// (Why subsumption never loses a linearization: take a node that can reach a full order and was
// explored, with the fewest optional ops before the next ok op in such an order; its child on that
// order was explored or pruned by a node that can follow the same order, which then has one
// optional op fewer to go, so some explored node takes the ok op, and so on to the end.)
//
// The bitsets live in arenas and the memo counts its bytes into a usage shared by all the memos of
// a key, so a memory budget covers them together.
//
// A memo may outlive one search: the fast path gives every search of one segment the same memo
// (one per segment, whatever the configuration it starts from), with each op at a fixed bit, so
// a node reached from two start configurations (say, two states that a write in the segment
// makes equal) is explored once.

import { seededRng } from '../../random/seeded-rng.ts';
import { giveBack, int32s, uint32s } from './buffers.ts';

let zLo = new Uint32Array(0);
let zHi = new Uint32Array(0);

/** Deterministic 32-bit values per bit for the Zobrist hash, shared by every memo. */
export function zobrist(n: number): { lo: Uint32Array; hi: Uint32Array } {
  if (zLo.length < n) {
    const size = Math.max(n, zLo.length * 2, 1024);
    const a = seededRng(0x2545f491);
    const b = seededRng(0x6a09e667);
    zLo = Uint32Array.from({ length: size }, () => Math.floor(a() * 4294967296));
    zHi = Uint32Array.from({ length: size }, () => Math.floor(b() * 4294967296));
  }
  return { lo: zLo, hi: zHi };
}

export interface MemoryUsage {
  bytes: number;
}

/** How many of a group's most recent optional-op sets a node is compared with for subsumption. */
export const SCAN = 8;

/** A growable Int32Array. */
function grown(a: Int32Array<ArrayBuffer>, need: number): Int32Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const b = int32s(Math.max(need, a.length * 2));
  b.set(a);
  giveBack(a);
  return b;
}

function grownU(a: Uint32Array<ArrayBuffer>, need: number): Uint32Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const b = uint32s(Math.max(need, a.length * 2));
  b.set(a);
  giveBack(a);
  return b;
}

const NONE = new Int32Array(0);
const NONE_U = new Uint32Array(0);

/** An open-addressing table from (hash lo, hash hi, state) to a list head (an int), in typed arrays. */
class HashTable {
  cap = 16;
  lo = new Int32Array(16);
  hi = new Int32Array(16);
  st = new Int32Array(16).fill(-1);
  val = new Int32Array(16);
  size = 0;

  get bytes(): number {
    return this.cap * 16;
  }

  /** The slot holding (lo, hi, st), or the empty slot where it goes (st[slot] === -1). */
  find(lo: number, hi: number, st: number): number {
    const mask = this.cap - 1;
    for (let i = (lo ^ Math.imul(st, 0x9e3779b1)) & mask; ; i = (i + 1) & mask) {
      const s = this.st[i]!;
      if (s === -1 || (s === st && this.lo[i] === lo && this.hi[i] === hi)) return i;
    }
  }

  /** Fills an empty slot found by `find` (which the table's growth may move: find again after). */
  put(slot: number, lo: number, hi: number, st: number, v: number): void {
    this.lo[slot] = lo;
    this.hi[slot] = hi;
    this.st[slot] = st;
    this.val[slot] = v;
    if (++this.size * 2 > this.cap) this.grow();
  }

  /** Empty again, its tables kept. */
  clear(): void {
    this.st.fill(-1);
    this.size = 0;
  }

  /** Gives its tables back (buffers.ts); the table is not used after. */
  release(): void {
    for (const a of [this.lo, this.hi, this.st, this.val]) giveBack(a);
    this.lo = this.hi = this.st = this.val = NONE;
    this.cap = 0;
  }

  private grow(): void {
    const { lo, hi, st, val } = this;
    this.cap *= 2;
    this.lo = int32s(this.cap);
    this.hi = int32s(this.cap);
    this.st = int32s(this.cap, -1);
    this.val = int32s(this.cap);
    for (let i = 0; i < st.length; i++) {
      if (st[i] === -1) continue;
      const j = this.find(lo[i]!, hi[i]!, st[i]!);
      this.lo[j] = lo[i]!;
      this.hi[j] = hi[i]!;
      this.st[j] = st[i]!;
      this.val[j] = val[i]!;
    }
    for (const a of [lo, hi, st, val]) giveBack(a);
  }
}

/** Released memos whose tables stayed small, kept to be reset for the next search (Memo.make). */
const spare: Memo[] = [];
const SPARE = 64;
/** A memo whose tables grew past this many entries gives them back instead of being kept. */
const SMALL = 256;

export class Memo {
  /** Bits for the ok ops (0..okWidth-1, in okWords words), then for the optional ops (from bit okWords * 32). */
  okWidth = 0;
  okWords = 0;
  optWords = 0;
  words = 1;
  // Groups: one per (ok bits, state), holding the ok bits once (at gOkAt in okArena) and the list
  // of the optional-bit sets recorded with them, newest first (gHead, vNext), from which a new set
  // drops the sets it contains among the SCAN newest; chained by ok hash (groupsBy → gSame).
  private readonly groupsBy = new HashTable();
  private groups = 0;
  private gOkAt = new Int32Array(16);
  private gHead = new Int32Array(16);
  private gSame = new Int32Array(16);
  private okArena = new Uint32Array(16);
  private okUsed = 0;
  // Variants: one per node recorded (its optional bits at v * optWords in optArena, its group),
  // also chained by full hash (exactBy → vSame) for the exact lookup.
  private readonly exactBy = new HashTable();
  private variants = 0;
  private vNext = new Int32Array(16);
  private vSame = new Int32Array(16);
  private vGroup = new Int32Array(16);
  private optArena = new Uint32Array(16);
  usage: MemoryUsage = { bytes: 0 };

  constructor(okWidth: number, optionalWidth: number, usage: MemoryUsage = { bytes: 0 }) {
    this.start(okWidth, optionalWidth, usage);
  }

  /** Sizes the memo for a search's ops and counts its bytes into the usage. */
  private start(okWidth: number, optionalWidth: number, usage: MemoryUsage): void {
    this.okWidth = okWidth;
    this.okWords = Math.ceil(okWidth / 32);
    this.optWords = Math.ceil(optionalWidth / 32);
    this.words = this.okWords + this.optWords || 1;
    this.usage = usage;
    this.released = false;
    usage.bytes += this.bytes;
    zobrist(this.words * 32);
  }

  /**
   * A memo for a new search: a released one reset when there is one (the fast path and the
   * shrinker run thousands of small searches, each with a memo of its own or its segment's),
   * else a new one. Same contract as the constructor.
   */
  static make(okWidth: number, optionalWidth: number, usage: MemoryUsage = { bytes: 0 }): Memo {
    const m = spare.pop();
    if (!m) return new Memo(okWidth, optionalWidth, usage);
    m.start(okWidth, optionalWidth, usage);
    return m;
  }

  /**
   * Called when every search that shares this memo is over: the memo is kept for Memo.make to
   * reset, or (grown large) gives its tables back (buffers.ts). It must not be used after.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    const small =
      this.groupsBy.cap <= SMALL &&
      this.exactBy.cap <= SMALL &&
      this.vNext.length <= SMALL &&
      this.optArena.length <= SMALL &&
      this.okArena.length <= SMALL;
    this.groups = this.variants = this.okUsed = 0;
    // Kept whole (its tables emptied) to be reset by make, or its tables given back.
    if (small && spare.length < SPARE) {
      this.groupsBy.clear();
      this.exactBy.clear();
      spare.push(this);
      return;
    }
    this.groupsBy.release();
    this.exactBy.release();
    for (const a of [this.gOkAt, this.gHead, this.gSame, this.vNext, this.vSame, this.vGroup])
      giveBack(a);
    giveBack(this.okArena);
    giveBack(this.optArena);
    this.gOkAt = this.gHead = this.gSame = this.vNext = this.vSame = this.vGroup = NONE;
    this.okArena = this.optArena = NONE_U;
  }
  private released = false;

  /** The bit of an op: `index` among the ok ops, or among the optional ones. */
  bit(known: boolean, index: number): number {
    return known ? index : this.okWords * 32 + index;
  }

  get bytes(): number {
    return (
      this.groupsBy.bytes +
      this.exactBy.bytes +
      this.gOkAt.length * 12 +
      this.okArena.length * 4 +
      this.vNext.length * 12 +
      this.optArena.length * 4
    );
  }

  /** Entries (nodes recorded). */
  get size(): number {
    return this.variants;
  }

  private sameOk(g: number, bits: Uint32Array): boolean {
    const at = this.gOkAt[g]!;
    for (let w = 0; w < this.okWords; w++) if (this.okArena[at + w] !== bits[w]) return false;
    return true;
  }

  /** Every optional op left in `bits` is left in variant v too (v ⊇ bits). */
  private covers(v: number, bits: Uint32Array): boolean {
    const base = v * this.optWords;
    for (let w = 0; w < this.optWords; w++) {
      const b = bits[this.okWords + w]!;
      if ((this.optArena[base + w]! & b) !== b) return false;
    }
    return true;
  }

  /** Every optional op left in variant v is left in `bits` too (bits ⊇ v). */
  private coveredBy(v: number, bits: Uint32Array): boolean {
    const base = v * this.optWords;
    for (let w = 0; w < this.optWords; w++) {
      const b = this.optArena[base + w]!;
      if ((bits[this.okWords + w]! & b) !== b) return false;
    }
    return true;
  }

  /**
   * True when (bits, st) or a node that subsumes it was recorded; otherwise records it.
   * hLo/hHi: the Zobrist hash of the ok bits; fLo/fHi: of every bit (ok and optional).
   */
  seen(bits: Uint32Array, hLo: number, hHi: number, fLo: number, fHi: number, st: number): boolean {
    if (this.released) throw new Error('Memo.seen: the memo was released (buffers.ts)');
    const optWords = this.optWords;
    const okWords = this.okWords;
    // Exact: the nodes recorded with this full hash and state.
    const ex = this.exactBy;
    const es = ex.find(fLo | 0, fHi | 0, st);
    if (ex.st[es] !== -1) {
      for (let v = ex.val[es]!; v !== -1; v = this.vSame[v]!) {
        if (!this.sameOk(this.vGroup[v]!, bits)) continue;
        const base = v * optWords;
        let same = true;
        for (let w = 0; w < optWords; w++) {
          if (this.optArena[base + w] !== bits[okWords + w]) {
            same = false;
            break;
          }
        }
        if (same) return true;
      }
    }
    // Subsumption: the group's newest sets. Groups whose ok bits share a hash are chained.
    const gt = this.groupsBy;
    const gs = gt.find(hLo | 0, hHi | 0, st);
    let g = -1;
    if (gt.st[gs] !== -1)
      for (let c = gt.val[gs]!; c !== -1; c = this.gSame[c]!)
        if (this.sameOk(c, bits)) {
          g = c;
          break;
        }
    const before = this.bytes;
    if (g !== -1) {
      let n = 0;
      for (let v = this.gHead[g]!; v !== -1 && n < SCAN; v = this.vNext[v]!, n++)
        if (this.covers(v, bits)) return true;
      let prev = -1;
      n = 0;
      for (let v = this.gHead[g]!; v !== -1 && n < SCAN; v = this.vNext[v]!, n++) {
        if (!this.coveredBy(v, bits)) prev = v;
        else if (prev === -1) this.gHead[g] = this.vNext[v]!;
        else this.vNext[prev] = this.vNext[v]!;
      }
    } else {
      g = this.groups++;
      this.gOkAt = grown(this.gOkAt, this.groups);
      this.gHead = grown(this.gHead, this.groups);
      this.gHead[g] = -1;
      this.okArena = grownU(this.okArena, this.okUsed + okWords);
      for (let w = 0; w < okWords; w++) this.okArena[this.okUsed + w] = bits[w]!;
      this.gOkAt[g] = this.okUsed;
      this.okUsed += okWords;
      this.gSame = grown(this.gSame, this.groups);
      if (gt.st[gs] !== -1) {
        this.gSame[g] = gt.val[gs]!;
        gt.val[gs] = g;
      } else {
        this.gSame[g] = -1;
        gt.put(gs, hLo | 0, hHi | 0, st, g);
      }
    }
    const v = this.variants++;
    this.vNext = grown(this.vNext, this.variants);
    this.vSame = grown(this.vSame, this.variants);
    this.vGroup = grown(this.vGroup, this.variants);
    this.optArena = grownU(this.optArena, (v + 1) * optWords);
    for (let w = 0; w < optWords; w++) this.optArena[v * optWords + w] = bits[okWords + w]!;
    this.vGroup[v] = g;
    this.vNext[v] = this.gHead[g]!;
    this.gHead[g] = v;
    if (ex.st[es] !== -1) {
      this.vSame[v] = ex.val[es]!;
      ex.val[es] = v;
    } else {
      this.vSame[v] = -1;
      ex.put(es, fLo | 0, fHi | 0, st, v);
    }
    this.usage.bytes += this.bytes - before;
    return false;
  }
}
