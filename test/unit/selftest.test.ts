// The self-test's plan, detection figures and table, on small fixed inputs worked out by hand.

import test from 'ava';
import type { CheckReport } from '../../lab/report/verdicts.ts';
import { detectionOf, detectionOfRecord, type Detection } from '../../lab/selftest/detection.ts';
import {
  BASELINE_SCENARIO,
  COMMIT_LOSS_SCENARIO,
  ONE_NODE_SCENARIO,
  scenarioForPlant,
  seedsOf,
  selftestPlan,
} from '../../lab/selftest/plan.ts';
import {
  renderTable,
  selftestPasses,
  tableRows,
  type CaseOutcome,
} from '../../lab/selftest/table.ts';
import { plantByName } from '../../bbs/sql/plants.ts';

const S = 1e9;

test('plan: the baseline on every seed first, then each plant on every seed, commit-error plants on the 3-node baseline', (t) => {
  t.deepEqual(seedsOf(3), [1, 2, 3]);
  t.is(scenarioForPlant(plantByName('task-commit-error-ok')), BASELINE_SCENARIO);
  t.is(scenarioForPlant(plantByName('actual-lrp-commit-error-ok')), BASELINE_SCENARIO);
  t.is(scenarioForPlant(plantByName('task-split-start')), ONE_NODE_SCENARIO);
  t.is(scenarioForPlant(plantByName('desired-lrp-commit-lost-as-failed')), COMMIT_LOSS_SCENARIO);
  t.is(scenarioForPlant(plantByName('domain-blind-upsert')), ONE_NODE_SCENARIO);
  // The unmutated store runs on every scenario a plant of the plan runs on, on the same seeds.
  t.deepEqual(selftestPlan(['task-split-start', 'task-commit-error-ok'], [1, 2]), [
    { plant: null, scenario: BASELINE_SCENARIO, seed: 1 },
    { plant: null, scenario: BASELINE_SCENARIO, seed: 2 },
    { plant: null, scenario: ONE_NODE_SCENARIO, seed: 1 },
    { plant: null, scenario: ONE_NODE_SCENARIO, seed: 2 },
    { plant: 'task-split-start', scenario: ONE_NODE_SCENARIO, seed: 1 },
    { plant: 'task-split-start', scenario: ONE_NODE_SCENARIO, seed: 2 },
    { plant: 'task-commit-error-ok', scenario: BASELINE_SCENARIO, seed: 1 },
    { plant: 'task-commit-error-ok', scenario: BASELINE_SCENARIO, seed: 2 },
  ]);
});

const clean: CheckReport = {
  valid: true,
  summary: [],
  linearizability: { valid: true, keys: [], opsChecked: 0, skipped: 0 } as never,
  invariants: { valid: true, counts: {} as never, violations: [] },
  failedApplied: [],
  isolation: null,
};

function failing(): CheckReport {
  return {
    valid: false,
    summary: [],
    linearizability: {
      valid: false,
      keys: [
        {
          key: 'task/t',
          model: 'bbs-task',
          verdict: 'not-linearizable',
          ops: 3,
          steps: 1,
          segments: 1,
          failure: { ops: [{ op: 1 }, { op: 2 }] },
        },
        {
          key: 'task/u',
          model: 'bbs-task',
          verdict: 'linearizable',
          ops: 3,
          steps: 1,
          segments: 1,
        },
      ],
      opsChecked: 6,
      skipped: 0,
    } as never,
    invariants: {
      valid: false,
      counts: {} as never,
      violations: [
        { invariant: 'task-started-on-two-cells', key: 'task/t', ops: [3, 4], explanation: '' },
      ],
    },
    failedApplied: [],
    isolation: null,
  };
}

test('detection: which checkers, and the first moment a whole piece of evidence was in the history', (t) => {
  // start = 100 s. Linearizability names ops 1 (done 103 s) and 2 (done 105.5 s): complete at 105.5
  // s.
  // The invariant names ops 3 (104 s) and 4 (104.25 s): complete at 104.25 s. Earliest: 104.25 −
  // 100 = 4.25 s.
  const doneAt = new Map([
    [1, 103 * S],
    [2, 105.5 * S],
    [3, 104 * S],
    [4, 104.25 * S],
  ]);
  t.deepEqual(detectionOf(failing(), doneAt, 100 * S), {
    found: true,
    checkers: ['linearizability', 'invariants'],
    firstDetectionSec: 4.25,
  });
  // Without op 4's time the invariant's evidence is incomplete: only the linearizability one, 5.5
  // s.
  doneAt.delete(4);
  t.is(detectionOf(failing(), doneAt, 100 * S).firstDetectionSec, 5.5);
});

test('detection by record type: only the findings on that record type keys count', (t) => {
  const check = failing();
  check.invariants!.violations.push({
    invariant: 'instance-held-by-two-cells',
    key: 'actual/p/0',
    ops: [5, 6],
    explanation: '',
  });
  const doneAt = new Map([
    [1, 103 * S],
    [2, 105.5 * S],
    [3, 104 * S],
    [4, 104.25 * S],
    [5, 101 * S],
    [6, 102 * S],
  ]);
  // Tasks: as above, 4.25 s by both checkers. Actual LRPs: ops 5, 6 done at 102 s → 2 s, invariants
  // only.
  t.deepEqual(detectionOfRecord(check, 'task', doneAt, 100 * S), {
    found: true,
    checkers: ['linearizability', 'invariants'],
    firstDetectionSec: 4.25,
  });
  t.deepEqual(detectionOfRecord(check, 'actual-lrp', doneAt, 100 * S), {
    found: true,
    checkers: ['invariants'],
    firstDetectionSec: 2,
  });
  t.deepEqual(detectionOfRecord(failing(), 'actual-lrp', doneAt, 100 * S), {
    found: false,
    checkers: [],
    firstDetectionSec: null,
  });
});

test('detection: a clean check finds nothing and has no time', (t) => {
  t.deepEqual(detectionOf(clean, new Map([[1, 5 * S]]), 0), {
    found: false,
    checkers: [],
    firstDetectionSec: null,
  });
});

const det = (
  found: boolean,
  firstDetectionSec: number | null,
  checkers: Detection['checkers'] = found ? ['linearizability'] : [],
): Detection => ({ found, checkers, firstDetectionSec });
const outcome = (
  plant: CaseOutcome['plant'],
  seed: number,
  d: Detection,
  scenario = ONE_NODE_SCENARIO,
): CaseOutcome => ({ plant, scenario, seed, detection: d, unknown: false, runDir: `/r/${seed}` });

test('table: found / run, the earliest first detection, the union of checkers, pass only when all seeds agree', (t) => {
  const rows = tableRows([
    outcome(null, 1, det(false, null), BASELINE_SCENARIO),
    outcome(null, 2, det(false, null), BASELINE_SCENARIO),
    // found on both seeds at 2.5 s and 0.75 s: 2/2, first 0.75 s.
    outcome('task-split-start', 1, det(true, 2.5, ['linearizability'])),
    outcome('task-split-start', 2, det(true, 0.75, ['linearizability', 'invariants'])),
    // found on one seed of two: 1/2, fails.
    outcome('actual-lrp-fail-any-state', 1, det(true, 1)),
    outcome('actual-lrp-fail-any-state', 2, det(false, null)),
  ]);
  t.deepEqual(
    rows.map((r) => [r.plant, r.scenario, r.hits, r.runs, r.firstSec, r.checkers, r.pass]),
    [
      ['(baseline, no plant)', 'multi-writer-baseline', 2, 2, null, [], true],
      [
        'task-split-start',
        'selftest-one-node',
        2,
        2,
        0.75,
        ['linearizability', 'invariants'],
        true,
      ],
      ['actual-lrp-fail-any-state', 'selftest-one-node', 1, 2, 1, ['linearizability'], false],
    ],
  );
  t.false(selftestPasses(rows));
  t.true(selftestPasses(rows.slice(0, 2)));
  const text = renderTable(rows);
  t.regex(text, /^plant\s+kind\s+record\s+scenario\s+found \/ run\s+first detection\s+checkers/);
  t.regex(
    text,
    /task-split-start\s+split-transaction\s+task\s+selftest-one-node\s+2\/2\s+0\.75 s\s+linearizability, invariants\s+ok/,
  );
  t.regex(text, /actual-lrp-fail-any-state .* 1\/2 .* FAIL/);
  t.regex(text, /\(baseline, no plant\) .* clean 2\/2 .* ok/);
});

test('table: a baseline with a finding, or an inconclusive one, is not clean', (t) => {
  const dirty = tableRows([
    outcome(null, 1, det(true, 3), BASELINE_SCENARIO),
    { ...outcome(null, 2, det(false, null), BASELINE_SCENARIO), unknown: true },
  ]);
  t.is(dirty[0]!.hits, 0);
  t.false(dirty[0]!.pass);
  t.false(selftestPasses([]), 'an empty self-test proves nothing');
});
