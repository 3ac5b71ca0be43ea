// `bbs-lab compare`: the same scenario once per client configuration and seed (same seed, so the
// same op streams and fault schedule in every configuration), then one comparison report. Runs one
// after another on the same loopback addresses; a run that fails is reported as such and the rest
// go on. With one seed comparison.md is the side-by-side of one run each (report/comparison.ts);
// with several (--repeat N, --seeds a,b,c) it gives medians with intervals over the seeds
// (report/comparison-repeated.ts). comparison.md and comparison.json are written after every run,
// so an interrupted comparison keeps what finished.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { renderComparison, type ComparedRun } from '../report/comparison.ts';
import {
  renderRepeatedComparison,
  runFigures,
  type RunFigures,
} from '../report/comparison-repeated.ts';
import type { ClientConfig, Scenario } from '../scenario/types.ts';
import { DEFAULT_RUNS_DIR, runId } from './run-dir.ts';
import { runScenario, type RunOptions } from './run.ts';
import { overheadSummary, type PhaseTimes } from './phases.ts';
import { WarmClusters } from './warm.ts';

export interface CompareOptions extends RunOptions {
  /** Seeds to run every configuration on (wins over `repeat`). */
  seeds?: number[];
  /** Run every configuration on this many seeds: the base seed and the next ones. */
  repeat?: number;
}

export interface CompareResult {
  dir: string;
  report: string;
  seeds: number[];
  runs: ComparedRun[];
  figures: RunFigures[];
}

/** The seeds of a comparison: as given, or `repeat` consecutive ones from the base seed. */
export function compareSeeds(
  base: number,
  opts: Pick<CompareOptions, 'seeds' | 'repeat'>,
): number[] {
  if (opts.seeds && opts.seeds.length > 0) return [...opts.seeds];
  return Array.from({ length: Math.max(1, opts.repeat ?? 1) }, (_, i) => base + i);
}

const clock = (ms: number) => {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
};

export async function compareConfigs(
  scenario: Scenario,
  configs: readonly ClientConfig[],
  opts: CompareOptions = {},
): Promise<CompareResult> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const base =
    opts.seed ?? scenario.seed ?? randomInt(0, 2 ** 31 - 1 - Math.max(1, opts.repeat ?? 1));
  const seeds = compareSeeds(base, opts);
  const dir = join(opts.runsDir ?? DEFAULT_RUNS_DIR, runId(`compare-${scenario.name}`));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'seeds'), `${seeds.join(',')}\n`);
  log(
    `compare: ${configs.length} configuration(s) × ${seeds.length} seed(s): seeds ${seeds.join(', ')} (repeat with --seeds ${seeds.join(',')})`,
  );
  log(`compare: directory ${dir}`);
  const runs: ComparedRun[] = [];
  const figures: RunFigures[] = [];
  const write = () => {
    const md =
      seeds.length > 1
        ? renderRepeatedComparison({
            scenario: scenario.name,
            question: scenario.question,
            seeds,
            runs: figures,
          })
        : renderComparison({
            scenario: scenario.name,
            question: scenario.question,
            seed: seeds[0]!,
            runs,
          });
    writeFileSync(join(dir, 'comparison.md'), md);
    const json = {
      scenario: scenario.name,
      seeds,
      configs,
      figures,
      ...(seeds.length === 1 ? { seed: seeds[0], runs } : {}),
    };
    writeFileSync(join(dir, 'comparison.json'), `${JSON.stringify(json, null, 2)}\n`);
  };
  const total = seeds.length * configs.length;
  const started = Date.now();
  let n = 0;
  // Consecutive runs of one topology reuse its cluster, reset and checked between runs (warm.ts).
  const warm = new WarmClusters();
  const timed: { start: 'warm' | 'cold'; phases: PhaseTimes }[] = [];
  // Seed by seed, every configuration on each: an interrupted comparison still compares like with
  // like.
  try {
    for (const seed of seeds) {
      for (const config of configs) {
        n++;
        const elapsed = Date.now() - started;
        const eta =
          n > 1
            ? ` (${clock(elapsed)} so far, about ${clock((elapsed / (n - 1)) * (total - n + 1))} left)`
            : '';
        log(`compare: run ${n}/${total}: ${config}, seed ${seed}${eta}`);
        const s: Scenario = {
          ...scenario,
          name: `${scenario.name}-${config}`,
          clients: { ...scenario.clients, config },
        };
        try {
          const res = await runScenario(s, { ...opts, seed, runsDir: dir, log, warm });
          timed.push({ start: res.start.kind, phases: res.phases });
          const results = JSON.parse(readFileSync(res.dir.results, 'utf8'));
          runs.push({
            config,
            runId: res.dir.id,
            stats: results.stats,
            check: { valid: results.check.valid, summary: results.check.summary },
            outageParts: results.outageParts ?? null,
          });
          figures.push(
            runFigures(
              config,
              seed,
              res.dir.id,
              results.stats,
              results.check.valid,
              results.outageParts ?? null,
            ),
          );
        } catch (e) {
          const error = (e as Error).message.split('\n')[0]!;
          log(`compare: ${config} seed ${seed} failed: ${error}`);
          runs.push({
            config,
            runId: '',
            stats: undefined as never,
            check: { valid: 'unknown', summary: [] },
            error,
          });
          figures.push({
            config,
            seed,
            runId: '',
            error,
            ops: 0,
            faults: [],
            bbsOutageSec: 0,
            timeShare: 0,
            deadlocksPerK: 0,
            multiNodeSeconds: 0,
            unknownOps: 0,
            verdict: 'unknown',
            unplannedQuorumLoss: [],
          });
        }
        // Written after every run, so an interrupted comparison still has what finished.
        write();
      }
    }
  } finally {
    await warm.close();
  }
  if (timed.length > 0) log(`compare: ${overheadSummary(timed)}`);
  log(`compare: ${total} run(s) in ${clock(Date.now() - started)}`);
  return { dir, report: join(dir, 'comparison.md'), seeds, runs, figures };
}
