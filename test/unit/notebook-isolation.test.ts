// The isolation notebook on stored runs with fixed counts: which cell each run fills, and the
// sentences that separate InnoDB's REPEATABLE READ from what only several Galera writers show.

import test from 'ava';
import {
  isolationCells,
  isolationPage,
  isolationScenarios,
  isolationSentences,
} from '../../notebooks/isolation.ts';
import type { StoredRun } from '../../notebooks/runs.ts';
import type { RunStats } from '../../lab/report/stats.ts';
import { PROJECT_ROOT } from '../../lab/runner/run-dir.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';

function run(
  id: string,
  nodes: 1 | 3,
  level: 'repeatable-read' | 'serializable',
  txns: number,
  counts: Record<string, number>,
  names?: 'elle',
): StoredRun {
  const scenario = parseScenario(
    `name: ${id}\nquestion: q\nduration: 10s\ntopology: {nodes: ${nodes}, proxies: 0}\nclients: {count: 9, via: nodes}\nworkload: {kind: list-append, isolation: ${level}}\n`,
  );
  return {
    id,
    dir: `/x/${id}`,
    scenario,
    stats: {} as RunStats,
    check: { valid: true, summary: [] },
    isolation: { txns, counts, ...(names ? { names } : {}) },
  };
}

/**
 * The picture: RR shows G-single, G2-item and lost update on one node as on three; SER only
 * on three.
 */
const runs = [
  run('2025-01-01T00-00-00Z-isolation-single-node', 1, 'repeatable-read', 1000, {
    'G-single': 2,
    'G2-item': 7,
    'lost-update': 3,
  }),
  run('2025-01-01T00-01-00Z-isolation-multi-writer', 3, 'repeatable-read', 900, {
    'G-single': 4,
    'G2-item': 11,
    'lost-update': 6,
    G0: 1,
  }),
  run('2025-01-01T00-02-00Z-isolation-single-node-serializable', 1, 'serializable', 800, {}),
  run('2025-01-01T00-03-00Z-isolation-serializable-multi-writer', 3, 'serializable', 700, {
    'G-single': 5,
    'G2-item': 39,
  }),
  // An older 1-node RR run: the newest of a cell wins.
  run('2024-12-31T00-00-00Z-isolation-single-node', 1, 'repeatable-read', 10, { G0: 9 }),
];

test('each list-append run fills its cell (nodes × level), the newest one per cell', (t) => {
  const cells = isolationCells(runs);
  t.is(cells['1-rr']!.run, '2025-01-01T00-00-00Z-isolation-single-node');
  t.is(cells['1-rr']!.txns, 1000);
  t.is(cells['3-ser']!.counts['G2-item'], 39);
  t.deepEqual(Object.keys(cells).sort(), ['1-rr', '1-ser', '3-rr', '3-ser']);
});

test('the sentences: RR anomalies one node shows too are InnoDB; SER anomalies only with three writers are Galera', (t) => {
  t.deepEqual(isolationSentences(isolationCells(runs)), [
    "G-single, G2-item and lost-update on one node at RR as on three: InnoDB's REPEATABLE READ (Jepsen's 2023 MySQL result), not Galera.",
    'At RR only with three writers: G0.',
    "G-single and G2-item at SERIALIZABLE only with three writers: Galera-specific (each node's read locks hold only on that node; certification compares write sets).",
  ]);
  // One node at SER with G2-item too: then it is not Galera-specific.
  const ser1 = run('2025-01-02T00-00-00Z-x', 1, 'serializable', 800, { 'G2-item': 1 });
  t.deepEqual(isolationSentences(isolationCells([...runs, ser1])).slice(2), [
    "G-single at SERIALIZABLE only with three writers: Galera-specific (each node's read locks hold only on that node; certification compares write sets).",
    'G2-item at SERIALIZABLE on one node too: not Galera-specific.',
  ]);
  // Missing cells are named, with the command that makes them.
  t.deepEqual(isolationSentences(isolationCells(runs.slice(0, 2))).slice(-1), [
    'No stored run for 1 node SER and 3 nodes SER: `npm run notebook -- isolation --run` makes them.',
  ]);
});

test('the page: anomaly × {1 node RR, 3 nodes RR, 1 node SER, 3 nodes SER} with the fixed counts', (t) => {
  const page = isolationPage(isolationCells(runs));
  t.regex(page, /\| anomaly \| 1 node RR \| 3 nodes RR \| 1 node SER \| 3 nodes SER \|/);
  t.regex(page, /\| transactions \| 1,000 \| 900 \| 800 \| 700 \|/);
  t.regex(page, /\| G-single \| 2 \| 4 \| 0 \| 5 \|/);
  t.regex(page, /\| G2-item \| 7 \| 11 \| 0 \| 39 \|/);
  t.regex(page, /\| lost-update \| 3 \| 6 \| 0 \| 0 \|/);
  t.regex(page, /\| G0 \| 0 \| 1 \| 0 \| 0 \|/);
  // A missing cell is a dash, not a zero.
  t.regex(isolationPage(isolationCells(runs.slice(0, 1))), /\| G-single \| 2 \| — \| — \| — \|/);
});

/** The same picture from runs that count cycles by Elle's names. */
const elleRuns = [
  run(
    '2026-01-01T00-00-00Z-isolation-single-node',
    1,
    'repeatable-read',
    1000,
    { 'G-single-item-realtime': 2, 'G2-item': 7 },
    'elle',
  ),
  run(
    '2026-01-01T00-01-00Z-isolation-multi-writer',
    3,
    'repeatable-read',
    900,
    { 'G-single-item-realtime': 4, 'G2-item': 1, 'G-nonadjacent-item': 10 },
    'elle',
  ),
  run(
    '2026-01-01T00-02-00Z-isolation-single-node-serializable',
    1,
    'serializable',
    800,
    {},
    'elle',
  ),
  run(
    '2026-01-01T00-03-00Z-isolation-serializable-multi-writer',
    3,
    'serializable',
    700,
    { 'G-nonadjacent-item': 3 },
    'elle',
  ),
];

test("runs with Elle's names: rows and sentences by Elle's names", (t) => {
  const cells = isolationCells(elleRuns);
  t.deepEqual(isolationSentences(cells), [
    "G-single-item-realtime and G2-item on one node at RR as on three: InnoDB's REPEATABLE READ (Jepsen's 2023 MySQL result), not Galera.",
    'At RR only with three writers: G-nonadjacent-item.',
    "G-nonadjacent-item at SERIALIZABLE only with three writers: Galera-specific (each node's read locks hold only on that node; certification compares write sets).",
  ]);
  const page = isolationPage(cells);
  t.regex(page, /\| G-single-item-realtime \| 2 \| 4 \| 0 \| 0 \|/);
  t.regex(page, /\| G-nonadjacent-item \| 0 \| 10 \| 0 \| 3 \|/);
  t.notRegex(page, /\| G-single \|/);
  t.notRegex(page, /predate/);
});

test("a run from before Elle's names among newer ones: every run is read by the old classes", (t) => {
  // The 1-node RR cell is an old run (G-single 2, G2-item 7); the rest count by Elle's names.
  const cells = isolationCells([runs[0]!, ...elleRuns.slice(1)]);
  const page = isolationPage(cells);
  // G-single = G-single-item with every variant; G2-item = G2-item + G-nonadjacent-item.
  t.regex(page, /\| G-single \| 2 \| 4 \| 0 \| 0 \|/);
  t.regex(page, /\| G2-item \| 7 \| 11 \| 0 \| 3 \|/);
  t.notRegex(page, /\| G-nonadjacent-item \|/);
  t.regex(page, /Some runs predate Elle's cycle names/);
  t.deepEqual(isolationSentences(cells).slice(0, 1), [
    "G-single and G2-item on one node at RR as on three: InnoDB's REPEATABLE READ (Jepsen's 2023 MySQL result), not Galera.",
  ]);
});

test('--run makes one scenario per cell: 1 and 3 nodes at RR and at SERIALIZABLE', (t) => {
  const cells = isolationScenarios(PROJECT_ROOT).map((s) => [
    s.name,
    s.topology.nodes,
    s.workload.kind,
    s.workload.isolation,
  ]);
  t.deepEqual(cells, [
    ['isolation-single-node', 1, 'list-append', 'repeatable-read'],
    ['isolation-multi-writer', 3, 'list-append', 'repeatable-read'],
    ['isolation-single-node-serializable', 1, 'list-append', 'serializable'],
    ['isolation-serializable-multi-writer', 3, 'list-append', 'serializable'],
  ]);
});
