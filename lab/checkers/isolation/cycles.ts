// Cycle classes, each found without enumerating cycles:
//   G0        a strongly connected component (SCC) of the ww (+ process/realtime) subgraph: one per
//   SCC.
//   G1c       an SCC of the ww+wr (+ order) subgraph "P" holding a wr edge: that edge and a P path
//   back.
//   G-single  an rw edge a→b with a P path b ⇝ a (exactly one rw): per SCC of the whole graph.
//   G2-item   an rw edge a→b where b can reach a only through another rw edge; the shortest path
//             back is then simple and holds ≥ 1 rw, so the cycle has ≥ 2. Per SCC of the whole
//             graph.
// Cycles are shortest through the edge that seeds them (BFS), so examples stay short.
//
// Deciding G-single needs reachability per rw edge. Cheap cases first: a and b in one P-SCC (yes),
// or b's P-SCC emitted before a's by Tarjan (b cannot reach a: no). Only the rest pay a BFS,
// under a shared budget so a huge anomalous SCC cannot stall the check.

import type { AnomalySink } from './collect.ts';
import type { CycleExplainer } from './explain.ts';
import {
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
/** BFS vertex expansions for the G-single / G2-item searches over the whole check. */
const SEARCH_BUDGET = 4_000_000;
/** Seeds tried for a G2-item cycle when only cycles that may repeat a vertex are left. */
const WALK_SEEDS = 8;

export function findCycles(g: Graph, explain: CycleExplainer, sink: AnomalySink): void {
  const all = g.scc(EVERY);
  if (!all.cyclic) return;
  const w = g.scc(W);
  if (w.cyclic) oneEdgeClass(g, w, WW, W, 'G0', explain, sink);
  const p = g.scc(P);
  if (p.cyclic) oneEdgeClass(g, p, WR, P, 'G1c', explain, sink);
  antiDependencyClasses(g, all, p, explain, sink);
}

/** Cycles inside one SCC of `mask` through an edge of kind `seed`: one per such SCC. */
function oneEdgeClass(
  g: Graph,
  cs: Components,
  seed: number,
  mask: number,
  type: 'G0' | 'G1c',
  explain: CycleExplainer,
  sink: AnomalySink,
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
    sink.add(type, () => {
      g.bfs(b, mask, cs.comp, c, (v) => v === a, budget);
      return explain.cycle(type, [e, ...g.pathTo(a)]);
    });
  }
}

function antiDependencyClasses(
  g: Graph,
  all: Components,
  p: Components,
  explain: CycleExplainer,
  sink: AnomalySink,
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
    // G-single.
    let g2Seed = -1;
    const same = rws.find((e) => p.comp[g.from[e]!] === p.comp[g.to[e]!]);
    if (same !== undefined) {
      const a = g.from[same]!;
      const b = g.to[same]!;
      sink.add('G-single', () => {
        g.bfs(b, P, p.comp, p.comp[a]!, (v) => v === a, unbounded);
        return explain.cycle('G-single', [same, ...g.pathTo(a)]);
      });
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
        const found = g.bfs(b, P, all.comp, c, (v) => targets.has(v), budget);
        if (found >= 0) {
          const seed = es.find((e) => g.from[e] === found)!;
          sink.add('G-single', () => explain.cycle('G-single', [seed, ...g.pathTo(found)]));
          break;
        }
        if (found === EXHAUSTED && g2Seed < 0) g2Seed = es[0]!;
        if (found === OUT_OF_BUDGET) break;
      }
    }

    // G2-item.
    if (g2Seed < 0) g2Seed = rws.find((e) => p.comp[g.to[e]!]! < p.comp[g.from[e]!]!) ?? -1;
    if (g2Seed >= 0) {
      const e = g2Seed;
      const a = g.from[e]!;
      sink.add('G2-item', () => {
        g.bfs(g.to[e]!, EVERY, all.comp, c, (v) => v === a, unbounded);
        return explain.cycle('G2-item', [e, ...g.pathTo(a)]);
      });
      continue;
    }
    // Every rw edge here can be closed by a P path; a cycle with two rw edges may still exist.
    for (const e of rws.slice(0, WALK_SEEDS)) {
      const walk = g.walkWithRw(g.to[e]!, g.from[e]!, all.comp, c, budget);
      if (walk === null) continue;
      const cycle = [e, ...walk];
      const vertices = new Set(cycle.map((x) => g.from[x]!));
      if (vertices.size !== cycle.length) continue;
      sink.add('G2-item', () => explain.cycle('G2-item', cycle));
      break;
    }
  }
}
