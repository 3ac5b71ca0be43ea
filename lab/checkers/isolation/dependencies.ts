// The edges of the dependency graph between committed txns (Adya's DSG, inferred as in Elle):
//   ww  T1 appended x_i, T2 appended x_{i+1} (the next element in the version order)
//   wr  T2's read of a list ended in T1's append
//   rw  T1's read ended at x_i (or saw the list empty) and T2 appended x_{i+1}
// plus, when asked, process order and real-time order.
//
// Only a txn's external reads (the first, before it appended to the key itself) give wr/rw edges:
// later reads only show its own appends, which the ww edges already order.
//
// An append no read saw still has a place, as Elle infers it (previously-appended-element in its
// list_append.clj): lists only grow, so it came after the last element of the version order (or
// first of all, when no read saw any append to the key). Its writer then gets a ww edge from the
// writer of that last element, and an rw edge from every txn whose read ended there (or read the
// key empty). Unseen appends to one key are not ordered among themselves: no read constrains them.
// Edges go only between committed txns, so an info txn nobody saw never enters the graph.

import { PROCESS, REALTIME, RW, WR, WW, type Graph } from './graph.ts';
import { DUPLICATE, EXTERNAL, type Reads } from './reads.ts';
import { OK, type Appends, type Txns } from './txns.ts';
import type { ListTrie, VersionOrders } from './version-order.ts';

export function addDataEdges(
  g: Graph,
  appends: Appends,
  trie: ListTrie,
  reads: Reads,
  vo: VersionOrders,
  committed: Uint8Array,
): void {
  const writer = (node: number): number => {
    const a = trie.append[node]!;
    if (a < 0) return -1;
    const w = appends.txn[a]!;
    return committed[w] ? w : -1;
  };

  for (const { key, nodes } of vo.orders.values()) {
    let prev = -1;
    for (const node of nodes) {
      const w = writer(node);
      if (w >= 0 && prev >= 0 && w !== prev) g.add(prev, w, WW, key, trie.value[node]!);
      prev = w;
    }
  }

  // Per key, the external reads that saw the whole version order: they precede every unseen append.
  const unseen = unseenAppends(appends, trie, committed);
  const sawAll = new Map<number, number[]>();
  for (let r = 0; r < reads.count; r++) {
    if ((reads.flags[r]! & (EXTERNAL | DUPLICATE)) !== EXTERNAL) continue;
    const t = reads.txn[r]!;
    const key = reads.key[r]!;
    const end = reads.end[r]!;
    const len = reads.list[r]!.length;
    if (len > 0) {
      const w = writer(end);
      if (w >= 0 && w !== t) g.add(w, t, WR, key, trie.value[end]!);
    }
    // A read off the version order has no known successor; its disagreement is reported already.
    if (!vo.onOrder[end]) continue;
    const next = vo.orders.get(key)?.nodes[len];
    if (next === undefined) {
      if (unseen.has(key)) {
        const list = sawAll.get(key);
        if (list) list.push(t);
        else sawAll.set(key, [t]);
      }
      continue;
    }
    const w = writer(next);
    if (w >= 0 && w !== t) g.add(t, w, RW, key, trie.value[next]!);
  }

  for (const [key, as] of unseen) {
    const nodes = vo.orders.get(key)?.nodes ?? [];
    const last = nodes.length > 0 ? writer(nodes[nodes.length - 1]!) : -1;
    const readers = sawAll.get(key) ?? [];
    for (let i = 0; i < as.length; i++) {
      const w = appends.txn[as[i]!]!;
      // A txn's appends are contiguous in `as`: one edge per txn, named by its first unseen value.
      if (i > 0 && appends.txn[as[i - 1]!] === w) continue;
      const v = appends.value[as[i]!]!;
      if (last >= 0 && last !== w) g.add(last, w, WW, key, v);
      for (const t of readers) if (t !== w) g.add(t, w, RW, key, v);
    }
  }
}

/** Per key, the committed appends that no read of that key holds, in append order. */
function unseenAppends(
  appends: Appends,
  trie: ListTrie,
  committed: Uint8Array,
): Map<number, number[]> {
  const seen = new Uint8Array(appends.count);
  for (let v = 0; v < trie.size; v++) {
    const a = trie.append[v]!;
    if (a >= 0) seen[a] = 1;
  }
  const out = new Map<number, number[]>();
  for (let a = 0; a < appends.count; a++) {
    if (seen[a] || !committed[appends.txn[a]!]) continue;
    const k = appends.key[a]!;
    const list = out.get(k);
    if (list) list.push(a);
    else out.set(k, [a]);
  }
  return out;
}

/**
 * Real-time edges without the O(n²) of every pair: walking invokes and completions in time order,
 * a txn gets an edge from each ok txn in the "frontier" (completed, and not yet followed by any txn
 * that was invoked after it completed). When it completes, it replaces in the frontier the txns it
 * got edges from: they reach everything later through it. Reachability is exactly real-time order.
 */
export function addOrderEdges(
  g: Graph,
  txns: Txns,
  committed: Uint8Array,
  opts: { process: boolean; realtime: boolean },
): void {
  if (!opts.process && !opts.realtime) return;
  const invoke = new Float64Array(txns.n);
  const complete = new Float64Array(txns.n);
  let members = 0;
  for (let t = 0; t < txns.n; t++) {
    if (!committed[t]) continue;
    members++;
    const o = txns.ops[t]!;
    invoke[t] = o.invoke.time;
    complete[t] = o.complete?.time ?? Infinity;
  }
  const byInvoke = new Int32Array(members);
  for (let t = 0, i = 0; t < txns.n; t++) if (committed[t]) byInvoke[i++] = t;
  // Histories are written in invoke order, so this sort is usually a single run for TimSort.
  byInvoke.sort((a, b) => invoke[a]! - invoke[b]! || a - b);

  if (opts.process) {
    // Only an ok txn is known to have finished before its process's next op began.
    const lastOk = new Map<number, number>();
    for (const t of byInvoke) {
      const p = txns.ops[t]!.process;
      const last = lastOk.get(p);
      if (last !== undefined) g.add(last, t, PROCESS);
      if (txns.status[t] === OK) lastOk.set(p, t);
    }
  }
  if (opts.realtime) realtimeEdges(g, txns, byInvoke, invoke, complete);
}

function realtimeEdges(
  g: Graph,
  txns: Txns,
  byInvoke: Int32Array,
  invoke: Float64Array,
  complete: Float64Array,
): void {
  const byComplete = byInvoke
    .filter((t) => txns.status[t] === OK)
    .sort((a, b) => complete[a]! - complete[b]! || a - b);
  // The frontier as a dense array with positions, for O(1) removal.
  const frontier: number[] = [];
  const pos = new Int32Array(txns.n).fill(-1);
  // Each ok txn's edge sources, kept in one pool: [linkStart[t], linkStart[t] + linkLen[t]).
  const pool: number[] = [];
  const linkStart = new Int32Array(txns.n);
  const linkLen = new Int32Array(txns.n);
  const remove = (f: number) => {
    const i = pos[f]!;
    if (i < 0) return;
    const last = frontier.pop()!;
    if (last !== f) {
      frontier[i] = last;
      pos[last] = i;
    }
    pos[f] = -1;
  };
  let c = 0;
  for (const t of byInvoke) {
    // Strictly before: a completion at the very instant of an invoke does not order them.
    for (; c < byComplete.length && complete[byComplete[c]!]! < invoke[t]!; c++) {
      const done = byComplete[c]!;
      for (let i = linkStart[done]!, end = i + linkLen[done]!; i < end; i++) remove(pool[i]!);
      pos[done] = frontier.length;
      frontier.push(done);
    }
    if (txns.status[t] === OK) {
      linkStart[t] = pool.length;
      linkLen[t] = frontier.length;
    }
    for (const f of frontier) {
      g.add(f, t, REALTIME);
      if (txns.status[t] === OK) pool.push(f);
    }
  }
}
