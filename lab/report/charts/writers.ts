// Which Galera node served writes over time: one row per node, one cell per second in which it
// completed ok writes (darker = more). Seconds in which writes reached more than one node (the
// multi-master windows) get a red band across every row.

import type { FaultWindow } from '../stats.ts';
import { PALETTE, emptyNote, faultBands, frame, runEnd } from './common.ts';

/** Node colours without the red that marks multi-master seconds. */
const NODE_COLOURS = PALETTE.filter((c) => c !== '#e15759' && c !== '#ff9da7');

export interface WritersChartOptions {
  width?: number;
}

interface Cell {
  second: number;
  node: string;
  n: number;
}

export function writersChart(
  writesBySecond: ReadonlyMap<number, ReadonlyMap<string, number>>,
  faults: readonly FaultWindow[],
  opts: WritersChartOptions = {},
): string {
  const nodes = [...new Set([...writesBySecond.values()].flatMap((m) => [...m.keys()]))].sort();
  const seconds = [...writesBySecond.keys()].sort((a, b) => a - b);
  const multi = seconds.filter((s) => (writesBySecond.get(s)?.size ?? 0) > 1);
  const width = opts.width ?? 900;
  const rowH = 24;
  const height = 76 + Math.max(1, nodes.length) * rowH;
  const f = frame(
    'writers',
    `Which node served writes, per second (${multi.length} multi-master second${multi.length === 1 ? '' : 's'} in red)`,
    width,
    height,
    { top: 40, right: 20, bottom: 32, left: 70 },
  );
  const d3 = f.d3;
  const end = runEnd((seconds[seconds.length - 1] ?? 0) + 1, faults);
  const x = d3.scaleLinear().domain([0, end]).range([0, f.innerWidth]);
  const y = d3
    .scaleBand()
    .domain(nodes)
    .range([0, Math.max(1, nodes.length) * rowH])
    .padding(0.15);
  const plotH = Math.max(1, nodes.length) * rowH;
  const cells: Cell[] = [];
  for (const s of seconds)
    for (const [node, n] of writesBySecond.get(s)!) cells.push({ second: s, node, n });
  const max = Math.max(1, ...cells.map((c) => c.n));
  const bw = Math.max(1, x(1) - x(0));
  faultBands({ ...f, innerHeight: plotH }, x, faults, end);
  f.plot
    .append('g')
    .attr('class', 'multi-master')
    .selectAll('rect')
    .data(multi)
    .enter()
    .append('rect')
    .attr('class', 'multi-master-band')
    .attr('x', (s: number) => x(s).toFixed(1))
    .attr('width', bw.toFixed(1))
    .attr('y', -4)
    .attr('height', plotH + 8)
    .attr('fill', '#d32f2f')
    .attr('fill-opacity', 0.35)
    .append('title')
    .text(
      (s: number) =>
        `${s}–${s + 1} s: writes on ${[...writesBySecond.get(s)!.keys()].sort().join(', ')}`,
    );
  f.plot
    .append('g')
    .attr('class', 'cells')
    .selectAll('rect')
    .data(cells)
    .enter()
    .append('rect')
    .attr('class', 'write-cell')
    .attr('data-node', (c: Cell) => c.node)
    .attr('x', (c: Cell) => x(c.second).toFixed(1))
    .attr('width', Math.max(1, bw - 1).toFixed(1))
    .attr('y', (c: Cell) => y(c.node))
    .attr('height', y.bandwidth())
    .attr('fill', (c: Cell) => NODE_COLOURS[nodes.indexOf(c.node) % NODE_COLOURS.length]!)
    .attr('fill-opacity', (c: Cell) => (0.35 + (0.65 * c.n) / max).toFixed(2))
    .append('title')
    .text((c: Cell) => `${c.node}, ${c.second}–${c.second + 1} s: ${c.n} ok writes`);
  if (nodes.length > 0) f.plot.append('g').attr('class', 'axis y').call(d3.axisLeft(y));
  else emptyNote(f, 'no ok writes with a known node');
  f.plot
    .append('g')
    .attr('class', 'axis x')
    .attr('transform', `translate(0,${plotH})`)
    .call(d3.axisBottom(x).ticks(10));
  return f.done();
}
