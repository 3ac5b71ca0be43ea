// How close `investigate --plan` comes to the time a campaign takes: the integration test's tiny
// campaign (test/integration/investigate.test.ts: 1-node clusters, 5-s workloads, 2 variants × 2
// seeds and a question sharing their runs) run for real, its wall time against the plan's estimate
// from the overheads those runs measured (what --plan prints for the next campaign on this
// machine), and against the estimate before any run (the guess). Needs MariaDB Galera; loopback
// base BBS_LAB_BENCH_ADDRESS_BASE (default 127.0.0).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCampaign } from '../investigate/campaign.ts';
import { storedMeasured } from '../investigate/phase-store.ts';
import { planCampaign } from '../investigate/plan.ts';
import { investigate, machine } from '../investigate/run.ts';

const SCENARIO =
  'name: tiny-bbs\nquestion: q\nduration: 5s\ntopology: { nodes: 1, proxies: 0 }\nclients: { count: 2, via: nodes }\nworkload: { tasks: 2, desiredLRPs: 1 }\n';
const CAMPAIGN = `
name: tiny
title: Two tiny questions
questions:
  - id: qa
    question: q
    scenario: tiny-bbs.yaml
    variants:
      - { name: none, overrides: { bbs.version: 2016-03 } }
      - { name: all, overrides: { bbs.version: 2016-11 } }
    seeds: [11, 12]
    metrics: [ops, okShare]
  - id: qb
    question: the same scenario as qa's all
    scenario: tiny-bbs.yaml
    variants:
      - { name: same, overrides: { bbs.version: 2016-11 } }
    seeds: [11, 12]
    metrics: [ops]
`;

const pct = (est: number, actual: number) =>
  `${est >= actual ? '+' : '−'}${((Math.abs(est - actual) / actual) * 100).toFixed(0)}%`;

export async function benchPlanAccuracy(log: (line: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-bench-plan-'));
  try {
    writeFileSync(join(dir, 'tiny-bbs.yaml'), SCENARIO);
    const file = join(dir, 'tiny.yaml');
    writeFileSync(file, CAMPAIGN);
    const campaign = parseCampaign(CAMPAIGN, file);
    const runsDir = join(dir, 'runs');
    const guess = planCampaign(campaign, { budgetSec: null }).totalSec;
    const t0 = performance.now();
    await investigate(campaign, {
      budgetSec: null,
      command: `node bin/bbs-lab.js investigate ${file}`,
      runsDir,
      findingsDir: join(dir, 'findings'),
      addressBase: process.env.BBS_LAB_BENCH_ADDRESS_BASE ?? '127.0.0',
      log: () => {},
    });
    const actual = (performance.now() - t0) / 1000;
    const measured = planCampaign(campaign, {
      budgetSec: null,
      measured: storedMeasured(runsDir, machine()),
    }).totalSec;
    log(
      `plan: tiny campaign (4 runs, 1 node, 5 s): actual ${actual.toFixed(1)} s; estimate from its measured overheads ${measured.toFixed(1)} s (${pct(measured, actual)}), before any run (the guess) ${guess.toFixed(1)} s (${pct(guess, actual)})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
