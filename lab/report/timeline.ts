// timeline.svg: completions per second (ok / fail / unknown, stacked) over the run, with every fault
// window shaded and labelled, so a reader sees at a glance whether errors line up with faults.
// Pure: stats in, SVG text out (no chart library: the report must open anywhere, offline).

import type { RunStats } from './stats.ts';

const W = 900;
const H = 260;
const PAD = { left: 48, right: 12, top: 14, bottom: 58 };
const COLORS = { ok: '#4c9a5b', fail: '#c0392b', info: '#e6a23c', fault: 'rgba(120,120,200,0.18)', faultEdge: '#7878c8' };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderTimeline(stats: Pick<RunStats, 'perSecond' | 'faults'>): string {
  const secs = Math.max(stats.perSecond.length, ...stats.faults.map((f) => Math.ceil(f.end ?? f.start + 1)), 1);
  const peak = Math.max(1, ...stats.perSecond.map((s) => s.ok + s.fail + s.info));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (sec: number) => PAD.left + (sec / secs) * plotW;
  const y = (n: number) => PAD.top + plotH - (n / peak) * plotH;
  const barW = Math.max(1, plotW / secs - 1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<title>Completions per second, with fault windows shaded</title>`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="white"/>`);
  stats.faults.forEach((f, i) => {
    const x0 = x(f.start);
    const x1 = x(f.end ?? secs);
    out.push(`<rect x="${x0.toFixed(1)}" y="${PAD.top}" width="${Math.max(1, x1 - x0).toFixed(1)}" height="${plotH}" fill="${COLORS.fault}" stroke="${COLORS.faultEdge}" stroke-dasharray="3,2"><title>${esc(`${f.kind} ${f.target}: ${f.start.toFixed(1)}–${f.end === null ? 'end' : f.end.toFixed(1)} s`)}</title></rect>`);
    out.push(`<text x="${(x0 + 2).toFixed(1)}" y="${PAD.top + 10 + (i % 3) * 11}" fill="#44447a">${esc(`${f.kind} ${f.target}`)}</text>`);
  });
  stats.perSecond.forEach((s, sec) => {
    let base = 0;
    for (const k of ['ok', 'info', 'fail'] as const) {
      const n = s[k];
      if (n === 0) continue;
      out.push(`<rect x="${x(sec).toFixed(1)}" y="${y(base + n).toFixed(1)}" width="${barW.toFixed(1)}" height="${(y(base) - y(base + n)).toFixed(1)}" fill="${COLORS[k]}"/>`);
      base += n;
    }
  });
  out.push(`<line x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${W - PAD.right}" y2="${PAD.top + plotH}" stroke="#333"/>`);
  out.push(`<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${PAD.top + plotH}" stroke="#333"/>`);
  const step = Math.max(1, Math.ceil(secs / 12 / 5) * 5);
  for (let t = 0; t <= secs; t += step) out.push(`<text x="${x(t).toFixed(1)}" y="${PAD.top + plotH + 14}" text-anchor="middle">${t}</text>`);
  out.push(`<text x="${PAD.left + plotW / 2}" y="${PAD.top + plotH + 28}" text-anchor="middle">seconds since the first op</text>`);
  out.push(`<text x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end">${peak}</text><text x="${PAD.left - 6}" y="${PAD.top + plotH}" text-anchor="end">0</text>`);
  const legend: [string, string][] = [
    ['ok', COLORS.ok],
    ['unknown (info)', COLORS.info],
    ['failed', COLORS.fail],
    ['fault window', COLORS.faultEdge],
  ];
  legend.forEach(([label, color], i) => {
    const lx = PAD.left + i * 130;
    out.push(`<rect x="${lx}" y="${H - 16}" width="10" height="10" fill="${color}"/><text x="${lx + 14}" y="${H - 7}">${label}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
