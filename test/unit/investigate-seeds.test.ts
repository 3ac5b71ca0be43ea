// --seeds N: every question on N seeds per variant, kept by a resume and in the recorded command
// (issue 26: the charter at 6 seeds per variant, where the file asks 5).
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCampaign } from '../../lab/investigate/campaign.ts';
import { campaignCommand, planCampaign, withSeedCount } from '../../lab/investigate/plan.ts';
import { investigate } from '../../lab/investigate/run.ts';
import { writeState } from '../../lab/investigate/state.ts';
import { cli } from './cli-capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-investigate-seeds-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'one.yaml'),
  'name: one\nquestion: q\nduration: 10s\ntopology: { nodes: 1, proxies: 0 }\nclients: { count: 2, via: nodes }\n',
);
const campaign = () =>
  parseCampaign(
    `name: seeds
title: Seeds
questions:
  - { id: qa, question: A?, scenario: one.yaml, variants: [{ name: A }, { name: B }], seeds: 3, metrics: [okShare] }
  - { id: qb, question: B?, scenario: one.yaml, variants: [{ name: C, overrides: { clients.count: 3 } }], seeds: [7, 3], metrics: [okShare] }
`,
    join(dir, 'seeds.yaml'),
  );

test('withSeedCount keeps the first seeds asked and extends past the largest', (t) => {
  const c = withSeedCount(campaign(), 5);
  t.deepEqual(
    c.questions.map((q) => q.seeds),
    [
      [1, 2, 3, 4, 5],
      [7, 3, 8, 9, 10],
    ],
  );
  t.deepEqual(
    withSeedCount(campaign(), 1).questions.map((q) => q.seeds),
    [[1], [7]],
  );
  // 2 variants × 5 + 1 × 5 runs.
  t.is(planCampaign(c, { budgetSec: null }).runs.length, 15);
});

test('the recorded command names --seeds, replacing one given', (t) => {
  t.is(
    campaignCommand('node bin/bbs-lab.js investigate c.yaml --seeds 4', null, 9, false, 6),
    'node bin/bbs-lab.js investigate c.yaml --seeds 6 --order-seed 9',
  );
  t.is(
    campaignCommand('node bin/bbs-lab.js investigate c.yaml', 2700, 9, false, null),
    'node bin/bbs-lab.js investigate c.yaml --budget 45m --order-seed 9',
  );
});

test('a resume without --seeds plans the count the campaign started with', async (t) => {
  const resumeDir = join(dir, 'campaign-run');
  mkdirSync(resumeDir, { recursive: true });
  writeState(resumeDir, {
    version: 1,
    campaign: 'seeds',
    campaignFile: 'seeds.yaml',
    command: 'node bin/bbs-lab.js investigate seeds.yaml --seeds 4 --order-seed 1',
    budgetSec: null,
    orderSeed: 1,
    seeds: 4,
    machine: { cores: 2, cpuModel: 'Test CPU', memGiB: 4, platform: 'Linux test' },
    startedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    runs: [],
  });
  const run = (seeds?: number) =>
    investigate(campaign(), {
      budgetSec: null,
      command: 'node bin/bbs-lab.js investigate seeds.yaml',
      resumeDir,
      planOnly: true,
      runsDir: dir,
      log: () => {},
      ...(seeds !== undefined ? { seeds } : {}),
    });
  t.deepEqual(
    (await run()).plan.questions.map((q) => q.seeds),
    [
      [1, 2, 3, 4],
      [7, 3, 8, 9],
    ],
  );
  t.deepEqual(
    (await run(2)).plan.questions.map((q) => q.seeds.length),
    [2, 2],
  );
});

test('--seeds must be a count from 1 to 100, and the message says so', async (t) => {
  for (const bad of ['0', 'six', '101']) {
    const r = await cli('investigate', 'campaigns/charter-2016.yaml', '--plan', '--seeds', bad);
    t.is(r.code, 2, bad);
    t.regex(
      r.stderr,
      /--seeds: must be a count of seeds per variant from 1 to 100, e\.g\. --seeds 6/,
    );
  }
  const ok = await cli('investigate', 'campaigns/charter-2016.yaml', '--plan', '--seeds', '6');
  t.is(ok.code, 0);
  t.regex(
    ok.stderr + ok.stdout,
    /q1-deadlocks: 3 variant\(s\) × 6 seed\(s\) \[1, 2, 3, 4, 5, 6\] = 18 run\(s\)/,
  );
});
