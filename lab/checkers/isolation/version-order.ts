// Every read of a key is inserted into one trie per key. In a history without incompatible orders
// the trie is a single path, which *is* the version order (the order of appends), and every read
// ends on it. When reads disagree, the version order follows the branch more reads support (then
// the longer one), so one corrupt read is reported once instead of derailing every later read, and
// each branch off that path is one incompatible-order anomaly.
//
// Nodes are flat arrays rather than objects, and each caches its value's append index: the read
// scan annotates a node once (see NodeFacts in reads.ts), not once per read through it.

import { appendOf, type Appends } from './txns.ts';

export class ListTrie {
  readonly value: number[] = [];
  readonly parent: number[] = [];
  readonly depth: number[] = [];
  readonly firstChild: number[] = [];
  readonly nextSibling: number[] = [];
  /** Index into Appends, or -1 when no txn appended this value to this key (a garbage read). */
  readonly append: number[] = [];
  readonly roots = new Map<number, number>();
  /** Per key, the path the reads have followed so far: most reads are a prefix of it. */
  private readonly paths = new Map<number, { values: number[]; nodes: number[] }>();

  constructor(private readonly appends: Appends) {}

  get size(): number {
    return this.value.length;
  }

  /**
   * Inserts a read and returns the node it ends at. A read along the cached path costs one tight
   * compare of two arrays; only what lies past it (or off it) walks the trie node by node.
   */
  insert(key: number, list: readonly number[]): number {
    let path = this.paths.get(key);
    if (path === undefined) {
      path = { values: [], nodes: [this.root(key)] };
      this.paths.set(key, path);
    }
    const { values, nodes } = path;
    const n = Math.min(list.length, values.length);
    let j = 0;
    while (j < n && list[j] === values[j]) j++;
    let node = nodes[j]!;
    if (j === list.length) return node;
    const extend = j === values.length;
    for (; j < list.length; j++) {
      node = this.child(node, list[j]!, key);
      if (extend) {
        values.push(list[j]!);
        nodes.push(node);
      }
    }
    return node;
  }

  root(key: number): number {
    let r = this.roots.get(key);
    if (r === undefined) {
      r = this.newNode(-1, NaN, -1);
      this.roots.set(key, r);
    }
    return r;
  }

  child(node: number, value: number, key: number): number {
    for (let c = this.firstChild[node]!; c >= 0; c = this.nextSibling[c]!)
      if (this.value[c] === value) return c;
    const c = this.newNode(node, value, appendOf(this.appends, key, value));
    this.nextSibling[c] = this.firstChild[node]!;
    this.firstChild[node] = c;
    return c;
  }

  private newNode(parent: number, value: number, append: number): number {
    const id = this.value.length;
    this.value.push(value);
    this.parent.push(parent);
    this.depth.push(parent < 0 ? 0 : this.depth[parent]! + 1);
    this.firstChild.push(-1);
    this.nextSibling.push(-1);
    this.append.push(append);
    return id;
  }
}

export interface VersionOrder {
  key: number;
  /** Trie nodes of the order, from the first append on (the root is not included). */
  nodes: number[];
}

/**
 * A branch off the version order: reads ending under `branch` disagree with the order at `index`.
 */
export interface Divergence {
  key: number;
  index: number;
  /** A read that follows the version order past `index`, and one in the branch. */
  orderRead: number;
  branchRead: number;
}

export interface VersionOrders {
  orders: Map<number, VersionOrder>;
  /** 1 for trie nodes on a version order: a read ending there is a prefix of the order. */
  onOrder: Uint8Array;
  divergences: Divergence[];
}

/**
 * `ends[r]` is the trie node read r ended at, or -1 for reads that must not vote (they hold a
 * duplicate, so they cannot be a version order).
 */
export function versionOrders(trie: ListTrie, ends: readonly number[]): VersionOrders {
  const size = trie.value.length;
  const count = new Int32Array(size);
  const reach = new Int32Array(size).fill(-1);
  const read = new Int32Array(size).fill(-1);
  for (let r = 0; r < ends.length; r++) {
    const e = ends[r]!;
    if (e < 0) continue;
    count[e]!++;
    if (trie.depth[e]! > reach[e]!) reach[e] = trie.depth[e]!;
    if (read[e]! < 0) read[e] = r;
  }
  // Children are always created after their parent, so one backward sweep folds subtrees up.
  for (let v = size - 1; v >= 0; v--) {
    const p = trie.parent[v]!;
    if (p < 0) continue;
    count[p]! += count[v]!;
    if (reach[v]! > reach[p]!) reach[p] = reach[v]!;
    if (read[p]! < 0) read[p] = read[v]!;
  }

  const onOrder = new Uint8Array(size);
  const orders = new Map<number, VersionOrder>();
  const divergences: Divergence[] = [];
  for (const [key, root] of trie.roots) {
    const nodes: number[] = [];
    onOrder[root] = 1;
    for (let v = root; ; ) {
      let best = -1;
      for (let c = trie.firstChild[v]!; c >= 0; c = trie.nextSibling[c]!) {
        if (count[c] === 0) continue;
        if (
          best < 0 ||
          count[c]! > count[best]! ||
          (count[c] === count[best] &&
            (reach[c]! > reach[best]! || (reach[c] === reach[best] && c < best)))
        )
          best = c;
      }
      if (best < 0) break;
      for (let c = trie.firstChild[v]!; c >= 0; c = trie.nextSibling[c]!) {
        if (c !== best && count[c]! > 0)
          divergences.push({
            key,
            index: trie.depth[v]!,
            orderRead: read[best]!,
            branchRead: read[c]!,
          });
      }
      onOrder[best] = 1;
      nodes.push(best);
      v = best;
    }
    orders.set(key, { key, nodes });
  }
  return { orders, onOrder, divergences };
}
