// Stored runs as notebooks read them: every run directory under a root (nested comparison runs
// too), with its scenario as run and its results. Runs without results.json (still running, or
// killed before the report) are skipped.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { CheckReport } from '../lab/report/verdicts.ts';
import { countOfCode } from '../lab/report/labels.ts';
import type { RunStats } from '../lab/report/stats.ts';
import type { Scenario } from '../lab/scenario/types.ts';

export interface StoredRun {
  id: string;
  dir: string;
  scenario: Scenario;
  stats: RunStats;
  check: Pick<CheckReport, 'valid' | 'summary'>;
  /**
   * The isolation checker's transactions and counts by anomaly type, for list-append runs; `names`
   * 'elle' when the counts use Elle's cycle names (lab/checkers/isolation/legacy-names.ts).
   */
  isolation?: { txns: number; counts: Record<string, number>; names?: string };
}

export function loadRuns(root: string): StoredRun[] {
  const out: StoredRun[] = [];
  if (!existsSync(root)) return out;
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (!statSync(dir).isDirectory()) continue;
    const results = join(dir, 'results.json');
    const scenario = join(dir, 'scenario.yaml');
    if (existsSync(results) && existsSync(scenario)) {
      try {
        const r = JSON.parse(readFileSync(results, 'utf8')) as {
          stats: RunStats;
          check: CheckReport;
        };
        const iso = r.check.isolation;
        out.push({
          id: name,
          dir,
          scenario: parse(readFileSync(scenario, 'utf8')) as Scenario,
          stats: r.stats,
          check: { valid: r.check.valid, summary: r.check.summary },
          ...(iso
            ? {
                isolation: {
                  txns: iso.txns,
                  counts: iso.counts,
                  ...(iso.names ? { names: iso.names } : {}),
                },
              }
            : {}),
        });
      } catch {
        // A half-written results.json (the run was killed while writing it): not a run to analyse.
      }
    } else {
      out.push(...loadRuns(dir));
    }
  }
  return out;
}

export const deadlocks = (st: RunStats): number => countOfCode(st.errors, '1213');
