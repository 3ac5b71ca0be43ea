// The edges of the dependency graph between committed txns (Adya's DSG, inferred as in Elle):
//   ww  T1 appended x_i, T2 appended x_{i+1} (the next element in the version order)
//   wr  T2's read of a list ended in T1's append
//   rw  T1's read ended at x_i (or saw the list empty) and T2 appended x_{i+1}
// plus, when asked, process order and real-time order.
//
// Only a txn's external reads (the first, before it appended to the key itself) give wr/rw edges:
// later reads only show its own appends, which the ww edges already order.

import { PROCESS, REALTIME, RW, WR, WW, type Graph } from './graph.ts';
import { DUPLICATE, EXTERNAL, type Reads } from './reads.ts';
import { OK, type Appends, type Txns } from './txns.ts';
import type { ListTrie, VersionOrders } from './version-order.ts';

export function addDataEdges(g: Graph, appends: Appends, trie: ListTrie, reads: Reads, vo: VersionOrders, committed: Uint8Array): void {
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
    const next = vo.orders.get(key)!.nodes[len];
    if (next === undefined) continue;
    const w = writer(next);
    if (w >= 0 && w !== t) g.add(t, w, RW, key, trie.value[next]!);
  }
}

/**
 * Real-time edges without the O(n²) of every pair: walking invokes and completions in time order,
 * a txn gets an edge from each ok txn in the "frontier" (completed, and not yet followed by any txn
 * that was invoked after it completed). When it completes, it replaces in the frontier the txns it
 * got edges from: they reach everything later through it. Reachability is exactly real-time order.
 */
export function addOrderEdges(g: Graph, txns: Txns, committed: Uint8Array, opts: { process: boolean; realtime: boolean }): void {
  const members: number[] = [];
  for (let t = 0; t < txns.n; t++) if (committed[t]) members.push(t);
  const invoke = (t: number) => txns.ops[t]!.invoke.time;
  const complete = (t: number) => txns.ops[t]!.complete!.time;
  const byInvoke = members.slice().sort((a, b) => invoke(a) - invoke(b) || a - b);

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

  if (opts.realtime) {
    const byComplete = members.filter((t) => txns.status[t] === OK).sort((a, b) => complete(a) - complete(b) || a - b);
    const frontier = new Set<number>();
    const linked = new Map<number, number[]>();
    let c = 0;
    for (const t of byInvoke) {
      // Strictly before: a completion at the very instant of an invoke does not order them.
      for (; c < byComplete.length && complete(byComplete[c]!) < invoke(t); c++) {
        const done = byComplete[c]!;
        for (const f of linked.get(done) ?? []) frontier.delete(f);
        linked.delete(done);
        frontier.add(done);
      }
      if (frontier.size === 0) continue;
      const from = [...frontier];
      for (const f of from) g.add(f, t, REALTIME);
      if (txns.status[t] === OK) linked.set(t, from);
    }
  }
}
