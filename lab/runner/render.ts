// Turns a stored run (its history) into results.json and report.md. Used at the end of a run, for
// an interrupted run, and by `bbs-lab report <run-dir>`: the report never needs the cluster.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readHistory } from '../history/reader.ts';
import { checkHistory, type CheckReport } from '../checkers/index.ts';
import { renderEvidence } from '../report/evidence.ts';
import { renderMarkdown, type CheckSummary } from '../report/markdown.ts';
import { computeStats } from '../report/stats.ts';
import { renderTimeline } from '../report/timeline.ts';
import type { Scenario } from '../scenario/types.ts';
import type { RunDir } from './run-dir.ts';

export interface RenderOptions {
  interrupted?: string;
  notes?: string[];
}

export function renderRun(dir: RunDir, scenario: Scenario, seed: number, opts: RenderOptions): { stats: ReturnType<typeof computeStats>; check: CheckReport } {
  const { events, warnings } = readHistory(dir.history);
  const stats = computeStats(events);
  const check = checkHistory(events);
  const results = {
    run: dir.id,
    scenario: scenario.name,
    seed,
    interrupted: opts.interrupted ?? null,
    historyWarnings: warnings,
    stats,
    check,
  };
  writeFileSync(dir.results, JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(dir.path, 'timeline.svg'), renderTimeline(stats));
  const md = renderMarkdown({
    scenario,
    seed,
    runId: dir.id,
    stats,
    check: { valid: check.valid, summary: check.summary } satisfies CheckSummary,
    ...(opts.interrupted ? { interrupted: opts.interrupted } : {}),
    ...(opts.notes ? { notes: opts.notes } : {}),
    evidence: renderEvidence(check, events[0]?.time ?? 0),
    timeline: 'timeline.svg',
  });
  writeFileSync(dir.report, md);
  return { stats, check };
}
