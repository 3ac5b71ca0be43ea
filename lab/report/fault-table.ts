// The fault table shown right after a report's answer (report.md and report.html): per fault what
// was done to which node, when it started, healed and recovered, what the clients saw (the whole
// BBS, the median and the worst client without a success), the ops it caught in flight and the
// errors in its window. Pure: stats in, header and rows of text out.

import type { FaultOutage } from './availability.ts';
import type { RunStats } from './stats.ts';

export const FAULT_TABLE_HEADER = [
  'fault',
  'target (node)',
  'from – healed – recovered s',
  'BBS outage',
  'median client',
  'worst client',
  'ops in flight',
  'errors in window',
  'recovery after heal',
];

const s1 = (x: number) => `${x.toFixed(1)} s`;

function outcomes(f: FaultOutage): string {
  const i = f.inFlight;
  const parts = [`${i.ok} ok`, `${i.fail} failed`, `${i.info} unknown`];
  if (i.unfinished > 0) parts.push(`${i.unfinished} never completed`);
  const u = i.unknown;
  // Of the unknown ones, what later reads say: only a sighting of the op's own write counts.
  const text = parts.join(', ');
  if (!u || i.info + i.unfinished === 0) return text;
  return `${text}; of the unknown, by later reads: ${u.seen} committed, ${u.notSeen} never seen, ${u.cannotTell} cannot tell`;
}

function inFlight(f: FaultOutage): string {
  return f.inFlight.ops === 0 ? '0' : `${f.inFlight.ops} (${outcomes(f)})`;
}

/** "1047 non-primary ×100, connection-lost ×20, …": the most frequent labels first. */
export function labelsText(errors: Record<string, number>, top = 3): string {
  const e = Object.entries(errors).sort((a, b) => b[1] - a[1]);
  return `${e
    .slice(0, top)
    .map(([k, n]) => `${k} ×${n.toLocaleString('en-US')}`)
    .join(', ')}${e.length > top ? ', …' : ''}`;
}

/** "120: 1047 non-primary ×100, connection-lost ×20", or "0". */
export function errorsText(errors: Record<string, number>, top = 3): string {
  const total = Object.values(errors).reduce((a, n) => a + n, 0);
  return total === 0 ? '0' : `${total.toLocaleString('en-US')}: ${labelsText(errors, top)}`;
}

export function faultTableRows(st: Pick<RunStats, 'availability'>): string[][] {
  return st.availability.faults.map((f) => [
    f.fault,
    f.node !== undefined && f.node !== f.target ? `${f.target} → ${f.node}` : f.target,
    `${f.start.toFixed(1)} – ${f.healed === null ? 'not healed' : f.healed.toFixed(1)} – ${f.recovered === null ? '—' : f.recovered.toFixed(1)}`,
    s1(f.bbsOutageSec),
    s1(f.medianClientOutageSec),
    f.worstClient === null ? '—' : `${s1(f.worstClientOutageSec)} (client ${f.worstClient})`,
    inFlight(f),
    errorsText(f.errors),
    f.recovered !== null && f.healed !== null ? s1(f.recovered - f.healed) : f.healed === null ? '—' : 'not recorded',
  ]);
}

/** One sentence per fault for the answer: what was done and what the clients saw. */
export function faultSentence(f: FaultOutage): string {
  const what = `${f.kind} ${f.node !== undefined && f.node !== f.target ? `${f.target} (${f.node})` : f.target} at ${f.start.toFixed(1)} s`;
  const healed = f.healed === null ? 'never healed' : `healed at ${f.healed.toFixed(1)} s`;
  const back = f.recovered === null ? '' : `, back to its pre-fault state at ${f.recovered.toFixed(1)} s`;
  const worst = f.worstClient === null ? '' : `; the worst client (client ${f.worstClient}) had none for ${s1(f.worstClientOutageSec)}, the median client for ${s1(f.medianClientOutageSec)}`;
  const caught = f.inFlight.ops > 0 ? `; ${f.inFlight.ops} op(s) were in flight when it started (${outcomes(f)})` : '';
  return `${what} (${healed}${back}): no client had a success for ${s1(f.bbsOutageSec)}${worst}${caught}.`;
}
