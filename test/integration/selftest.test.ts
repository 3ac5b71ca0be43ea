// The lab finds the bugs it exists to catch (issue 17): every planted bug of bbs/sql/plants.ts is
// found on a short scenario that can reveal it, and the clean multi-writer baseline is clean on two
// seeds. To stay within a few minutes, each run carries up to one plant per record type (task,
// actual LRP, desired LRP, domain): a plant cannot touch another record type's rows (other table,
// other ops), so each is judged by the findings on its own record type's keys (detectionOfRecord).
// The self-test CLI (`bbs-lab selftest`) runs each plant alone on two seeds, with the unmutated
// store on the same seeds of every scenario.
// Loopback base 127.106.1 (the self-test CLI's manual runs use 127.106.0).

import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLANTS, type PlantName } from '../../bbs/sql/plants.ts';
import type { CheckReport } from '../../lab/report/verdicts.ts';
import { pairOps, workloadStart } from '../../lab/history/event.ts';
import { readHistory } from '../../lab/history/reader.ts';
import { PROJECT_ROOT } from '../../lab/project-root.ts';
import { runScenario, type RunResult } from '../../lab/runner/run.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';
import { detectionOfRecord } from '../../lab/selftest/detection.ts';
import { BASELINE_SCENARIO, scenarioForPlant } from '../../lab/selftest/plan.ts';
import { asSelftestRun } from '../../lab/selftest/run.ts';

const runsDir = mkdtempSync(join(tmpdir(), 'bbs-lab-selftest-runs-'));
test.after.always(() => rmSync(runsDir, { recursive: true, force: true }));

const ADDRESS_BASE = '127.106.1';

async function run(
  file: string,
  plants: PlantName[],
  seed: number,
  duration: number,
  log: (m: string) => void,
): Promise<RunResult> {
  const s = parseScenario(readFileSync(join(PROJECT_ROOT, file), 'utf8'), file);
  s.bbs.plant = plants;
  // As `bbs-lab selftest` runs it: closed loop (detection, not a figure) unless it has faults.
  asSelftestRun(s);
  return runScenario(s, { seed, duration, runsDir, addressBase: ADDRESS_BASE, log });
}

function checkOf(r: RunResult): CheckReport {
  return (JSON.parse(readFileSync(r.dir.results, 'utf8')) as { check: CheckReport }).check;
}

/**
 * The plants packed into runs: per scenario, as few runs as hold every plant with at most one plant
 * per record type in a run (a plant cannot touch another record type's rows), in registry order.
 */
function packedRuns(): { scenario: string; plants: (typeof PLANTS)[number][] }[] {
  const out: { scenario: string; plants: (typeof PLANTS)[number][] }[] = [];
  for (const p of PLANTS) {
    const file = scenarioForPlant(p);
    const run = out.find(
      (r) => r.scenario === file && !r.plants.some((q) => q.record === p.record),
    );
    if (run) run.plants.push(p);
    else out.push({ scenario: file, plants: [p] });
  }
  return out;
}

for (const [i, batch] of packedRuns().entries()) {
  test.serial(
    `planted batch ${i + 1} on ${batch.scenario.replace(/^.*\//, '')} (${batch.plants.map((p) => p.name).join(', ')}) is found on its record types`,
    async (t) => {
      // One node runs are cheap; the commit-error plants need the 3-node baseline's 1213s at
      // COMMIT.
      const duration = batch.scenario === BASELINE_SCENARIO ? 10 : 8;
      const r = await run(
        batch.scenario,
        batch.plants.map((p) => p.name),
        1,
        duration,
        (m) => t.log(m),
      );
      const check = checkOf(r);
      const events = readHistory(r.dir.history).events;
      const doneAt = new Map(pairOps(events).map((op) => [op.op, (op.complete ?? op.invoke).time]));
      for (const p of batch.plants) {
        const d = detectionOfRecord(check, p.record, doneAt, workloadStart(events));
        t.log(
          `${p.name}: ${d.found ? `found by ${d.checkers.join(', ')} at ${d.firstDetectionSec?.toFixed(2)} s` : 'NOT found'}`,
        );
        t.true(d.found, `${p.name} found on ${p.record} keys; ${check.summary.join(' ')}`);
      }
      t.is(check.valid, false);
    },
  );
}

for (const seed of [1, 2]) {
  test.serial(`the multi-writer baseline is clean (seed ${seed})`, async (t) => {
    const r = await run(BASELINE_SCENARIO, [], seed, 8, (m) => t.log(m));
    const check = checkOf(r);
    const results = JSON.parse(readFileSync(r.dir.results, 'utf8')) as {
      stats: { ops: number; servedByNode: Record<string, Record<string, number>> };
    };
    t.true(results.stats.ops > 200, `enough ops to mean something (${results.stats.ops})`);
    t.true(Object.keys(results.stats.servedByNode).length >= 2, 'writes reached several nodes');
    t.true((check.linearizability?.keys.length ?? 0) > 0, 'linearizability was checked');
    t.is(check.valid, true, check.summary.join(' '));
  });
}
