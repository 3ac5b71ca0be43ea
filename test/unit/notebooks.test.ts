// The notebooks' analyses on stored runs with known numbers.

import test from 'ava';
import { modeOf, sweepChart, sweepPage, sweepRows } from '../../notebooks/concurrency-sweep.ts';
import { faultKindPage, faultKindRows } from '../../notebooks/fault-kinds.ts';
import type { StoredRun } from '../../notebooks/runs.ts';
import type { RunStats } from '../../lab/report/stats.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';

function run(
  id: string,
  via: 'nodes' | 'proxies',
  clients: number,
  over: Partial<RunStats> = {},
  valid: boolean | 'unknown' = true,
): StoredRun {
  const scenario = parseScenario(
    `name: ${id}\nquestion: q\nduration: 10s\ntopology: {nodes: 3, proxies: ${via === 'nodes' ? 0 : 1}}\nclients: {count: ${clients}, via: ${via}}\n`,
  );
  const stats = {
    ops: 1000,
    byOutcome: { ok: 900, fail: 100, info: 0 },
    errors: { '1213 deadlock': 10, '1213 deadlock-on-commit': 10, '1047 non-primary': 5 },
    durationSec: 10,
    faults: [],
    availability: { bbs: { longest: null, gaps: [] }, perClient: {}, timeShare: 1, faults: [] },
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
    run('d', 'nodes', 8, {
      faults: [{ id: 'k', kind: 'kill', target: 'n1', start: 1, end: 2 }],
    } as Partial<RunStats>),
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
  t.regex(
    sweepPage(rows),
    /Single writer: 0\.0 per 1,000 ops at most \(4 clients\)\. Writes on every node: 30\.0 per 1,000 ops at most/,
  );
  t.regex(sweepPage([]), /No fault-free BBS runs stored yet/);
});

test('fault kinds: counts, median outages (worst client, median client, BBS), never recovered, anomalies', (t) => {
  // A fault's outage figures; firstOk null for every client = no client succeeded again.
  const f = (kind: string, worst: number, median: number, bbs: number, recovered = true) => ({
    fault: kind,
    kind,
    target: 'x',
    start: 1,
    healed: 5,
    recovered: null,
    firstOkAfterSec: { '0': recovered ? 1 : null, '1': null },
    clientOutageSec: {},
    medianClientOutageSec: median,
    worstClientOutageSec: worst,
    worstClient: '0',
    bbsOutageSec: bbs,
    inFlight: { ops: 0, ok: 0, fail: 0, info: 0, unfinished: 0 },
    errors: {},
  });
  const avail = (faults: ReturnType<typeof f>[]) => ({
    bbs: { longest: null, gaps: [] },
    perClient: {},
    timeShare: 1,
    faults,
  });
  const runs = [
    run('a', 'proxies', 4, {
      faults: [{ id: 'p1', kind: 'partition', target: 'isolate:n3', start: 1, end: 5 }],
      availability: avail([f('partition', 2, 1, 0.5)]),
      errorsInFaults: 30,
    } as Partial<RunStats>),
    run(
      'b',
      'proxies',
      4,
      {
        faults: [
          { id: 'p1', kind: 'partition', target: 'minority', start: 1, end: 5 },
          { id: 'k1', kind: 'kill', target: 'n1', start: 6, end: 9 },
        ],
        availability: avail([f('partition', 4, 2, 1.5), f('kill', 19, 3, 3, false)]),
        errorsInFaults: 20,
      } as Partial<RunStats>,
      false,
    ),
  ];
  const rows = faultKindRows(runs);
  // partition: worst 2 and 4 → median 3; median-client 1 and 2 → 1.5; BBS 0.5 and 1.5 → 1.
  // errors: run a 30 (1 fault), run b 20 shared over 2 faults → 10 each: partition (30 + 10) / 2 =
  // 20, kill 10.
  t.deepEqual(
    rows.map((r) => [
      r.kind,
      r.faults,
      r.runs,
      r.errorsInWindowsPerFault,
      r.medianWorstClientSec,
      r.medianMedianClientSec,
      r.medianBbsSec,
      r.neverRecovered,
      r.runsWithAnomalies,
    ]),
    [
      ['kill', 1, 1, 10, 19, 3, 3, 1, 1],
      ['partition', 2, 2, 20, 3, 1.5, 1, 0, 1],
    ],
  );
  const page = faultKindPage(rows);
  t.regex(
    page,
    /3 fault\(s\) of 2 kind\(s\)\. The longest outage \(median over its faults of the worst client's\): kill \(19\.0 s; median client 3\.0 s, whole BBS 3\.0 s\)\. Runs with anomalies had: kill, partition\./,
  );
  t.regex(page, /\| partition \| 2 \| 2 \| 20\.0 \| 3\.0 s \| 1\.5 s \| 1\.0 s \| 0 \| 1 \|/);
  t.notRegex(page, /failover/i);
});
