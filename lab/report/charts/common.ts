// Shared pieces of the report charts: a d3-node SVG with margins and a title, the outcome colours,
// and fault-window bands. Every chart is pure: data in, an SVG string out (no files, no clock).

import { D3Node } from 'd3-node';
import type { FaultWindow } from '../stats.ts';

export type Outcome = 'ok' | 'fail' | 'info';
export const OUTCOMES: readonly Outcome[] = ['ok', 'info', 'fail'];
export const OUTCOME_COLOUR: Record<Outcome, string> = {
  ok: '#2e7d32',
  info: '#f9a825',
  fail: '#c62828',
};
export const OUTCOME_LABEL: Record<Outcome, string> = {
  ok: 'ok',
  info: 'unknown (info)',
  fail: 'failed',
};

/** A categorical palette for nodes, op types and processes (d3's Tableau 10, spelled out). */
export const PALETTE = [
  '#4e79a7',
  '#f28e2c',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc949',
  '#af7aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ab',
];
export const colourAt = (i: number): string => PALETTE[i % PALETTE.length]!;

export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

// The d3 module, its selections and scales come untyped from d3-node (d3-node.d.ts).
// biome-ignore lint/suspicious/noExplicitAny: d3-node ships no types (d3-node.d.ts)
export type Untyped = any;

export interface Frame {
  d3: Untyped;
  svg: Untyped;
  /** The plot area, translated by the margins. */
  plot: Untyped;
  width: number;
  height: number;
  innerWidth: number;
  innerHeight: number;
  done(): string;
}

/**
 * An SVG of width × height with a title, an accessible description and a plot group inside the
 * margins. `kind` goes in data-chart so tests and the browser check can find every chart.
 */
export function frame(
  kind: string,
  title: string,
  width: number,
  height: number,
  margin: Margin,
): Frame {
  const node = new D3Node();
  const d3 = node.d3;
  const svg = node
    .createSVG(width, height)
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('class', 'chart')
    .attr('data-chart', kind)
    .attr('role', 'img')
    .attr('font-family', 'sans-serif')
    .attr('font-size', 11);
  svg.append('title').text(title);
  svg
    .append('rect')
    .attr('class', 'background')
    .attr('width', width)
    .attr('height', height)
    .attr('fill', '#fff');
  svg
    .append('text')
    .attr('class', 'chart-title')
    .attr('x', margin.left)
    .attr('y', 16)
    .attr('font-size', 13)
    .attr('font-weight', 'bold')
    .text(title);
  const plot = svg
    .append('g')
    .attr('class', 'plot')
    .attr('transform', `translate(${margin.left},${margin.top})`);
  return {
    d3,
    svg,
    plot,
    width,
    height,
    innerWidth: width - margin.left - margin.right,
    innerHeight: height - margin.top - margin.bottom,
    done: () => node.svgString(),
  };
}

/**
 * One shaded band per fault window over the plot, labelled with its kind and target. A window
 * still open at the end of the run runs to `end`.
 */
export function faultBands(
  f: Frame,
  x: Untyped,
  faults: readonly FaultWindow[],
  end: number,
): void {
  const g = f.plot.append('g').attr('class', 'faults');
  faults.forEach((w, i) => {
    const x0 = x(w.start);
    const x1 = Math.max(x0 + 2, x(w.end ?? end));
    const band = g.append('g').attr('class', 'fault').attr('data-fault', w.id);
    band
      .append('rect')
      .attr('class', 'fault-band')
      .attr('x', x0)
      .attr('y', 0)
      .attr('width', x1 - x0)
      .attr('height', f.innerHeight)
      .attr('fill', '#9e9e9e')
      .attr('fill-opacity', 0.18)
      .append('title')
      .text(
        `${w.kind} ${w.target} ${w.start.toFixed(1)}–${w.end === null ? 'end' : w.end.toFixed(1)} s`,
      );
    band
      .append('text')
      .attr('class', 'fault-label')
      .attr('x', x0 + 2)
      .attr('y', 10 + (i % 3) * 11)
      .attr('fill', '#424242')
      .attr('font-size', 10)
      .text(`${w.kind}${w.target ? ` ${w.target}` : ''}`);
  });
}

/**
 * Legend geometry: rows of 14 px from y 22, items left to right from x 10, wrapped at width − 10.
 */
const LEGEND_TOP = 22;
const LEGEND_ROW = 14;
/** Width of an item: the square, a gap and the label at about 6 px a character. */
const itemWidth = (label: string) => 22 + label.length * 6;

/**
 * Where each legend item goes: left to right, a new row when the next would cross the right edge.
 */
export function legendLayout(labels: readonly string[], width: number): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  let x = 10;
  let row = 0;
  for (const label of labels) {
    const w = itemWidth(label);
    if (x > 10 && x + w > width - 10) {
      row++;
      x = 10;
    }
    out.push({ x, y: LEGEND_TOP + row * LEGEND_ROW });
    x += w;
  }
  return out;
}

/** The top margin a frame needs for its title and a legend of these labels (at least 40). */
export function legendTop(labels: readonly string[], width: number): number {
  const last = legendLayout(labels, width).at(-1);
  const rows = last === undefined ? 1 : (last.y - LEGEND_TOP) / LEGEND_ROW + 1;
  return Math.max(40, LEGEND_TOP + rows * LEGEND_ROW + 6);
}

/**
 * Coloured squares with their labels under the title (from y 22), wrapped onto as many rows as the
 * width needs so that no label runs off the chart; a frame sizes its top margin with legendTop.
 */
export function legend(f: Frame, items: readonly { label: string; colour: string }[]): void {
  const g = f.svg.append('g').attr('class', 'legend').attr('font-size', 10);
  const at = legendLayout(
    items.map((i) => i.label),
    f.width,
  );
  items.forEach((it, i) => {
    const item = g
      .append('g')
      .attr('class', 'legend-item')
      .attr('transform', `translate(${at[i]!.x},${at[i]!.y})`);
    item.append('rect').attr('width', 10).attr('height', 10).attr('fill', it.colour);
    item.append('text').attr('x', 13).attr('y', 9).text(it.label);
  });
}

/** A short note when the chart has nothing to draw. */
export function emptyNote(f: Frame, text: string): void {
  f.plot
    .append('text')
    .attr('class', 'empty')
    .attr('x', f.innerWidth / 2)
    .attr('y', f.innerHeight / 2)
    .attr('text-anchor', 'middle')
    .attr('fill', '#757575')
    .text(text);
}

/** The run's end in seconds: the last second with completions, or the last fault edge. */
export function runEnd(seconds: number, faults: readonly FaultWindow[]): number {
  return Math.max(1, seconds, ...faults.map((w) => w.end ?? w.start));
}
