// The "Anomalies by cause" part of the evidence (report.md and report.html): each anomaly under
// the cause its history shows (checkers/causes.ts), so a stale read on a lagging node is read
// apart from a lost write or a logic bug. Pure.

import { CAUSES, groupByCause, type AnomalyCause } from '../checkers/causes.ts';

const MAX_PER_CAUSE = 10;

function line(c: AnomalyCause): string {
  const nodes = c.nodes.length > 0 ? `; nodes ${c.nodes.join(', ')}` : '';
  return `${c.anomaly} on ${c.key} (${c.ops.map((o) => `op ${o}`).join(', ')}${nodes}): ${c.explanation}`;
}

const escMd = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderCausesMarkdown(causes: readonly AnomalyCause[] | undefined): string {
  if (!causes || causes.length === 0) return '';
  const out = ['### Anomalies by cause\n'];
  for (const [cause, list] of groupByCause(causes)) {
    out.push(`**${CAUSES[cause]}** (${list.length}):\n`);
    out.push(list.slice(0, MAX_PER_CAUSE).map((c) => `- ${escMd(line(c))}`).join('\n') + (list.length > MAX_PER_CAUSE ? `\n- …and ${list.length - MAX_PER_CAUSE} more (results.json, check.causes)` : '') + '\n');
  }
  return out.join('\n');
}

/** `link` escapes text and links op ids (html.ts's linkOps). */
export function renderCausesHtml(causes: readonly AnomalyCause[] | undefined, link: (text: string) => string): string {
  if (!causes || causes.length === 0) return '';
  const out = ['<h2 id="causes">Anomalies by cause</h2>'];
  for (const [cause, list] of groupByCause(causes)) {
    out.push(`<h3>${link(CAUSES[cause])} (${list.length})</h3><ul>`);
    for (const c of list.slice(0, MAX_PER_CAUSE)) out.push(`<li>${link(line(c))}</li>`);
    if (list.length > MAX_PER_CAUSE) out.push(`<li>…and ${list.length - MAX_PER_CAUSE} more (results.json, check.causes)</li>`);
    out.push('</ul>');
  }
  return out.join('\n');
}
