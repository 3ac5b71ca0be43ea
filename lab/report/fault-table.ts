// The fault table shown right after a report's answer (report.md and report.html): per fault what
// was done to which node, when it started, healed and recovered, what the clients saw (the whole
// BBS, the median and the worst client without a success), the ops it caught in flight and the
// errors in its window. Pure: stats in, header and rows of text out.

import type { FaultOutage } from './availability.ts';
import type { LabEvent, RunStats } from './stats.ts';
import { MERGE_RULE, type Stretch } from './stretches.ts';
import { faultHas } from '../nemesis/faults/index.ts';

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
    f.recovered !== null && f.healed !== null
      ? s1(f.recovered - f.healed)
      : f.healed === null
        ? '—'
        : 'not recorded',
  ]);
}

/** One sentence per fault for the answer: what was done and what the clients saw. */
export function faultSentence(f: FaultOutage): string {
  const what = `${f.kind} ${f.node !== undefined && f.node !== f.target ? `${f.target} (${f.node})` : f.target} at ${f.start.toFixed(1)} s`;
  const healed = f.healed === null ? 'never healed' : `healed at ${f.healed.toFixed(1)} s`;
  const back =
    f.recovered === null ? '' : `, back to its pre-fault state at ${f.recovered.toFixed(1)} s`;
  const worst =
    f.worstClient === null
      ? ''
      : `; the worst client (client ${f.worstClient}) had none for ${s1(f.worstClientOutageSec)}, the median client for ${s1(f.medianClientOutageSec)}`;
  const caught =
    f.inFlight.ops > 0
      ? `; ${f.inFlight.ops} op(s) were in flight when it started (${outcomes(f)})`
      : '';
  return `${what} (${healed}${back}): no client had a success for ${s1(f.bbsOutageSec)}${worst}${caught}.`;
}

/** "12.0–13.4 s (1.4 s), 15.0–17.8 s (2.8 s, one stretch across a lone success at 16.4 s)". */
export function stretchesText(stretches: readonly Stretch[]): string {
  return stretches
    .map(
      (g) =>
        `${g.from.toFixed(1)}–${g.to.toFixed(1)} s (${s1(g.sec)}${g.split && g.split.length > 0 ? `, one stretch across ${g.split.length === 1 ? 'a lone success' : `${g.split.length} lone successes`} at ${g.split.map((x) => `${x.toFixed(1)} s`).join(', ')}` : ''})`,
    )
    .join(', ');
}

/** Each proxy's active backend just before `at`, from the proxy-active-changed events. */
function activeAt(events: readonly LabEvent[], at: number): Map<string, string | null> {
  const active = new Map<string, string | null>();
  for (const e of events)
    if (e.kind === 'proxy-active-changed' && e.at <= at && e.to !== undefined)
      active.set(e.source, e.to);
  return active;
}

/**
 * Lines under the fault table, per fault: how a role target resolved (the node, and most-written's
 * margin), the whole BBS's stretches without a success in its
 * window when there is more than one or one crosses a lone success, and, when the history shows
 * it, why the BBS stalled although the node lost was not the one the proxies wrote to.
 */
export function faultNotes(st: Pick<RunStats, 'availability' | 'labEvents'>): string[] {
  const out: string[] = [];
  for (const f of st.availability.faults) {
    if (f.resolution)
      out.push(`${f.fault}: the role ${f.target} resolved to ${f.node ?? '?'} (${f.resolution}).`);
    const stretches = f.bbsStretches ?? [];
    if (stretches.length > 1 || stretches.some((g) => (g.split ?? []).length > 0)) {
      out.push(
        `${f.fault}: the whole BBS was without a success in ${stretchesText(stretches)} (${MERGE_RULE}).`,
      );
    }
    const node = f.node ?? (/^n\d+$/.test(f.target) ? f.target : null);
    // A node-down fault (its kind's traits): a node the proxies do not write to can still stall every write.
    if (!faultHas(f.kind, 'node-down') || node === null || f.bbsOutageSec < 1) continue;
    const active = activeAt(st.labEvents, f.start);
    if (active.size === 0 || [...active.values()].includes(node)) continue;
    const end = f.recovered ?? f.healed ?? Infinity;
    const moved = st.labEvents.some(
      (e) => e.kind === 'proxy-active-changed' && e.at > f.start && e.at <= end,
    );
    if (moved) continue;
    const writers = [...active.entries()].map(([p, n]) => `${p} on ${n ?? 'no node'}`).join(', ');
    out.push(
      `${f.fault}: ${node} was not a node the proxies wrote to (${writers}) and no proxy moved, yet no client had a success for ${s1(f.bbsOutageSec)}: ` +
        "Galera's remaining nodes hold every commit until the group has agreed the lost member is gone (its failure detection: evs.suspect_timeout, 5 s by default), so losing a node that takes no writes stalls all of them.",
    );
  }
  return out;
}
