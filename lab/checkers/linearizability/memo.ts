// The search's memo: the nodes (ops not yet taken effect, state) already explored, as an
// open-addressing table of (64-bit Zobrist hash, state) with the bitsets in one arena. It counts
// its bytes into a usage shared by all the memos of a key, so a memory budget covers them together.
//
// A node is pruned when one explored before has the same state, the same `ok` ops left and a
// superset of the optional ops (of unknown outcome) left: whatever the new node can still do, the
// old one could do too, leaving those optional ops untaken. (Why that never loses a linearization:
// take a node that can reach a full order and was explored, with the fewest optional ops before
// the next ok op in such an order; its child on that order was explored or pruned by a node that
// can follow the same order, which then has one optional op fewer to go, so some explored node
// takes the ok op, and so on to the end.) The hash covers only the ok bits and the state, so the
// candidates are found in one probe sequence; the optional bits are compared as sets.
//
// A memo may outlive one search: the fast path gives every search of one segment the same memo
// (one per segment, whatever the configuration it starts from), with each op at a fixed bit, so
// a node reached from two start configurations (say, two states that a write in the segment
// makes equal) is explored once.

import { seededRng } from '../../random/seeded-rng.ts';

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

/** A growable Int32Array. */
function grown(a: Int32Array, need: number): Int32Array {
  if (need <= a.length) return a;
  const b = new Int32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

export class Memo {
  /**
   * Bits for the ok ops (0..okWidth-1, in okWords words), then for the optional ops (from bit
   * okWords * 32).
   */
  readonly okWidth: number;
  readonly okWords: number;
  readonly optWords: number;
  readonly words: number;
  // Groups: one per (ok bits, state), found by hash in an open-addressing table; each holds its ok
  // bits once and a linked list of the optional-bit sets explored with them (none of which
  // contains another: a new set drops those it contains).
  private cap = 16;
  private tLo = new Int32Array(16);
  private tHi = new Int32Array(16);
  private tState = new Int32Array(16).fill(-1);
  private tGroup = new Int32Array(16);
  private groups = 0;
  private gOkAt: Int32Array = new Int32Array(16);
  private gHead: Int32Array = new Int32Array(16);
  private okArena = new Uint32Array(16);
  private okUsed = 0;
  private variants = 0;
  private vNext: Int32Array = new Int32Array(16);
  private optArena = new Uint32Array(16);
  readonly usage: MemoryUsage;

  constructor(okWidth: number, optionalWidth: number, usage: MemoryUsage = { bytes: 0 }) {
    this.okWidth = okWidth;
    this.okWords = Math.ceil(okWidth / 32);
    this.optWords = Math.ceil(optionalWidth / 32);
    this.words = this.okWords + this.optWords || 1;
    this.usage = usage;
    usage.bytes += this.bytes;
    zobrist(okWidth);
  }

  /** The bit of an op: `index` among the ok ops, or among the optional ones. */
  bit(known: boolean, index: number): number {
    return known ? index : this.okWords * 32 + index;
  }

  get bytes(): number {
    return (
      this.cap * 16 +
      this.gOkAt.length * 8 +
      this.okArena.length * 4 +
      this.vNext.length * 4 +
      this.optArena.length * 4
    );
  }

  /** Entries (nodes recorded, less those a later one made redundant). */
  get size(): number {
    return this.variants;
  }

  private place(lo: number, hi: number, st: number, g: number): void {
    const mask = this.cap - 1;
    for (let i = (lo ^ Math.imul(st, 0x9e3779b1)) & mask; ; i = (i + 1) & mask) {
      if (this.tState[i] === -1) {
        this.tLo[i] = lo;
        this.tHi[i] = hi;
        this.tState[i] = st;
        this.tGroup[i] = g;
        return;
      }
    }
  }

  /**
   * True when (bits, st) or a node that subsumes it was recorded; otherwise records it. hLo/hHi:
   * the ok bits' Zobrist hash.
   */
  seen(bits: Uint32Array, hLo: number, hHi: number, st: number): boolean {
    const okWords = this.okWords;
    const optWords = this.optWords;
    const mask = this.cap - 1;
    const lo = hLo | 0;
    const hi = hHi | 0;
    let g = -1;
    for (let i = (lo ^ Math.imul(st, 0x9e3779b1)) & mask; ; i = (i + 1) & mask) {
      const s = this.tState[i]!;
      if (s === -1) break;
      if (s === st && this.tLo[i] === lo && this.tHi[i] === hi) {
        const c = this.tGroup[i]!;
        const at = this.gOkAt[c]!;
        let same = true;
        for (let w = 0; w < okWords; w++) {
          if (this.okArena[at + w] !== bits[w]) {
            same = false;
            break;
          }
        }
        if (same) {
          g = c;
          break;
        }
      }
    }
    const before = this.bytes;
    if (g !== -1) {
      // Covered by a recorded set of optional ops left? Else drop the recorded sets this one
      // covers.
      for (let v = this.gHead[g]!; v !== -1; v = this.vNext[v]!) {
        let covers = true;
        for (let w = 0; w < optWords; w++) {
          const b = bits[okWords + w]!;
          if ((this.optArena[v * optWords + w]! & b) !== b) {
            covers = false;
            break;
          }
        }
        if (covers) return true;
      }
      let prev = -1;
      for (let v = this.gHead[g]!; v !== -1; v = this.vNext[v]!) {
        let covered = true;
        for (let w = 0; w < optWords; w++) {
          const b = this.optArena[v * optWords + w]!;
          if ((bits[okWords + w]! & b) !== b) {
            covered = false;
            break;
          }
        }
        if (!covered) prev = v;
        else if (prev === -1) this.gHead[g] = this.vNext[v]!;
        else this.vNext[prev] = this.vNext[v]!;
      }
    } else {
      g = this.groups++;
      this.gOkAt = grown(this.gOkAt, this.groups);
      this.gHead = grown(this.gHead, this.groups);
      this.gHead[g] = -1;
      if (this.okUsed + okWords > this.okArena.length) {
        const a = new Uint32Array(Math.max(this.okUsed + okWords, this.okArena.length * 2));
        a.set(this.okArena);
        this.okArena = a;
      }
      for (let w = 0; w < okWords; w++) this.okArena[this.okUsed + w] = bits[w]!;
      this.gOkAt[g] = this.okUsed;
      this.okUsed += okWords;
      if ((this.groups + 1) * 2 > this.cap) {
        const [oLo, oHi, oSt, oG] = [this.tLo, this.tHi, this.tState, this.tGroup];
        this.cap *= 2;
        this.tLo = new Int32Array(this.cap);
        this.tHi = new Int32Array(this.cap);
        this.tState = new Int32Array(this.cap).fill(-1);
        this.tGroup = new Int32Array(this.cap);
        for (let i = 0; i < oSt.length; i++)
          if (oSt[i] !== -1) this.place(oLo[i]!, oHi[i]!, oSt[i]!, oG[i]!);
      }
      this.place(lo, hi, st, g);
    }
    const v = this.variants++;
    this.vNext = grown(this.vNext, this.variants);
    if ((v + 1) * optWords > this.optArena.length) {
      const a = new Uint32Array(Math.max((v + 1) * optWords, this.optArena.length * 2));
      a.set(this.optArena);
      this.optArena = a;
    }
    for (let w = 0; w < optWords; w++) this.optArena[v * optWords + w] = bits[okWords + w]!;
    this.vNext[v] = this.gHead[g]!;
    this.gHead[g] = v;
    this.usage.bytes += this.bytes - before;
    return false;
  }
}
