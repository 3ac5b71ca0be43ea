// The dependency graph: edges in growable typed arrays (no object per edge), frozen into a
// compressed adjacency (CSR) for the searches. Each edge has exactly one kind bit, so a search can
// be restricted to a set of kinds with a mask instead of building subgraphs.
//
// Tarjan's SCC and the BFS are iterative: a 100k-txn dependency chain must not blow the JS stack.

import type { EdgeKind } from './types.ts';

export const WW = 1;
export const WR = 2;
export const RW = 4;
export const PROCESS = 8;
export const REALTIME = 16;
export const ALL = WW | WR | RW | PROCESS | REALTIME;

export function edgeKindName(kind: number): EdgeKind {
  return kind === WW
    ? 'ww'
    : kind === WR
      ? 'wr'
      : kind === RW
        ? 'rw'
        : kind === PROCESS
          ? 'process'
          : 'realtime';
}

export interface Components {
  /**
   * Component id per vertex. Tarjan emits sinks first: if X reaches Y in another component, id(X) >
   * id(Y).
   */
  comp: Int32Array;
  size: Int32Array;
  /** Whether any component has more than one vertex (there are no self-loops). */
  cyclic: boolean;
}

/** BFS outcomes besides a found vertex. */
export const EXHAUSTED = -1;
export const OUT_OF_BUDGET = -2;

export class Graph {
  m = 0;
  from: Int32Array;
  to: Int32Array;
  kind: Uint8Array;
  key: Float64Array;
  value: Float64Array;
  private start = new Int32Array(0);
  private adj = new Int32Array(0);
  private seen: Int32Array;
  private prev: Int32Array;
  private queue: Int32Array;
  private stamp = 0;

  /** `expected` edges are allocated up front (a list-append history has a few per txn). */
  constructor(
    readonly n: number,
    expected = 1024,
  ) {
    const cap = Math.max(16, expected);
    this.from = new Int32Array(cap);
    this.to = new Int32Array(cap);
    this.kind = new Uint8Array(cap);
    this.key = new Float64Array(cap);
    this.value = new Float64Array(cap);
    this.seen = new Int32Array(n);
    this.prev = new Int32Array(n);
    this.queue = new Int32Array(n);
  }

  add(from: number, to: number, kind: number, key = NaN, value = NaN): void {
    if (this.m === this.from.length) this.grow();
    const i = this.m++;
    this.from[i] = from;
    this.to[i] = to;
    this.kind[i] = kind;
    this.key[i] = key;
    this.value[i] = value;
  }

  private grow(): void {
    const cap = this.from.length * 2;
    const copy = <T extends Int32Array | Uint8Array | Float64Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.from = copy(this.from, new Int32Array(cap));
    this.to = copy(this.to, new Int32Array(cap));
    this.kind = copy(this.kind, new Uint8Array(cap));
    this.key = copy(this.key, new Float64Array(cap));
    this.value = copy(this.value, new Float64Array(cap));
  }

  /** Builds the adjacency; call once, after the last add. */
  freeze(): void {
    const start = new Int32Array(this.n + 1);
    for (let e = 0; e < this.m; e++) start[this.from[e]! + 1]!++;
    for (let v = 0; v < this.n; v++) start[v + 1]! += start[v]!;
    const fill = start.slice(0, this.n);
    const adj = new Int32Array(this.m);
    for (let e = 0; e < this.m; e++) adj[fill[this.from[e]!]!++] = e;
    this.start = start;
    this.adj = adj;
  }

  /** Strongly connected components of the subgraph of edges whose kind is in `mask`. */
  scc(mask: number): Components {
    const { n, start, adj, kind, to } = this;
    const index = new Int32Array(n).fill(-1);
    const low = new Int32Array(n);
    const onStack = new Uint8Array(n);
    const stack = new Int32Array(n);
    const callNode = new Int32Array(n);
    const callEdge = new Int32Array(n);
    const comp = new Int32Array(n);
    const sizes: number[] = [];
    let sp = 0;
    let next = 0;
    let cyclic = false;
    for (let s = 0; s < n; s++) {
      if (index[s] !== -1) continue;
      let csp = 0;
      index[s] = low[s] = next++;
      stack[sp++] = s;
      onStack[s] = 1;
      callNode[csp] = s;
      callEdge[csp++] = start[s]!;
      while (csp > 0) {
        const v = callNode[csp - 1]!;
        const e = callEdge[csp - 1]!;
        if (e < start[v + 1]!) {
          callEdge[csp - 1] = e + 1;
          const id = adj[e]!;
          if ((kind[id]! & mask) === 0) continue;
          const w = to[id]!;
          if (index[w] === -1) {
            index[w] = low[w] = next++;
            stack[sp++] = w;
            onStack[w] = 1;
            callNode[csp] = w;
            callEdge[csp++] = start[w]!;
          } else if (onStack[w] && index[w]! < low[v]!) {
            low[v] = index[w]!;
          }
          continue;
        }
        csp--;
        if (low[v] === index[v]) {
          const c = sizes.length;
          let size = 0;
          let w: number;
          do {
            w = stack[--sp]!;
            onStack[w] = 0;
            comp[w] = c;
            size++;
          } while (w !== v);
          sizes.push(size);
          if (size > 1) cyclic = true;
        }
        if (csp > 0) {
          const u = callNode[csp - 1]!;
          if (low[v]! < low[u]!) low[u] = low[v]!;
        }
      }
    }
    return { comp, size: Int32Array.from(sizes), cyclic };
  }

  /**
   * Breadth-first from `src` over `mask` edges, staying inside component `c` of `comp`, until a
   * vertex other than `src` satisfies `isTarget`. Returns it (then pathTo gives the shortest path),
   * EXHAUSTED, or OUT_OF_BUDGET once `budget.left` vertices have been expanded overall.
   */
  bfs(
    src: number,
    mask: number,
    comp: Int32Array,
    c: number,
    isTarget: (v: number) => boolean,
    budget: { left: number },
  ): number {
    const { start, adj, kind, to, seen, prev, queue } = this;
    const stamp = ++this.stamp;
    seen[src] = stamp;
    prev[src] = -1;
    queue[0] = src;
    let head = 0;
    let tail = 1;
    while (head < tail) {
      if (budget.left-- <= 0) return OUT_OF_BUDGET;
      const v = queue[head++]!;
      for (let i = start[v]!, end = start[v + 1]!; i < end; i++) {
        const e = adj[i]!;
        if ((kind[e]! & mask) === 0) continue;
        const w = to[e]!;
        if (seen[w] === stamp || comp[w] !== c) continue;
        seen[w] = stamp;
        prev[w] = e;
        if (isTarget(w)) return w;
        queue[tail++] = w;
      }
    }
    return EXHAUSTED;
  }

  /** Edge ids of the path the last bfs found from its source to `target`. */
  pathTo(target: number): number[] {
    const path: number[] = [];
    for (let e = this.prev[target]!; e >= 0; e = this.prev[this.from[e]!]!) path.push(e);
    return path.reverse();
  }

  /**
   * Shortest walk from `src` to `dst` inside component `c` over all edges that takes at least one
   * rw edge: BFS over (vertex, rw seen yet) pairs. The walk may repeat a vertex; callers check.
   */
  walkWithRw(
    src: number,
    dst: number,
    comp: Int32Array,
    c: number,
    budget: { left: number },
  ): number[] | null {
    const { start, adj, kind, to } = this;
    const prevEdge = new Int32Array(this.n * 2).fill(-1);
    const prevState = new Int32Array(this.n * 2).fill(-1);
    const seen = new Uint8Array(this.n * 2);
    const queue: number[] = [src * 2];
    seen[src * 2] = 1;
    for (let head = 0; head < queue.length; head++) {
      if (budget.left-- <= 0) return null;
      const state = queue[head]!;
      const v = state >> 1;
      for (let i = start[v]!, end = start[v + 1]!; i < end; i++) {
        const e = adj[i]!;
        const w = to[e]!;
        if (comp[w] !== c) continue;
        const next = w * 2 + ((state & 1) | (kind[e] === RW ? 1 : 0));
        if (seen[next]) continue;
        seen[next] = 1;
        prevEdge[next] = e;
        prevState[next] = state;
        if (next === dst * 2 + 1) {
          const path: number[] = [];
          for (let s = next; s !== src * 2; s = prevState[s]!) path.push(prevEdge[s]!);
          return path.reverse();
        }
        queue.push(next);
      }
    }
    return null;
  }
}
