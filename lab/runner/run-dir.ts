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

export function createRunDir(
  scenario: Scenario,
  seed: number,
  runsDir = DEFAULT_RUNS_DIR,
  now = new Date(),
): RunDir {
  const base = runId(scenario.name, now);
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
  const dir = runDirPaths(path, id);
  writeFileSync(join(path, 'scenario.yaml'), stringify(savedScenario(scenario, seed)));
  writeFileSync(join(path, 'seed'), `${seed}\n`);
  return dir;
}
