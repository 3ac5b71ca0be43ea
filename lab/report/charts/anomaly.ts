// The ops of one anomaly on a timeline, as Porcupine and Jepsen draw them: one lane per process,
// one bar per op from its invoke to its completion, coloured by outcome (an op that never
// completed runs to the right edge, hatched). Time is in ms from the first invoke shown.

import { OUTCOME_COLOUR, emptyNote, frame, legend } from './common.ts';

export interface TimelineOp {
  op: number;
  process: number;
  /** What the op did and saw, e.g. "StartTask cell-b → ok". */
  label: string;
  outcome: 'ok' | 'fail' | 'info' | 'open';
  /** Nanoseconds, as in the history. */
  invoke: number;
  complete?: number;
}

export interface AnomalyChartOptions {
  width?: number;
  /** Prefix of the per-op anchors in the report (`#op-17`). */
  anchorPrefix?: string;
}

const COLOUR = { ...OUTCOME_COLOUR, open: '#9e9e9e' };

interface Bar extends TimelineOp {
  x0: number;
  x1: number;
}

export function anomalyChart(title: string, ops: readonly TimelineOp[], opts: AnomalyChartOptions = {}): string {
  const processes = [...new Set(ops.map((o) => o.process))].sort((a, b) => a - b);
  const width = opts.width ?? 900;
  const laneH = 30;
  const height = 80 + Math.max(1, processes.length) * laneH;
  const f = frame('anomaly', title, width, height, { top: 40, right: 20, bottom: 34, left: 90 });
  const d3 = f.d3;
  if (ops.length === 0) {
    emptyNote(f, 'no ops recorded for this anomaly');
    return f.done();
  }
  const start = Math.min(...ops.map((o) => o.invoke));
  const last = Math.max(...ops.map((o) => o.complete ?? o.invoke));
  const span = Math.max(1e-3, (last - start) / 1e6);
  const endMs = span * 1.05;
  const bars: Bar[] = ops.map((o) => ({ ...o, x0: (o.invoke - start) / 1e6, x1: o.complete === undefined ? endMs : (o.complete - start) / 1e6 }));
  const x = d3.scaleLinear().domain([0, endMs]).range([0, f.innerWidth]);
  const y = d3
    .scaleBand()
    .domain(processes.map(String))
    .range([0, processes.length * laneH])
    .padding(0.2);
  const lanes = f.plot.append('g').attr('class', 'lanes');
  processes.forEach((p, i) =>
    lanes
      .append('rect')
      .attr('class', 'lane')
      .attr('data-process', p)
      .attr('x', 0)
      .attr('y', i * laneH)
      .attr('width', f.innerWidth)
      .attr('height', laneH)
      .attr('fill', i % 2 === 0 ? '#fafafa' : '#f0f0f0'),
  );
  const prefix = opts.anchorPrefix ?? 'op-';
  const g = f.plot
    .append('g')
    .attr('class', 'ops')
    .selectAll('a')
    .data(bars)
    .enter()
    .append('a')
    .attr('href', (b: Bar) => `#${prefix}${b.op}`);
  g.append('rect')
    .attr('class', (b: Bar) => `op-bar ${b.outcome}`)
    .attr('data-op', (b: Bar) => b.op)
    .attr('x', (b: Bar) => x(b.x0).toFixed(1))
    .attr('width', (b: Bar) => Math.max(2, x(b.x1) - x(b.x0)).toFixed(1))
    .attr('y', (b: Bar) => y(String(b.process)))
    .attr('height', y.bandwidth())
    .attr('rx', 3)
    .attr('fill', (b: Bar) => COLOUR[b.outcome])
    .attr('fill-opacity', (b: Bar) => (b.outcome === 'open' ? 0.4 : 0.8))
    .attr('stroke', '#212121')
    .attr('stroke-dasharray', (b: Bar) => (b.complete === undefined ? '4 2' : null))
    .append('title')
    .text((b: Bar) => `op ${b.op} (process ${b.process}): ${b.label}; ${b.x0.toFixed(2)}–${b.complete === undefined ? 'never completed' : b.x1.toFixed(2) + ' ms'}`);
  g.append('text')
    .attr('class', 'op-label')
    .attr('x', (b: Bar) => x(b.x0) + 3)
    .attr('y', (b: Bar) => y(String(b.process)) + y.bandwidth() / 2 + 4)
    .attr('font-size', 10)
    .text((b: Bar) => `#${b.op} ${b.label}`.slice(0, Math.max(6, Math.floor((x(b.x1) - x(b.x0)) / 5.5))));
  f.plot.append('g').attr('class', 'axis y').call(d3.axisLeft(y).tickFormat((p: string) => `process ${p}`));
  f.plot
    .append('g')
    .attr('class', 'axis x')
    .attr('transform', `translate(0,${processes.length * laneH})`)
    .call(d3.axisBottom(x).ticks(8));
  f.plot.append('text').attr('x', f.innerWidth / 2).attr('y', processes.length * laneH + 30).attr('text-anchor', 'middle').text('ms since the first invoke shown');
  legend(f, [
    { label: 'ok', colour: COLOUR.ok },
    { label: 'unknown', colour: COLOUR.info },
    { label: 'failed', colour: COLOUR.fail },
    { label: 'never completed', colour: COLOUR.open },
  ]);
  return f.done();
}
