// The notebooks' analyses on stored runs with known numbers.

import test from 'ava';
import { modeOf, sweepChart, sweepPage, sweepRows } from '../../notebooks/concurrency-sweep.ts';
import { faultKindPage, faultKindRows } from '../../notebooks/fault-kinds.ts';
import type { StoredRun } from '../../notebooks/runs.ts';
import type { RunStats } from '../../lab/report/stats.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';

function run(id: string, via: 'nodes' | 'proxies', clients: number, over: Partial<RunStats> = {}, valid: boolean | 'unknown' = true): StoredRun {
  const scenario = parseScenario(`name: ${id}\nquestion: q\nduration: 10s\ntopology: {nodes: 3, proxies: ${via === 'nodes' ? 0 : 1}}\nclients: {count: ${clients}, via: ${via}}\n`);
  const stats = {
    ops: 1000,
    byOutcome: { ok: 900, fail: 100, info: 0 },
    errors: { '1213 deadlock': 10, '1213 deadlock-on-commit': 10, '1047 non-primary': 5 },
    durationSec: 10,
    faults: [],
    failover: [],
    errorsInFaults: 0,
    ...over,
  } as unknown as RunStats;
  return { id, dir: `/x/${id}`, scenario, stats, check: { valid, summary: [] } };
}

test('sweep: 1213s per 1,000 ops grouped by mode and client count; runs with faults left out', (t) => {
  const runs = [
    run('a', 'nodes', 4),
    run('b', 'nodes', 4, { errors: { '1213 deadlock': 40 } } as Partial<RunStats>, false),
    run('c', 'proxies', 4, { errors: {} } as Partial<RunStats>),
    run('d', 'nodes', 8, { faults: [{ id: 'k', kind: 'kill', target: 'n1', start: 1, end: 2 }] } as Partial<RunStats>),
  ];
  t.is(modeOf(runs[0]!), 'multi-writer');
  t.is(modeOf(runs[2]!), 'single-writer');
  const rows = sweepRows(runs);
  t.deepEqual(
    rows.map((r) => [r.mode, r.clients, r.runs, r.deadlocksPerK, r.anomalies]),
    [
      ['multi-writer', 4, 2, 30, 1],
      ['single-writer', 4, 1, 0, 0],
    ],
  );
  t.is((sweepChart(rows).match(/class="point"/g) ?? []).length, 2, 'one point per row');
  t.regex(sweepPage(rows), /Single writer: 0\.0 per 1,000 ops at most \(4 clients\)\. Writes on every node: 30\.0 per 1,000 ops at most/);
  t.regex(sweepPage([]), /No fault-free BBS runs stored yet/);
});

test('fault kinds: counts, median failover gap, never recovered, anomalies', (t) => {
  const f = (kind: string, gap: number | null) => ({ fault: kind, kind, target: 'x', lastOkBefore: 1, firstOkAfter: gap === null ? null : 1 + gap, gapSec: gap });
  const runs = [
    run('a', 'proxies', 4, { faults: [{ id: 'p1', kind: 'partition', target: 'isolate:n3', start: 1, end: 5 }], failover: [f('partition', 2)], errorsInFaults: 30 } as Partial<RunStats>),
    run('b', 'proxies', 4, { faults: [{ id: 'p1', kind: 'partition', target: 'minority', start: 1, end: 5 }, { id: 'k1', kind: 'kill', target: 'n1', start: 6, end: 9 }], failover: [f('partition', 4), f('kill', null)], errorsInFaults: 20 } as Partial<RunStats>, false),
  ];
  const rows = faultKindRows(runs);
  t.deepEqual(
    rows.map((r) => [r.kind, r.faults, r.runs, r.errorsInWindowsPerFault, r.medianGapSec, r.neverRecovered, r.runsWithAnomalies]),
    [
      ['kill', 1, 1, 10, null, 1, 1],
      ['partition', 2, 2, 20, 3, 0, 1],
    ],
  );
  t.regex(faultKindPage(rows), /3 fault\(s\) of 2 kind\(s\)\. The longest median failover gap: kill \(never recovered\)\. Runs with anomalies had: kill, partition\./);
});
