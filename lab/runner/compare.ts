// `bbs-lab compare`: the same scenario (same seed, so the same op streams and fault schedule) once
// per client configuration, then one comparison report. Runs one after another on the same
// loopback addresses; a configuration whose run fails is reported as such and the rest go on.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { renderComparison, type ComparedRun } from '../report/comparison.ts';
import type { ClientConfig, Scenario } from '../scenario/types.ts';
import { DEFAULT_RUNS_DIR, runId } from './run-dir.ts';
import { runScenario, type RunOptions } from './run.ts';

export interface CompareResult {
  dir: string;
  report: string;
  runs: ComparedRun[];
}

export async function compareConfigs(scenario: Scenario, configs: readonly ClientConfig[], opts: RunOptions = {}): Promise<CompareResult> {
  const log = opts.log ?? ((m: string) => process.stderr.write(m + '\n'));
  const seed = opts.seed ?? scenario.seed ?? randomInt(0, 2 ** 31 - 1);
  const dir = join(opts.runsDir ?? DEFAULT_RUNS_DIR, runId(`compare-${scenario.name}`));
  mkdirSync(dir, { recursive: true });
  const runs: ComparedRun[] = [];
  const write = () => {
    const md = renderComparison({ scenario: scenario.name, question: scenario.question, seed, runs });
    writeFileSync(join(dir, 'comparison.md'), md);
    writeFileSync(join(dir, 'comparison.json'), JSON.stringify({ scenario: scenario.name, seed, runs }, null, 2) + '\n');
  };
  for (const [i, config] of configs.entries()) {
    log(`compare: ${i + 1}/${configs.length}: ${config}`);
    const s: Scenario = { ...scenario, name: `${scenario.name}-${config}`, clients: { ...scenario.clients, config } };
    try {
      const res = await runScenario(s, { ...opts, seed, runsDir: dir, log });
      const results = JSON.parse(readFileSync(res.dir.results, 'utf8'));
      runs.push({ config, runId: res.dir.id, stats: results.stats, check: { valid: results.check.valid, summary: results.check.summary } });
    } catch (e) {
      log(`compare: ${config} failed: ${(e as Error).message}`);
      runs.push({ config, runId: '', stats: undefined as never, check: { valid: 'unknown', summary: [] }, error: (e as Error).message.split('\n')[0]! });
    }
    // Written after every configuration, so an interrupted comparison still has what finished.
    write();
  }
  return { dir, report: join(dir, 'comparison.md'), runs };
}
