// The run directory: findings/runs/<timestamp>-<scenario>/, holding everything needed to re-check
// and re-render a run without the cluster.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { PROJECT_ROOT } from '../project-root.ts';
import type { Scenario } from '../scenario/types.ts';
import { savedScenario } from '../scenario/saved.ts';

export { PROJECT_ROOT };
export const DEFAULT_RUNS_DIR = join(PROJECT_ROOT, 'findings', 'runs');

export interface RunDir {
  id: string;
  path: string;
  history: string;
  results: string;
  report: string;
  logs: string;
}

export function runDirPaths(path: string, id: string): RunDir {
  return {
    id,
    path,
    history: join(path, 'history.jsonl'),
    results: join(path, 'results.json'),
    report: join(path, 'report.md'),
    logs: join(path, 'logs'),
  };
}

/** A run's id: its start time (to the second, file-name safe) and its name. */
export function runId(name: string, now = new Date()): string {
  return `${now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-')}-${name.replace(/[^A-Za-z0-9_.-]+/g, '-')}`;
}

/** A fresh run directory for a scenario run with `seed`: its scenario as run, and the seed. */
export function createRunDir(
  scenario: Scenario,
  seed: number,
  runsDir = DEFAULT_RUNS_DIR,
  now = new Date(),
): RunDir {
  const dir = openRunDir(scenario.name, savedScenario(scenario, seed), runsDir, now);
  writeFileSync(join(dir.path, 'seed'), `${seed}\n`);
  return dir;
}

/**
 * A fresh run directory named for the run (`runId`), holding `scenario.yaml`: the document as run.
 * Every kind of run opens its directory here (a scenario run, a migration story).
 */
export function openRunDir(
  name: string,
  scenarioDoc: unknown,
  runsDir = DEFAULT_RUNS_DIR,
  now = new Date(),
): RunDir {
  const base = runId(name, now);
  let id = base;
  let path = join(runsDir, id);
  // Two runs started in the same second get distinct directories.
  for (let i = 2; ; i++) {
    try {
      mkdirSync(path, { recursive: false });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        mkdirSync(runsDir, { recursive: true });
        continue;
      }
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      id = `${base}-${i}`;
      path = join(runsDir, id);
    }
  }
  writeFileSync(join(path, 'scenario.yaml'), stringify(scenarioDoc));
  return runDirPaths(path, id);
}

/** results.json, as `check`, `investigate` and `compare` read it. */
export function writeResults(dir: Pick<RunDir, 'results'>, results: unknown): void {
  writeFileSync(dir.results, `${JSON.stringify(results, null, 2)}\n`);
}
