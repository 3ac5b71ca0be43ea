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
    out.push(
      list
        .slice(0, MAX_PER_CAUSE)
        .map((c) => `- ${escMd(line(c))}`)
        .join('\n') +
        (list.length > MAX_PER_CAUSE
          ? `\n- …and ${list.length - MAX_PER_CAUSE} more (results.json, check.causes)`
          : '') +
        '\n',
    );
  }
  return out.join('\n');
}

/** `link` escapes text and links op ids (html.ts's linkOps). */
export function renderCausesHtml(
  causes: readonly AnomalyCause[] | undefined,
  link: (text: string) => string,
): string {
  if (!causes || causes.length === 0) return '';
  const out = ['<h2 id="causes">Anomalies by cause</h2>'];
  for (const [cause, list] of groupByCause(causes)) {
    out.push(`<h3>${link(CAUSES[cause])} (${list.length})</h3><ul>`);
    for (const c of list.slice(0, MAX_PER_CAUSE)) out.push(`<li>${link(line(c))}</li>`);
    if (list.length > MAX_PER_CAUSE)
      out.push(`<li>…and ${list.length - MAX_PER_CAUSE} more (results.json, check.causes)</li>`);
    out.push('</ul>');
  }
  return out.join('\n');
}

/**
 * "Causes: 2 stale reads (largest lag shown: n2 behind n1 by at least 15 ms), 1 logic bug on one
 * node." for the summary, or null.
 */
export function causeSentence(causes: readonly AnomalyCause[]): string | null {
  if (causes.length === 0) return null;
  const parts = groupByCause(causes).map(([c, list]) => {
    const n = list.length;
    if (c === 'stale-read') {
      const worst = list.reduce((m, x) => ((x.lagMs ?? 0) > (m.lagMs ?? 0) ? x : m), list[0]!);
      return `${n} stale read${n === 1 ? '' : 's'} (largest lag shown: ${worst.readerNode} behind ${worst.writerNode} by at least ${worst.lagMs} ms)`;
    }
    const [one, many] = {
      'lost-write': ['lost write', 'lost writes'],
      'both-acknowledged': [
        'pair of conflicting writes both acknowledged',
        'pairs of conflicting writes both acknowledged',
      ],
      'single-node-logic': ['logic bug on one node', 'logic bugs on one node'],
      'store-logic': [
        'logic bug across nodes (no lag possible)',
        'logic bugs across nodes (no lag possible)',
      ],
      'failed-but-applied': ['failed-but-applied op', 'failed-but-applied ops'],
      unattributed: ['unattributed', 'unattributed'],
    }[c];
    return `${n} ${n === 1 ? one : many}`;
  });
  return `Causes: ${parts.join(', ')}.`;
}
