// Report rendering time on a generated 100k-op history: stats, every chart and report.html (no
// checkers: their throughput is benchmarked on its own). Export benchReport(log) for `npm run
// bench`.

import type { CheckReport } from '../report/verdicts.ts';
import { pairOps, type HistoryEvent } from '../history/event.ts';
import { renderCharts } from '../report/charts/index.ts';
import { renderHtml } from '../report/html.ts';
import { computeStats } from '../report/stats.ts';
import { generateStories } from '../report/stories.ts';
import { parseScenario } from '../scenario/validate.ts';

/**
 * A seeded history of `n` BBS ops from 30 clients on 3 nodes over ~60 s, with faults, 1213s and
 * lost connections.
 */
export function generateReportHistory(n: number, seed = 1): HistoryEvent[] {
  let x = seed >>> 0 || 1;
  const rnd = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  const clients = 30;
  const fs = [
    'DesireTask',
    'StartTask',
    'CompleteTask',
    'TaskByGuid',
    'ClaimActualLRP',
    'ActualLRPByIndex',
  ];
  const nodes = ['n1', 'n2', 'n3'];
  const span = 60e9;
  const events: HistoryEvent[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % clients;
    const start = Math.floor((i / n) * span + rnd() * 1e6);
    const dur = Math.floor(1e6 + rnd() * rnd() * 200e6);
    const f = fs[Math.floor(rnd() * fs.length)]!;
    const base = { op: i, process: c, client: c, f, key: `task/t${Math.floor(rnd() * 1000)}` };
    events.push({ type: 'invoke', index: 0, time: start, ...base, value: { f, args: {} } });
    const r = rnd();
    const node = nodes[Math.floor(rnd() * nodes.length)]!;
    if (r < 0.9) events.push({ type: 'ok', index: 0, time: start + dur, ...base, node, value: {} });
    else if (r < 0.97)
      events.push({
        type: 'fail',
        index: 0,
        time: start + dur,
        ...base,
        node,
        error: {
          errno: 1213,
          message: 'Deadlock found',
          phase: rnd() < 0.5 ? 'commit' : 'statement',
        },
      });
    else
      events.push({
        type: 'info',
        index: 0,
        time: start + dur,
        ...base,
        node,
        error: { code: 'PROTOCOL_CONNECTION_LOST', message: 'lost' },
      });
  }
  for (const [id, a, b, kind] of [
    ['p1', 10, 20, 'partition'],
    ['k1', 35, 40, 'kill'],
    ['p2', 50, 55, 'pause'],
  ] as const) {
    events.push({
      type: 'nemesis',
      index: 0,
      time: a * 1e9,
      phase: 'start',
      fault: id,
      kind,
      detail: { target: 'n1' },
    });
    events.push({ type: 'nemesis', index: 0, time: b * 1e9, phase: 'stop', fault: id, kind });
  }
  events.sort((a, b) => a.time - b.time);
  events.forEach((e, i) => {
    e.index = i;
  });
  return events;
}

export interface ReportBench {
  ops: number;
  statsMs: number;
  chartsMs: number;
  htmlMs: number;
  totalMs: number;
  htmlBytes: number;
}

export function benchReport(log: (line: string) => void, n = 100_000): ReportBench {
  const events = generateReportHistory(n);
  const check: CheckReport = {
    valid: true,
    summary: ['(checkers not run: benchmarked separately)'],
    linearizability: null,
    invariants: null,
    failedApplied: [],
    isolation: null,
  };
  const t0 = performance.now();
  const stats = computeStats(events);
  const t1 = performance.now();
  const charts = renderCharts(events, stats, check);
  const t2 = performance.now();
  const ops = pairOps(events);
  const scenario = parseScenario(
    'name: bench\nquestion: How long does a report of a 100k-op history take?\nduration: 60\ntopology: {nodes: 3}\nclients: {count: 30, via: nodes}\n',
  );
  const html = renderHtml({
    scenario,
    seed: 1,
    runId: 'bench',
    stats,
    check,
    charts,
    stories: generateStories({ scenario, stats, check, ops }),
    ops,
  });
  const t3 = performance.now();
  const r: ReportBench = {
    ops: n,
    statsMs: t1 - t0,
    chartsMs: t2 - t1,
    htmlMs: t3 - t2,
    totalMs: t3 - t0,
    htmlBytes: html.length,
  };
  log(
    `report: ${n.toLocaleString('en-US')} ops rendered in ${(r.totalMs / 1000).toFixed(2)} s (stats ${r.statsMs.toFixed(0)} ms, charts ${r.chartsMs.toFixed(0)} ms, html ${r.htmlMs.toFixed(0)} ms; report.html ${(r.htmlBytes / 1024).toFixed(0)} KiB)`,
  );
  return r;
}
