// Opens a quickstart-like report (no fault, eleven op types with 1213s: the legend that ran off the
// chart) and a findings page (negative differences, per-op metrics) in Debian's headless Chromium
// at two widths and checks that no text overflows its box: no element's content is wider than the
// element, no table header is broken inside a word, and every text of a chart lies inside the
// chart.
// Run: npx ava --serial test/browser/text-fits.test.ts

import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HistoryEvent } from '../../lab/history/event.ts';
import { aggregate } from '../../lab/investigate/aggregate.ts';
import { parseCampaign } from '../../lab/investigate/campaign.ts';
import type { RunResults } from '../../lab/investigate/metrics.ts';
import { renderFindings } from '../../lab/investigate/render.ts';
import type { CampaignState, RunRecord } from '../../lab/investigate/state.ts';
import { renderRun } from '../../lab/report/write.ts';
import { runDirPaths } from '../../lab/runner/run-dir.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';
import { deadlockResults } from '../fixtures/results-json.ts';

const work = mkdtempSync(join(tmpdir(), 'bbs-lab-text-fits-'));
test.after.always(() => rmSync(work, { recursive: true, force: true }));

const OPS = [
  'ClaimActualLRP',
  'CompleteTask',
  'DesireLRP',
  'DesireTask',
  'FailTask',
  'RemoveActualLRP',
  'RemoveDesiredLRP',
  'StartActualLRP',
  'StartTask',
  'CancelTask',
  'UpdateDesiredLRP',
];

/** 8 clients, 20 s, every op type in turn; one op in seven of each type a 1213, no fault. */
function quickstartHistory(): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  const S = 1e9;
  let op = 0;
  for (let c = 0; c < 8; c++) {
    for (let k = 0; k < 100; k++) {
      const f = OPS[(c + k) % OPS.length]!;
      const inv = 0.2 * k + 0.01 * c;
      const base = { op, process: c, client: c, f, key: `task/t${k % 5}` };
      out.push({
        type: 'invoke',
        index: 0,
        time: inv * S,
        ...base,
        value: { f, args: {} },
      } as unknown as HistoryEvent);
      const bad = op % 7 === 3;
      out.push(
        (bad
          ? {
              type: 'fail',
              index: 0,
              time: (inv + 0.05) * S,
              ...base,
              node: 'n1',
              error: {
                errno: 1213,
                code: 'ER_LOCK_DEADLOCK',
                message: 'Deadlock found when trying to get lock; try restarting transaction',
                phase: 'statement',
              },
            }
          : {
              type: 'ok',
              index: 0,
              time: (inv + 0.05) * S,
              ...base,
              node: 'n1',
              value: { record: null },
            }) as unknown as HistoryEvent,
      );
      op++;
    }
  }
  return out.sort((a, b) => a.time - b.time).map((e, i) => ({ ...e, index: i }));
}

function quickstartReport(): string {
  const path = join(work, 'quickstart-run');
  mkdirSync(path);
  const dir = runDirPaths(path, 'quickstart-run');
  writeFileSync(
    dir.history,
    `${quickstartHistory()
      .map((e) => JSON.stringify(e))
      .join('\n')}\n`,
  );
  const scenario = parseScenario(
    'name: quickstart\nquestion: With every BBS write routed through one switchboard proxy to one active Galera node, do deadlock errors (1213) or rollbacks happen, and does any BBS operation misbehave?\nduration: 20\ntopology: {nodes: 3, proxies: 1}\nclients: {count: 8}\n',
  );
  renderRun(dir, scenario, 3, {});
  return join(path, 'report.html');
}

/** Two variants over three seeds whose paired differences are negative, on four metrics. */
function findingsPage(): string {
  writeFileSync(
    join(work, 'one.yaml'),
    'name: one\nquestion: q\nduration: 10s\ntopology: { nodes: 1, proxies: 0 }\nclients: { count: 2, via: nodes }\n',
  );
  const campaign = parseCampaign(
    `
name: fits
title: Does the retry policy change what the clients see?
questions:
  - id: retry-policies
    question: Does retrying a 1213 remove the deadlocks the BBS's callers see, and on which operations?
    scenario: one.yaml
    variants:
      - { name: none, overrides: { bbs.version: 2016-03 } }
      - { name: all-and-bad-conn-2017-06, overrides: { bbs.version: 2016-11 } }
    seeds: 3
    metrics: [deadlocksPer1000, deadlocksPer1000ByOp:ClaimActualLRP, okShare, latencyP99Ms]
`,
    join(work, 'fits.yaml'),
  );
  const results = (ops: number, d: number, p99: number): RunResults =>
    deadlockResults(ops, d, { latencyMs: { ok: { p50: 3, p99 } } });
  const rec = (variant: string, seed: number): RunRecord => ({
    key: `retry-policies/${variant}/${seed}`,
    question: 'retry-policies',
    variant,
    seed,
    status: 'done',
    nodes: 1,
    durationSec: 10,
    dir: `r-${variant}-${seed}`,
  });
  const runs = [1, 2, 3].flatMap((s) => [rec('none', s), rec('all-and-bad-conn-2017-06', s)]);
  const res = new Map<string, RunResults>([
    ['retry-policies/none/1', results(10000, 40, 12)],
    ['retry-policies/none/2', results(10000, 55, 15)],
    ['retry-policies/none/3', results(10000, 61, 11)],
    ['retry-policies/all-and-bad-conn-2017-06/1', results(10000, 2, 600)],
    ['retry-policies/all-and-bad-conn-2017-06/2', results(10000, 0, 800)],
    ['retry-policies/all-and-bad-conn-2017-06/3', results(10000, 1, 700)],
  ]);
  const state: CampaignState = {
    version: 1,
    campaign: 'fits',
    campaignFile: 'fits.yaml',
    command: 'node bin/bbs-lab.js investigate fits.yaml --budget 10m',
    budgetSec: 600,
    machine: { cores: 2, cpuModel: 'Test CPU', memGiB: 4, platform: 'Linux test' },
    startedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:10:00.000Z',
    runs,
  };
  const out = renderFindings({
    campaign,
    figures: aggregate(campaign, runs, res),
    state,
    plan: { shortened: false, seedCap: 3, cut: [] },
    runsRel: '../runs/fits',
  });
  const dir = join(work, 'findings');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.html'), out.html);
  for (const [file, svg] of Object.entries(out.charts)) writeFileSync(join(dir, file), svg);
  return join(dir, 'index.html');
}

/**
 * Runs in the page: every place where text does not fit its box. A string, not a function, so that
 * the test runner's transform (which names inner functions with a helper) never reaches the page.
 */
const OVERFLOWS = `(() => {
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' "' + (e.textContent || '').trim().slice(0, 40) + '"';
  const wide = [...document.querySelectorAll('html, body, h1, h2, h3, p, li, td, th, summary, figcaption, figure, section, table, .answer, details')]
    .filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).display !== 'inline')
    .map((e) => name(e) + ' ' + e.scrollWidth + '>' + e.clientWidth);
  // A word broken across lines has more than one line box: one client rect per line.
  const brokenHeaders = [];
  for (const th of document.querySelectorAll('th')) {
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (const m of (n.textContent || '').matchAll(/\\S+/g)) {
        const r = document.createRange();
        r.setStart(n, m.index);
        r.setEnd(n, m.index + m[0].length);
        const lines = new Set([...r.getClientRects()].filter((x) => x.width > 0).map((x) => Math.round(x.top)));
        if (lines.size > 1) brokenHeaders.push(m[0] + ' in ' + name(th));
      }
    }
  }
  const outsideCharts = [];
  for (const svg of document.querySelectorAll('svg.chart')) {
    const box = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      if (r.width === 0) continue;
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
        outsideCharts.push(svg.getAttribute('data-chart') + ': "' + t.textContent + '" at ' + Math.round(r.left - box.left) + '…' + Math.round(r.right - box.left) + ' of ' + Math.round(box.width));
      }
    }
  }
  return { wide, brokenHeaders, outsideCharts };
})()`;

async function overflows(
  page: Page,
): Promise<{ wide: string[]; brokenHeaders: string[]; outsideCharts: string[] }> {
  return page.evaluate(OVERFLOWS) as Promise<{
    wide: string[];
    brokenHeaders: string[];
    outsideCharts: string[];
  }>;
}

async function checkPage(
  t: { deepEqual: (a: unknown, b: unknown, m?: string) => void; log: (m: string) => void },
  browser: Browser,
  file: string,
  shotName: string,
): Promise<void> {
  for (const width of [1100, 720]) {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    // Folded tables are checked open too.
    await page.evaluate(
      "document.querySelectorAll('details').forEach((d) => d.setAttribute('open', ''))",
    );
    const o = await overflows(page);
    t.deepEqual(o.wide, [], `${shotName} at ${width} px: no element's content wider than its box`);
    t.deepEqual(o.brokenHeaders, [], `${shotName} at ${width} px: no header broken inside a word`);
    t.deepEqual(
      o.outsideCharts,
      [],
      `${shotName} at ${width} px: every chart text inside its chart`,
    );
    if (width === 1100) {
      mkdirSync('.tmp', { recursive: true });
      await page.screenshot({ path: join('.tmp', `${shotName}.png`), fullPage: true });
      t.log(`screenshot: .tmp/${shotName}.png`);
    }
    await page.close();
  }
}

test('a quickstart-like report and a findings page: no text overflows its box, no header breaks inside a word, chart texts stay inside the chart', async (t) => {
  execFileSync('bash', ['scripts/browser-deps.sh'], { stdio: 'inherit' });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  try {
    await checkPage(t, browser, quickstartReport(), 'text-fits-quickstart');
    await checkPage(t, browser, findingsPage(), 'text-fits-findings');
  } finally {
    await browser.close();
  }
});
