// `investigate --plan` from measured phase times: warm and cold overheads per node count, which
// runs start warm (the run before has the same topology), how many seeds fit the budget, and the
// per-machine store the next campaign reads. Every figure worked by hand in the comments.

import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCampaign } from '../../lab/investigate/campaign.ts';
import {
  byTopology,
  estimateLine,
  extendSeeds,
  overheadModel,
  planCampaign,
  renderPlan,
  withEstimates,
  type Measured,
  type PlannedRun,
} from '../../lab/investigate/plan.ts';
import { recordMeasured, RECENT, storedMeasured } from '../../lab/investigate/phase-store.ts';
import type { Machine } from '../../lab/investigate/state.ts';
import type { Scenario } from '../../lab/scenario/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-plan-estimate-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'one.yaml'),
  'name: one\nquestion: q\nduration: 10s\ntopology: { nodes: 1, proxies: 0 }\nclients: { count: 2, via: nodes }\n',
);
writeFileSync(
  join(dir, 'three.yaml'),
  'name: three\nquestion: q\nduration: 20s\ntopology: { nodes: 3, proxies: 1 }\nclients: { count: 2 }\n',
);
const campaign = parseCampaign(
  `
name: est
title: Estimates
questions:
  - id: qa
    question: A or B?
    scenario: one.yaml
    variants: [{ name: A, overrides: { bbs.version: 2016-03 } }, { name: B, overrides: { bbs.version: 2016-11 } }]
    seeds: 3
    metrics: [okShare]
`,
  join(dir, 'est.yaml'),
);

// 1 node: cold overheads 30 and 34 s (median 32), warm 4, 5, 6 s (median 5); 3 nodes: cold 40 s, no
// warm run.
const measured: Measured[] = [
  { nodes: 1, durationSec: 10, wallSec: 40, start: 'cold' },
  { nodes: 1, durationSec: 10, wallSec: 44 },
  { nodes: 1, durationSec: 10, wallSec: 14, start: 'warm' },
  { nodes: 1, durationSec: 10, wallSec: 15, start: 'warm' },
  { nodes: 1, durationSec: 10, wallSec: 16, start: 'warm' },
  { nodes: 3, durationSec: 20, wallSec: 60, start: 'cold' },
];

test('the model: median overhead per node count, cold (an old record without start counts as cold) and warm', (t) => {
  const m = overheadModel(measured);
  t.deepEqual(
    [...m.cold],
    [
      [1, 32],
      [3, 40],
    ],
  );
  t.deepEqual([...m.warm], [[1, 5]]);
  t.is(m.runs, 6);
});

test('one topology: the first run cold, the rest warm; the seeds that fit the budget', (t) => {
  // 2 variants × 3 seeds = 6 runs of 1 node: 10 + 32 = 42 s cold, then 5 × (10 + 5) = 75 s, and
  // the kept cluster's stop after the last run (5 s, not in any measured overhead): 122 s.
  const full = planCampaign(campaign, { budgetSec: null, measured });
  t.deepEqual(
    full.runs.map((r) => r.start),
    ['cold', 'warm', 'warm', 'warm', 'warm', 'warm'],
  );
  t.is(full.totalSec, 122);
  t.deepEqual(
    full.runs.map((r) => r.estimateSec),
    [42, 15, 15, 15, 15, 20],
  );
  t.is(full.seedsFit, null);
  t.is(
    estimateLine(full),
    'from 6 measured run(s) on this machine, overhead per run (all but the workload) 1 node(s): cold 32.0 s, warm 5.0 s; 3 node(s): cold 40.0 s; 5 of 6 run(s) start warm (the run before has the same topology)',
  );
  // 100 s: K seeds are 2K runs, 42 + 15·(2K − 1) + 5 s: K = 2 gives 92 s, K = 3 gives 122 s.
  const cut = planCampaign(campaign, { budgetSec: 100, measured });
  t.is(cut.seedsFit, 2);
  t.is(cut.seedCap, 2);
  t.is(cut.totalSec, 92);
  t.regex(
    renderPlan(campaign, cut),
    /budget: 2 seed\(s\) per variant of every question fit 1.7 min/,
  );
  // 200 s holds more seeds than asked: 42 + 15·(2K − 1) + 5 ≤ 200 → K = 5 (182 s; K = 6 is 212 s).
  const room = planCampaign(campaign, { budgetSec: 200, measured });
  t.is(room.seedsFit, 5);
  t.false(room.shortened);
  t.is(room.totalSec, 122);
  // Nothing measured: every run is the guess, cold (10 + 6·1 = 16 s overhead, its stop included): 6
  // × 26 = 156 s.
  const guess = planCampaign(campaign, { budgetSec: null });
  t.is(guess.totalSec, 156);
  t.regex(estimateLine(guess), /^no run measured on this machine yet/);
});

const scen = (nodes: 1 | 3, duration: number, provider: 'local' | 'docker' = 'local') =>
  ({
    duration,
    topology: { nodes, proxies: nodes === 1 ? 0 : 1, provider, failureDetection: 'default' },
    clients: { config: 'direct' },
  }) as unknown as Scenario;
const run = (key: string, s: Scenario, topology: string): PlannedRun & { scenario: Scenario } =>
  ({
    key,
    question: 'q',
    variant: 'v',
    seed: 1,
    nodes: s.topology.nodes,
    durationSec: s.duration,
    estimateSec: 0,
    topology,
    start: 'cold',
    block: 0,
    config: key,
    scenario: s,
  }) as PlannedRun & { scenario: Scenario };

test('mixed topologies in a fixed order: warm only right after the same topology; a finished run is not the one before', (t) => {
  const one = scen(1, 10);
  const three = scen(3, 20);
  const order = [
    run('a1', one, 'one'),
    run('b7', three, 'three'),
    run('b8', three, 'three'),
    run('a2', one, 'one'),
  ];
  // cold 10 + 32, cold 20 + 40, warm 3-node: none measured, so the cold 40 (20 + 40), cold 42 and
  // the last cluster's stop 5.
  const est = withEstimates(order, overheadModel(measured));
  t.deepEqual(
    est.map((r) => [r.start, r.estimateSec]),
    [
      ['cold', 42],
      ['cold', 60],
      ['warm', 60],
      ['cold', 47],
    ],
  );
  // A measured 3-node warm run of 3 s overhead: b8 costs 23 s.
  const withWarm3 = withEstimates(
    order,
    overheadModel([...measured, { nodes: 3, durationSec: 20, wallSec: 23, start: 'warm' }]),
  );
  t.is(withWarm3[2]!.estimateSec, 23);
  // b7 finished already: b8 runs right after a1, so it starts cold.
  t.is(withEstimates(order, overheadModel(measured), new Set(['b7']))[2]!.start, 'cold');
  // A campaign resumed in the middle: the last run had b's topology, so b7 starts warm.
  t.is(
    withEstimates(order.slice(1), overheadModel(measured), new Set(), 'three')[0]!.start,
    'warm',
  );
  // No topology (a provider started fresh every run): never warm.
  t.deepEqual(
    withEstimates(
      [run('d1', scen(3, 20, 'docker'), ''), run('d2', scen(3, 20, 'docker'), '')],
      overheadModel(measured),
    ).map((r) => r.start),
    ['cold', 'cold'],
  );
});

test('extendSeeds: the seeds asked, then the next integers after the largest', (t) => {
  t.deepEqual(extendSeeds([7, 8, 9], 2), [7, 8]);
  t.deepEqual(extendSeeds([7, 3], 4), [7, 3, 8, 9]);
  t.deepEqual(extendSeeds([], 2), [0, 1]);
});

test('the per-machine store: what one campaign measured is what the next reads, for its machine only, the last RECENT runs', (t) => {
  const runsDir = mkdtempSync(join(dir, 'runs-'));
  const here: Machine = { cores: 2, cpuModel: 'Test CPU', memGiB: 7.8, platform: 'Linux' };
  const other: Machine = { ...here, cores: 8 };
  t.deepEqual(storedMeasured(runsDir, here), []);
  recordMeasured(runsDir, here, measured[0]!);
  recordMeasured(runsDir, here, measured[2]!);
  t.deepEqual(storedMeasured(runsDir, here), [measured[0], measured[2]]);
  t.deepEqual(storedMeasured(runsDir, other), []);
  for (let i = 0; i < RECENT + 5; i++)
    recordMeasured(runsDir, here, { nodes: 1, durationSec: 10, wallSec: 100 + i });
  const kept = storedMeasured(runsDir, here);
  t.is(kept.length, RECENT);
  t.is(kept[kept.length - 1]!.wallSec, 100 + RECENT + 4);
});

test('byTopology: one topology after another within a block, in the order the shuffle reaches them; a block starts where the last ended', (t) => {
  const r = (key: string, block: number, topology: string) => ({ key, block, topology });
  // Block 0 shuffled: x1 (A), y1 (B), z1 (A), w1 (B) → A: x1, z1; then B: y1, w1.
  // Block 1 shuffled: x2 (A), y2 (B), w2 (B), z2 (A) → B first (block 0 ended on B): y2, w2; then
  // A: x2, z2.
  const out = byTopology([
    r('x1', 0, 'A'),
    r('y1', 0, 'B'),
    r('z1', 0, 'A'),
    r('w1', 0, 'B'),
    r('x2', 1, 'A'),
    r('y2', 1, 'B'),
    r('w2', 1, 'B'),
    r('z2', 1, 'A'),
  ]);
  t.deepEqual(
    out.map((x) => x.key),
    ['x1', 'z1', 'y1', 'w1', 'y2', 'w2', 'x2', 'z2'],
  );
  t.deepEqual(
    out.map((x) => x.block),
    [0, 0, 0, 0, 1, 1, 1, 1],
    'the blocks stay in order',
  );
});
