// Runs the self-test's plan: each case is an ordinary `bbs-lab run` of its scenario (with the plant
// in bbs.plant), judged from its results.json and history, with a progress line per case.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlantName } from '../../bbs/sql/plants.ts';
import type { CheckReport } from '../report/verdicts.ts';
import { pairOps, workloadStart } from '../history/event.ts';
import { readHistory } from '../history/reader.ts';
import { PROJECT_ROOT } from '../project-root.ts';
import { runScenario } from '../runner/run.ts';
import type { Scenario } from '../scenario/types.ts';
import { parseScenario } from '../scenario/validate.ts';
import { detectionOf } from './detection.ts';
import { selftestPlan } from './plan.ts';
import type { CaseOutcome } from './table.ts';

export interface SelftestOptions {
  plants: readonly PlantName[];
  seeds: readonly number[];
  /** Workload seconds per run; each scenario's own duration when missing. */
  duration?: number;
  addressBase?: string;
  runsDir?: string;
  /** One line per case as it starts and ends. */
  progress?: (line: string) => void;
  /** The runner's own log lines (quiet by default). */
  log?: (line: string) => void;
}

/**
 * How the self-test runs a scenario (the CLI and the integration test alike). Closed loop: the
 * self-test asks whether a planted bug is found, which takes as many interleavings as the machine
 * gives, not a figure that must compare across machines; except a scenario with faults, which
 * keeps its offered rate: every lost COMMIT is an op of unknown outcome, and the checker's search
 * grows with them (closed loop, the commit-loss scenario's checks took 151 s for 8 s of workload,
 * 0.7 s at its rate). On today's BBS: closed-loop on 2016-11, 12 clients on pools of 4 wedge the
 * store in the pool deadlock b33de3b0 fixed (docs/bbs-versions.md), and a stalled store shows no
 * plant.
 */
export function asSelftestRun(s: Scenario): void {
  if (s.nemesis.schedule.length === 0) s.clients.rate = 'closed';
  s.bbs.version = 'today';
}

export async function runSelftest(o: SelftestOptions): Promise<CaseOutcome[]> {
  const plan = selftestPlan(o.plants, o.seeds);
  const out: CaseOutcome[] = [];
  for (const [i, c] of plan.entries()) {
    const what = `${c.plant ?? 'baseline'} on ${c.scenario.replace(/^.*\//, '')} seed ${c.seed}`;
    o.progress?.(`[${i + 1}/${plan.length}] ${what} …`);
    const s = parseScenario(readFileSync(join(PROJECT_ROOT, c.scenario), 'utf8'), c.scenario);
    if (c.plant) s.bbs.plant = [c.plant];
    asSelftestRun(s);
    const opts: Parameters<typeof runScenario>[1] = { seed: c.seed, log: o.log ?? (() => {}) };
    if (o.duration !== undefined) opts.duration = o.duration;
    if (o.addressBase !== undefined) opts.addressBase = o.addressBase;
    if (o.runsDir !== undefined) opts.runsDir = o.runsDir;
    const res = await runScenario(s, opts);
    const results = JSON.parse(readFileSync(res.dir.results, 'utf8')) as {
      check: CheckReport;
      reach?: { shortfall?: { short?: boolean } };
    };
    const check = results.check;
    const events = readHistory(res.dir.history).events;
    const doneAt = new Map(pairOps(events).map((op) => [op.op, (op.complete ?? op.invoke).time]));
    const detection = detectionOf(check, doneAt, workloadStart(events));
    const outcome: CaseOutcome = {
      plant: c.plant,
      scenario: c.scenario,
      seed: c.seed,
      detection,
      unknown: check.valid === 'unknown',
      runDir: res.dir.path,
      short: results.reach?.shortfall?.short === true,
    };
    out.push(outcome);
    const verdict = detection.found
      ? `found by ${detection.checkers.join(', ')}${detection.firstDetectionSec === null ? '' : ` (first evidence at ${detection.firstDetectionSec.toFixed(2)} s)`}`
      : outcome.unknown
        ? 'inconclusive (a key was unknown)'
        : 'nothing found';
    o.progress?.(
      `[${i + 1}/${plan.length}] ${what}: ${verdict}${outcome.short ? ' (fell short of the ops its scenario needs)' : ''} — ${res.dir.path}`,
    );
    if (res.interrupted) break;
  }
  return out;
}
