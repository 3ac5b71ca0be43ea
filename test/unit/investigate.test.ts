import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregate, judgeInterval } from '../../lab/investigate/aggregate.ts';
import {
  CampaignError,
  parseCampaign,
  parseCondition,
  setPath,
  type Campaign,
} from '../../lab/investigate/campaign.ts';
import {
  metricProblem,
  metricRef,
  readMetric,
  type RunResults,
} from '../../lab/investigate/metrics.ts';
import { planCampaign, renderPlan } from '../../lab/investigate/plan.ts';
import { renderFindings } from '../../lab/investigate/render.ts';
import {
  mergeRuns,
  toRun,
  type CampaignState,
  type RunRecord,
} from '../../lab/investigate/state.ts';
import { interval } from '../../lab/report/intervals.ts';
import { deadlockResults } from '../fixtures/results-json.ts';

const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-investigate-unit-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

// A 1-node scenario without proxies (default overhead 10 + 6·1 = 16 s) and a 3-node one with a
// proxy (10 + 6·3 + 2 = 30 s).
writeFileSync(
  join(dir, 'one.yaml'),
  'name: one\nquestion: q\nduration: 10s\ntopology: { nodes: 1, proxies: 0 }\nclients: { count: 2, via: nodes }\n',
);
writeFileSync(
  join(dir, 'three.yaml'),
  'name: three\nquestion: q\nduration: 20s\ntopology: { nodes: 3, proxies: 1 }\nclients: { count: 2 }\n',
);

const CAMPAIGN = `
name: tiny
title: Tiny
questions:
  - id: qa
    question: Does A deadlock more than B?
    scenario: one.yaml
    variants:
      - { name: A, overrides: { bbs.version: 2016-03 } }
      - { name: B, overrides: { bbs.version: 2016-11 } }
    seeds: 3
    metrics: [deadlocksPer1000, okShare]
    claims:
      - { id: c-a, text: "A deadlocks", source: "Test 2016", conditions: "one node", variants: [A], metric: deadlocksPer1000, condition: "> 0", mechanism: "Mechanism from the campaign." }
      - { id: c-b, text: "B never deadlocks", source: "Test 2016", conditions: "one node", variants: [B], metric: deadlocksPer1000, condition: "== 0" }
      - { id: c-big, text: "A deadlocks a lot", source: "Test 2016", conditions: "one node", variants: [A], metric: deadlocksPer1000, condition: ">= 50", unexplained: "Unexplained, says the campaign." }
  - id: qb
    question: Three nodes?
    scenario: three.yaml
    overrides: { clients.count: 4 }
    variants:
      - { name: base }
    seeds: [7, 8, 9]
    metrics: [unknownOps]
`;

const campaign = (): Campaign => parseCampaign(CAMPAIGN, join(dir, 'tiny.yaml'));

function problemsOf(text: string): string[] {
  try {
    parseCampaign(text, join(dir, 'bad.yaml'));
  } catch (e) {
    if (e instanceof CampaignError) return e.problems;
    throw e;
  }
  return [];
}

test('a campaign: variants are the base scenario with the question and variant overrides, seeds from a count or a list', (t) => {
  const c = campaign();
  t.is(c.questions.length, 2);
  const [qa, qb] = c.questions;
  t.deepEqual(qa!.seeds, [1, 2, 3]);
  t.deepEqual(qb!.seeds, [7, 8, 9]);
  t.is(qa!.variants[1]!.scenario.bbs.version, '2016-11');
  t.is(qa!.variants[1]!.scenario.name, 'qa-B');
  t.is(qb!.variants[0]!.scenario.clients.count, 4);
  t.is(qb!.variants[0]!.scenario.topology.nodes, 3);
  t.deepEqual(setPath({ a: { b: 1, c: 2 } }, 'a.b', 5), { a: { b: 5, c: 2 } });
  t.deepEqual(parseCondition('>= 0.06'), { op: '>=', value: 0.06, text: '>= 0.06' });
  t.is(parseCondition('about 3'), null);
});

test('campaign validation names the field and the fix', (t) => {
  const bad = `
name: "bad name"
title: T
extra: 1
questions:
  - id: q1
    question: Q
    scenario: missing.yaml
    variants: [{ name: A }]
    seeds: 0
    metrics: [nope, errorRate:cells, deadlocksPer1000ByOp]
  - id: q2
    question: Q
    scenario: one.yaml
    variants:
      - { name: A, overrides: { bbs.deadlockRetry: sometimes } }
      - { name: A }
      - { name: C, overrides: { "not a path": 1 } }
    seeds: 2
    metrics: [okShare]
    claims:
      - { id: c, text: t, source: s, conditions: x, variants: [Z], metric: okShare, condition: "about 3" }
`;
  const p = problemsOf(bad);
  const has = (re: RegExp) =>
    t.true(
      p.some((x) => re.test(x)),
      `${re} in:\n${p.join('\n')}`,
    );
  has(/^name: required, letters/);
  has(/^extra: unknown field; allowed here: name, title, description, summary, questions/);
  has(
    /^questions\[0\]\.scenario: no such file .*missing\.yaml; give a scenario path relative to the campaign file/,
  );
  has(/^questions\[0\]\.seeds: must be a count from 1 to 100/);
  has(/^questions\[0\]\.metrics\[0\]: unknown metric "nope"; known: ops, /);
  has(
    /^questions\[0\]\.metrics\[1\]: errorRate: the family must be tasks, desiredLRPs, actualLRPs, domains, got "cells"/,
  );
  has(
    /^questions\[0\]\.metrics\[2\]: deadlocksPer1000ByOp needs an argument, e\.g\. deadlocksPer1000ByOp:<op name>/,
  );
  has(
    /^questions\[1\]\.variants\[0\]\.overrides: the scenario it makes is invalid: bbs\.deadlockRetry: must be none, commit-only-2016-04, all-2016-11 or all-and-bad-conn-2017-06, got "sometimes"/,
  );
  has(/^questions\[1\]\.variants\[1\]\.name: "A" is used twice in this question/);
  has(/^questions\[1\]\.variants\[2\]\.overrides\.not a path: not a dotted scenario path/);
  has(
    /^questions\[1\]\.claims\[0\]\.variants: "Z" is not a variant of this question; use one of A, C/,
  );
  has(/^questions\[1\]\.claims\[0\]\.condition: must be a comparison with a number such as "> 0"/);
  t.deepEqual(problemsOf('name: x\ntitle: [unclosed\n').length, 1);
  t.regex(problemsOf('name: x\ntitle: [unclosed\n')[0]!, /^not valid YAML at line \d+/);
});

test('the CLI: bad campaign exits 2 naming the field, --help exits 0 with usage', (t) => {
  const file = join(dir, 'cli-bad.yaml');
  writeFileSync(file, 'name: x\ntitle: T\nquestions: []\n');
  const bad = spawnSync(process.execPath, ['bin/bbs-lab.js', 'investigate', file], {
    encoding: 'utf8',
  });
  t.is(bad.status, 2);
  t.regex(bad.stderr, /questions: must be a list of one or more questions/);
  t.notRegex(bad.stderr, /\n\s+at /, 'no stack trace');
  const help = spawnSync(process.execPath, ['bin/bbs-lab.js', 'investigate', '--help'], {
    encoding: 'utf8',
  });
  t.is(help.status, 0);
  t.regex(
    help.stdout,
    /usage: bbs-lab investigate <campaign\.yaml> \[--budget 45m\] \[--seeds N\] \[--resume DIR\] \[--plan\]/,
  );
  const budget = spawnSync(
    process.execPath,
    ['bin/bbs-lab.js', 'investigate', file.replace('cli-bad', 'x'), '--budget', 'soon'],
    { encoding: 'utf8' },
  );
  t.is(budget.status, 2);
  t.regex(help.stdout, /--verify DIR {2}re-run a sample of the committed findings/);
  const good = 'campaigns/multi-writer-baseline.yaml';
  const order = spawnSync(
    process.execPath,
    ['bin/bbs-lab.js', 'investigate', good, '--order-seed', 'soon', '--plan'],
    { encoding: 'utf8' },
  );
  t.is(order.status, 2);
  t.regex(order.stderr, /--order-seed: must be a non-negative integer, got "soon"/);
  const missing = spawnSync(
    process.execPath,
    ['bin/bbs-lab.js', 'investigate', good, '--verify', join(dir, 'nowhere')],
    { encoding: 'utf8' },
  );
  t.is(missing.status, 2);
  t.regex(
    missing.stderr,
    /--verify: no such directory .*nowhere; give the campaign's findings folder, e\.g\. findings\/multi-writer-baseline/,
  );
  const empty = spawnSync(
    process.execPath,
    ['bin/bbs-lab.js', 'investigate', good, '--verify', dir],
    { encoding: 'utf8' },
  );
  t.is(empty.status, 2);
  t.regex(
    empty.stderr,
    /--verify .*: no findings\.json there; give the findings folder of a campaign that ran, e\.g\. findings\/multi-writer-baseline/,
  );
  t.notRegex(empty.stderr, /\n\s+at /, 'no stack trace');
  // Findings written before runs recorded their values: refused, saying what to do.
  const oldDir = join(dir, 'old-findings');
  mkdirSync(oldDir, { recursive: true });
  writeFileSync(
    join(oldDir, 'findings.json'),
    JSON.stringify({
      campaign: 'multi-writer-baseline',
      questions: [
        {
          id: 'q1-mitigations',
          variants: [{ name: 'A', metrics: {}, runs: [{ seed: 1, status: 'done' }] }],
        },
      ],
    }),
  );
  const old = spawnSync(
    process.execPath,
    ['bin/bbs-lab.js', 'investigate', good, '--verify', oldDir],
    { encoding: 'utf8' },
  );
  t.is(old.status, 2);
  t.regex(
    old.stderr,
    /records no run's values \(written before verification existed\); re-render it with --render, or run the campaign again/,
  );
});

test('planning: estimates from duration and node count; seeds cut evenly to fit; below 2 seeds questions are cut instead', (t) => {
  const c = campaign();
  // qa: 1 node, 10 s + 16 s = 26 s a run, 2 variants × 3 seeds = 6 runs = 156 s.
  // qb: 3 nodes + proxy, 20 s + 30 s = 50 s a run, 1 variant × 3 seeds = 150 s. Total 306 s.
  const full = planCampaign(c, { budgetSec: null });
  t.is(full.runs.length, 9);
  t.is(full.totalSec, 306);
  t.false(full.shortened);
  t.is(planCampaign(c, { budgetSec: 306 }).shortened, false);
  // 250 s: at 3 seeds 306 > 250; at 2 seeds qa 4 × 26 = 104 and qb 2 × 50 = 100: 204 ≤ 250.
  const two = planCampaign(c, { budgetSec: 250 });
  t.true(two.shortened);
  t.is(two.seedCap, 2);
  t.deepEqual(
    two.questions.map((q) => q.seeds),
    [
      [1, 2],
      [7, 8],
    ],
  );
  t.is(two.totalSec, 204);
  t.deepEqual(two.cut, []);
  t.regex(renderPlan(c, two), /shortened to fit the budget: at most 2 seed\(s\) per variant/);
  // 150 s: 204 at 2 seeds does not fit; cutting qb (100 s) leaves 104 ≤ 150. Never 1 seed.
  const cut = planCampaign(c, { budgetSec: 150 });
  t.deepEqual(cut.cut, [{ id: 'qb', estimateSec: 100 }]);
  t.deepEqual(
    cut.questions.map((q) => q.id),
    ['qa'],
  );
  t.is(cut.totalSec, 104);
  t.regex(renderPlan(c, cut), /qb: CUT, it does not fit the budget even at 2 seeds per variant/);
  // Measured: a finished 1-node run of 10 s took 40 s, so the 1-node overhead is 30 s: 40 s a run.
  const measured = planCampaign(c, {
    budgetSec: null,
    measured: [{ nodes: 1, durationSec: 10, wallSec: 40 }],
  });
  t.is(measured.runs.find((r) => r.question === 'qa')!.estimateSec, 40);
  t.is(measured.runs.find((r) => r.question === 'qb')!.estimateSec, 50);
  // Finished runs cost nothing more: two qa runs done leave 306 − 2 × 26 = 254 s.
  const resumed = planCampaign(c, { budgetSec: 260, finished: new Set(['qa/A/1', 'qa/B/1']) });
  t.is(resumed.remainingSec, 254);
  t.false(resumed.shortened);
});

const rec = (
  key: string,
  status: RunRecord['status'],
  extra: Partial<RunRecord> = {},
): RunRecord => {
  const [question, variant, seed] = key.split('/') as [string, string, string];
  return {
    key,
    question,
    variant,
    seed: Number(seed),
    status,
    nodes: 1,
    durationSec: 10,
    ...extra,
  };
};

test('resume: finished runs are kept, an interrupted one is redone (its directory remembered), new ones are added', (t) => {
  const existing = [
    rec('qa/A/1', 'done', { dir: 'd1', wallSec: 30 }),
    rec('qa/A/2', 'running', { dir: 'd2' }),
    rec('qa/B/1', 'failed', { error: 'boom' }),
  ];
  const planned = ['qa/A/1', 'qa/A/2', 'qa/B/1', 'qa/B/2'].map((k) => {
    const { status: _s, ...r } = rec(k, 'pending');
    return r;
  });
  const merged = mergeRuns(existing, planned);
  t.deepEqual(
    merged.map((r) => [r.key, r.status]),
    [
      ['qa/A/1', 'done'],
      ['qa/A/2', 'pending'],
      ['qa/B/1', 'failed'],
      ['qa/B/2', 'pending'],
    ],
  );
  t.deepEqual(merged[1]!.interrupted, ['d2']);
  t.is(merged[1]!.dir, undefined);
  t.deepEqual(
    toRun(merged, new Set(planned.map((p) => p.key))).map((r) => r.key),
    ['qa/A/2', 'qa/B/2'],
  );
  // A plan that dropped a run keeps its record (its results still count) but does not run it.
  t.deepEqual(
    toRun(merged, new Set(['qa/A/1', 'qa/B/2'])).map((r) => r.key),
    ['qa/B/2'],
  );
});

/** results.json of a run with `ops` ops of which `d` ended in 1213 (all on ClaimActualLRP). */
function results(ops: number, d: number): RunResults {
  return deadlockResults(ops, d, { availability: 0.9 });
}

function fixture() {
  const c = campaign();
  // A: 10, 30, 20 1213s in 1,000 ops → 10, 30, 20 per 1,000; sorted 10, 20, 30: median 20. With 3
  // runs the interval is the range [10, 30] and holds the median with 1 − 2·P(Bin(3,½) < 1) =
  // 1 − 2·(1/8) = 75%. B: 0, 0, 2 in 500 ops → 0, 0, 4 per 1,000: median 0, [0, 4], 75%.
  // Paired by seed, B − A: −10, −30, −16 (see the aggregation test). qb: one run failed, one never
  // ran.
  const runs: RunRecord[] = [
    rec('qa/A/1', 'done', { dir: 'r-a1' }),
    rec('qa/A/2', 'done', { dir: 'r-a2' }),
    rec('qa/A/3', 'done', { dir: 'r-a3' }),
    rec('qa/B/1', 'done', { dir: 'r-b1' }),
    rec('qa/B/2', 'done', { dir: 'r-b2' }),
    rec('qa/B/3', 'done', { dir: 'r-b3' }),
    rec('qb/base/7', 'failed', { error: 'the cluster did not start' }),
    rec('qb/base/8', 'pending'),
  ];
  const res = new Map<string, RunResults>([
    ['qa/A/1', results(1000, 10)],
    ['qa/A/2', results(1000, 30)],
    ['qa/A/3', results(1000, 20)],
    ['qa/B/1', results(500, 0)],
    ['qa/B/2', results(500, 0)],
    ['qa/B/3', results(500, 2)],
  ]);
  return { c, runs, res };
}

test('aggregation: medians and intervals over seeds, paired comparisons corrected over the campaign, claim verdicts (worked by hand)', (t) => {
  const { c, runs, res } = fixture();
  const f = aggregate(c, runs, res);
  const qa = f.questions[0]!;
  const a = qa.variants[0]!.metrics.deadlocksPer1000!.interval;
  const b = qa.variants[1]!.metrics.deadlocksPer1000!.interval;
  t.deepEqual([a.median, a.low, a.high, a.n, a.coverage], [20, 10, 30, 3, 0.75]);
  t.deepEqual(a.values, [10, 30, 20]);
  t.deepEqual([b.median, b.low, b.high, b.n], [0, 0, 4, 3]);
  // Paired B − A by seed: seed 1 0 − 10 = −10, seed 2 0 − 30 = −30, seed 3 4 − 20 = −16. Median
  // −16; with 3 pairs the sign-test interval is the range [−30, −10] (75%). All three negative:
  // signed ranks of 10, 30, 16 are 1, 3, 2, W+ = 0, W− = 6, rank-biserial (0 − 6) / 6 = −1; the
  // exact two-sided p is P(W+ = 0 or 6) = 2 / 2³ = 0.25. okShare pairs the same way (0.01, 0.03,
  // 0.016, all positive): p 0.25. Two comparisons made in the campaign (qb has one variant), so
  // Holm: 2 × 0.25 = 0.5 for both. Not distinguishable. Seeds needed at 0.05 / 2 = 0.025: an exact
  // test on n pairs gives no p below 2 / 2ⁿ, so n ≥ 1 + log2(40) = 6.3 → 7; from the spread (mean
  // −18.67, sd 10.26, (z(0.9875) + z(0.8)) = 3.083, (3.083 · 10.26 / 18.67)² / (3/π) = 3.01 → 4).
  // The larger: 7.
  const cmp = qa.comparisons.find((s) => s.metric === 'deadlocksPer1000')!;
  t.deepEqual(
    [
      cmp.a,
      cmp.b,
      cmp.seeds,
      cmp.diffs,
      cmp.medianDiff,
      cmp.interval.low,
      cmp.interval.high,
      cmp.effect,
      cmp.p,
      cmp.pHolm,
      cmp.made,
      cmp.distinguishable,
    ],
    ['A', 'B', [1, 2, 3], [-10, -30, -16], -16, -30, -10, -1, 0.25, 0.5, true, false],
  );
  t.deepEqual(cmp.needed, { seeds: 7, reason: 'smallest p' });
  t.is(f.comparisonsMade, 2);
  t.is(qa.comparisons.find((s) => s.metric === 'okShare')!.pHolm, 0.5);
  // okShare: A 990/1000, 970/1000, 980/1000 → median 0.98; B 1, 1, 498/500 = 0.996 → median 1.
  t.is(qa.variants[0]!.metrics.okShare!.interval.median, 0.98);
  t.is(qa.variants[1]!.metrics.okShare!.interval.median, 1);
  // Claims: A > 0 holds at 10 and 30 → reproduced, with the campaign's mechanism. B == 0 holds at
  // 0, not at 4 → inconclusive. A ≥ 50 fails at 10, 30 and the median 20 → not reproduced.
  const v = Object.fromEntries(f.claims.map((j) => [j.claim.id, j]));
  t.is(v['c-a']!.verdict, 'reproduced');
  t.is(v['c-a']!.explanation, 'Mechanism from the campaign.');
  t.is(v['c-b']!.verdict, 'inconclusive');
  t.regex(v['c-b']!.explanation, /straddles the condition/);
  t.is(v['c-big']!.verdict, 'not reproduced');
  t.is(v['c-big']!.explanation, 'Unexplained, says the campaign.');
  // qb: the failed run is named, and no run measured anything.
  const qb = f.questions[1]!;
  t.deepEqual(
    qb.failed.map((r) => r.key),
    ['qb/base/7'],
  );
  t.is(qb.variants[0]!.metrics.unknownOps!.interval.n, 0);
  t.is(
    judgeInterval(parseCondition('> 0')!, interval([5])),
    'inconclusive',
    'one run is never a verdict',
  );
});

test('metrics: per-op and per-family rates, isolation counts, and a figure the results lack is missing, not 0', (t) => {
  const r = results(1000, 10);
  // ClaimActualLRP: 500 − 10 ok + 10 fail = 500 ops, 10 of them 1213 → 20 per 1,000.
  t.is(readMetric(metricRef('deadlocksPer1000ByOp:ClaimActualLRP'), r), 20);
  // actualLRPs: ClaimActualLRP 10 failed of 500, StartActualLRP 0 of 500 → 10 / 1000 = 0.01.
  t.is(readMetric(metricRef('errorRate:actualLRPs'), r), 0.01);
  t.is(readMetric(metricRef('errors:1213'), r), 10);
  t.is(readMetric(metricRef('lostWrites'), r), 0);
  t.is(readMetric(metricRef('isolation:G-single'), r), null, 'no isolation check in a BBS run');
  // Causes: two stale reads and one lost write → causes:stale-read 2, causes:lost-write 1,
  // causes:unattributed 0.
  const withCauses: RunResults = {
    ...r,
    check: {
      ...r.check,
      causes: [{ cause: 'stale-read' }, { cause: 'lost-write' }, { cause: 'stale-read' }],
    },
  };
  t.is(readMetric(metricRef('causes:stale-read'), withCauses), 2);
  t.is(readMetric(metricRef('causes:lost-write'), withCauses), 1);
  t.is(readMetric(metricRef('causes:unattributed'), withCauses), 0);
  t.is(
    readMetric(metricRef('causes:stale-read'), r),
    null,
    'results from before causes were attributed',
  );
  // Results written before Elle's names (no `names`): G-single and G2-item read as counted.
  const oldIso = (counts: Record<string, number>): RunResults => ({
    ...r,
    check: { ...r.check, isolation: { counts } },
  });
  const old = oldIso({ 'G-single': 3, 'G2-item': 2, 'lost-update': 1 });
  t.is(readMetric(metricRef('isolation:G-single'), old), 3);
  t.is(readMetric(metricRef('isolation:G2-item'), old), 2);
  t.is(readMetric(metricRef('isolation:lost-update'), old), 1);
  // An Elle cycle name is missing there (those cycles were counted under another name), not 0.
  t.is(readMetric(metricRef('isolation:G2-item-realtime'), old), null);
  t.is(readMetric(metricRef('isolationElle:G2-item'), old), null);
  t.is(readMetric(metricRef('isolationElle:lost-update'), old), 1);
  // Newer results: the old names sum the Elle names they covered, every variant.
  const elle: RunResults = {
    ...r,
    check: {
      ...r.check,
      isolation: {
        names: 'elle',
        counts: {
          'G-single-item': 1,
          'G-single-item-realtime': 4,
          'G2-item': 2,
          'G2-item-realtime': 8,
          'G-nonadjacent-item-process': 16,
          G1c: 32,
          'lost-update': 64,
        },
      },
    },
  };
  t.is(readMetric(metricRef('isolation:G-single'), elle), 5);
  t.is(readMetric(metricRef('isolation:G2-item'), elle), 26);
  t.is(readMetric(metricRef('isolation:G1c'), elle), 32);
  t.is(readMetric(metricRef('isolation:G2-item-realtime'), elle), 8);
  t.is(readMetric(metricRef('isolation:G0-process'), elle), 0);
  t.is(readMetric(metricRef('isolationElle:G2-item'), elle), 2);
  t.is(readMetric(metricRef('isolationElle:G-nonadjacent-item-process'), elle), 16);
  t.is(readMetric(metricRef('isolationElle:lost-update'), elle), 64);
  // A misspelt type is refused, naming the names.
  t.regex(
    metricProblem('isolation:G-singel') ?? '',
    /the anomaly type must be one of G0, G1c, G-single, G2-item, .*G-single-item/,
  );
  t.regex(
    metricProblem('isolationElle:G-single') ?? '',
    /use G-single-item, or isolation:G-single/,
  );
  t.is(metricProblem('isolation:G-single'), null);
  t.is(
    readMetric(metricRef('timeShare'), r),
    null,
    'the old per-second availability is not the time share',
  );
  t.is(readMetric(metricRef('worstClientOutageSec'), r), null);
  const withFigures: RunResults = {
    ...r,
    stats: {
      ...r.stats,
      availability: {
        timeShare: 0.8,
        bbs: { longest: { from: 1, to: 4, sec: 3 } },
        faults: [
          { worstClientOutageSec: 19, medianClientOutageSec: 3, inFlight: { info: 2 } },
          { worstClientOutageSec: 4, medianClientOutageSec: 1, inFlight: { info: 1 } },
        ],
      },
      retries: { absorbed: { '1213 deadlock': 7, 'connection-lost': 1 }, extraLatencyMs: 1200 },
      quorumLoss: [
        { node: 'n2', from: 10, to: 21.5, errors: 5, planned: false },
        { node: 'n3', from: 1, to: 2, errors: 1, planned: true },
      ],
    },
  };
  t.is(readMetric(metricRef('timeShare'), withFigures), 0.8);
  t.is(readMetric(metricRef('bbsOutageSec'), withFigures), 3);
  t.is(
    readMetric(metricRef('worstClientOutageSec'), withFigures),
    19,
    'the worst fault: max(19, 4)',
  );
  t.is(readMetric(metricRef('medianClientOutageSec'), withFigures), 3);
  t.is(readMetric(metricRef('inFlightUnknown'), withFigures), 3, '2 + 1');
  t.is(readMetric(metricRef('retriesAbsorbed'), withFigures), 8, '7 + 1');
  t.is(readMetric(metricRef('retriesAbsorbedPer1000'), withFigures), 8, '8 in 1,000 ops');
  t.is(
    readMetric(metricRef('quorumLossSec'), withFigures),
    11.5,
    'only the unplanned loss: 21.5 − 10',
  );
});

const state = (runs: RunRecord[]): CampaignState => ({
  version: 1,
  campaign: 'tiny',
  campaignFile: 'tiny.yaml',
  command: 'node bin/bbs-lab.js investigate tiny.yaml --budget 10m',
  budgetSec: 600,
  machine: { cores: 2, cpuModel: 'Test CPU', memGiB: 4, platform: 'Linux test' },
  startedAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:10:00.000Z',
  runs,
});

test('findings: each question answered first with medians and intervals, a chart per question, links to every run, the reproduction table, findings.json', (t) => {
  const { c, runs, res } = fixture();
  const figures = aggregate(c, runs, res);
  const out = renderFindings({
    campaign: c,
    figures,
    state: state(runs),
    plan: { shortened: true, seedCap: 3, cut: [] },
    runsRel: '../runs/2026-investigate-tiny',
  });
  const md = out.readme;
  const qaSection = md.slice(md.indexOf('## <a id="qa"></a>qa:'));
  // The section opens with the answer: A 20.0 (10.0–30.0, 3 runs, 75%), B 0.0 (0.0–4.0, …), apart.
  t.regex(
    qaSection.split('\n\n')[1]!,
    /^\*\*Answer\.\*\* 1213s per 1,000 ops: \*\*A\*\* 20\.0 \(10\.0–30\.0, 3 runs, 75% interval for the median\); \*\*B\*\* 0\.0 \(0\.0–4\.0, 3 runs, 75% interval for the median\)\. No two variants are distinguishable on it \(paired by seed, Holm-corrected over the campaign's 2 comparisons at 5%\)\.$/,
  );
  // The comparison table: B − A, 3 pairs, −16 [−30, −10], effect −1, p 0.25, Holm 0.5, 7 seeds; the
  // unit is not repeated after words that say it, and negatives read as such (true minus, "to").
  t.true(
    md.includes(
      '| 1213s per 1,000 ops | B − A | 3 | −16.0 [−30.0 to −10.0] | −1.00 | 0.250 | 0.500 | about 7 seeds would be needed |',
    ),
    qaSection.slice(0, 3000),
  );
  t.notRegex(md, /per 1,000 ops \(per 1,000 ops\)/);
  t.notRegex(
    Object.values(out.charts).join(''),
    /\de[+-]\d/,
    'no axis tick or tooltip in exponent notation',
  );
  t.regex(
    md,
    /1 other comparison\(s\) of this question did not separate; all are in findings\.json/,
  );
  t.regex(md, /\| 1213s per 1,000 ops \| 20\.0 \[10\.0–30\.0\] \| 0\.0 \[0\.0–4\.0\] \|/);
  t.regex(
    md,
    /\| ok share of completed ops \| 0\.980 \[0\.970–0\.990\] \| 1\.000 \[0\.996–1\.000\] \|/,
  );
  t.regex(md, /its coverage here: 3 runs: 75%/);
  t.regex(
    md,
    /!\[qa: the variants side by side, every seed a point, the median marked\]\(qa\.svg\)/,
  );
  t.regex(md, /\[seed 1\]\(\.\.\/runs\/2026-investigate-tiny\/r-a1\/report\.md\)/);
  t.regex(md, /seed 7: failed \(the cluster did not start\)/);
  t.regex(md, /seed 8: pending/);
  t.regex(md, /\*\*Flagged\.\*\* 1 run\(s\) failed and are left out of the figures: base seed 7\./);
  t.regex(md, /## <a id="reproduction"><\/a>Reproduction table/);
  t.regex(md, /3 published claim\(s\): 1 reproduced, 1 not reproduced, 1 inconclusive/);
  t.regex(
    md,
    /\| A deadlocks \(Test 2016\) \| one node Judged on 1213s per 1,000 ops > 0 in A \(\[qa\]\(#qa\)\) \| A: 20\.0 \(10\.0–30\.0, 3 runs, 75% interval for the median\) \| \*\*reproduced\*\* \| Mechanism from the campaign\. \|/,
  );
  t.regex(
    md,
    /\*\*Machine:\*\* 2 core\(s\) \(Test CPU\), 4\.0 GiB, Linux test\. \*\*Load during the runs:\*\* not recorded/,
  );
  t.regex(md, /\*\*Lab:\*\* not recorded\./);
  t.regex(md, /```sh\nnode bin\/bbs-lab\.js investigate tiny\.yaml --budget 10m\n```/);
  t.regex(md, /Seeds: qa 1, 2, 3; qb 7, 8\./);
  t.regex(md, /\*\*Shortened to fit the budget\.\*\* At most 3 seed\(s\) per variant\./);
  t.regex(md, /1 not run \(the campaign is incomplete/);
  // The chart: every seed a point, the median marked.
  const svg = out.charts['qa.svg']!;
  const panel = svg.slice(
    svg.indexOf('data-metric="deadlocksPer1000"'),
    svg.indexOf('data-metric="okShare"'),
  );
  t.is((panel.match(/class="seed"/g) ?? []).length, 6);
  t.regex(panel, /data-variant="A"[\s\S]*data-median="20"/);
  t.regex(panel, /data-variant="B"[\s\S]*data-median="0"/);
  // index.html: self-contained, the chart inline, links kept.
  t.regex(out.html, /^<!DOCTYPE html>/);
  t.regex(out.html, /<svg[^>]*data-chart="investigate-question"/);
  t.notRegex(out.html, /<script|src="http/);
  t.regex(out.html, /<a href="\.\.\/runs\/2026-investigate-tiny\/r-a1\/report\.md">seed 1<\/a>/);
  // findings.json carries the aggregated figures.
  const json = out.json as {
    questions: {
      variants: {
        name: string;
        metrics: Record<string, { median: number; low: number; high: number; coverage: number }>;
      }[];
    }[];
    claims: { id: string; verdict: string }[];
  };
  t.deepEqual(json.questions[0]!.variants[0]!.metrics.deadlocksPer1000, {
    unit: 'per 1,000 ops',
    digits: 1,
    median: 20,
    low: 10,
    high: 30,
    coverage: 0.75,
    n: 3,
    missing: 0,
    values: [10, 30, 20],
  } as never);
  t.deepEqual(
    json.claims.map((c) => [c.id, c.verdict]),
    [
      ['c-a', 'reproduced'],
      ['c-b', 'inconclusive'],
      ['c-big', 'not reproduced'],
    ],
  );
});

test('every campaign under campaigns/ is valid', (t) => {
  const c = parseCampaign(readCharter(), 'campaigns/charter-2016.yaml');
  t.is(c.questions.length, 6);
  t.true(
    c.questions.every((q) =>
      q.variants.every((v) => v.scenario.duration >= 20 && v.scenario.duration <= 30),
    ),
    'every variant is short',
  );
  // The 2016 team's three reported results are all in the reproduction table (split into claims).
  const sources = c.questions.flatMap((q) => q.claims.map((x) => x.source)).join('\n');
  t.regex(sources, /114130447-cf-mysql-stress-tests/);
  t.regex(sources, /117935875-cf-mysql-with-consul/);
  t.regex(sources, /Jepsen/);
  // Two seeds per variant fit 45 minutes.
  const plan = planCampaign(c, { budgetSec: 45 * 60 });
  t.is(plan.seedCap, 2);
  t.deepEqual(plan.cut, []);
});

function readCharter(): string {
  return readFileSync('campaigns/charter-2016.yaml', 'utf8');
}

test('summary lines: {question/variant/metric} becomes the median [interval] the runs give; a bad reference is named', (t) => {
  const text = CAMPAIGN.replace(
    'questions:',
    'summary:\n  - "A: {qa/A/deadlocksPer1000} 1213s per 1,000 ops; B: {qa/B/deadlocksPer1000}; ok share {qa/A/okShare}; {{qa.A.deadlocksPer1000.n}} seeds, B at most {{qa.B.deadlocksPer1000.max}}."\nquestions:',
  );
  const c = parseCampaign(text, join(dir, 'tiny.yaml'));
  const { runs, res } = fixture();
  const out = renderFindings({
    campaign: c,
    figures: aggregate(c, runs, res),
    state: state(runs),
    plan: { shortened: false, seedCap: null, cut: [] },
    runsRel: '../runs/x',
  });
  // A: 10, 30, 20 per 1,000 → median 20, range [10–30]; B: 0, 0, 4 → 0 [0–4]; okShare A: 0.99,
  // 0.97, 0.98 → 0.980 [0.970–0.990] (3 digits; a share has no unit word).
  t.true(
    out.readme.includes(
      '- A: 20.0 per 1,000 ops [10.0–30.0] 1213s per 1,000 ops; B: 0.0 per 1,000 ops [0.0–4.0]; ok share 0.980 [0.970–0.990]; 3 seeds, B at most 4.0.',
    ),
    out.readme.slice(0, 800),
  );
  // The state of a campaign run before interleaving (no order seed) says its order was not.
  t.regex(out.readme, /These runs were made before campaigns interleaved them/);
  t.regex(
    renderFindings({
      campaign: c,
      figures: aggregate(c, runs, res),
      state: { ...state(runs), orderSeed: 4 },
      plan: { shortened: false, seedCap: null, cut: [] },
      runsRel: '../runs/x',
    }).readme,
    /The runs went seed by seed: .* \(order seed 4\)/,
  );
  t.true(out.readme.indexOf('## <a id="summary"></a>In short') < out.readme.indexOf('## Answers'));
  const bad = problemsOf(
    CAMPAIGN.replace(
      'questions:',
      'summary:\n  - "{qa/C/okShare} {qz/A/okShare} {qa/A/unknownOps}"\nquestions:',
    ),
  );
  t.deepEqual(bad, [
    'summary[0]: {qa/C/okShare}: qa has no variant "C"; use one of A, B',
    'summary[0]: {qz/A/okShare}: no question "qz"; use one of qa, qb',
    'summary[0]: {qa/A/unknownOps}: "unknownOps" is not among qa\'s metrics (deadlocksPer1000, okShare); add it there first',
  ]);
});

test('faultExcessPerSec: errors per second inside fault windows minus outside, windows merged, by the second they completed in', (t) => {
  const base = results(1000, 0);
  // A 20 s run; faults [2, 6) (recovered at 6) and [5, 8) (healed at 8, never recovered) merge
  // into [2, 8): 6 s inside, 14 s outside. 1213s by second: 3 → 4 (mid 3.5 inside), 7 → 2 (7.5
  // inside), 10 → 7 (outside), 19 → 0. Inside 6 / 6 s = 1.0; outside 7 / 14 s = 0.5; excess 0.5.
  // A 1047 in second 0 (outside) is another code and does not count.
  const r: RunResults = {
    ...base,
    stats: {
      ...base.stats,
      durationSec: 20,
      errorsBySecond: {
        '1213 deadlock': { '3': 4, '7': 2, '10': 7 },
        '1213 deadlock-on-commit': { '19': 0 },
        '1047 non-primary': { '0': 5 },
      },
      availability: {
        faults: [
          { start: 2, healed: 4, recovered: 6 },
          { start: 5, healed: 8, recovered: null },
        ],
      },
    },
  };
  t.is(readMetric(metricRef('faultExcessPerSec:1213'), r), 0.5);
  // More inside than the run's baseline is positive; fewer is negative: 1047: 0 / 6 − 5 / 14.
  t.is(readMetric(metricRef('faultExcessPerSec:1047'), r), 0 - 5 / 14);
  t.is(
    readMetric(metricRef('faultExcessPerSec:1213'), {
      ...r,
      stats: { ...r.stats, availability: { faults: [] } },
    }),
    null,
    'no fault: nothing to compare',
  );
});

test('a run that lost quorum beyond its faults is flagged with its nodes and 1047 count, even when it lasted an instant', (t) => {
  const { c, runs, res } = fixture();
  const withLoss = results(1000, 10);
  withLoss.stats.quorumLoss = [
    { node: 'n1', from: 30.969, to: 30.971, errors: 6, planned: false },
    { node: 'n3', from: 19, to: 20, errors: 14, planned: true },
  ];
  res.set('qa/A/2', withLoss);
  const f = aggregate(c, runs, res);
  // Only the unplanned interval: 30.971 − 30.969 = 0.002 s = 2 ms, 6 errors on n1.
  t.deepEqual(
    f.questions[0]!.quorumLoss.map((x) => ({ ...x, seconds: Math.round(x.seconds * 1e6) / 1e6 })),
    [{ key: 'qa/A/2', seconds: 0.002, errors: 6, nodes: ['n1'] }],
  );
  const md = renderFindings({
    campaign: c,
    figures: f,
    state: state(runs),
    plan: { shortened: false, seedCap: null, cut: [] },
    runsRel: '../runs/x',
  }).readme;
  t.true(
    md.includes(
      'Quorum lost beyond what the faults intended in qa/A/2 (n1 answered 6 × 1047 over 2 ms)',
    ),
  );
});

test('an inconclusive claim shows the rule and then what the campaign says the runs show, its figures from the runs', (t) => {
  const text = CAMPAIGN.replace(
    'metric: deadlocksPer1000, condition: "== 0" }',
    'metric: deadlocksPer1000, condition: "== 0", unexplained: "{{qa.B.deadlocksPer1000.nonzero}} of {{qa.B.deadlocksPer1000.n}} seeds had 1213s, up to {{qa.B.deadlocksPer1000.max}} per 1,000 ops." }',
  );
  const c = parseCampaign(text, join(dir, 'tiny.yaml'));
  const { runs, res } = fixture();
  // B: 0, 0, 4 per 1,000 → [0, 4] straddles "== 0": inconclusive. One of 3 is non-zero, the most
  // 4.0.
  const j = aggregate(c, runs, res).claims.find((x) => x.claim.id === 'c-b')!;
  t.is(j.verdict, 'inconclusive');
  t.is(
    j.explanation,
    'The interval straddles the condition, or fewer than 2 runs measured it: more seeds are needed. 1 of 3 seeds had 1213s, up to 4.0 per 1,000 ops.',
  );
});

test('claim texts: a typed figure is refused naming the claim and the fix; templates must name a question, variant, metric and stat', (t) => {
  const typed = problemsOf(
    CAMPAIGN.replace(
      'mechanism: "Mechanism from the campaign."',
      'mechanism: "A had 20.5 per 1,000 ops, 26 s, on 2016-11 with wsrep_sync_wait 0, 1213s on G2-item, `clients.backoffMs: 500`."',
    ),
  );
  // 20.5 and 26 are results; "per 1,000", 2016-11, the setting's 0, 1213s, G2-item and the quoted
  // value are not.
  t.deepEqual(typed, [
    'questions[0].claims[0].mechanism: claim c-a types "20.5", "26"; a figure must come from the runs: write a template such as {{qa.A.deadlocksPer1000.median}} ({{question.variant.metric.stat}} (stat: median, low, high, min, max, n, nonzero, interval)), or put a setting of the scenario (not a result) in backticks',
  ]);
  // A number the source itself states may be repeated beside the lab's figure.
  t.deepEqual(
    problemsOf(
      CAMPAIGN.replace('text: "A deadlocks a lot"', 'text: "A deadlocks 50 times"').replace(
        'unexplained: "Unexplained, says the campaign."',
        'unexplained: "{{qa.A.deadlocksPer1000.median}} against the claimed 50."',
      ),
    ),
    [],
  );
  const bad = problemsOf(
    CAMPAIGN.replace(
      'mechanism: "Mechanism from the campaign."',
      'mechanism: "{{qa.A.deadlocksPer1000.mean}} {{qz.A.okShare.n}} {{qa.C.okShare.n}} {{qa.A.unknownOps.n}}"',
    ),
  );
  t.deepEqual(bad, [
    'questions[0].claims[0].mechanism: {{qa.A.deadlocksPer1000.mean}}: must end in a stat, one of median, low, high, min, max, n, nonzero, interval; write {{question.variant.metric.stat}} (stat: median, low, high, min, max, n, nonzero, interval)',
    'questions[0].claims[0].mechanism: {{qz.A.okShare.n}}: no question it starts with; use one of qa, qb',
    'questions[0].claims[0].mechanism: {{qa.C.okShare.n}}: qa has no variant at "C.okShare"; use one of A, B',
    'questions[0].claims[0].mechanism: {{qa.A.unknownOps.n}}: "unknownOps" is not among qa\'s metrics (deadlocksPer1000, okShare); add it there first',
  ]);
});

test('--render: the plan read back from the recorded runs (seeds per variant, questions with no run)', async (t) => {
  const { planOfState } = await import('../../lab/investigate/run.ts');
  const c = campaign();
  const { runs } = fixture();
  // qa asks 3 seeds and A and B ran seeds 1–3: not short. qb ran seeds 7 and 8 (one failed, one
  // pending) of 7, 8, 9: short, so the cap is the most seeds any variant ran: 3 (qa's).
  t.deepEqual(planOfState(c, state(runs)), { shortened: true, cut: [], seedCap: 3 });
  // Without qb's runs, qb is cut and qa is whole: shortened, no seed cap.
  const noQb = runs.filter((r) => r.question !== 'qb');
  t.deepEqual(planOfState(c, state(noQb)), {
    shortened: true,
    cut: [{ id: 'qb', estimateSec: 0 }],
    seedCap: null,
  });
});

test('planning order: seed by seed, shuffled within a seed; a configuration two questions share runs once, right after its owner', async (t) => {
  const { campaignCommand } = await import('../../lab/investigate/plan.ts');
  const text = `
name: shared
title: S
questions:
  - id: q1
    question: Q
    scenario: one.yaml
    variants: [{ name: A, overrides: { bbs.version: 2016-03 } }, { name: B, overrides: { bbs.version: 2016-11 } }]
    seeds: 2
    metrics: [ops]
  - id: q2
    question: Q
    scenario: one.yaml
    variants: [{ name: same, overrides: { bbs.version: 2016-11 } }, { name: C, overrides: { bbs.version: 2017-06 } }]
    seeds: 2
    metrics: [ops]
`;
  const c = parseCampaign(text, join(dir, 'shared.yaml'));
  const plan = planCampaign(c, { budgetSec: null, orderSeed: 3 });
  // 8 records; q2/same is q1/B's scenario, so 2 of them share: 6 runs of 10 + 16 s = 156 s.
  t.is(plan.runs.length, 8);
  t.is(plan.shared, 2);
  t.is(plan.totalSec, 156);
  t.deepEqual(
    plan.runs.map((r) => r.block),
    [0, 0, 0, 0, 1, 1, 1, 1],
  );
  for (const r of plan.runs.filter((x) => x.sameAs !== undefined)) {
    t.is(r.sameAs, `q1/B/${r.seed}`);
    t.is(r.estimateSec, 0);
    t.is(plan.runs[plan.runs.indexOf(r) - 1]!.key, r.sameAs!, 'right after the run it shares');
  }
  t.deepEqual(new Set(plan.runs.slice(0, 4).map((r) => r.seed)), new Set([1]));
  t.deepEqual(
    planCampaign(c, { budgetSec: null, orderSeed: 3 }).runs,
    plan.runs,
    'the same order seed, the same order',
  );
  const out = renderPlan(c, plan);
  t.regex(
    out,
    /total: 6 run\(s\) \(2 more shared: the same scenario and seed as a run of another question, run once\)/,
  );
  t.regex(out, /order: seed by seed .* order seed 3/);
  t.regex(
    out,
    /shared: q2\/same is the same scenario as q1\/B: on seed\(s\) 1, 2 its runs are that variant's/,
  );
  // The recorded command: the budget and the order seed whichever invocation gave them.
  t.is(
    campaignCommand('node bin/bbs-lab.js investigate c.yaml', 2700, 42),
    'node bin/bbs-lab.js investigate c.yaml --budget 45m --order-seed 42',
  );
  t.is(
    campaignCommand('node bin/bbs-lab.js investigate c.yaml --budget 10m', 5400, 1, true),
    'node bin/bbs-lab.js investigate c.yaml --budget 90m --order-seed 1 --include-unkept',
  );
  t.is(
    campaignCommand('node bin/bbs-lab.js investigate c.yaml', 90, 0),
    'node bin/bbs-lab.js investigate c.yaml --budget 90s --order-seed 0',
  );
  t.is(
    campaignCommand('node bin/bbs-lab.js investigate c.yaml', null, 5),
    'node bin/bbs-lab.js investigate c.yaml --order-seed 5',
  );
});

test('resume: the order of the remaining runs is kept, and a resume without --budget keeps the budget and order seed in the recorded command', async (t) => {
  const { mkdirSync } = await import('node:fs');
  const { investigate } = await import('../../lab/investigate/run.ts');
  const { readState, writeState } = await import('../../lab/investigate/state.ts');
  const c = campaign();
  const plan = planCampaign(c, { budgetSec: 600, orderSeed: 99 });
  // Resumed after two runs: the rest, in the plan's order.
  const runs = mergeRuns(
    [],
    plan.runs.map((r) => ({
      key: r.key,
      question: r.question,
      variant: r.variant,
      seed: r.seed,
      nodes: r.nodes,
      durationSec: r.durationSec,
      block: r.block,
    })),
  );
  runs[0]!.status = 'done';
  runs[1]!.status = 'done';
  const again = mergeRuns(
    runs,
    planCampaign(c, {
      budgetSec: 600,
      orderSeed: 99,
      finished: new Set([runs[0]!.key, runs[1]!.key]),
    }).runs.map((r) => ({
      key: r.key,
      question: r.question,
      variant: r.variant,
      seed: r.seed,
      nodes: r.nodes,
      durationSec: r.durationSec,
      block: r.block,
    })),
  );
  t.deepEqual(
    toRun(again, new Set(plan.runs.map((r) => r.key))).map((r) => r.key),
    plan.runs.slice(2).map((r) => r.key),
  );
  // Every run finished (failed: nothing to start); resumed with no --budget and no --order-seed.
  const cdir = join(dir, 'runs', '2026-resume-investigate-tiny');
  mkdirSync(cdir, { recursive: true });
  writeState(cdir, {
    ...state(plan.runs.map((r) => rec(r.key, 'failed', { error: 'x' }))),
    orderSeed: 99,
    command: 'node bin/bbs-lab.js investigate tiny.yaml --budget 10m --order-seed 99',
  });
  const res = await investigate(c, {
    budgetSec: null,
    command: 'node bin/bbs-lab.js investigate tiny.yaml',
    resumeDir: cdir,
    runsDir: join(dir, 'runs'),
    findingsDir: join(dir, 'findings-resume'),
    log: () => {},
  });
  t.is(res.plan.orderSeed, 99);
  t.is(
    readState(cdir)!.command,
    'node bin/bbs-lab.js investigate tiny.yaml --budget 10m --order-seed 99',
  );
  t.regex(
    readFileSync(join(dir, 'findings-resume', 'README.md'), 'utf8'),
    /```sh\nnode bin\/bbs-lab\.js investigate tiny\.yaml --budget 10m --order-seed 99\n```/,
  );
});

test("aggregation: a run that did not keep its rate is left out and listed (counted with --include-unkept); a shared run takes its owner's results", (t) => {
  const { c, runs, res } = fixture();
  const slow = results(1000, 90);
  (slow as RunResults & { rate: unknown }).rate = { offered: 100, achieved: 61, keptUp: false };
  res.set('qa/A/2', slow);
  const f = aggregate(c, runs, res);
  const a = f.questions[0]!.variants[0]!.metrics.deadlocksPer1000!.interval;
  // A without seed 2: 10 and 20 → median 15, 2 runs, 1 missing.
  t.deepEqual([a.n, a.missing, a.median], [2, 1, 15]);
  t.deepEqual(f.questions[0]!.unkept, [
    { key: 'qa/A/2', offered: 100, achieved: 61, included: false },
  ]);
  t.deepEqual(
    f.questions[0]!.comparisons.find((x) => x.metric === 'deadlocksPer1000')!.seeds,
    [1, 3],
    'seed 2 has no pair',
  );
  const md = renderFindings({
    campaign: c,
    figures: f,
    state: state(runs),
    plan: { shortened: false, seedCap: null, cut: [] },
    runsRel: '../runs/x',
  }).readme;
  t.true(
    md.includes(
      '1 run(s) could not keep their offered rate (qa/A/2: 61.0 of 100.0 ops/s): left out of the figures and comparisons (--include-unkept counts them).',
    ),
  );
  // Included: 10, 90, 20 per 1,000 → median 20.
  const g = aggregate(c, runs, res, { includeUnkept: true });
  t.is(g.questions[0]!.variants[0]!.metrics.deadlocksPer1000!.interval.median, 20);
  // qb/base/8 shares qa/A/1's run: it takes that run's status, directory and results.
  const shared = runs.map((r) => (r.key === 'qb/base/8' ? { ...r, sameAs: 'qa/A/1' } : r));
  const h = aggregate(c, shared, res);
  const base8 = h.questions[1]!.variants[0]!.runs.find((r) => r.seed === 8)!;
  t.deepEqual([base8.status, base8.dir, base8.metricValues?.unknownOps], ['done', 'r-a1', 0]);
  const md2 = renderFindings({
    campaign: c,
    figures: h,
    state: state(shared),
    plan: { shortened: false, seedCap: null, cut: [] },
    runsRel: '../runs/x',
  }).readme;
  t.true(
    md2.includes(
      '[seed 8](../runs/x/r-a1/report.md) (shared: the run of qa/A, the same scenario and seed)',
    ),
  );
  t.regex(md2, /Identical configurations ran once: qb\/base = qa\/A/);
});

test("shared records take their owner's outcome once it finished, and stay pending while it has not", async (t) => {
  const { resolveShared, syncShared } = await import('../../lab/investigate/state.ts');
  const runs = [
    rec('q1/B/1', 'done', { dir: 'd1', wallSec: 20 }),
    rec('q2/same/1', 'pending', { sameAs: 'q1/B/1' }),
    rec('q1/B/2', 'running', { dir: 'd2' }),
    rec('q2/same/2', 'pending', { sameAs: 'q1/B/2' }),
  ];
  syncShared(runs);
  t.deepEqual(
    [runs[1]!.status, runs[1]!.dir, runs[1]!.wallSec, runs[1]!.sameAs],
    ['done', 'd1', 20, 'q1/B/1'],
  );
  t.deepEqual([runs[3]!.status, runs[3]!.dir], ['pending', undefined]);
  t.deepEqual(
    resolveShared(runs).map((r) => r.status),
    ['done', 'done', 'running', 'running'],
  );
  t.deepEqual(
    toRun(runs, new Set(runs.map((r) => r.key))),
    [],
    'a shared record is never run itself',
  );
});

test('findings name the system under test per variant from its runs: the BBS commit, a hypothetical labelled', (t) => {
  const { c, runs, res } = fixture();
  const bbs = (label: string, hypotheticalLabel = '') => ({ label, hypotheticalLabel });
  for (const k of ['qa/A/1', 'qa/A/2', 'qa/A/3'])
    (res.get(k) as RunResults & { bbs?: unknown }).bbs = bbs('BBS 2016-03 (2a8d20a0, 2016-03-23)');
  for (const k of ['qa/B/1', 'qa/B/2'])
    (res.get(k) as RunResults & { bbs?: unknown }).bbs = bbs(
      'BBS 2016-11 (47049111, 2016-11-30)',
      'Hypothetical: deadlockRetry none',
    );
  const figures = aggregate(c, runs, res);
  t.deepEqual(
    figures.questions[0]!.variants.map((v) => v.systemUnderTest),
    [
      ['BBS 2016-03 (2a8d20a0, 2016-03-23)'],
      ['BBS 2016-11 (47049111, 2016-11-30) — Hypothetical: deadlockRetry none'],
    ],
  );
  t.deepEqual(
    figures.questions[1]!.variants[0]!.systemUnderTest,
    [],
    'no run with results: nothing to name',
  );
  const md = renderFindings({
    campaign: c,
    figures,
    state: state(runs),
    plan: { shortened: false, seedCap: null, cut: [] },
    runsRel: '../runs/x',
  }).readme;
  t.true(
    md.includes(
      '| system under test | BBS 2016-03 (2a8d20a0, 2016-03-23) | BBS 2016-11 (47049111, 2016-11-30) — Hypothetical: deadlockRetry none |',
    ),
  );
  t.regex(
    md,
    /\*\*A\*\* \(`bbs\.version: 2016-03`; system under test: BBS 2016-03 \(2a8d20a0, 2016-03-23\)\)/,
  );
});

test('findings: a comparison that could not be made is counted apart from those that did not separate', (t) => {
  const { c, runs, res } = fixture();
  const figures = aggregate(c, runs, res);
  // qa has two metrics and two variants: one headline comparison, one other (okShare). Marked as
  // not made (as when a variant has no figure for the metric), it is no longer "did not separate".
  const other = figures.questions[0]!.comparisons.find(
    (x) => x.metric !== figures.questions[0]!.metrics[0],
  )!;
  other.made = false;
  const md = renderFindings({
    campaign: c,
    figures,
    state: state(runs),
    plan: { shortened: true, seedCap: 3, cut: [] },
    runsRel: '../runs/2026-investigate-tiny',
  }).readme;
  t.regex(
    md,
    /0 other comparison\(s\) of this question did not separate, and 1 could not be made \(a variant with no figure for the metric\); all are in findings\.json/,
  );
});
