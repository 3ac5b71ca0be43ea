// The project's import graph from its sources (relative imports only, type imports included: a
// cycle of types is still a cycle a reader must hold in mind), and its cycles between files and
// between folders.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export type Graph = Map<string, Set<string>>;

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** File → files it imports, as paths relative to `root`, over the given top folders. */
export function importGraph(root: string, folders: string[]): Graph {
  const g: Graph = new Map();
  for (const f of folders.flatMap((d) => sources(join(root, d)))) {
    const from = relative(root, f);
    const to = new Set<string>();
    for (const m of readFileSync(f, 'utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]!;
      if (spec.endsWith('.ts')) to.add(relative(root, resolve(dirname(f), spec)));
    }
    g.set(from, to);
  }
  return g;
}

/**
 * The folder a file belongs to as a unit of the design: `lab/<part>` with all its subfolders (a
 * report's charts are the report's), and `bbs`, `specs` whole.
 */
export function unitOf(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'lab' && parts.length > 2 ? `lab/${parts[1]}` : parts[0]!;
}

/** The folder graph: an edge between two units when a file of one imports a file of the other. */
export function folderGraph(g: Graph, unit: (file: string) => string = unitOf): Graph {
  const out: Graph = new Map();
  for (const [from, tos] of g) {
    const a = unit(from);
    if (!out.has(a)) out.set(a, new Set());
    for (const t of tos) if (unit(t) !== a) out.get(a)!.add(unit(t));
  }
  return out;
}

/** Strongly connected components of more than one vertex (Tarjan), each sorted. */
export function cycles(g: Graph): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out;
}
