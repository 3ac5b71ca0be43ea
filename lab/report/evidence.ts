// The "Evidence" section of report.md: for every anomaly the checkers found, the ops that show it,
// small enough to read (linearizability failures are already shrunk). Pure: verdict in, Markdown
// out.

import { anomaliesOf } from '../checkers/index.ts';
import { anomalyWords } from './anomaly-wording.ts';
import { type CheckReport, unknownReason } from './verdicts.ts';
import { renderCausesMarkdown } from './causes.ts';
import { commitRecheckSentence, witnessContextSentences } from './witness-context.ts';

const MAX_KEYS = 5;
const MAX_EXAMPLES = 3;
/**
 * The checkers this section tells in their own detail below; any other's anomalies get a plain
 * list.
 */
const DETAILED = new Set(['linearizability', 'invariants', 'failedApplied', 'isolation']);
const MAX_OTHERS = 20;

/** Seconds since the run's first event, for op times in nanoseconds. */
const sec = (t0: number, ns: number | undefined) =>
  ns === undefined ? 'never' : ((ns - t0) / 1e9).toFixed(3);

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

interface CycleEdge {
  from?: number;
  to?: number;
  kind?: string;
  key?: number | string;
  value?: number;
}

export function renderEvidence(check: CheckReport, t0: number): string {
  const out: string[] = [];
  const byCause = renderCausesMarkdown(check.causes);
  if (byCause) out.push(byCause);
  const lin = check.linearizability;
  const bad = lin?.keys.filter((k) => k.verdict === 'not-linearizable') ?? [];
  if (bad.length > 0) {
    out.push(`### Not linearizable (${bad.length} key${bad.length === 1 ? '' : 's'})\n`);
    for (const k of bad.slice(0, MAX_KEYS)) {
      const f = k.failure;
      out.push(
        `**${k.key}** (model ${k.model}, ${k.ops} ops).${f ? ` ${escapeCell(f.explanation)}` : ''}\n`,
      );
      if (f) {
        out.push(
          `The ${f.ops.length} ops that cannot be ordered (shrunk from ${f.shrunkFrom}; times in run seconds):\n`,
        );
        out.push(
          `${[
            '| op | process | outcome | invoked | completed | op and result |',
            '| --- | --- | --- | --- | --- | --- |',
            ...f.ops.map(
              (o) =>
                `| ${o.op} | ${o.process} | ${o.outcome} | ${sec(t0, o.invoke)} | ${o.outcome === 'info' ? 'unknown' : sec(t0, o.complete)} | ${escapeCell(o.description)} |`,
            ),
          ].join('\n')}\n`,
        );
        const re = check.commitFailRechecks?.find((r) => r.key === k.key);
        const extra = [
          ...witnessContextSentences(f, t0),
          ...(re ? [commitRecheckSentence(re)] : []),
        ];
        if (extra.length > 0) out.push(`${extra.map(escapeCell).join(' ')}\n`);
      }
    }
    if (bad.length > MAX_KEYS)
      out.push(`…and ${bad.length - MAX_KEYS} more keys (results.json has them all).\n`);
  }
  const unknown = lin?.keys.filter((k) => k.verdict === 'unknown') ?? [];
  if (unknown.length > 0) {
    out.push(`### Unknown (${unknown.length} key${unknown.length === 1 ? '' : 's'})\n`);
    // One line per reason, as results.json's `exhausted` says it, with the option that helps.
    const byReason = new Map<string, typeof unknown>();
    for (const k of unknown) {
      const r = unknownReason(k);
      byReason.set(r, [...(byReason.get(r) ?? []), k]);
    }
    for (const [reason, keys] of byReason) {
      const k = keys[0]!;
      const fix =
        k.exhausted === 'time'
          ? 'Re-check with more time: `bbs-lab check <run-dir> --timeout 10m`.'
          : k.exhausted === 'memory' || k.exhausted === 'configurations'
            ? 'The ops of unknown outcome on these keys leave too many possibilities open to search.'
            : k.exhausted === 'stopped'
              ? 'Re-check without stopping at the first failure to decide them.'
              : 'Re-check with a larger budget: `bbs-lab check <run-dir> --budget N`.';
      out.push(
        `${reason.charAt(0).toUpperCase()}${reason.slice(1)} on: ${keys
          .slice(0, 10)
          .map((x) => `${x.key} (${x.ops} ops)`)
          .join(', ')}${keys.length > 10 ? ', …' : ''}. ${fix}\n`,
      );
    }
  }
  const inv = check.invariants;
  if (inv && !inv.valid) {
    out.push('### BBS invariants broken\n');
    out.push(
      `${inv.violations
        .map(
          (v) =>
            `- **${v.invariant}** on ${v.key} (ops ${v.ops.join(', ')}): ${escapeCell(v.explanation)}`,
        )
        .join('\n')}\n`,
    );
  }
  if (check.failedApplied.length > 0) {
    out.push('### Reported failed, applied anyway\n');
    out.push(
      `${check.failedApplied
        .slice(0, 10)
        .map(
          (f) =>
            `- op ${f.op} (${f.f} on ${f.key}, error ${f.error}), seen by op ${f.seenBy}: ${escapeCell(f.explanation)}`,
        )
        .join('\n')}\n`,
    );
  }
  const iso = check.isolation;
  if (iso && !iso.valid) {
    out.push('### Isolation anomalies\n');
    for (const [type, list] of Object.entries(iso.anomalies) as [string, unknown[]][]) {
      const n = (iso.counts as Record<string, number>)[type] ?? 0;
      if (n === 0) continue;
      out.push(`**${type}** ×${n}${list.length < n ? ` (${list.length} shown)` : ''}:\n`);
      const lines: string[] = [];
      for (const a of list.slice(0, MAX_EXAMPLES) as {
        explanation?: string;
        cycle?: CycleEdge[];
      }[]) {
        const cycle =
          a.cycle && a.cycle.length > 0
            ? ` Cycle: ${a.cycle.map((e) => `T${e.from} -${e.kind}${e.key !== undefined ? `(${e.key})` : ''}→ T${e.to}`).join(', ')}.`
            : '';
        lines.push(`- ${escapeCell(a.explanation ?? JSON.stringify(a))}${cycle}`);
      }
      out.push(`${lines.join('\n')}\n`);
    }
  }
  const others = anomaliesOf(check).filter((a) => !DETAILED.has(a.checker));
  if (others.length > 0) {
    out.push(`### Other checkers' anomalies (${others.length})\n`);
    const lines = others.slice(0, MAX_OTHERS).map((a) => {
      const w = anomalyWords(a, check, { t0 });
      return `- **${escapeCell(w.title)}**: ${escapeCell(w.explanation)}`;
    });
    if (others.length > MAX_OTHERS)
      lines.push(`- …and ${others.length - MAX_OTHERS} more (results.json has them all).`);
    out.push(`${lines.join('\n')}\n`);
  }
  if (out.length === 0) return '';
  return [
    '## Evidence\n',
    'What the checkers found, each with the ops that show it (op ids are the `op` field of history.jsonl).\n',
    ...out,
  ].join('\n');
}
