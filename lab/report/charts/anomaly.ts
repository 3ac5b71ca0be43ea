// The ops of one anomaly on a timeline, as Porcupine and Jepsen draw them: one bar per op from its
// invoke to its completion, coloured by outcome (an op that never completed runs to the right
// edge, hatched). Each op has a row of its own, named by its process and the node that served it,
// and its whole label (op, short args, result in words) on the row beside the bar, so no label is
// cut to a bar's width. Time is in ms from the first invoke shown.

import { OUTCOME_COLOUR, emptyNote, frame, legend } from './common.ts';

export interface TimelineOp {
  op: number;
  process: number;
  /** What the op did and saw, e.g. "StartTask cell-b → ok". */
  label: string;
  outcome: 'ok' | 'fail' | 'info' | 'open';
  /** The Galera node that served it, when known. */
  node?: string;
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

/** Characters of 10 px sans-serif that fit in `px` (about 5.6 px each). */
const fits = (px: number) => Math.max(8, Math.floor(px / 5.6));

/** The row name left of the plot: process and node, e.g. "p3 · n2". */
export function rowName(o: Pick<TimelineOp, 'process' | 'node'>): string {
  return `p${o.process} · ${o.node ?? 'node ?'}`;
}

/**
 * The text beside a bar: "#701 StartTask t1 cell-2 → failed: 1213 deadlock", clipped with … only
 * past `max` characters.
 */
export function barText(o: Pick<TimelineOp, 'op' | 'label'>, max: number): string {
  const s = `#${o.op} ${o.label}`;
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export function anomalyChart(
  title: string,
  ops: readonly TimelineOp[],
  opts: AnomalyChartOptions = {},
): string {
  const rows = [...ops].sort((a, b) => a.invoke - b.invoke || a.op - b.op);
  const width = opts.width ?? 900;
  const rowH = 34;
  const height = 90 + Math.max(1, rows.length) * rowH;
  const f = frame('anomaly', title, width, height, { top: 44, right: 20, bottom: 34, left: 110 });
  const d3 = f.d3;
  if (ops.length === 0) {
    emptyNote(f, 'no ops recorded for this anomaly');
    return f.done();
  }
  const start = Math.min(...ops.map((o) => o.invoke));
  const last = Math.max(...ops.map((o) => o.complete ?? o.invoke));
  const span = Math.max(1e-3, (last - start) / 1e6);
  const endMs = span * 1.05;
  const bars: Bar[] = rows.map((o) => ({
    ...o,
    x0: (o.invoke - start) / 1e6,
    x1: o.complete === undefined ? endMs : (o.complete - start) / 1e6,
  }));
  const x = d3.scaleLinear().domain([0, endMs]).range([0, f.innerWidth]);
  const barH = 12;
  const rowY = (i: number) => i * rowH;
  const lanes = f.plot.append('g').attr('class', 'lanes');
  bars.forEach((b, i) => {
    lanes
      .append('rect')
      .attr('class', 'lane')
      .attr('data-process', b.process)
      .attr('x', 0)
      .attr('y', rowY(i))
      .attr('width', f.innerWidth)
      .attr('height', rowH)
      .attr('fill', i % 2 === 0 ? '#fafafa' : '#f0f0f0');
  });
  const names = f.plot.append('g').attr('class', 'rows').attr('font-size', 10);
  bars.forEach((b, i) => {
    names
      .append('text')
      .attr('class', 'row-name')
      .attr('x', -6)
      .attr('y', rowY(i) + rowH / 2 + 4)
      .attr('text-anchor', 'end')
      .text(rowName(b));
  });
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
    .attr('y', (b: Bar) => rowY(bars.indexOf(b)) + 3)
    .attr('height', barH)
    .attr('rx', 3)
    .attr('fill', (b: Bar) => COLOUR[b.outcome])
    .attr('fill-opacity', (b: Bar) => (b.outcome === 'open' ? 0.4 : 0.8))
    .attr('stroke', '#212121')
    .attr('stroke-dasharray', (b: Bar) => (b.complete === undefined ? '4 2' : null))
    .append('title')
    .text(
      (b: Bar) =>
        `op ${b.op} (process ${b.process}${b.node ? `, node ${b.node}` : ''}): ${b.label}; ${b.x0.toFixed(2)}–${b.complete === undefined ? 'never completed' : `${b.x1.toFixed(2)} ms`}`,
    );
  // Under the bar, from its start; a bar that starts in the right half gets its label ending at its
  // end.
  g.append('text')
    .attr('class', 'op-label')
    .attr('x', (b: Bar) => (x(b.x0) > f.innerWidth / 2 ? Math.max(x(b.x1), 0) : x(b.x0)).toFixed(1))
    .attr('text-anchor', (b: Bar) => (x(b.x0) > f.innerWidth / 2 ? 'end' : 'start'))
    .attr('y', (b: Bar) => rowY(bars.indexOf(b)) + 3 + barH + 11)
    .attr('font-size', 10)
    .attr('fill', '#212121')
    .text((b: Bar) =>
      barText(b, fits(x(b.x0) > f.innerWidth / 2 ? x(b.x1) : f.innerWidth - x(b.x0))),
    );
  f.plot
    .append('g')
    .attr('class', 'axis x')
    .attr('transform', `translate(0,${bars.length * rowH})`)
    .call(d3.axisBottom(x).ticks(8));
  f.plot
    .append('text')
    .attr('x', f.innerWidth / 2)
    .attr('y', bars.length * rowH + 30)
    .attr('text-anchor', 'middle')
    .text('ms since the first invoke shown');
  legend(f, [
    { label: 'ok', colour: COLOUR.ok },
    { label: 'unknown', colour: COLOUR.info },
    { label: 'failed', colour: COLOUR.fail },
    { label: 'never completed', colour: COLOUR.open },
  ]);
  return f.done();
}
