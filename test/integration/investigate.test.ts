// `investigate` end to end on real 1-node Galera clusters: a campaign of 2 variants × 2 seeds and a
// second question whose one variant is the same scenario as the first question's `all` (so its
// runs are shared, not run again). The first invocation stops after one run, a run is then marked
// as interrupted (as a crash leaves it), and the campaign is resumed: finished runs are not
// redone, the interrupted one is, the runs went seed by seed, and the findings hold a figure this
// test recomputes from the runs' history.jsonl, the lab's commit and the command with its order
// seed. Then `--verify` re-runs one seed per variant and records, per figure, whether the re-run
// falls inside the committed interval; its figures are recomputed from the re-runs' histories.

import test from 'ava';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCampaign } from '../../lab/investigate/campaign.ts';
import { investigate } from '../../lab/investigate/run.ts';
import { readState, writeState } from '../../lab/investigate/state.ts';
import { verifyFindings } from '../../lab/investigate/verify-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-investigate-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(
  join(dir, 'tiny-bbs.yaml'),
  'name: tiny-bbs\nquestion: q\nduration: 5s\ntopology: { nodes: 1, proxies: 0 }\nclients: { count: 2, via: nodes }\nworkload: { tasks: 2, desiredLRPs: 1 }\n',
);
const CAMPAIGN = `
name: tiny
title: Two tiny questions
questions:
  - id: qa
    question: Does retrying 1213 change how many ops run on one node?
    scenario: tiny-bbs.yaml
    variants:
      - { name: none, overrides: { bbs.version: 2016-03 } }
      - { name: all, overrides: { bbs.version: 2016-11 } }
    seeds: [11, 12]
    metrics: [ops, okShare]
    claims:
      - { id: runs-ops, text: "Ops run", source: "this test", conditions: "one node", variants: [none, all], metric: ops, condition: "> 0", mechanism: "Clients ran {{qa.none.ops.median}} ops (median)." }
  - id: qb
    question: The same scenario as qa's all, asked again
    scenario: tiny-bbs.yaml
    variants:
      - { name: same, overrides: { bbs.version: 2016-11 } }
    seeds: [11, 12]
    metrics: [ops]
`;

/** Ops of a run recounted from its history: invokes other than the final read. */
function opsFromHistory(runDir: string): number {
  return readFileSync(join(runDir, 'history.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { type: string; f?: string })
    .filter((e) => e.type === 'invoke' && e.f !== 'FinalRead').length;
}

test('investigate: seed by seed, shared runs once, resumes after an interrupted run, writes the findings with provenance; --verify re-runs a sample', async (t) => {
  const file = join(dir, 'tiny.yaml');
  writeFileSync(file, CAMPAIGN);
  const campaign = parseCampaign(CAMPAIGN, file);
  const runsDir = join(dir, 'runs');
  const findingsDir = join(dir, 'findings', 'tiny');
  const command = `node bin/bbs-lab.js investigate ${file}`;
  const base = {
    budgetSec: null,
    command,
    orderSeed: 7,
    runsDir,
    findingsDir,
    addressBase: '127.0.75',
    log: (m: string) => t.log(m),
  };

  // First invocation: one run, then it stops (as a Ctrl-C between runs would).
  const first = await investigate(campaign, { ...base, maxRuns: 1 });
  t.false(first.complete);
  const campaignDir = first.campaignDir!;
  let state = readState(campaignDir)!;
  // Six records, two of them qb's (shared with qa/all): seed 11 of every variant first.
  t.deepEqual(
    state.runs.map((r) => r.seed),
    [11, 11, 11, 12, 12, 12],
  );
  t.deepEqual(
    state.runs.filter((r) => r.sameAs !== undefined).map((r) => [r.key, r.sameAs]),
    [
      ['qb/same/11', 'qa/all/11'],
      ['qb/same/12', 'qa/all/12'],
    ],
  );
  const own = state.runs.filter((r) => r.sameAs === undefined);
  t.deepEqual(
    own.map((r) => r.status),
    ['done', 'pending', 'pending', 'pending'],
  );
  const firstRun = own[0]!;
  const firstResults = join(campaignDir, firstRun.dir!, 'results.json');
  const firstMtime = statSync(firstResults).mtimeMs;

  // The second run was in flight when the lab died: marked running, with a directory.
  const second = state.runs.find((r) => r.key === own[1]!.key)!;
  Object.assign(second, { status: 'running', dir: 'crashed-run' });
  writeState(campaignDir, state);

  // Resumed by a plain re-run (no --resume, no --order-seed): the unfinished campaign is found and
  // finished in its order.
  const { orderSeed: _given, ...withoutOrder } = base;
  const resumed = await investigate(campaign, withoutOrder);
  t.true(resumed.complete);
  t.is(resumed.campaignDir, campaignDir);
  state = readState(campaignDir)!;
  t.deepEqual(
    state.runs.map((r) => r.status),
    ['done', 'done', 'done', 'done', 'done', 'done'],
  );
  t.is(
    state.runs.find((r) => r.key === firstRun.key)!.dir,
    firstRun.dir,
    'the finished run was not redone',
  );
  t.is(statSync(firstResults).mtimeMs, firstMtime);
  const redone = state.runs.find((r) => r.key === second.key)!;
  t.deepEqual(redone.interrupted, ['crashed-run'], 'the interrupted run is remembered');
  t.not(redone.dir, 'crashed-run', 'and redone in a directory of its own');
  // Four runs, four run directories (plus state.json): nothing ran twice, the shared ones not at
  // all.
  t.is(
    readdirSync(campaignDir).filter((d) => statSync(join(campaignDir, d)).isDirectory()).length,
    4,
  );
  for (const r of state.runs.filter((x) => x.sameAs !== undefined))
    t.is(r.dir, state.runs.find((x) => x.key === r.sameAs)!.dir);
  t.is(state.command, `${command} --order-seed 7`, 'the resume kept the order seed');
  t.is(state.orderSeed, 7);

  // The findings.
  for (const f of ['README.md', 'index.html', 'findings.json', 'qa.svg', 'qb.svg'])
    t.true(existsSync(join(findingsDir, f)), f);
  const readme = readFileSync(join(findingsDir, 'README.md'), 'utf8');
  // The median of qa/none's ops over its two seeds, recounted from history.jsonl: with two runs the
  // median is their mean, and the interval is the two values.
  const none = state.runs
    .filter((r) => r.question === 'qa' && r.variant === 'none')
    .map((r) => opsFromHistory(join(campaignDir, r.dir!)));
  t.is(none.length, 2);
  const [lo, hi] = [Math.min(...none), Math.max(...none)];
  const fmt = (x: number) =>
    x.toLocaleString('en-US', { maximumFractionDigits: 0, minimumFractionDigits: 0 });
  const expected = `**none** ${fmt((lo + hi) / 2)} (${fmt(lo)}–${fmt(hi)}, 2 runs, 50% interval for the median)`;
  t.true(readme.includes(expected), `README has ${expected}`);
  const json = JSON.parse(readFileSync(join(findingsDir, 'findings.json'), 'utf8'));
  const fig = json.questions[0].variants[0].metrics.ops;
  t.deepEqual([fig.median, fig.low, fig.high, fig.n], [(lo + hi) / 2, lo, hi, 2]);
  t.is(json.claims[0].verdict, 'reproduced');
  // The claim's text took its figure from the runs.
  t.true(json.claims[0].explanation.includes(`Clients ran ${fmt((lo + hi) / 2)} ops (median).`));
  // qb's figures are qa/all's runs, said so.
  t.deepEqual(
    json.questions[1].variants[0].metrics.ops.values,
    json.questions[0].variants[1].metrics.ops.values,
  );
  t.regex(readme, /Identical configurations ran once: qb\/same = qa\/all/);
  // Two variants on two seeds: 2 metrics × 1 pair compared, Holm over 2.
  t.is(json.comparisons.made, 2);
  t.is(json.questions[0].comparisons.length, 2);
  // Provenance: this checkout's commit, the machine, the exact command.
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  t.true(json.provenance.lab.some((l: { commit: string }) => l.commit === head));
  t.true(json.provenance.machine.cores >= 1);
  t.is(json.provenance.command, `${command} --order-seed 7`);
  t.regex(readme, new RegExp(`\\*\\*Lab:\\*\\* commit \`${head.slice(0, 12)}\``));
  t.regex(
    readme,
    /## <a id="verification"><\/a>Last verification\n\nLast verification: none yet\./,
  );
  // Links to every run's report, relative to the findings folder, and each resolves.
  const links = [...readme.matchAll(/\]\(([^)]+\/report\.md)\)/g)].map((m) => m[1]!);
  t.is(links.length, 6);
  for (const l of links) t.true(existsSync(join(findingsDir, l)), l);
  const html = readFileSync(join(findingsDir, 'index.html'), 'utf8');
  t.regex(html, /<svg[^>]*data-chart="investigate-question"/);

  // --verify: one seed per variant, the same seed for every variant of a question (qb shares
  // qa/all's).
  const v = await verifyFindings(campaign, findingsDir, {
    budgetSec: null,
    command,
    runsDir,
    addressBase: '127.0.75',
    log: (m) => t.log(m),
  });
  t.is(v.seedsPerVariant, 1);
  t.is(v.runs.length, 3);
  t.is(v.runs.filter((r) => r.sameAs === undefined).length, 2, 'two runs, the third shared');
  const seed = v.sample[0]!.seeds[0]!;
  t.true([11, 12].includes(seed));
  // qa: 2 variants × 2 metrics, qb: 1 × 1.
  t.is(v.figures.length, 5);
  t.is(v.inside + v.outside + v.unmeasured, 5);
  const verifyDir = readdirSync(runsDir).find((d) => d.endsWith('-verify-tiny'))!;
  for (const x of v.figures.filter((f) => f.metric === 'ops')) {
    const run = v.runs.find((r) => r.key === `${x.question}/${x.variant}/${seed}`)!;
    const ops = opsFromHistory(join(runsDir, verifyDir, run.dir!));
    t.deepEqual(
      x.fresh.values,
      [ops],
      `${x.question}/${x.variant}: the re-run's ops from its history`,
    );
    const committedRun = json.questions
      .find((q: { id: string }) => q.id === x.question)
      .variants.find((w: { name: string }) => w.name === x.variant)
      .runs.find((r: { seed: number }) => r.seed === seed);
    t.deepEqual(x.committed.sameSeeds, [committedRun.values.ops]);
    t.is(x.inside, ops >= x.committed.low! && ops <= x.committed.high!);
  }
  const recorded = JSON.parse(readFileSync(join(findingsDir, 'verification.json'), 'utf8'));
  t.is(recorded.inside, v.inside);
  t.is(recorded.findingsStartedAt, state.startedAt);
  const after = readFileSync(join(findingsDir, 'README.md'), 'utf8');
  const cut = (s: string) => s.slice(0, s.indexOf('## <a id="verification">'));
  t.is(cut(after), cut(readme), 'only the last section changed');
  t.true(after.includes(`Last verification: ${v.at.slice(0, 10)}, lab ${head.slice(0, 12)}`));
  t.true(
    after.includes(
      `${v.inside} of ${v.inside + v.outside} figure(s) inside the committed intervals`,
    ),
  );
  t.regex(
    readFileSync(join(findingsDir, 'index.html'), 'utf8'),
    /<h2 id="verification">Last verification<\/h2>\n<p>Last verification: \d{4}-\d\d-\d\d/,
  );

  // A later --render of the same runs keeps the verification (it verified these findings).
  await investigate(campaign, { ...base, renderOnly: true, resumeDir: campaignDir });
  t.true(
    readFileSync(join(findingsDir, 'README.md'), 'utf8').includes(
      `Last verification: ${v.at.slice(0, 10)}`,
    ),
  );
});
