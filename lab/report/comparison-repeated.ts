// comparison.md of `compare --repeat N` / `--seeds a,b,c`: every configuration run on the same
// seeds, and each figure given as the median over the seeds with an order-statistics interval for
// that median (intervals.ts), so the answer says what the runs can and cannot tell apart. Pure:
// each run's figures in (runFigures), Markdown out.
//
// One run per configuration cannot carry a decision: in issue 13 the verdict flipped between two
// seeds, and a cluster losing quorum on a loaded machine (not the fault) made two configurations
// look worse. So: medians with intervals, "not distinguishable" where intervals overlap, runs with
// unplanned quorum loss named and the figures shown with and without them, and when no
// configuration meets both safety criteria in every run, the trade-off in numbers.

import { verdictWord, type CheckReport } from './verdicts.ts';
import { targetLabel } from '../nemesis/roles.ts';
import { countOfCode } from './labels.ts';
import { describeInterval, distinguishable, interval, type Interval } from './intervals.ts';
import type { RunStats } from './stats.ts';
import { renderRepeatedParts } from './comparison-parts.ts';
import { worstParts, type OutagePart, type OutageParts } from './outage-parts.ts';

/** What comparison.json keeps of one run: small, so other tools can aggregate many. */
export interface RunFigures {
  config: string;
  seed: number;
  runId: string;
  /** Set when the run could not complete; it counts in no figure. */
  error?: string;
  ops: number;
  /** Per fault (same id on every seed of a fixed schedule): the worst client's outage, s. */
  faults: {
    fault: string;
    kind: string;
    target: string;
    node?: string;
    worstClientOutageSec: number;
  }[];
  /** The longest interval in the run with no ok op from any client, s. */
  bbsOutageSec: number;
  /** Share of the workload's time not inside a ≥ 1 s stretch with no success. */
  timeShare: number;
  /** 1213s that reached the client per 1,000 ops. */
  deadlocksPerK: number;
  /** One-second windows with ok writes on more than one node. */
  multiNodeSeconds: number;
  /** Ops that ended with an unknown outcome (info). */
  unknownOps: number;
  verdict: CheckReport['valid'];
  /** Intervals of 1047s no fault meant (quorum-loss.ts). */
  unplannedQuorumLoss: { node: string; from: number; to: number; errors: number }[];
  /**
   * The worst client's outage in the worst fault, by part (outage-parts.ts); missing in older runs.
   */
  outageParts?: Record<OutagePart, number>;
}

export function runFigures(
  config: string,
  seed: number,
  runId: string,
  st: RunStats,
  verdict: CheckReport['valid'],
  parts?: OutageParts | null,
): RunFigures {
  const deadlocks = countOfCode(st.errors, '1213');
  const worst = parts ? worstParts(parts) : null;
  return {
    ...(worst ? { outageParts: worst.client.parts } : {}),
    config,
    seed,
    runId,
    ops: st.ops,
    faults: st.availability.faults.map((f) => ({
      fault: f.fault,
      kind: f.kind,
      target: f.target,
      ...(f.node ? { node: f.node } : {}),
      worstClientOutageSec: f.worstClientOutageSec,
    })),
    bbsOutageSec: st.availability.bbs.longest?.sec ?? 0,
    timeShare: st.availability.timeShare,
    deadlocksPerK: st.ops > 0 ? (1000 * deadlocks) / st.ops : 0,
    // Writing on several nodes at once; a switchover is not multi-master (write-windows.ts).
    multiNodeSeconds: st.writeWindows.concurrent.length,
    unknownOps: st.byOutcome.info,
    verdict,
    unplannedQuorumLoss: (st.quorumLoss ?? [])
      .filter((q) => !q.planned)
      .map(({ node, from, to, errors }) => ({ node, from, to, errors })),
  };
}

export interface FigureIntervals {
  /** Per fault id: its label and the worst client's outage over the seeds. */
  worstClientOutage: { fault: string; label: string; interval: Interval }[];
  bbsOutage: Interval;
  timeShare: Interval;
  deadlocksPerK: Interval;
  multiNodeSeconds: Interval;
  unknownOps: Interval;
}

export interface ConfigSummary {
  config: string;
  /** Completed runs, and runs that failed to complete. */
  runs: number;
  failed: number;
  figures: FigureIntervals;
  /** Runs in which a checker found an anomaly, or could not decide. */
  anomalyRuns: number;
  unknownRuns: number;
  /** Runs with writes on several nodes at once. */
  multiWriterRuns: number;
  /**
   * Seeds of runs with unplanned quorum loss, and the figures without those runs (null: none had
   * it, or all did).
   */
  unplannedSeeds: number[];
  withoutUnplanned: FigureIntervals | null;
  /** No anomaly (every checker sure) and never writes on several nodes at once, in every run. */
  meetsBoth: boolean;
}

function intervalsOf(runs: readonly RunFigures[]): FigureIntervals {
  const faults: { fault: string; label: string }[] = [];
  for (const r of runs)
    for (const f of r.faults)
      if (!faults.some((x) => x.fault === f.fault))
        faults.push({ fault: f.fault, label: `${f.kind} ${f.target}` });
  return {
    worstClientOutage: faults.map((f) => ({
      ...f,
      interval: interval(
        runs.map((r) => r.faults.find((x) => x.fault === f.fault)?.worstClientOutageSec ?? null),
      ),
    })),
    bbsOutage: interval(runs.map((r) => r.bbsOutageSec)),
    timeShare: interval(runs.map((r) => r.timeShare)),
    deadlocksPerK: interval(runs.map((r) => r.deadlocksPerK)),
    multiNodeSeconds: interval(runs.map((r) => r.multiNodeSeconds)),
    unknownOps: interval(runs.map((r) => r.unknownOps)),
  };
}

export function summarise(all: readonly RunFigures[]): ConfigSummary[] {
  const configs = [...new Set(all.map((r) => r.config))];
  return configs.map((config) => {
    const mine = all.filter((r) => r.config === config);
    const done = mine.filter((r) => !r.error);
    const unplanned = done.filter((r) => r.unplannedQuorumLoss.length > 0);
    const clean = done.filter((r) => r.unplannedQuorumLoss.length === 0);
    return {
      config,
      runs: done.length,
      failed: mine.length - done.length,
      figures: intervalsOf(done),
      anomalyRuns: done.filter((r) => r.verdict === false).length,
      unknownRuns: done.filter((r) => r.verdict === 'unknown').length,
      multiWriterRuns: done.filter((r) => r.multiNodeSeconds > 0).length,
      unplannedSeeds: unplanned.map((r) => r.seed),
      withoutUnplanned: unplanned.length > 0 && clean.length > 0 ? intervalsOf(clean) : null,
      meetsBoth:
        done.length > 0 && done.every((r) => r.verdict === true && r.multiNodeSeconds === 0),
    };
  });
}

const secs = (x: number) => `${x.toFixed(1)} s`;
const share = (x: number) => `${(x * 100).toFixed(1)}%`;
const num = (x: number) => (Number.isInteger(x) ? x.toLocaleString('en-US') : x.toFixed(1));
const med = (i: Interval, fmt: (x: number) => string) => (i.n === 0 ? 'n/a' : fmt(i.median));

/** The fault with the longest median worst-client outage of a configuration. */
function worstFault(s: ConfigSummary): { label: string; interval: Interval } | null {
  let best: { label: string; interval: Interval } | null = null;
  for (const f of s.figures.worstClientOutage)
    if (f.interval.n > 0 && (!best || f.interval.median > best.interval.median)) best = f;
  return best;
}

/** What a configuration gives up, in numbers: its safety record and its worst outage. */
export function tradeOff(s: ConfigSummary): string {
  const safety =
    s.multiWriterRuns === 0
      ? 'never wrote on several nodes at once'
      : `wrote on several nodes at once in ${s.multiWriterRuns} of ${s.runs} runs (median ${med(s.figures.multiNodeSeconds, num)} s)`;
  const anomalies =
    s.anomalyRuns > 0
      ? `, anomalies in ${s.anomalyRuns} of ${s.runs}`
      : s.unknownRuns > 0
        ? `, checker verdict unknown in ${s.unknownRuns} of ${s.runs}`
        : ', no anomaly';
  const w = worstFault(s);
  const outage = w
    ? `; worst-client outage ~${secs(w.interval.median)} per ${w.label}`
    : `; longest BBS outage ~${med(s.figures.bbsOutage, secs)}`;
  return `${s.config}: ${safety}${anomalies}${outage}`;
}

/** Pairs of configurations whose intervals for a figure overlap. */
export function indistinguishablePairs(
  items: readonly { config: string; interval: Interval }[],
): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const a = items[i]!;
      const b = items[j]!;
      if (a.interval.n > 0 && b.interval.n > 0 && !distinguishable(a.interval, b.interval))
        out.push([a.config, b.config]);
    }
  }
  return out;
}

/** The headline figures the answer says "(not) distinguishable" about. */
function headline(
  sums: readonly ConfigSummary[],
): { name: string; items: { config: string; interval: Interval }[]; fmt: (x: number) => string }[] {
  const out: {
    name: string;
    items: { config: string; interval: Interval }[];
    fmt: (x: number) => string;
  }[] = [];
  const faults: { fault: string; label: string }[] = [];
  for (const s of sums)
    for (const f of s.figures.worstClientOutage)
      if (!faults.some((x) => x.fault === f.fault)) faults.push(f);
  for (const f of faults) {
    out.push({
      name: `worst-client outage in ${f.label}`,
      items: sums.map((s) => ({
        config: s.config,
        interval:
          s.figures.worstClientOutage.find((x) => x.fault === f.fault)?.interval ?? interval([]),
      })),
      fmt: secs,
    });
  }
  out.push({
    name: 'BBS outage',
    items: sums.map((s) => ({ config: s.config, interval: s.figures.bbsOutage })),
    fmt: secs,
  });
  out.push({
    name: 'time share available',
    items: sums.map((s) => ({ config: s.config, interval: s.figures.timeShare })),
    fmt: share,
  });
  out.push({
    name: '1213 per 1,000 ops',
    items: sums.map((s) => ({ config: s.config, interval: s.figures.deadlocksPerK })),
    fmt: (x) => x.toFixed(1),
  });
  return out;
}

export function repeatedSentences(
  sums: readonly ConfigSummary[],
  seeds: readonly number[],
): string[] {
  const done = sums.filter((s) => s.runs > 0);
  if (done.length === 0) return ['No configuration completed a run.'];
  const out: string[] = [];
  const safe = done.filter((s) => s.meetsBoth);
  if (safe.length > 0) {
    out.push(
      `Met both criteria (no anomaly, never writes on several nodes at once) in every one of its runs: ${safe.map((s) => `${s.config} (${s.runs} run${s.runs === 1 ? '' : 's'})`).join(', ')}.`,
    );
    if (safe.length < done.length)
      out.push(
        `Did not: ${done
          .filter((s) => !s.meetsBoth)
          .map(tradeOff)
          .join('; ')}.`,
      );
  } else {
    out.push(
      `No configuration met both criteria (no anomaly, never writes on several nodes at once) in every run of the ${seeds.length} seed(s). The trade-off: ${done.map(tradeOff).join('; ')}.`,
    );
  }
  for (const h of headline(done)) {
    if (done.length < 2) break;
    const pairs = indistinguishablePairs(h.items);
    const ranked = [...h.items]
      .filter((x) => x.interval.n > 0)
      .sort((a, b) => a.interval.median - b.interval.median);
    const list = ranked
      .map(
        (x) =>
          `${x.config} ${h.fmt(x.interval.median)} (${h.fmt(x.interval.low)}–${h.fmt(x.interval.high)})`,
      )
      .join(', ');
    if (pairs.length === 0) out.push(`${cap(h.name)}: ${list}; every pair distinguishable.`);
    else if (pairs.length === (ranked.length * (ranked.length - 1)) / 2)
      out.push(
        `${cap(h.name)}: ${list}; not distinguishable on these runs (the intervals overlap).`,
      );
    else
      out.push(
        `${cap(h.name)}: ${list}; not distinguishable on these runs: ${pairs.map(([a, b]) => `${a} and ${b}`).join(', ')}.`,
      );
  }
  const flagged = done.filter((s) => s.unplannedSeeds.length > 0);
  if (flagged.length > 0) {
    out.push(
      `UNPLANNED QUORUM LOSS (nodes answered 1047 where no fault meant them to: the machine, not the scenario) in ${flagged.map((s) => `${s.config} seed(s) ${s.unplannedSeeds.join(', ')}`).join('; ')}; ` +
        `those runs are in the medians above; without them: ${flagged.map((s) => (s.withoutUnplanned ? `${s.config} BBS outage ${med(s.withoutUnplanned.bbsOutage, secs)}, time share ${med(s.withoutUnplanned.timeShare, share)}` : `${s.config} (every run had it)`)).join('; ')}.`,
    );
  }
  return out;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export const INTERVAL_KIND =
  'Each figure is the median over the seeds with a distribution-free confidence interval for that median from order statistics: the narrowest [x(k), x(n+1−k)] of the sorted values whose coverage is at least 90%; with fewer than 5 runs that is the whole range (3 runs: 75%). Two configurations are distinguishable on a figure only when their intervals do not overlap.';

export function renderRepeatedComparison(input: {
  scenario: string;
  question: string;
  seeds: readonly number[];
  runs: readonly RunFigures[];
}): string {
  const sums = summarise(input.runs);
  const parts: string[] = [];
  parts.push(
    `# ${input.scenario}: client configurations compared over ${input.seeds.length} seeds\n`,
  );
  parts.push(`**Question.** ${input.question.trim()}\n`);
  parts.push(
    `**Answer from these runs** (seeds ${input.seeds.join(', ')}; every configuration on each seed, so the same op streams and fault schedule). ${repeatedSentences(sums, input.seeds).join(' ')}\n`,
  );
  parts.push(`${INTERVAL_KIND} Repeat with \`--seeds ${input.seeds.join(',')}\`.\n`);
  const failed = input.runs.filter((r) => r.error);
  if (failed.length > 0)
    parts.push(
      `${failed
        .map((r) => `> **${r.config}** seed ${r.seed} did not complete: ${r.error}`)
        .join('\n')}\n`,
    );

  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  const d = (i: Interval, fmt: (x: number) => string) => describeInterval(i, fmt);
  parts.push('## Figures per configuration (median, interval, runs, coverage)\n');
  parts.push(
    `${[
      line([
        'configuration',
        'BBS outage',
        'time share available',
        '1213 / 1k ops',
        'multi-node write s',
        'unknown-outcome ops',
        'runs with anomalies',
        'unplanned quorum loss',
      ]),
      line(Array(8).fill('---')),
      ...sums.map((s) =>
        line([
          s.config,
          d(s.figures.bbsOutage, secs),
          d(s.figures.timeShare, share),
          d(s.figures.deadlocksPerK, (x) => x.toFixed(1)),
          d(s.figures.multiNodeSeconds, num),
          d(s.figures.unknownOps, num),
          `${s.anomalyRuns} / ${s.runs}${s.unknownRuns > 0 ? ` (+${s.unknownRuns} unknown)` : ''}`,
          s.unplannedSeeds.length > 0 ? `seeds ${s.unplannedSeeds.join(', ')}` : 'none',
        ]),
      ),
    ].join('\n')}\n`,
  );
  parts.push('## Worst-client outage per fault\n');
  parts.push(
    "The longest stretch without a success of the client that waited longest, in the fault's window (from its start until the system was back to its pre-fault state).\n",
  );
  const faults: { fault: string; label: string }[] = [];
  for (const s of sums)
    for (const f of s.figures.worstClientOutage)
      if (!faults.some((x) => x.fault === f.fault)) faults.push(f);
  if (faults.length === 0) parts.push('No faults.\n');
  else {
    parts.push(
      `${[
        line(['configuration', ...faults.map((f) => `${f.fault}: ${f.label}`)]),
        line(Array(faults.length + 1).fill('---')),
        ...sums.map((s) =>
          line([
            s.config,
            ...faults.map((f) =>
              d(
                s.figures.worstClientOutage.find((x) => x.fault === f.fault)?.interval ??
                  interval([]),
                secs,
              ),
            ),
          ]),
        ),
      ].join('\n')}\n`,
    );
  }
  const byPart = renderRepeatedParts(input.runs);
  if (byPart) parts.push(byPart);
  parts.push('## Every run\n');
  parts.push(
    `${[
      line([
        'configuration',
        'seed',
        'run',
        'faults (worst-client outage)',
        'BBS outage',
        'time share',
        '1213 / 1k',
        'multi-node s',
        'unknown ops',
        'checkers',
        'unplanned 1047',
      ]),
      line(Array(11).fill('---')),
      ...input.runs.map((r) =>
        r.error
          ? line([
              r.config,
              r.seed,
              '—',
              `did not complete: ${r.error}`,
              '',
              '',
              '',
              '',
              '',
              '',
              '',
            ])
          : line([
              r.config,
              r.seed,
              `\`${r.runId}\``,
              r.faults
                .map(
                  (f) =>
                    `${f.fault} ${targetLabel(f.target, f.node)}: ${secs(f.worstClientOutageSec)}`,
                )
                .join('; ') || '—',
              secs(r.bbsOutageSec),
              share(r.timeShare),
              r.deadlocksPerK.toFixed(1),
              r.multiNodeSeconds,
              r.unknownOps,
              verdictWord(r.verdict),
              r.unplannedQuorumLoss.length === 0
                ? '—'
                : r.unplannedQuorumLoss
                    .map((q) => `${q.node} ${q.from.toFixed(1)}–${q.to.toFixed(1)} s ×${q.errors}`)
                    .join(', '),
            ]),
      ),
    ].join('\n')}\n`,
  );
  parts.push(
    '## How to read this\n' +
      '- **worst-client outage**: per fault, the longest stretch in which the client that waited longest had no successful op; **BBS outage**: the longest stretch of the run in which no client had one.\n' +
      "- **time share available**: the share of the workload's time not inside a stretch of ≥ 1 s with no success; **multi-node write s**: one-second windows with ok writes on more than one Galera node.\n" +
      '- **unplanned quorum loss**: a node answered 1047 (non-Primary) although no active fault isolated, killed or paused it (or after the fault had recovered): an effect of the machine, flagged rather than averaged in silently.\n' +
      "- comparison.json holds these figures for every run; each run's own report is in its run directory.\n",
  );
  return `${parts.map((p) => p.trim()).join('\n\n')}\n`;
}
