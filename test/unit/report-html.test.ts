import test from 'ava';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckReport } from '../../lab/report/verdicts.ts';
import { pairOps } from '../../lab/history/event.ts';
import { renderCharts } from '../../lab/report/charts/index.ts';
import { renderHtml } from '../../lab/report/html.ts';
import { computeStats } from '../../lab/report/stats.ts';
import { generateStories } from '../../lab/report/stories.ts';
import {
  T0,
  fixtureHistory,
  fixtureScenario,
  renderFixtureRun,
} from '../browser/report-fixture.ts';

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

test('renderRun writes report.html and stories.md beside report.md, timeline.svg and results.json', (t) => {
  const dir = renderFixtureRun();
  try {
    for (const f of ['results.json', 'report.md', 'timeline.svg', 'report.html', 'stories.md'])
      t.true(existsSync(join(dir.path, f)), f);
    const html = readFileSync(join(dir.path, 'report.html'), 'utf8');
    t.regex(html, /^<!DOCTYPE html>/);
    t.notRegex(html, /could not be rendered/);
    t.true(
      html.indexOf('Answer from this run') < html.indexOf('id="findings"'),
      'the answer comes first',
    );
    t.true(html.indexOf('id="findings"') < html.indexOf('id="charts"'));
    // The fault table right after the answer. partition-1 (2.0–3.5 s, no recovery recorded):
    // clients are process mod 3. Client 0's oks 0.2, 1.1, 3.7 → its gap over the window 1.1 → 3.7 =
    // 2.6 s;
    // client 1's only ok is 0.3 → 0.3 → 4.3 (the workload's end, op 8's invoke) = 4.0 s; client 2
    // never succeeded: 4.3 s. Median 4.0, worst 4.3 (client 2); the BBS 1.1 → 3.7 = 2.6 s. Nothing
    // was in flight at 2.0; in the window a 1213 (2.3 s) and a lost connection (3.0 s).
    t.true(
      html.indexOf('id="answer"') < html.indexOf('id="faults"') &&
        html.indexOf('id="faults"') < html.indexOf('id="findings"'),
      'the fault table between the answer and the findings',
    );
    t.regex(
      html,
      /<tr><td>partition-1<\/td><td>n1<\/td><td>2\.0 – 3\.5 – —<\/td><td>2\.6 s<\/td><td>4\.0 s<\/td><td>4\.3 s \(client 2\)<\/td><td>0<\/td><td>2: 1213 deadlock ×1, connection-lost ×1<\/td><td>not recorded<\/td><\/tr>/,
    );
    for (const c of ['throughput', 'latency', 'writers', 'errors-by-node', 'errors-by-op'])
      t.is(count(html, new RegExp(`data-chart="${c}"`, 'g')), 1, c);
    t.notRegex(html, /<script|<link|src="http|href="http/, 'self-contained');
    t.regex(
      readFileSync(join(dir.path, 'stories.md'), 'utf8'),
      /## Retry BBS transactions on InnoDB deadlock \(1213\)/,
    );
    t.regex(html, /id="story-deadlock-single-node"/);
    t.regex(html, /<tr id="op-4">/, 'ops a story refers to have anchors');
    t.regex(html, /<a href="#op-4">op 4<\/a>/);
    t.regex(readFileSync(dir.report, 'utf8'), /\[report\.html\]\(report\.html\)/);
  } finally {
    rmSync(dir.path, { recursive: true, force: true });
  }
});

test('each anomaly is a finding with its explanation, links to its ops and its timeline', (t) => {
  const history = fixtureHistory();
  const stats = computeStats(history);
  const check: CheckReport = {
    valid: false,
    summary: ['BBS invariants broken: "a task never starts on two cells" ×1.'],
    linearizability: null,
    invariants: {
      valid: false,
      counts: {
        'task-started-on-two-cells': 1,
        'completed-task-result-changed': 0,
        'instance-held-by-two-cells': 0,
        'modification-index-went-back': 0,
        'acknowledged-write-lost': 0,
        'crash-bookkeeping-wrong': 0,
        'domains-read-wrong': 0,
        'domain-upsert-refused-wrongly': 0,
      },
      violations: [
        {
          invariant: 'task-started-on-two-cells',
          key: 'task/a',
          ops: [5, 6],
          explanation: 'op 5 and op 6 both started task/a <on two cells>',
        },
      ],
    },
    failedApplied: [],
    isolation: null,
  };
  const ops = pairOps(history);
  const html = renderHtml({
    scenario: fixtureScenario(),
    seed: 7,
    runId: 'r1',
    stats,
    check,
    charts: renderCharts(history, stats, check),
    stories: generateStories({ scenario: fixtureScenario(), stats, check, ops }),
    ops,
  });
  t.regex(html, /class="verdict-bad">Anomalies found/);
  t.regex(
    html,
    /<section class="finding" id="anomaly-1"><h3>Invariant broken: task-started-on-two-cells on task\/a<\/h3>/,
  );
  t.regex(
    html,
    /<a href="#op-5">op 5<\/a> and <a href="#op-6">op 6<\/a> both started task\/a &lt;on two cells&gt;/,
  );
  t.is(count(html, /data-chart="anomaly"/g), 1);
  t.regex(
    html,
    /<tr id="op-6"><td>6<\/td><td>3<\/td><td>CompleteTask<\/td><td>task\/a<\/td><td>3\.600<\/td><td>3\.700<\/td><td>ok<\/td><td>n3<\/td>/,
  );
  t.regex(html, /id="story-lost-update"/);
  t.true(T0 > 0);
});
