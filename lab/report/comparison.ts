// comparison.md: one scenario run under several client configurations (same seed, same faults),
// side by side. Pure: each run's stats and verdict in, Markdown out. The first paragraph answers
// "which configuration is safe" with numbers; the table and per-fault outages as the clients saw
// them follow.

import { targetLabel } from '../nemesis/roles.ts';
import { verdictWord, type CheckReport } from './verdicts.ts';
import { countOfCode } from './labels.ts';
import { pct } from './markdown.ts';
import { absorbedTotal } from './retries.ts';
import type { RunStats } from './stats.ts';
import { renderComparisonParts } from './comparison-parts.ts';
import type { OutageParts } from './outage-parts.ts';

export interface ComparedRun {
  config: string;
  runId: string;
  stats: RunStats;
  check: Pick<CheckReport, 'valid' | 'summary'>;
  /** Set when this configuration's run could not complete; the others still compare. */
  error?: string;
  /** results.json's outageParts (missing in older runs). */
  outageParts?: OutageParts | null;
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
  /**
   * Over the run's faults, the longest: no client had a success (BBS), the worst client and the
   * median client had none; null without faults.
   */
  bbsOutageSec: number | null;
  worstClientOutageSec: number | null;
  medianClientOutageSec: number | null;
  /** Faults after which no client had a success again before the run ended. */
  neverRecovered: number;
  /** Share of whole seconds with an ok op, and share of time not inside a ≥ 1 s no-success gap. */
  secondShare: number;
  timeShare: number;
  /** Errors a retry policy absorbed (the caller never saw them), and the ops retried. */
  absorbed: number;
  opsRetried: number;
  verdict: CheckReport['valid'];
}

export function compareRows(runs: readonly ComparedRun[]): ComparisonRow[] {
  return runs
    .filter((r) => !r.error)
    .map((r) => {
      const st = r.stats;
      const done = st.byOutcome.ok + st.byOutcome.fail + st.byOutcome.info || 1;
      const deadlocks = countOfCode(st.errors, '1213');
      const fo = st.availability.faults;
      const worst = (pick: (f: (typeof fo)[number]) => number) =>
        fo.length > 0 ? Math.max(...fo.map(pick)) : null;
      return {
        config: r.config,
        ops: st.ops,
        okShare: st.byOutcome.ok / done,
        failShare: st.byOutcome.fail / done,
        infoShare: st.byOutcome.info / done,
        deadlocksPerK: st.ops > 0 ? (1000 * deadlocks) / st.ops : 0,
        // A clean switchover moves writers from one node to the next: not multi-master
        // (write-windows.ts).
        multiNodeWindows: st.writeWindows.concurrent.length,
        writeWindows: st.writeWindows.total,
        bbsOutageSec: worst((f) => f.bbsOutageSec),
        worstClientOutageSec: worst((f) => f.worstClientOutageSec),
        medianClientOutageSec: worst((f) => f.medianClientOutageSec),
        neverRecovered: fo.filter((f) => Object.values(f.firstOkAfterSec).every((x) => x === null))
          .length,
        secondShare: st.secondShare,
        timeShare: st.availability.timeShare,
        absorbed: absorbedTotal(st.retries),
        opsRetried: st.retries.opsRetried,
        verdict: r.check.valid,
      };
    });
}

const sec = (x: number | null) => (x === null ? '—' : `${x.toFixed(1)} s`);
const share = (x: number) => pct(Math.round(x * 1000), 1000);

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
  if (multi.length > 0)
    out.push(
      `Writes reached two nodes at once with ${multi.map((r) => `${r.config} (${r.multiNodeWindows} of ${r.writeWindows} s)`).join(', ')}.`,
    );
  const withFaults = rows.filter((r) => r.bbsOutageSec !== null);
  if (withFaults.length > 0) {
    const byOutage = [...withFaults].sort(
      (a, b) => a.worstClientOutageSec! - b.worstClientOutageSec!,
    );
    out.push(
      `Longest outage in a fault (no success for the worst client / the median client / any client): ${byOutage
        .map(
          (r) =>
            `${r.config} ${sec(r.worstClientOutageSec)} / ${sec(r.medianClientOutageSec)} / ${sec(r.bbsOutageSec)}${r.neverRecovered > 0 ? ` (${r.neverRecovered} fault(s) never recovered from)` : ''}`,
        )
        .join(', ')}.`,
    );
  }
  const byAvail = [...rows].sort((a, b) => b.timeShare - a.timeShare);
  out.push(
    `Available (share of time not inside a ≥ 1 s stretch with no success; share of seconds with a success): ${byAvail.map((r) => `${r.config} ${share(r.timeShare)}; ${share(r.secondShare)}`).join(', ')}.`,
  );
  const absorbing = rows.filter((r) => r.absorbed > 0);
  if (absorbing.length > 0)
    out.push(
      `Errors absorbed by retries (never seen by the caller): ${absorbing.map((r) => `${r.config} ${r.absorbed.toLocaleString('en-US')} in ${r.opsRetried.toLocaleString('en-US')} retried ops`).join(', ')}.`,
    );
  out.push(
    `1213 deadlocks per 1,000 ops: ${rows.map((r) => `${r.config} ${r.deadlocksPerK.toFixed(1)}`).join(', ')}.`,
  );
  return out;
}

export function renderComparison(input: {
  scenario: string;
  question: string;
  seed: number;
  runs: readonly ComparedRun[];
}): string {
  const rows = compareRows(input.runs);
  const parts: string[] = [];
  parts.push(`# ${input.scenario}: client configurations compared\n`);
  parts.push(`**Question.** ${input.question.trim()}\n`);
  parts.push(
    `**Answer from these runs** (same seed ${input.seed}, same fault schedule, one run per configuration). ${comparisonSentences(rows).join(' ')}\n`,
  );
  const failed = input.runs.filter((r) => r.error);
  if (failed.length > 0)
    parts.push(
      `${failed.map((r) => `> **${r.config}** did not complete: ${r.error}`).join('\n')}\n`,
    );
  parts.push('## Side by side\n');
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  parts.push(
    `${[
      line([
        'configuration',
        'ops',
        'ok',
        'failed',
        'unknown',
        '1213 / 1k ops',
        'absorbed by retries',
        'multi-node write s',
        'outage: worst client',
        'median client',
        'BBS',
        'time available',
        'seconds available',
        'checkers',
      ]),
      line(Array(14).fill('---')),
      ...rows.map((r) =>
        line([
          r.config,
          r.ops.toLocaleString('en-US'),
          pct(Math.round(r.okShare * 1e4), 1e4),
          pct(Math.round(r.failShare * 1e4), 1e4),
          pct(Math.round(r.infoShare * 1e4), 1e4),
          r.deadlocksPerK.toFixed(1),
          r.absorbed.toLocaleString('en-US'),
          `${r.multiNodeWindows} of ${r.writeWindows}`,
          sec(r.worstClientOutageSec),
          sec(r.medianClientOutageSec),
          sec(r.bbsOutageSec),
          share(r.timeShare),
          share(r.secondShare),
          verdictWord(r.verdict),
        ]),
      ),
    ].join('\n')}\n`,
  );
  parts.push('## Outage per fault\n');
  parts.push(
    'The longest stretch with no successful op overlapping each fault (from its start until the system was back to its pre-fault state): for the worst client (which), the median client, and the whole BBS (no client).\n',
  );
  for (const r of input.runs.filter((x) => !x.error)) {
    const f = r.stats.availability.faults;
    parts.push(
      `**${r.config}** (run \`${r.runId}\`): ${
        f.length === 0
          ? 'no faults.'
          : f
              .map(
                (x) =>
                  `${x.kind} ${targetLabel(x.target, x.node)}: worst client ${x.worstClientOutageSec.toFixed(1)} s${x.worstClient === null ? '' : ` (client ${x.worstClient})`}, median ${x.medianClientOutageSec.toFixed(1)} s, BBS ${x.bbsOutageSec.toFixed(1)} s`,
              )
              .join('; ')
      }\n`,
    );
  }
  const byPart = renderComparisonParts(input.runs.filter((x) => !x.error));
  if (byPart) parts.push(byPart);
  parts.push('## Checkers per configuration\n');
  for (const r of input.runs.filter((x) => !x.error))
    parts.push(`- **${r.config}**: ${verdictWord(r.check.valid)}. ${r.check.summary.join(' ')}`);
  parts.push(
    '\n## How to read this\n' +
      '- **multi-node write s**: one-second windows in which ok writes were served by more than one Galera node at once (the multi-master case that makes 1213s and, without row locks, anomalies possible); a switchover second, in which the writers moved from one node to the next and did not come back, is not counted.\n' +
      "- **outage**: over the faults, the longest stretch overlapping a fault in which the worst client, the median client, or no client at all (BBS) had a successful op. **time available**: the share of the workload's time not inside a stretch of ≥ 1 s with no success; **seconds available**: the share of whole seconds with at least one successful op.\n" +
      '- **absorbed by retries**: errors the BBS client retried away (the caller never saw them); the report.md of each run splits them by code, op and node.\n' +
      "- Each configuration's own report.md and history are in its run directory; `bbs-lab check <run-dir>` re-checks one.\n",
  );
  return `${parts.map((p) => p.trim()).join('\n\n')}\n`;
}
