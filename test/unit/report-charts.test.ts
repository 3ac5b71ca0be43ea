import test from 'ava';
import type { CheckReport } from '../../lab/report/verdicts.ts';
import {
  anomalyChart,
  chartData,
  collectAnomalies,
  errorsChart,
  latencyChart,
  renderCharts,
  throughputChart,
  writersChart,
} from '../../lab/report/charts/index.ts';
import { thinPoints } from '../../lab/report/charts/latency.ts';
import { computeStats } from '../../lab/report/stats.ts';
import { T0, fixtureHistory } from '../browser/report-fixture.ts';

const history = fixtureHistory();
const stats = computeStats(history);
const data = chartData(history);
const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;

test('fixture stats are what the charts are counted against', (t) => {
  t.is(stats.faults.length, 2);
  t.is(stats.writeWindows.multiNode, 1);
  t.deepEqual(stats.writeWindows.seconds, [0]);
  t.is(data.points.length, 7, 'seven ops completed, one never did');
});

test('latency: one point per completed op, coloured by outcome; one band and label per fault window', (t) => {
  const svg = latencyChart(data.points, stats.faults);
  t.true(svg.startsWith('<svg'));
  t.regex(svg, /data-chart="latency"/);
  t.is(count(svg, /<circle class="point /g), 7);
  t.is(count(svg, /class="point ok"/g), 4);
  t.is(count(svg, /class="point fail"/g), 2);
  t.is(count(svg, /class="point info"/g), 1);
  t.is(count(svg, /class="fault-band"/g), 2);
  t.is(count(svg, /class="fault-label"[^>]*>partition n1</g), 1);
  t.is(count(svg, /class="fault-label"[^>]*>kill n2</g), 1);
});

test('latency: above maxPoints, every failed and unknown op is kept and ok ones are thinned', (t) => {
  const kept = thinPoints(data.points, 4);
  t.is(kept.length, 4);
  t.is(kept.filter((p) => p.outcome !== 'ok').length, 3);
  const svg = latencyChart(data.points, stats.faults, { maxPoints: 4 });
  t.is(count(svg, /<circle class="point /g), 4);
  t.regex(svg, /4 of 7 ops drawn/);
});

test('throughput: one stacked rect per second and non-zero outcome, fault bands', (t) => {
  const svg = throughputChart(stats.perSecond, stats.faults);
  // s0: 2 ok; s1: 1 ok; s2: 1 fail; s3: 1 ok + 1 info; s4: 1 fail.
  t.is(count(svg, /<rect class="bar /g), 6);
  t.is(count(svg, /class="bar ok"/g), 3);
  t.is(count(svg, /class="bar info"/g), 1);
  t.is(count(svg, /class="bar fail"/g), 2);
  t.is(count(svg, /class="fault-band"/g), 2);
});

test('errors: one bar per MySQL code, stacked by node and by op type', (t) => {
  const byNode = errorsChart(stats.errorsByNode, 'node');
  t.regex(byNode, /data-chart="errors-by-node"/);
  t.is(count(byNode, /class="segment"/g), 3);
  t.is(count(byNode, /data-error="1213 deadlock" data-part="n2"/g), 1);
  t.is(count(byNode, /data-error="1213 deadlock-on-commit" data-part="n1"/g), 1);
  t.is(count(byNode, /data-error="connection-lost" data-part="n1"/g), 1);
  const byOp = errorsChart(
    { '1213 deadlock': { StartTask: 3, CompleteTask: 1 }, '1047 non-primary': { DesireTask: 2 } },
    'op',
  );
  t.is(count(byOp, /class="segment"/g), 3);
  t.regex(byOp, /data-chart="errors-by-op"/);
  t.regex(errorsChart({}, 'node'), /no database errors/);
});

test('writers: one cell per node and second with ok writes, multi-master seconds stand out', (t) => {
  const svg = writersChart(data.writesBySecond, stats.faults);
  t.is(count(svg, /class="write-cell"/g), 3, 'n1 and n2 in second 0, n3 in second 3');
  t.is(count(svg, /class="multi-master-band"/g), 1);
  t.regex(svg, /1 multi-master second in red/);
  t.is(count(svg, /class="fault-band"/g), 2);
});

test('anomaly timeline: one row per op named by process and node, one bar from invoke to completion, open ops hatched, whole labels', (t) => {
  const ops = [
    {
      op: 1,
      process: 0,
      label: 'write 1',
      outcome: 'ok' as const,
      invoke: T0,
      complete: T0 + 2e6,
      node: 'n1',
    },
    {
      op: 2,
      process: 1,
      label: 'write 2',
      outcome: 'ok' as const,
      invoke: T0 + 1e6,
      complete: T0 + 3e6,
    },
    {
      op: 3,
      process: 2,
      label: 'read → 1',
      outcome: 'ok' as const,
      invoke: T0 + 4e6,
      complete: T0 + 5e6,
    },
    { op: 4, process: 0, label: 'write 3', outcome: 'open' as const, invoke: T0 + 4.5e6 },
  ];
  const svg = anomalyChart('Not linearizable: task/a', ops);
  t.is(count(svg, /class="lane"/g), 4);
  t.is(count(svg, /<rect class="op-bar /g), 4);
  t.is(count(svg, /href="#op-\d+"/g), 4);
  t.is(count(svg, /stroke-dasharray="4 2"/g), 1);
  t.regex(svg, /class="row-name"[^>]*>p0 · n1</);
  t.regex(svg, /class="row-name"[^>]*>p2 · node \?</);
  // A 1 ms bar in a 5 ms chart is ~150 px: the label is still whole beside it.
  t.regex(svg, /class="op-label"[^>]*>#3 read → 1</);
  t.regex(svg, /class="op-label"[^>]*>#4 write 3</);
});

test('collectAnomalies gives one item per finding with its ops, and renderCharts one timeline each', (t) => {
  const check: CheckReport = {
    valid: false,
    summary: [],
    linearizability: {
      valid: false,
      opsChecked: 3,
      skipped: 0,
      droppedReads: 0,
      keys: [
        {
          key: 'task/a',
          model: 'task',
          verdict: 'not-linearizable',
          ops: 3,
          steps: 10,
          failure: {
            ops: [
              {
                op: 1,
                process: 0,
                outcome: 'ok',
                description: 'DesireTask a',
                invoke: T0,
                complete: T0 + 0.2e9,
              },
              {
                op: 3,
                process: 0,
                outcome: 'ok',
                description: 'TaskByGuid a → null',
                invoke: T0 + 1e9,
                complete: T0 + 1.1e9,
              },
            ],
            shrunkFrom: 3,
            longestPrefix: [1],
            stateAfterPrefix: 'PENDING',
            blockedOp: 3,
            explanation: 'op 3 read nothing after op 1 desired the task',
          },
        },
      ],
    },
    invariants: {
      valid: false,
      counts: {
        'task-started-on-two-cells': 1,
        'completed-task-result-changed': 0,
        'instance-held-by-two-cells': 0,
        'modification-index-went-back': 0,
        'acknowledged-write-lost': 0,
        'crash-bookkeeping-wrong': 0,
        'domains-read-wrong': 0,
        'domain-upsert-refused-wrongly': 0,
      },
      violations: [
        {
          invariant: 'task-started-on-two-cells',
          key: 'task/b',
          ops: [4, 7, 2],
          explanation: 'two cells',
        },
      ],
    },
    failedApplied: [],
    isolation: null,
  };
  const items = collectAnomalies(check, data.ops);
  t.is(items.length, 2);
  t.deepEqual(
    items[0]!.ops.map((o) => o.op),
    [1, 3],
  );
  t.deepEqual(
    items[1]!.ops.map((o) => o.op),
    [2, 4, 7],
    'invariant ops in invoke order',
  );
  t.is(items[1]!.ops[1]!.outcome, 'fail');
  const charts = renderCharts(history, stats, check);
  t.is(charts.anomalies.length, 2);
  t.is(count(charts.anomalies[1]!.svg, /class="lane"/g), 3, 'one row per op');
  t.regex(
    charts.anomalies[1]!.svg,
    /class="row-name"[^>]*>p1 · n2</,
    'op 4 ran on process 1, served by n2',
  );
  t.regex(
    charts.anomalies[1]!.svg,
    /class="op-label"[^>]*>#4 StartTask b cell-1 → failed: 1213 deadlock</,
  );
  t.is(count(charts.anomalies[1]!.svg, /<rect class="op-bar /g), 3);
});
