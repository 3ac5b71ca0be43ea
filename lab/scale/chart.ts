// Latency against size, both axes logarithmic: one colour per series, p99 a solid line with
// points, p50 dashed, and a budget line when given. Pure: series in, an SVG string out.

import { colourAt, emptyNote, frame, legend } from '../report/charts/common.ts';

export interface ChartSeries {
  label: string;
  points: { size: number; p50: number | null; p99: number | null }[];
}

export function latencyChart(
  kind: string,
  title: string,
  series: readonly ChartSeries[],
  budgetMs?: number,
): string {
  const f = frame(kind, title, 720, 380, { top: 48, right: 20, bottom: 44, left: 64 });
  const d3 = f.d3;
  const all = series.flatMap((s) => s.points);
  const sizes = all.map((p) => p.size);
  const values = all.flatMap((p) => [p.p50, p.p99]).filter((v): v is number => v !== null && v > 0);
  if (sizes.length === 0 || values.length === 0) {
    emptyNote(f, 'nothing measured');
    return f.done();
  }
  const x = d3
    .scaleLog()
    .domain([Math.min(...sizes) / 1.3, Math.max(...sizes) * 1.3])
    .range([0, f.innerWidth]);
  const hi = Math.max(...values, budgetMs ?? 0);
  const y = d3
    .scaleLog()
    .domain([Math.max(0.1, Math.min(...values) / 2), hi * 2])
    .range([f.innerHeight, 0]);
  f.plot
    .append('g')
    .attr('class', 'axis x')
    .attr('transform', `translate(0,${f.innerHeight})`)
    .call(d3.axisBottom(x).ticks(6, '~s'));
  f.plot.append('g').attr('class', 'axis y').call(d3.axisLeft(y).ticks(6, '~g'));
  f.plot
    .append('text')
    .attr('x', f.innerWidth / 2)
    .attr('y', f.innerHeight + 36)
    .attr('text-anchor', 'middle')
    .text('desired LRPs (log)');
  f.plot
    .append('text')
    .attr('transform', 'rotate(-90)')
    .attr('x', -f.innerHeight / 2)
    .attr('y', -48)
    .attr('text-anchor', 'middle')
    .text('latency, ms (log): p99 solid, p50 dashed');
  if (budgetMs !== undefined) {
    f.plot
      .append('line')
      .attr('class', 'budget')
      .attr('x1', 0)
      .attr('x2', f.innerWidth)
      .attr('y1', y(budgetMs))
      .attr('y2', y(budgetMs))
      .attr('stroke', '#c62828')
      .attr('stroke-dasharray', '2,3');
    f.plot
      .append('text')
      .attr('x', f.innerWidth - 4)
      .attr('y', y(budgetMs) - 4)
      .attr('text-anchor', 'end')
      .attr('fill', '#c62828')
      .text(`budget ${budgetMs / 1000} s`);
  }
  series.forEach((s, i) => {
    const g = f.plot.append('g').attr('class', 'series').attr('data-series', s.label);
    for (const [q, dash] of [
      ['p99', null],
      ['p50', '5,4'],
    ] as const) {
      const pts = s.points
        .filter((p) => p[q] !== null && p[q]! > 0)
        .map((p) => [x(p.size), y(p[q]!)] as [number, number]);
      if (pts.length === 0) continue;
      const line = g
        .append('path')
        .attr('d', d3.line()(pts))
        .attr('fill', 'none')
        .attr('stroke', colourAt(i))
        .attr('stroke-width', q === 'p99' ? 2 : 1.2);
      if (dash) line.attr('stroke-dasharray', dash);
      if (q === 'p99')
        s.points.forEach((p) => {
          if (p.p99 === null || p.p99 <= 0) return;
          g.append('circle')
            .attr('cx', x(p.size).toFixed(1))
            .attr('cy', y(p.p99).toFixed(1))
            .attr('r', 3)
            .attr('fill', colourAt(i))
            .attr('data-size', p.size)
            .attr('data-p99', p.p99)
            .append('title')
            .text(
              `${s.label} at ${p.size}: p99 ${p.p99.toFixed(1)} ms, p50 ${p.p50?.toFixed(1) ?? '–'} ms`,
            );
        });
    }
  });
  legend(
    f,
    series.map((s, i) => ({ label: s.label, colour: colourAt(i) })),
  );
  return f.done();
}
