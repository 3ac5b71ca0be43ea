import test from 'ava';
import { cycles, folderGraph, importGraph, unitOf, type Graph } from './import-graph.ts';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const g = importGraph(root, ['lab', 'bbs', 'specs']);
const graph = (edges: Record<string, string[]>): Graph =>
  new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));

test('cycles() finds a cycle and only cycles (the check itself, on hand-made graphs)', (t) => {
  // a → b → c → a is one cycle; d → a hangs off it; e ↔ f is another.
  t.deepEqual(
    cycles(graph({ a: ['b'], b: ['c'], c: ['a'], d: ['a'], e: ['f'], f: ['e'] }))
      .map((c) => c.join())
      .sort(),
    ['a,b,c', 'e,f'],
  );
  t.deepEqual(cycles(graph({ a: ['b', 'c'], b: ['c'], c: [] })), []);
  t.is(unitOf('lab/report/charts/common.ts'), 'lab/report');
  t.is(unitOf('bbs/sql/store.ts'), 'bbs');
  // Two files of one folder that import each other are a file cycle, not a folder cycle.
  const fg = folderGraph(
    graph({
      'lab/x/a.ts': ['lab/x/b.ts'],
      'lab/x/b.ts': ['lab/x/a.ts', 'lab/y/c.ts'],
      'lab/y/c.ts': [],
    }),
  );
  t.deepEqual(cycles(fg), []);
});

test('the sources were read (a graph that saw nothing would pass every check below)', (t) => {
  t.true(g.size > 200);
  t.true([...g.get('lab/runner/run.ts')!].length > 5);
});

test('no import cycle between files', (t) => {
  t.deepEqual(cycles(g), []);
});

test('no import cycle between folders (lab/<part>, bbs, specs)', (t) => {
  t.deepEqual(cycles(folderGraph(g)), []);
});

test('bbs/ (the system under test) and specs/ (what it is held to) import nothing from lab/', (t) => {
  const bad = [...g]
    .filter(([f]) => f.startsWith('bbs/') || f.startsWith('specs/'))
    .flatMap(([f, tos]) => [...tos].filter((x) => x.startsWith('lab/')).map((x) => `${f} → ${x}`));
  t.deepEqual(bad, []);
});

test('nothing below the runner imports the runner or the command line', (t) => {
  // The runner and the command line sit on top; so do the parts that run whole runs (investigate,
  // selftest, bench).
  const top = new Set(['lab/cli', 'lab/runner', 'lab/investigate', 'lab/selftest', 'lab/bench']);
  const bad = [...g]
    .filter(([f]) => !top.has(unitOf(f)))
    .flatMap(([f, tos]) =>
      [...tos]
        .filter((x) => unitOf(x) === 'lab/runner' || unitOf(x) === 'lab/cli')
        .map((x) => `${f} → ${x}`),
    );
  t.deepEqual(bad, []);
});
