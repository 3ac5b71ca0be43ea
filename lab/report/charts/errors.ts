// Errors by MySQL code, stacked by node or by op type: one horizontal bar per error label
// ('1213 deadlock', '1047 non-primary', 'connection-lost', …), one segment per node (or op).

import { colourAt, emptyNote, frame, legend, legendTop } from './common.ts';

export interface ErrorsChartOptions {
  width?: number;
}

interface Seg {
  error: string;
  part: string;
  x0: number;
  x1: number;
}

/** `byPart` is RunStats.errorsByNode or errorsByOp: error label → node (or op) → count. */
export function errorsChart(
  byPart: Record<string, Record<string, number>>,
  by: 'node' | 'op',
  opts: ErrorsChartOptions = {},
): string {
  const rows = Object.entries(byPart)
    .map(([error, m]) => ({ error, m, total: Object.values(m).reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total || a.error.localeCompare(b.error));
  const parts = [...new Set(rows.flatMap((r) => Object.keys(r.m)))].sort();
  const width = opts.width ?? 900;
  const rowH = 22;
  // Eleven op types need more than one legend row: the plot starts below however many there are.
  const top = legendTop(parts, width);
  const height = top + 30 + Math.max(1, rows.length) * rowH + 20;
  const f = frame(
    `errors-by-${by}`,
    `Errors by MySQL code, by ${by === 'node' ? 'Galera node' : 'op type'}`,
    width,
    height,
    { top, right: 30, bottom: 30, left: 170 },
  );
  const d3 = f.d3;
  const max = Math.max(1, ...rows.map((r) => r.total));
  const x = d3.scaleLinear().domain([0, max]).nice().range([0, f.innerWidth]);
  const y = d3
    .scaleBand()
    .domain(rows.map((r) => r.error))
    .range([0, rows.length * rowH])
    .padding(0.2);
  const segs: Seg[] = [];
  for (const r of rows) {
    let acc = 0;
    for (const p of parts) {
      const n = r.m[p] ?? 0;
      if (n === 0) continue;
      segs.push({ error: r.error, part: p, x0: acc, x1: acc + n });
      acc += n;
    }
  }
  const colour = (p: string) => colourAt(parts.indexOf(p));
  f.plot
    .append('g')
    .attr('class', 'segments')
    .selectAll('rect')
    .data(segs)
    .enter()
    .append('rect')
    .attr('class', 'segment')
    .attr('data-error', (s: Seg) => s.error)
    .attr('data-part', (s: Seg) => s.part)
    .attr('x', (s: Seg) => x(s.x0).toFixed(1))
    .attr('width', (s: Seg) => Math.max(1, x(s.x1) - x(s.x0)).toFixed(1))
    .attr('y', (s: Seg) => y(s.error))
    .attr('height', y.bandwidth())
    .attr('fill', (s: Seg) => colour(s.part))
    .append('title')
    .text((s: Seg) => `${s.error} on ${s.part}: ${s.x1 - s.x0}`);
  f.plot
    .append('g')
    .attr('class', 'totals')
    .selectAll('text')
    .data(rows)
    .enter()
    .append('text')
    .attr('x', (r: { total: number }) => x(r.total) + 4)
    .attr('y', (r: { error: string }) => y(r.error) + y.bandwidth() / 2 + 4)
    .text((r: { total: number }) => r.total.toLocaleString('en-US'));
  if (rows.length > 0) {
    f.plot.append('g').attr('class', 'axis y').call(d3.axisLeft(y));
    f.plot
      .append('g')
      .attr('class', 'axis x')
      .attr('transform', `translate(0,${rows.length * rowH})`)
      .call(d3.axisBottom(x).ticks(6));
  } else emptyNote(f, 'no database errors');
  legend(
    f,
    parts.map((p) => ({ label: p, colour: colour(p) })),
  );
  return f.done();
}
