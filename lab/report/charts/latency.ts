// Latency over time: one point per completed op (x = completion, y = latency, log scale), coloured
// by outcome, with every fault window shaded and labelled. Above `maxPoints` ops, every failed and
// unknown op is still drawn and the ok ones are thinned evenly; the chart says so.

import type { FaultWindow } from '../stats.ts';
import {
  OUTCOME_COLOUR,
  OUTCOME_LABEL,
  OUTCOMES,
  emptyNote,
  faultBands,
  frame,
  legend,
  runEnd,
} from './common.ts';
import type { LatencyPoint } from './data.ts';

export interface LatencyChartOptions {
  width?: number;
  height?: number;
  maxPoints?: number;
}

export function thinPoints(points: readonly LatencyPoint[], maxPoints: number): LatencyPoint[] {
  if (points.length <= maxPoints) return [...points];
  const bad = points.filter((p) => p.outcome !== 'ok');
  const ok = points.filter((p) => p.outcome === 'ok');
  const room = Math.max(0, maxPoints - bad.length);
  const step = ok.length / Math.max(1, room);
  const kept: LatencyPoint[] = [];
  for (let i = 0; i < room && Math.floor(i * step) < ok.length; i++)
    kept.push(ok[Math.floor(i * step)]!);
  return [...kept, ...bad.slice(0, maxPoints)];
}

export function latencyChart(
  points: readonly LatencyPoint[],
  faults: readonly FaultWindow[],
  opts: LatencyChartOptions = {},
): string {
  const width = opts.width ?? 900;
  const height = opts.height ?? 300;
  const shown = thinPoints(points, opts.maxPoints ?? 5000);
  const thinned = shown.length < points.length;
  const f = frame(
    'latency',
    `Latency of every op over time${thinned ? ` (${shown.length.toLocaleString('en-US')} of ${points.length.toLocaleString('en-US')} ops drawn: all failed/unknown, ok thinned)` : ''}`,
    width,
    height,
    { top: 44, right: 20, bottom: 36, left: 56 },
  );
  const d3 = f.d3;
  const end = runEnd(Math.ceil(points.reduce((m, p) => Math.max(m, p.t), 0)), faults);
  const x = d3.scaleLinear().domain([0, end]).range([0, f.innerWidth]);
  const maxMs = points.reduce((m, p) => Math.max(m, p.ms), 1);
  const y = d3
    .scaleLog()
    .domain([
      Math.max(
        0.01,
        points.reduce((m, p) => Math.min(m, p.ms), 1),
      ),
      maxMs * 1.2,
    ])
    .range([f.innerHeight, 0])
    .clamp(true);
  faultBands(f, x, faults, end);
  f.plot
    .append('g')
    .attr('class', 'axis x')
    .attr('transform', `translate(0,${f.innerHeight})`)
    .call(d3.axisBottom(x).ticks(10));
  f.plot.append('g').attr('class', 'axis y').call(d3.axisLeft(y).ticks(5, '~g'));
  f.plot
    .append('text')
    .attr('x', f.innerWidth / 2)
    .attr('y', f.innerHeight + 30)
    .attr('text-anchor', 'middle')
    .text('seconds since the first op');
  f.plot
    .append('text')
    .attr('transform', 'rotate(-90)')
    .attr('x', -f.innerHeight / 2)
    .attr('y', -44)
    .attr('text-anchor', 'middle')
    .text('latency (ms, log)');
  if (points.length === 0) emptyNote(f, 'no completed ops');
  // ok first, so failed and unknown points are drawn on top.
  const order = (o: LatencyPoint['outcome']) => (o === 'ok' ? 0 : o === 'info' ? 1 : 2);
  const sorted = [...shown].sort((a, b) => order(a.outcome) - order(b.outcome));
  f.plot
    .append('g')
    .attr('class', 'points')
    .selectAll('circle')
    .data(sorted)
    .enter()
    .append('circle')
    .attr('class', (p: LatencyPoint) => `point ${p.outcome}`)
    .attr('data-op', (p: LatencyPoint) => p.op)
    .attr('cx', (p: LatencyPoint) => x(p.t).toFixed(1))
    .attr('cy', (p: LatencyPoint) => y(Math.max(0.01, p.ms)).toFixed(1))
    .attr('r', 2)
    .attr('fill', (p: LatencyPoint) => OUTCOME_COLOUR[p.outcome])
    .attr('fill-opacity', 0.7);
  legend(
    f,
    OUTCOMES.map((o) => ({ label: OUTCOME_LABEL[o], colour: OUTCOME_COLOUR[o] })),
  );
  return f.done();
}
