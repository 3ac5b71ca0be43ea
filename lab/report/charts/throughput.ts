// Throughput over time: completions per second stacked by outcome (ok, unknown, failed), with
// every fault window shaded and labelled. One rect per second and non-zero outcome.

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
  type Outcome,
} from './common.ts';

export interface ThroughputChartOptions {
  width?: number;
  height?: number;
}

interface Seg {
  second: number;
  outcome: Outcome;
  y0: number;
  y1: number;
}

export function throughputChart(
  perSecond: readonly { ok: number; fail: number; info: number }[],
  faults: readonly FaultWindow[],
  opts: ThroughputChartOptions = {},
): string {
  const width = opts.width ?? 900;
  const height = opts.height ?? 260;
  const f = frame('throughput', 'Completions per second by outcome', width, height, {
    top: 44,
    right: 20,
    bottom: 36,
    left: 56,
  });
  const d3 = f.d3;
  const end = runEnd(perSecond.length, faults);
  const x = d3.scaleLinear().domain([0, end]).range([0, f.innerWidth]);
  const max = Math.max(1, ...perSecond.map((s) => s.ok + s.fail + s.info));
  const y = d3.scaleLinear().domain([0, max]).nice().range([f.innerHeight, 0]);
  faultBands(f, x, faults, end);
  const segs: Seg[] = [];
  perSecond.forEach((s, second) => {
    let acc = 0;
    for (const o of OUTCOMES) {
      if (s[o] === 0) continue;
      segs.push({ second, outcome: o, y0: acc, y1: acc + s[o] });
      acc += s[o];
    }
  });
  const bw = Math.max(1, x(1) - x(0) - 1);
  f.plot
    .append('g')
    .attr('class', 'bars')
    .selectAll('rect')
    .data(segs)
    .enter()
    .append('rect')
    .attr('class', (s: Seg) => `bar ${s.outcome}`)
    .attr('x', (s: Seg) => x(s.second).toFixed(1))
    .attr('width', bw.toFixed(1))
    .attr('y', (s: Seg) => y(s.y1).toFixed(1))
    .attr('height', (s: Seg) => Math.max(0.5, y(s.y0) - y(s.y1)).toFixed(1))
    .attr('fill', (s: Seg) => OUTCOME_COLOUR[s.outcome])
    .append('title')
    .text((s: Seg) => `${s.second}–${s.second + 1} s: ${s.y1 - s.y0} ${OUTCOME_LABEL[s.outcome]}`);
  f.plot
    .append('g')
    .attr('class', 'axis x')
    .attr('transform', `translate(0,${f.innerHeight})`)
    .call(d3.axisBottom(x).ticks(10));
  f.plot.append('g').attr('class', 'axis y').call(d3.axisLeft(y).ticks(5));
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
    .text('ops completed / s');
  if (segs.length === 0) emptyNote(f, 'no completed ops');
  legend(
    f,
    OUTCOMES.map((o) => ({ label: OUTCOME_LABEL[o], colour: OUTCOME_COLOUR[o] })),
  );
  return f.done();
}
