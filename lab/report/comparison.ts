// comparison.md: one scenario run under several client configurations (same seed, same faults),
// side by side. Pure: each run's stats and verdict in, Markdown out. The first paragraph answers
// "which configuration is safe" with numbers; the table and per-fault failover times follow.

import type { CheckReport } from '../checkers/index.ts';
import { pct } from './markdown.ts';
import type { RunStats } from './stats.ts';

export interface ComparedRun {
  config: string;
  runId: string;
  stats: RunStats;
  check: Pick<CheckReport, 'valid' | 'summary'>;
  /** Set when this configuration's run could not complete; the others still compare. */
  error?: string;
}

export interface ComparisonRow {
  config: string;
  ops: number;
  okShare: number;
  failShare: number;
  infoShare: number;
  /** 1213s per 1,000 ops. */
  deadlocksPerK: number;
  multiNodeWindows: number;
  writeWindows: number;
  /** Longest gap without success around a fault, seconds; null when no fault or never recovered. */
  worstFailoverSec: number | null;
  neverRecovered: number;
  availability: number;
  verdict: CheckReport['valid'];
}

export function compareRows(runs: readonly ComparedRun[]): ComparisonRow[] {
  return runs
    .filter((r) => !r.error)
    .map((r) => {
      const st = r.stats;
      const done = st.byOutcome.ok + st.byOutcome.fail + st.byOutcome.info || 1;
      const deadlocks = Object.entries(st.errors)
        .filter(([k]) => k.startsWith('1213'))
        .reduce((a, [, n]) => a + n, 0);
      const gaps = st.failover.map((f) => f.gapSec).filter((g): g is number => g !== null);
      return {
        config: r.config,
        ops: st.ops,
        okShare: st.byOutcome.ok / done,
        failShare: st.byOutcome.fail / done,
        infoShare: st.byOutcome.info / done,
        deadlocksPerK: st.ops > 0 ? (1000 * deadlocks) / st.ops : 0,
        multiNodeWindows: st.writeWindows.multiNode,
        writeWindows: st.writeWindows.total,
        worstFailoverSec: gaps.length > 0 ? Math.max(...gaps) : null,
        neverRecovered: st.failover.filter((f) => f.firstOkAfter === null).length,
        availability: st.availability,
        verdict: r.check.valid,
      };
    });
}

const verdictWord = (v: CheckReport['valid']) => (v === true ? 'no anomaly' : v === false ? 'ANOMALIES' : 'unknown');

export function comparisonSentences(rows: readonly ComparisonRow[]): string[] {
  if (rows.length === 0) return ['No configuration completed a run.'];
  const out: string[] = [];
  const safe = rows.filter((r) => r.verdict === true && r.multiNodeWindows === 0);
  const bad = rows.filter((r) => r.verdict === false);
  out.push(
    safe.length > 0
      ? `Safe in this run (no anomaly, writes never on two nodes at once): ${safe.map((r) => r.config).join(', ')}.`
      : 'No configuration was free of both anomalies and multi-node writes in this run.',
  );
  if (bad.length > 0) out.push(`Anomalies found with: ${bad.map((r) => r.config).join(', ')}.`);
  const multi = rows.filter((r) => r.multiNodeWindows > 0);
  if (multi.length > 0) out.push(`Writes reached two nodes at once with ${multi.map((r) => `${r.config} (${r.multiNodeWindows} of ${r.writeWindows} s)`).join(', ')}.`);
  const byAvail = [...rows].sort((a, b) => b.availability - a.availability);
  out.push(`Availability (seconds with a successful op): ${byAvail.map((r) => `${r.config} ${pct(Math.round(r.availability * 1000), 1000)}`).join(', ')}.`);
  const withFailover = rows.filter((r) => r.worstFailoverSec !== null || r.neverRecovered > 0);
  if (withFailover.length > 0) {
    out.push(`Worst failover gap: ${withFailover.map((r) => `${r.config} ${r.worstFailoverSec === null ? 'n/a' : `${r.worstFailoverSec.toFixed(1)} s`}${r.neverRecovered > 0 ? ` (${r.neverRecovered} fault(s) never recovered from)` : ''}`).join(', ')}.`);
  }
  out.push(`1213 deadlocks per 1,000 ops: ${rows.map((r) => `${r.config} ${r.deadlocksPerK.toFixed(1)}`).join(', ')}.`);
  return out;
}

export function renderComparison(input: { scenario: string; question: string; seed: number; runs: readonly ComparedRun[] }): string {
  const rows = compareRows(input.runs);
  const parts: string[] = [];
  parts.push(`# ${input.scenario}: client configurations compared\n`);
  parts.push(`**Question.** ${input.question.trim()}\n`);
  parts.push(`**Answer from these runs** (same seed ${input.seed}, same fault schedule, one run per configuration). ${comparisonSentences(rows).join(' ')}\n`);
  const failed = input.runs.filter((r) => r.error);
  if (failed.length > 0) parts.push(failed.map((r) => `> **${r.config}** did not complete: ${r.error}`).join('\n') + '\n');
  parts.push('## Side by side\n');
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  parts.push(
    [
      line(['configuration', 'ops', 'ok', 'failed', 'unknown', '1213 / 1k ops', 'multi-node write s', 'worst failover', 'availability', 'checkers']),
      line(Array(10).fill('---')),
      ...rows.map((r) =>
        line([
          r.config,
          r.ops.toLocaleString('en-US'),
          pct(Math.round(r.okShare * 1e4), 1e4),
          pct(Math.round(r.failShare * 1e4), 1e4),
          pct(Math.round(r.infoShare * 1e4), 1e4),
          r.deadlocksPerK.toFixed(1),
          `${r.multiNodeWindows} of ${r.writeWindows}`,
          r.worstFailoverSec === null ? (r.neverRecovered > 0 ? 'never recovered' : '—') : `${r.worstFailoverSec.toFixed(1)} s`,
          pct(Math.round(r.availability * 1000), 1000),
          verdictWord(r.verdict),
        ]),
      ),
    ].join('\n') + '\n',
  );
  parts.push('## Failover per fault\n');
  parts.push('Seconds from the last successful op before the fault to the first success of an op started after it.\n');
  for (const r of input.runs.filter((x) => !x.error)) {
    const f = r.stats.failover;
    parts.push(`**${r.config}** (run \`${r.runId}\`): ${f.length === 0 ? 'no faults.' : f.map((x) => `${x.kind} ${x.target}: ${x.gapSec === null ? 'never recovered' : `${x.gapSec.toFixed(2)} s`}`).join('; ')}\n`);
  }
  parts.push('## Checkers per configuration\n');
  for (const r of input.runs.filter((x) => !x.error)) parts.push(`- **${r.config}**: ${verdictWord(r.check.valid)}. ${r.check.summary.join(' ')}`);
  parts.push(
    '\n## How to read this\n' +
      '- **multi-node write s**: one-second windows in which ok writes were served by more than one Galera node (the multi-master case that makes 1213s and, without row locks, anomalies possible).\n' +
      '- **worst failover**: the longest stretch with no successful op around a fault; **availability**: seconds of the workload with at least one successful op.\n' +
      '- Each configuration\'s own report.md and history are in its run directory; `bbs-lab check <run-dir>` re-checks one.\n',
  );
  return parts.map((p) => p.trim()).join('\n\n') + '\n';
}
