// Concurrency sweep: the 1213 rate against the number of clients, on a single writer node
// (clients through one proxy, or one node) and with writes spread over every node. Pure analysis
// of stored runs (sweepRows); `--run` first makes the runs it needs (short ones, same seed).

import type { StoredRun } from './runs.ts';
import { deadlocks } from './runs.ts';

export type Mode = 'single-writer' | 'multi-writer';

export interface SweepRow {
  mode: Mode;
  clients: number;
  runs: number;
  ops: number;
  deadlocksPerK: number;
  okPerSec: number;
  anomalies: number;
}

/**
 * Multi-writer: clients straight to several nodes; everything else writes through one node at a
 * time.
 */
export function modeOf(r: StoredRun): Mode {
  return r.scenario.clients.via === 'nodes' &&
    r.scenario.topology.nodes > 1 &&
    r.scenario.workload.kind !== 'list-append'
    ? 'multi-writer'
    : 'single-writer';
}

export function sweepRows(runs: readonly StoredRun[]): SweepRow[] {
  const groups = new Map<string, StoredRun[]>();
  for (const r of runs) {
    if (r.scenario.workload.kind === 'list-append' || r.stats.faults.length > 0) continue;
    const k = `${modeOf(r)}|${r.scenario.clients.count}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  return [...groups.entries()]
    .map(([k, rs]) => {
      const [mode, clients] = k.split('|') as [Mode, string];
      const ops = rs.reduce((a, r) => a + r.stats.ops, 0);
      const dl = rs.reduce((a, r) => a + deadlocks(r.stats), 0);
      const secs = rs.reduce((a, r) => a + r.stats.durationSec, 0);
      const ok = rs.reduce((a, r) => a + r.stats.byOutcome.ok, 0);
      return {
        mode,
        clients: Number(clients),
        runs: rs.length,
        ops,
        deadlocksPerK: ops > 0 ? (1000 * dl) / ops : 0,
        okPerSec: secs > 0 ? ok / secs : 0,
        anomalies: rs.filter((r) => r.check.valid === false).length,
      };
    })
    .sort((a, b) => (a.mode === b.mode ? a.clients - b.clients : a.mode < b.mode ? -1 : 1));
}

/** A small line chart of 1213s per 1,000 ops by client count, one line per mode. */
export function sweepChart(rows: readonly SweepRow[]): string {
  const W = 640;
  const H = 300;
  const P = { l: 50, r: 150, t: 20, b: 40 };
  const xs = [...new Set(rows.map((r) => r.clients))].sort((a, b) => a - b);
  const maxY = Math.max(1, ...rows.map((r) => r.deadlocksPerK));
  const x = (c: number) =>
    P.l + (xs.length <= 1 ? 0 : (xs.indexOf(c) / (xs.length - 1)) * (W - P.l - P.r));
  const y = (v: number) => H - P.b - (v / maxY) * (H - P.t - P.b);
  const colors: Record<Mode, string> = { 'single-writer': '#4c9a5b', 'multi-writer': '#c0392b' };
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11"><rect width="${W}" height="${H}" fill="white"/>`,
  ];
  out.push(
    `<line x1="${P.l}" y1="${H - P.b}" x2="${W - P.r}" y2="${H - P.b}" stroke="#333"/><line x1="${P.l}" y1="${P.t}" x2="${P.l}" y2="${H - P.b}" stroke="#333"/>`,
  );
  for (const c of xs)
    out.push(`<text x="${x(c)}" y="${H - P.b + 14}" text-anchor="middle">${c}</text>`);
  out.push(
    `<text x="${(P.l + W - P.r) / 2}" y="${H - 8}" text-anchor="middle">clients</text><text x="${P.l - 6}" y="${P.t + 4}" text-anchor="end">${maxY.toFixed(1)}</text><text x="${P.l - 6}" y="${H - P.b}" text-anchor="end">0</text>`,
  );
  (['single-writer', 'multi-writer'] as const).forEach((mode, i) => {
    const pts = rows.filter((r) => r.mode === mode);
    if (pts.length === 0) return;
    out.push(
      `<polyline fill="none" stroke="${colors[mode]}" stroke-width="2" points="${pts.map((p) => `${x(p.clients).toFixed(1)},${y(p.deadlocksPerK).toFixed(1)}`).join(' ')}"/>`,
    );
    for (const p of pts)
      out.push(
        `<circle class="point" cx="${x(p.clients).toFixed(1)}" cy="${y(p.deadlocksPerK).toFixed(1)}" r="3" fill="${colors[mode]}"><title>${mode}, ${p.clients} clients: ${p.deadlocksPerK.toFixed(2)} per 1,000 ops</title></circle>`,
      );
    out.push(
      `<rect x="${W - P.r + 10}" y="${P.t + i * 16}" width="10" height="10" fill="${colors[mode]}"/><text x="${W - P.r + 24}" y="${P.t + 9 + i * 16}">${mode}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export function sweepPage(rows: readonly SweepRow[]): string {
  const lines = ['# Concurrency sweep: 1213 deadlocks against the number of clients', ''];
  if (rows.length === 0)
    return lines
      .concat([
        'No fault-free BBS runs stored yet. Run `npm run notebook -- concurrency-sweep --run` to make them.',
        '',
      ])
      .join('\n');
  const single = rows.filter((r) => r.mode === 'single-writer');
  const multi = rows.filter((r) => r.mode === 'multi-writer');
  const peak = (rs: SweepRow[]) =>
    rs.length === 0
      ? 'no runs'
      : `${Math.max(...rs.map((r) => r.deadlocksPerK)).toFixed(1)} per 1,000 ops at most (${rs.map((r) => r.clients).join(', ')} clients)`;
  lines.push(
    `Single writer: ${peak(single)}. Writes on every node: ${peak(multi)}. Runs with faults and list-append runs are left out.`,
    '',
  );
  lines.push('![1213s per 1,000 ops by client count](concurrency-sweep.svg)', '');
  lines.push(
    '| mode | clients | runs | ops | 1213 / 1k ops | ok ops/s | runs with anomalies |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of rows)
    lines.push(
      `| ${r.mode} | ${r.clients} | ${r.runs} | ${r.ops.toLocaleString('en-US')} | ${r.deadlocksPerK.toFixed(2)} | ${r.okPerSec.toFixed(1)} | ${r.anomalies} |`,
    );
  return `${lines.join('\n')}\n`;
}
