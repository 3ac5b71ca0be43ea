// Writes a stored run's report files from its history: results.json, report.md (with timeline.svg
// and charts/), report.html (every chart inline) and stories.md. The runner calls it at the end of
// a run and for an interrupted run, and `bbs-lab report <run-dir>` calls it: the report never needs
// the cluster.

import { bbsIdentity, scenarioBbs } from '../scenario/bbs-profile.ts';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FINAL_READ, pairOps, workloadStart, type HistoryEvent } from '../history/event.ts';
import { readHistory } from '../history/reader.ts';
import { checkReport, type CheckReport } from './verdicts.ts';
import { renderCharts, type RunCharts } from './charts/index.ts';
import { renderEvidence } from './evidence.ts';
import { renderHtml } from './html.ts';
import { computeReach, renderReachMarkdown, type Reach } from './reach.ts';
import { shortfallOf, shortfallSentence } from './shortfall.ts';
import { labEventLines, renderMarkdown, type CheckSummary } from './markdown.ts';
import { computeStats, workloadEnd, type RunStats } from './stats.ts';
import { anomalyEvents, summarizeEvents } from './anomaly-events.ts';
import { generateStories, renderStoriesMarkdown } from './stories.ts';
import type { Scenario } from '../scenario/types.ts';
import { computeRate, type RateRecord } from './rate.ts';
import { parseMachineJsonl, summarizeMachine, type MachineSummary } from './machine.ts';
import type { Provenance } from '../provenance.ts';
import { computeOutageParts } from './outage-parts.ts';
import { PROJECT_ROOT } from '../project-root.ts';
import { repeatCommand } from './repeat.ts';
import { renderOutagePartsHtml, renderOutagePartsMarkdown } from './outage-parts-md.ts';
import { parseNodeLog, type NodeLogMark } from './node-log-marks.ts';
import {
  describeDetection,
  effectiveDetection,
  requestedDetection,
} from '../providers/galera-detection.ts';

/**
 * A file of the run directory, or null when the run has none (a run from before it was written).
 */
function readIfThere(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

/** The run's provenance (provenance.json, written when it started), or null. */
function runProvenance(dir: RunFiles): Provenance | null {
  const text = readIfThere(join(dir.path, 'provenance.json'));
  if (text === null) return null;
  try {
    return JSON.parse(text) as Provenance;
  } catch {
    return null;
  }
}

/** The machine's load through the workload (machine.jsonl), or null without samples. */
function runMachine(dir: RunFiles, cores: number | null): MachineSummary | null {
  const text = readIfThere(join(dir.path, 'machine.jsonl'));
  const samples = text === null ? [] : parseMachineJsonl(text);
  return samples.length > 0 ? summarizeMachine(samples, cores) : null;
}

/** The marks of every node's log (logs/<node>.err); none when the run has no logs. */
function runNodeLogs(dir: RunFiles): NodeLogMark[] {
  const logs = join(dir.path, 'logs');
  if (!existsSync(logs)) return [];
  return readdirSync(logs)
    .filter((f) => f.endsWith('.err'))
    .flatMap((f) => parseNodeLog(f.slice(0, -'.err'.length), readFileSync(join(logs, f), 'utf8')));
}

/**
 * Where a run's files are (the runner's RunDir is one); the report reads the history and writes the
 * rest.
 */
export interface RunFiles {
  id: string;
  /** The run directory; timeline.svg, charts/, report.html and stories.md go in it. */
  path: string;
  history: string;
  results: string;
  report: string;
}

export interface RenderOptions {
  interrupted?: string;
  notes?: string[];
  /**
   * Called when the checks are done and the files are about to be written (the runner times the two
   * apart).
   */
  onChecked?: () => void;
}

/**
 * What the runner adds to results.json after the report (runner/run.ts: how the run started, warm
 * or cold, and its phase times): a re-render from the history cannot recompute them, so it keeps
 * them.
 */
export const RUNNER_FIELDS = ['start', 'phases'] as const;

/**
 * `bbs-lab report <run-dir>`: results.json and the report again from the history (after a change
 * of a checker), keeping what only the run itself knew: its interruption and the runner's fields.
 */
export function rerenderRun(dir: RunFiles, scenario: Scenario, seed: number): void {
  const before = existsSync(dir.results)
    ? (JSON.parse(readFileSync(dir.results, 'utf8')) as Record<string, unknown>)
    : {};
  const interrupted = typeof before.interrupted === 'string' ? before.interrupted : undefined;
  renderRun(dir, scenario, seed, interrupted ? { interrupted } : {});
  const kept = RUNNER_FIELDS.filter((k) => before[k] !== undefined);
  if (kept.length === 0) return;
  const after = JSON.parse(readFileSync(dir.results, 'utf8')) as Record<string, unknown>;
  for (const k of kept) after[k] = before[k];
  writeFileSync(dir.results, `${JSON.stringify(after, null, 2)}\n`);
}

export function renderRun(
  dir: RunFiles,
  scenario: Scenario,
  seed: number,
  opts: RenderOptions,
): { stats: ReturnType<typeof computeStats>; check: CheckReport } {
  const { events, warnings } = readHistory(dir.history);
  const bbs = scenario.workload.kind === 'bbs' ? scenarioBbs(scenario).behaviour : null;
  const stats = computeStats(events, bbs ? { retryPauseMs: bbs.deadlockRetryDelayMs } : {});
  const check = checkReport(
    events,
    bbs
      ? {
          actualLRPRules: bbs.actualLRPRules,
          actualLRPForm: bbs.actualLRPForm,
          causeSettings: {
            syncWait: scenario.database.syncWait,
            transactionalReads: bbs.transactionalReads,
          },
        }
      : {},
  );
  const reach = computeReach(pairOps(events));
  // What the scenario needs to mean something, and whether the run made it (shortfall.ts).
  reach.shortfall = shortfallOf(reach, {
    minOps: scenario.workload.minOps ?? 0,
    minOpsPerOp: scenario.workload.minOpsPerOp ?? 0,
  });
  const shortNote = reach.shortfall.short ? shortfallSentence(reach.shortfall) : null;
  const t0 = workloadStart(events);
  const eventList = anomalyEvents(
    check.causes ?? [],
    pairOps(events),
    stats.faults,
    t0,
    workloadEnd(pairOps(events), t0),
  );
  const anomalies = { ...summarizeEvents((check.causes ?? []).length, eventList), list: eventList };
  const provenance = runProvenance(dir);
  const rate: RateRecord | null = computeRate(events, { backoffMs: scenario.clients.backoffMs });
  const machine = runMachine(dir, provenance?.machine.cores ?? null);
  opts.onChecked?.();
  const requested = requestedDetection(
    scenario.topology.failureDetection,
    scenario.topology.galera ?? {},
  );
  const outageParts = {
    ...computeOutageParts(events, runNodeLogs(dir)),
    detection: { requested, effective: effectiveDetection(requested) },
  };
  const results = {
    run: dir.id,
    scenario: scenario.name,
    seed,
    // The system under test (its BBS commit, and any hypothetical behaviour) and the operator's
    // settings.
    bbs: bbsIdentity(scenario),
    database: scenario.database,
    interrupted: opts.interrupted ?? null,
    historyWarnings: warnings,
    // Offered against achieved load, the machine's load through the run, and what produced it
    // (lab/investigate reads these three keys to tell the code's effect from the machine's).
    rate,
    machine,
    provenance,
    stats,
    check,
    // Each anomaly once, with every checker that saw it, inside or outside a fault
    // (anomaly-events.ts).
    anomalies,
    reach,
    // Each fault's timeline and each client's outage by part (outage-parts.ts).
    outageParts,
  };
  writeFileSync(dir.results, `${JSON.stringify(results, null, 2)}\n`);
  // Rendered once for report.md and report.html. results.json is written: a bug in the charts
  // must not cost the run its report, so a failure leaves report.md without them.
  let charts: RunCharts | null = null;
  try {
    charts = renderCharts(events, stats, check);
    // The throughput chart, shown at the top of report.md.
    writeFileSync(join(dir.path, 'timeline.svg'), charts.throughput);
  } catch (e) {
    console.error(`charts could not be rendered: ${(e as Error).message}`);
  }
  const md = renderMarkdown({
    scenario,
    seed,
    runId: dir.id,
    stats,
    check: { valid: check.valid, summary: check.summary } satisfies CheckSummary,
    ...(opts.interrupted ? { interrupted: opts.interrupted } : {}),
    ...(opts.notes || shortNote
      ? { notes: [...(opts.notes ?? []), ...(shortNote ? [shortNote] : [])] }
      : {}),
    evidence: renderEvidence(check, workloadStart(events)),
    reach: renderReachMarkdown(reach),
    anomalies,
    ...(charts ? { timeline: 'timeline.svg' } : {}),
    rate,
    machine,
    outageParts: renderOutagePartsMarkdown(outageParts, describeDetection(requested)),
    repeat: repeatCommand(dir.path, seed, PROJECT_ROOT),
  });
  writeFileSync(
    dir.report,
    md +
      (charts ? chartSection(dir, charts) : '') +
      '\nThe same report with every chart and the evidence timelines: [report.html](report.html); mitigation stories: [stories.md](stories.md).\n',
  );
  try {
    if (!charts) throw new Error('the charts could not be rendered (see above)');
    renderHtmlAndStories(
      dir,
      scenario,
      seed,
      opts,
      events,
      stats,
      check,
      charts,
      reach,
      rate,
      machine,
      renderOutagePartsHtml(outageParts, describeDetection(requested)),
    );
  } catch (e) {
    const msg = `report.html / stories.md could not be rendered: ${(e as Error).stack ?? String(e)}`;
    console.error(msg);
    writeFileSync(
      join(dir.path, 'report.html'),
      `<!DOCTYPE html><html><head><meta charset="utf-8"><title>report.html failed</title></head><body><pre>${msg.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</pre><p>See report.md.</p></body></html>\n`,
    );
  }
  return { stats, check };
}

/** The charts as SVG files in charts/ (at most 10 op timelines), linked from report.md. */
function chartSection(dir: RunFiles, c: RunCharts): string {
  const files: [string, string, string][] = [
    ['latency.svg', 'Latency of every op over time, by outcome, fault windows shaded', c.latency],
    [
      'writers.svg',
      'Which node served writes, per second (multi-master seconds stand out)',
      c.writers,
    ],
    ['errors-by-node.svg', 'Errors by MySQL code, stacked by node', c.errorsByNode],
    ['errors-by-op.svg', 'Errors by MySQL code, stacked by op type', c.errorsByOp],
  ];
  c.anomalies.slice(0, 10).forEach((a, i) => {
    if (a.svg)
      files.push([`anomaly-${i + 1}.svg`, `Ops of finding ${i + 1}: ${a.item.title}`, a.svg]);
  });
  mkdirSync(join(dir.path, 'charts'), { recursive: true });
  for (const [name, , svg] of files) writeFileSync(join(dir.path, 'charts', name), svg);
  return (
    '\n## Charts\n\n' +
    files.map(([name, title]) => `![${title.replace(/[[\]]/g, '')}](charts/${name})`).join('\n\n') +
    '\n'
  );
}

function renderHtmlAndStories(
  dir: RunFiles,
  scenario: Scenario,
  seed: number,
  opts: RenderOptions,
  events: HistoryEvent[],
  stats: RunStats,
  check: CheckReport,
  charts: RunCharts,
  reach: Reach,
  rate: RateRecord | null,
  machine: MachineSummary | null,
  outageParts: string,
): void {
  const ops = pairOps(events).filter((o) => o.f !== FINAL_READ);
  const stories = generateStories({ scenario, stats, check, ops });
  writeFileSync(join(dir.path, 'stories.md'), renderStoriesMarkdown(stories, dir.id));
  const html = renderHtml({
    scenario,
    seed,
    runId: dir.id,
    stats,
    check,
    charts,
    stories,
    ops,
    reach,
    rate,
    machine,
    ...(outageParts ? { outageParts } : {}),
    repeat: repeatCommand(dir.path, seed, PROJECT_ROOT),
    ...(opts.interrupted ? { interrupted: opts.interrupted } : {}),
    // The timed lab events from the history, then the notes that have no time.
    notes: labEventLines(stats, opts.notes),
  });
  writeFileSync(join(dir.path, 'report.html'), html);
}
