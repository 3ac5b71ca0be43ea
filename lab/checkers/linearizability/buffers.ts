// Reused typed arrays for the search's tables. A typed array of more than 64 bytes lives outside
// V8's heap: making one costs about a microsecond (a backing store, its registration with the
// heap, its sweep later), measured; the fast path sets up a memo for each of thousands of small
// segments, and each memo grows its tables a few times, so on Porcupine's etcd histories these
// allocations and their collection were a third of a check. A table given back is handed to the
// next one of its size class instead.
//
// A table must be given back at most once, and not used after: the memo and the step cache give
// theirs back when the search that owns them is over (Memo.release, StepCache.release), and empty
// their fields so that a stray use fails loudly instead of reading another search's data.

/** Typed arrays this small are allocated on V8's heap, cheaply: they are never pooled. */
const ON_HEAP = 64;
/** Bigger buffers are rare (one huge key) and left to the garbage collector. */
const MAX_POOLED = 1 << 22;
/** Bytes the pool may hold in all: a campaign's runner checks run after run in one process. */
const LIMIT = 1 << 24;

const free: ArrayBuffer[][] = [];
let held = 0;

const classOf = (bytes: number): number => 32 - Math.clz32(bytes - 1);

function buffer(bytes: number): ArrayBuffer {
  const c = classOf(bytes);
  const list = free[c];
  const b = list?.pop();
  if (b) {
    held -= b.byteLength;
    return b;
  }
  return new ArrayBuffer(1 << c);
}

/** n int32s, all `fill`. */
export function int32s(n: number, fill = 0): Int32Array<ArrayBuffer> {
  if (n * 4 <= ON_HEAP) {
    const a = new Int32Array(n);
    if (fill !== 0) a.fill(fill);
    return a;
  }
  const a = new Int32Array(buffer(n * 4), 0, n);
  a.fill(fill);
  return a;
}

/** n uint32s, all 0. */
export function uint32s(n: number): Uint32Array<ArrayBuffer> {
  if (n * 4 <= ON_HEAP) return new Uint32Array(n);
  const a = new Uint32Array(buffer(n * 4), 0, n);
  a.fill(0);
  return a;
}

/** Gives a table made by int32s or uint32s back for reuse. */
export function giveBack(a: Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>): void {
  if (a.length * 4 <= ON_HEAP) return;
  const b = a.buffer;
  if (b.byteLength > MAX_POOLED || held + b.byteLength > LIMIT) return;
  // Only buffers of a size class (a power of two) came from here.
  if ((b.byteLength & (b.byteLength - 1)) !== 0) return;
  held += b.byteLength;
  const c = classOf(b.byteLength);
  const list = free[c] ?? [];
  free[c] = list;
  list.push(b);
}

/** Bytes held for reuse (tests). */
export function pooledBytes(): number {
  return held;
}
