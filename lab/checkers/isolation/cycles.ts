// Cycle searches, each without enumerating cycles:
//   ww        a strongly connected component (SCC) of the ww (+ process/realtime) subgraph: one per
//             SCC.
//   wr        an SCC of the ww+wr (+ order) subgraph "P" holding a wr edge: that edge and a P path
//             back.
//   one rw    an rw edge a→b with a P path b ⇝ a (exactly one rw): per SCC of the whole graph.
//   two rw    an rw edge a→b where b can reach a only through another rw edge; the shortest path
//             back is then simple and holds ≥ 1 rw, so the cycle has ≥ 2. Per SCC of the whole
//             graph.
// Cycles are shortest through the edge that seeds them (BFS), so examples stay short.
//
// Each cycle found is counted under Elle's name for it (elle-names.ts), so its edges are found at
// once: one BFS per SCC per search, inside that SCC, so linear overall. Only the explanation
// (the sentence) is built lazily, for the first few examples. The searches yield, in Elle's names:
// ww → G0*, wr → G1c*, one rw → G-single-item*, two rw → G2-item* or G-nonadjacent-item*
// (each * with -process / -realtime when an order edge closes it).
//
// Deciding "one rw" needs reachability per rw edge. Cheap cases first: a and b in one P-SCC (yes),
// or b's P-SCC emitted before a's by Tarjan (b cannot reach a: no). Only the rest pay a BFS,
// under a shared budget so a huge anomalous SCC cannot stall the check.

import type { AnomalySink } from './collect.ts';
import { elleName } from './elle-names.ts';
import type { CycleExplainer } from './explain.ts';
import {
  edgeKindName,
  EXHAUSTED,
  OUT_OF_BUDGET,
  PROCESS,
  REALTIME,
  RW,
  WR,
  WW,
  type Components,
  type Graph,
} from './graph.ts';

const W = WW | PROCESS | REALTIME;
const P = W | WR;
const EVERY = P | RW;
/** BFS vertex expansions for the one-rw / two-rw searches over the whole check. */
const SEARCH_BUDGET = 4_000_000;
/** Seeds tried for a two-rw cycle when only cycles that may repeat a vertex are left. */
const WALK_SEEDS = 8;

export function findCycles(g: Graph, explain: CycleExplainer, sink: AnomalySink): void {
  const all = g.scc(EVERY);
  if (!all.cyclic) return;
  const w = g.scc(W);
  const found = (edges: number[]) => report(g, edges, explain, sink);
  if (w.cyclic) oneEdgeClass(g, w, WW, W, found);
  const p = g.scc(P);
  if (p.cyclic) oneEdgeClass(g, p, WR, P, found);
  antiDependencyClasses(g, all, p, found);
}

/** Counts the cycle `edges` (edge ids, in cycle order) under Elle's name for it. */
function report(g: Graph, edges: number[], explain: CycleExplainer, sink: AnomalySink): void {
  const type = elleName(edges.map((e) => ({ kind: edgeKindName(g.kind[e]!) })));
  sink.add(type, () => explain.cycle(type, edges));
}

/** Cycles inside one SCC of `mask` through an edge of kind `seed`: one per such SCC. */
function oneEdgeClass(
  g: Graph,
  cs: Components,
  seed: number,
  mask: number,
  found: (edges: number[]) => void,
): void {
  const done = new Uint8Array(cs.size.length);
  const budget = { left: Infinity };
  for (let e = 0; e < g.m; e++) {
    if (g.kind[e] !== seed) continue;
    const a = g.from[e]!;
    const b = g.to[e]!;
    const c = cs.comp[a]!;
    if (c !== cs.comp[b] || done[c]) continue;
    done[c] = 1;
    g.bfs(b, mask, cs.comp, c, (v) => v === a, budget);
    found([e, ...g.pathTo(a)]);
  }
}

function antiDependencyClasses(
  g: Graph,
  all: Components,
  p: Components,
  found: (edges: number[]) => void,
): void {
  const rwByComp = new Map<number, number[]>();
  for (let e = 0; e < g.m; e++) {
    if (g.kind[e] !== RW) continue;
    const c = all.comp[g.from[e]!]!;
    if (c !== all.comp[g.to[e]!]) continue;
    const list = rwByComp.get(c);
    if (list) list.push(e);
    else rwByComp.set(c, [e]);
  }
  const budget = { left: SEARCH_BUDGET };
  const unbounded = { left: Infinity };
  for (const [c, rws] of rwByComp) {
    // One rw edge.
    let g2Seed = -1;
    const same = rws.find((e) => p.comp[g.from[e]!] === p.comp[g.to[e]!]);
    if (same !== undefined) {
      const a = g.from[same]!;
      const b = g.to[same]!;
      g.bfs(b, P, p.comp, p.comp[a]!, (v) => v === a, unbounded);
      found([same, ...g.pathTo(a)]);
    } else {
      // b may reach a through P only if Tarjan emitted b's P-SCC after a's.
      const sources = new Map<number, number[]>();
      for (const e of rws) {
        const a = g.from[e]!;
        const b = g.to[e]!;
        if (p.comp[b]! < p.comp[a]!) continue;
        const list = sources.get(b);
        if (list) list.push(e);
        else sources.set(b, [e]);
      }
      for (const [b, es] of sources) {
        const targets = new Set(es.map((e) => g.from[e]!));
        const hit = g.bfs(b, P, all.comp, c, (v) => targets.has(v), budget);
        if (hit >= 0) {
          const seed = es.find((e) => g.from[e] === hit)!;
          found([seed, ...g.pathTo(hit)]);
          break;
        }
        if (hit === EXHAUSTED && g2Seed < 0) g2Seed = es[0]!;
        if (hit === OUT_OF_BUDGET) break;
      }
    }

    // Two or more rw edges.
    if (g2Seed < 0) g2Seed = rws.find((e) => p.comp[g.to[e]!]! < p.comp[g.from[e]!]!) ?? -1;
    if (g2Seed >= 0) {
      const e = g2Seed;
      const a = g.from[e]!;
      g.bfs(g.to[e]!, EVERY, all.comp, c, (v) => v === a, unbounded);
      found([e, ...g.pathTo(a)]);
      continue;
    }
    // Every rw edge here can be closed by a P path; a cycle with two rw edges may still exist.
    for (const e of rws.slice(0, WALK_SEEDS)) {
      const walk = g.walkWithRw(g.to[e]!, g.from[e]!, all.comp, c, budget);
      if (walk === null) continue;
      const cycle = [e, ...walk];
      const vertices = new Set(cycle.map((x) => g.from[x]!));
      if (vertices.size !== cycle.length) continue;
      found(cycle);
      break;
    }
  }
}
