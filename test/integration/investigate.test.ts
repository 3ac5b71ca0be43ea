// `investigate` end to end on real 1-node Galera clusters: a campaign of two tiny questions, the
// first invocation stopped after one run, one run then marked as interrupted (as a crash leaves
// it), the campaign resumed: finished runs are not redone, the interrupted one is, and the
// findings hold a figure this test recomputes from the runs' history.jsonl.

import test from 'ava';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCampaign } from '../../lab/investigate/campaign.ts';
import { investigate } from '../../lab/investigate/run.ts';
import { readState, writeState } from '../../lab/investigate/state.ts';

const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-investigate-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(
  join(dir, 'tiny-bbs.yaml'),
  'name: tiny-bbs\nquestion: q\nduration: 5s\ntopology: { nodes: 1, proxies: 0 }\nclients: { count: 2, via: nodes }\nworkload: { tasks: 2, desiredLRPs: 1 }\n',
);
writeFileSync(
  join(dir, 'tiny-append.yaml'),
  'name: tiny-append\nquestion: q\nduration: 5s\ntopology: { nodes: 1, proxies: 0 }\nclients: { count: 2, via: nodes }\nworkload: { kind: list-append, keys: 4 }\n',
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
      - { id: runs-ops, text: "Ops run", source: "this test", conditions: "one node", variants: [none, all], metric: ops, condition: "> 0", mechanism: "Clients ran ops." }
  - id: qb
    question: Which isolation anomalies on one node?
    scenario: tiny-append.yaml
    variants:
      - { name: rr }
    seeds: 2
    metrics: [isolationAnomalies, ops]
`;

/** Ops of a run recounted from its history: invokes other than the final read. */
function opsFromHistory(runDir: string): number {
  return readFileSync(join(runDir, 'history.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { type: string; f?: string })
    .filter((e) => e.type === 'invoke' && e.f !== 'FinalRead').length;
}

test('investigate: runs a campaign, resumes after an interrupted run without redoing finished ones, writes the findings', async (t) => {
  const file = join(dir, 'tiny.yaml');
  writeFileSync(file, CAMPAIGN);
  const campaign = parseCampaign(CAMPAIGN, file);
  const runsDir = join(dir, 'runs');
  const findingsDir = join(dir, 'findings', 'tiny');
  const base = { budgetSec: null, command: `node bin/bbs-lab.js investigate ${file}`, runsDir, findingsDir, addressBase: '127.0.75', log: (m: string) => t.log(m) };

  // First invocation: one run, then it stops (as a Ctrl-C between runs would).
  const first = await investigate(campaign, { ...base, maxRuns: 1 });
  t.false(first.complete);
  const campaignDir = first.campaignDir!;
  let state = readState(campaignDir)!;
  t.deepEqual(state.runs.map((r) => r.status), ['done', 'pending', 'pending', 'pending', 'pending', 'pending']);
  const firstRun = state.runs[0]!;
  const firstResults = join(campaignDir, firstRun.dir!, 'results.json');
  const firstMtime = statSync(firstResults).mtimeMs;

  // The second run was in flight when the lab died: marked running, with a directory.
  state.runs[1] = { ...state.runs[1]!, status: 'running', dir: 'crashed-run' };
  writeState(campaignDir, state);

  // Resumed by a plain re-run (no --resume): the unfinished campaign is found and finished.
  const second = await investigate(campaign, base);
  t.true(second.complete);
  t.is(second.campaignDir, campaignDir);
  state = readState(campaignDir)!;
  t.deepEqual(state.runs.map((r) => r.status), ['done', 'done', 'done', 'done', 'done', 'done']);
  t.is(state.runs[0]!.dir, firstRun.dir, 'the finished run was not redone');
  t.is(statSync(firstResults).mtimeMs, firstMtime);
  t.deepEqual(state.runs[1]!.interrupted, ['crashed-run'], 'the interrupted run is remembered');
  t.not(state.runs[1]!.dir, 'crashed-run', 'and redone in a directory of its own');
  // Six runs, six run directories (plus state.json): nothing ran twice.
  t.is(readdirSync(campaignDir).filter((d) => statSync(join(campaignDir, d)).isDirectory()).length, 6);

  // The findings.
  for (const f of ['README.md', 'index.html', 'findings.json', 'qa.svg', 'qb.svg']) t.true(existsSync(join(findingsDir, f)), f);
  const readme = readFileSync(join(findingsDir, 'README.md'), 'utf8');
  // The median of qa/none's ops over its two seeds, recounted from history.jsonl: with two runs the
  // median is their mean, and the interval is the two values.
  const none = state.runs.filter((r) => r.question === 'qa' && r.variant === 'none').map((r) => opsFromHistory(join(campaignDir, r.dir!)));
  t.is(none.length, 2);
  const [lo, hi] = [Math.min(...none), Math.max(...none)];
  const fmt = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0, minimumFractionDigits: 0 });
  const expected = `**none** ${fmt((lo + hi) / 2)} (${fmt(lo)}–${fmt(hi)}, 2 runs, 50% interval for the median)`;
  t.true(readme.includes(expected), `README has ${expected}`);
  const json = JSON.parse(readFileSync(join(findingsDir, 'findings.json'), 'utf8'));
  const fig = json.questions[0].variants[0].metrics.ops;
  t.deepEqual([fig.median, fig.low, fig.high, fig.n], [(lo + hi) / 2, lo, hi, 2]);
  t.is(json.claims[0].verdict, 'reproduced');
  // Links to every run's report, relative to the findings folder, and each resolves.
  const links = [...readme.matchAll(/\]\(([^)]+\/report\.md)\)/g)].map((m) => m[1]!);
  t.is(links.length, 6);
  for (const l of links) t.true(existsSync(join(findingsDir, l)), l);
  const html = readFileSync(join(findingsDir, 'index.html'), 'utf8');
  t.regex(html, /<svg[^>]*data-chart="investigate-question"/);
  t.regex(readme, /Two tiny questions/);
});
