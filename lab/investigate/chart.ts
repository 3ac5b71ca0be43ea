// One chart per question: a panel per metric (at most four), the variants side by side, every
// seed a point, the median a bar and the interval a whisker. Pure: figures in, an SVG string out.

import { colourAt, emptyNote, frame } from '../report/charts/common.ts';
import { rangeText } from '../report/intervals.ts';
import type { QuestionFigures } from './aggregate.ts';
import { labelWithUnit } from './metrics.ts';

/** An axis tick or a tooltip figure as plain text: 10, 0.25, 1,500, never 1e+1. */
export function plainNumber(x: number): string {
  return x
    .toLocaleString('en-US', {
      maximumFractionDigits: Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 1 ? 2 : 4,
    })
    .replace(/^-/, '−');
}

const PANEL_W = 300;
const PANEL_H = 240;
const MAX_PANELS = 4;

/** Small deterministic horizontal spread so seeds with equal values stay visible. */
const jitter = (i: number, n: number, band: number): number =>
  n <= 1 ? 0 : (i / (n - 1) - 0.5) * band * 0.5;

/** At most two lines of about `width` characters; the rest is cut with an ellipsis. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [''];
  for (const word of text.split(' ')) {
    const cur = lines[lines.length - 1]!;
    if (cur === '' || cur.length + 1 + word.length <= width)
      lines[lines.length - 1] = cur === '' ? word : `${cur} ${word}`;
    else lines.push(word);
  }
  return lines.length <= 2 ? lines : [lines[0]!, `${lines[1]!.slice(0, width - 1)}…`];
}

export function questionChart(q: QuestionFigures): string {
  const metrics = q.metrics.slice(0, MAX_PANELS);
  const width = Math.max(PANEL_W, metrics.length * PANEL_W);
  const height = PANEL_H + 86;
  const f = frame(
    'investigate-question',
    `${q.id}: every seed a point, the median a bar, the interval a whisker`,
    width,
    height,
    { top: 60, right: 10, bottom: 26, left: 10 },
  );
  const d3 = f.d3;
  metrics.forEach((m, pi) => {
    const g = f.plot
      .append('g')
      .attr('class', 'panel')
      .attr('data-metric', m)
      .attr('transform', `translate(${pi * PANEL_W + 46},0)`);
    const w = PANEL_W - 66;
    const h = f.innerHeight - 40;
    const figs = q.variants.map((v) => v.metrics[m]!);
    const values = figs
      .flatMap((x) => [...x.interval.values, x.interval.low, x.interval.high])
      .filter((x) => Number.isFinite(x));
    const lo = Math.min(0, ...values);
    const hi = Math.max(1e-9, ...values);
    const x = d3
      .scaleBand()
      .domain(q.variants.map((v) => v.name))
      .range([0, w])
      .padding(0.25);
    const y = d3
      .scaleLinear()
      .domain([lo, hi * 1.1])
      .nice()
      .range([h, 0]);
    const title = g
      .append('text')
      .attr('class', 'panel-title')
      .attr('x', w / 2)
      .attr('y', -22)
      .attr('text-anchor', 'middle')
      .attr('font-weight', 'bold');
    wrap(labelWithUnit(figs[0]?.label ?? m, figs[0]?.unit ?? ''), 44).forEach((line, li) => {
      title
        .append('tspan')
        .attr('x', w / 2)
        .attr('dy', li === 0 ? 0 : 13)
        .text(line);
    });
    g.append('g').attr('class', 'axis y').call(d3.axisLeft(y).ticks(5).tickFormat(plainNumber));
    const xAxis = g
      .append('g')
      .attr('class', 'axis x')
      .attr('transform', `translate(0,${h})`)
      .call(d3.axisBottom(x));
    xAxis.selectAll('text').attr('transform', 'rotate(-20)').attr('text-anchor', 'end');
    if (values.length === 0) {
      g.append('text')
        .attr('class', 'empty')
        .attr('x', w / 2)
        .attr('y', h / 2)
        .attr('text-anchor', 'middle')
        .attr('fill', '#757575')
        .text('no runs measured this');
      return;
    }
    q.variants.forEach((v, vi) => {
      const iv = v.metrics[m]!.interval;
      const cx = x(v.name)! + x.bandwidth() / 2;
      const vg = g.append('g').attr('class', 'variant').attr('data-variant', v.name);
      if (iv.n === 0) return;
      vg.append('line')
        .attr('class', 'interval')
        .attr('x1', cx)
        .attr('x2', cx)
        .attr('y1', y(iv.low))
        .attr('y2', y(iv.high))
        .attr('stroke', '#424242')
        .attr('stroke-width', 1.5);
      vg.append('line')
        .attr('class', 'median')
        .attr('data-median', iv.median)
        .attr('x1', cx - x.bandwidth() / 2)
        .attr('x2', cx + x.bandwidth() / 2)
        .attr('y1', y(iv.median))
        .attr('y2', y(iv.median))
        .attr('stroke', '#212121')
        .attr('stroke-width', 2.5)
        .append('title')
        .text(
          `${v.name}: median ${plainNumber(iv.median)}, interval ${rangeText(plainNumber(iv.low), plainNumber(iv.high))} (${iv.n} runs, ${Math.round(iv.coverage * 100)}%)`,
        );
      iv.values.forEach((val, i) => {
        vg.append('circle')
          .attr('class', 'seed')
          .attr('data-value', val)
          .attr('cx', (cx + jitter(i, iv.values.length, x.bandwidth())).toFixed(1))
          .attr('cy', y(val).toFixed(1))
          .attr('r', 4)
          .attr('fill', colourAt(vi))
          .attr('fill-opacity', 0.8)
          .append('title')
          .text(`${v.name}, run ${i + 1}: ${plainNumber(val)}`);
      });
    });
  });
  if (metrics.length === 0) emptyNote(f, 'no metrics');
  return f.done();
}
