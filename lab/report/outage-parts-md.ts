// The report's "Outage by part" section, in report.md and report.html: each fault's timeline and
// its clients' outages split into parts (outage-parts.ts). Compact: the worst clients only
// (outage ≥ 1 s), at most five per fault.

import { MIN_GAP_SEC } from './availability.ts';
import { esc } from './html.ts';
import {
  OUTAGE_PARTS,
  PART_HEADERS,
  type FaultTimeline,
  type OutageParts,
} from './outage-parts.ts';

const MAX_ROWS = 5;
const s1 = (x: number) => x.toFixed(1);

/**
 * One sentence: the fault's marks in order, each as seconds after the start (the rejoin after the
 * heal).
 */
export function timelineSentence(tl: FaultTimeline): string {
  const out = [`started at ${s1(tl.start)} s`];
  const rel = (t: number | null, words: string) =>
    t === null ? null : `${words} +${s1(t - tl.start)} s`;
  for (const x of [
    rel(tl.suspected, 'suspected by Galera'),
    rel(tl.detected, 'Galera went on without it'),
    rel(tl.healthSeen, 'health check unhealthy'),
    rel(tl.routed, 'proxy or DNS moved'),
  ])
    if (x) out.push(x);
  if (tl.healed !== null) out.push(`healed +${s1(tl.healed - tl.start)} s`);
  if (tl.rejoined !== null && tl.healed !== null)
    out.push(
      `${tl.subject ?? 'the node'} Synced again ${s1(tl.rejoined - tl.healed)} s after the heal`,
    );
  return out.join('; ');
}

/** Which marks a fault lacks, in words (so a zero part is not read as "instant"). */
function missing(tl: FaultTimeline): string[] {
  const out: string[] = [];
  if (tl.detected === null && tl.subject && /^n\d+$/.test(tl.subject))
    out.push("Galera's new view (not in the logs)");
  if (tl.healthSeen === null && tl.subject && /^n\d+$/.test(tl.subject))
    out.push('an unhealthy health check');
  if (tl.routed === null) out.push('a proxy or DNS move (none, or pinned clients)');
  return out;
}

interface SectionBlock {
  title: string;
  rows: string[][];
  note: string | null;
}

/** The section as words and rows, for either format. */
function sectionOf(
  p: OutageParts,
  detection: string,
): { intro: string; header: string[]; blocks: SectionBlock[] } {
  const intro =
    `Galera failure detection: ${detection}. Marks come from the history (fault start and heal, health-check answers and Consul's DNS answer polled every 0.25 s, proxy moves) ` +
    (p.logMarks
      ? "and the nodes' logs (suspicion, Galera's new primary view, Synced again; stamped to the second, ±0.5 s). "
      : "(this run's node logs could not be placed on its clock, so Galera's marks are missing). ") +
    `Each client's outage (as in the fault table) is cut at the marks in the order they happened: a part is the wait that ended at its mark (Galera detecting: until its new primary view; health check: until it answered unhealthy; proxy or DNS: until new connections went elsewhere); "client's own" runs from the last mark to the heal (its timeout, its pool keeping a connection), then the rejoin until the node is Synced again.`;
  const header = [
    'client',
    'outage (s)',
    ...OUTAGE_PARTS.map((k) => `${PART_HEADERS[k]} (s)`),
    'first error (s after start)',
  ];
  const blocks = p.faults.map((f): SectionBlock => {
    const tl = f.timeline;
    const miss = missing(tl);
    const title = `${tl.fault}|(${tl.kind} ${tl.target}${tl.subject && !tl.target.endsWith(tl.subject) ? `, ${tl.subject}` : ''}): ${timelineSentence(tl)}.${miss.length > 0 ? ` No mark for ${miss.join(', ')}.` : ''}`;
    const shown = f.clients.filter((c) => c.sec >= MIN_GAP_SEC - 1e-9).slice(0, MAX_ROWS);
    const rows = shown.map((c) => [
      c.client,
      s1(c.sec),
      ...OUTAGE_PARTS.map((k) => s1(c.parts[k])),
      c.firstErrorAfterSec === null ? '—' : s1(c.firstErrorAfterSec),
    ]);
    const rest = f.clients.length - shown.length;
    const note =
      shown.length === 0
        ? 'No client was out for 1 s or more.'
        : rest > 0
          ? `${rest} other client(s) not shown (outage under 1 s, or beyond the ${MAX_ROWS} longest).`
          : null;
    return { title, rows, note };
  });
  return { intro, header, blocks };
}

export function renderOutagePartsMarkdown(p: OutageParts, detection: string): string {
  if (p.faults.length === 0) return '';
  const { intro, header, blocks } = sectionOf(p, detection);
  const lines: string[] = ['\n## Outage by part\n', `${intro}\n`];
  for (const b of blocks) {
    const [id, rest] = b.title.split('|') as [string, string];
    lines.push(`\n**${id}** ${rest}\n`);
    if (b.rows.length > 0) {
      lines.push(`\n| ${header.join(' | ')} |\n|${header.map(() => ' --- |').join('')}\n`);
      for (const r of b.rows) lines.push(`| ${r.join(' | ')} |\n`);
    }
    if (b.note) lines.push(`\n${b.note}\n`);
  }
  return lines.join('');
}

export function renderOutagePartsHtml(p: OutageParts, detection: string): string {
  if (p.faults.length === 0) return '';
  const { intro, header, blocks } = sectionOf(p, detection);
  const out = [`<h2 id="outage-parts">Outage by part</h2>`, `<p>${esc(intro)}</p>`];
  for (const b of blocks) {
    const [id, rest] = b.title.split('|') as [string, string];
    out.push(`<p><strong>${esc(id)}</strong> ${esc(rest)}</p>`);
    if (b.rows.length > 0)
      out.push(
        `<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${b.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`,
      );
    if (b.note) out.push(`<p>${esc(b.note)}</p>`);
  }
  return out.join('');
}
