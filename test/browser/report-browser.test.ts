// Opens a rendered report.html from disk in Debian's headless Chromium: every chart's <svg> has a
// non-zero box, the page logs no console error, and a screenshot lands in the run dir.
// Run: npx ava --serial test/browser/report-browser.test.ts

import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { HistoryEvent } from '../../lab/history/event.ts';
import { T0, fixtureHistory, renderFixtureRun } from './report-fixture.ts';

test('report.html renders every chart in Chromium with no console error, and is screenshotted', async (t) => {
  execFileSync('bash', ['scripts/browser-deps.sh'], { stdio: 'inherit' });
  const dir = renderFixtureRun();
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    await page.goto(pathToFileURL(join(dir.path, 'report.html')).href, { waitUntil: 'load' });
    const charts = await page.$$eval('svg.chart', (els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { kind: e.getAttribute('data-chart'), width: r.width, height: r.height };
      }),
    );
    const kinds = charts.map((c) => c.kind);
    for (const k of ['throughput', 'latency', 'writers', 'errors-by-node', 'errors-by-op'])
      t.true(kinds.includes(k), `chart ${k} present`);
    for (const c of charts)
      t.true(c.width > 0 && c.height > 0, `chart ${c.kind} has a box (${c.width}×${c.height})`);
    t.true((await page.$$('circle.point')).length > 0, 'latency points are in the DOM');
    const shot = join(dir.path, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    t.true(existsSync(shot) && statSync(shot).size > 1000);
    t.deepEqual(errors, []);
    t.log(`screenshot: ${shot}`);
  } finally {
    await browser.close();
  }
  if (!process.env.KEEP_REPORT_DIR) rmSync(dir.path, { recursive: true, force: true });
});

/**
 * The fixture (a partition and a kill, two 1213s, a stale read) plus ops with long arguments and a
 * long recorded value, the kind that ran off the page in the ops table.
 */
function faultRunHistory(): HistoryEvent[] {
  const h = fixtureHistory();
  const guid = 'process-guid-with-a-very-long-name-0123456789abcdef0123456789abcdef';
  let index = h.length;
  const base = { op: 9, process: 2, client: 2, f: 'DesireLRP', key: `desired/${guid}` };
  h.push({
    type: 'invoke',
    index: index++,
    time: T0 + 4.6e9,
    ...base,
    value: {
      f: 'DesireLRP',
      args: {
        processGuid: guid,
        domain: 'd',
        instances: 3,
        routes: { 'cf-router': [{ hostnames: [`${guid}.example.com`], port: 8080 }] },
      },
    },
  } as HistoryEvent);
  h.push({
    type: 'fail',
    index: index++,
    time: T0 + 4.7e9,
    ...base,
    node: 'n3',
    error: {
      errno: 1213,
      message: `Deadlock found when trying to get lock; try restarting transaction ${'x'.repeat(300)}`,
      phase: 'statement',
    },
  } as HistoryEvent);
  return h;
}

test('a fault run’s report.html fits the page: nothing overflows sideways, timelines name each op’s node; screenshot in .tmp/', async (t) => {
  execFileSync('bash', ['scripts/browser-deps.sh'], { stdio: 'inherit' });
  const dir = renderFixtureRun(faultRunHistory());
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  try {
    for (const width of [1100, 720]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.goto(pathToFileURL(join(dir.path, 'report.html')).href, { waitUntil: 'load' });
      const wide = await page.$$eval('html, body, .answer, section, figure, table, p, ul', (els) =>
        els
          .filter((e) => e.scrollWidth > e.clientWidth + 1)
          .map(
            (e) =>
              `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className ? `.${String(e.className)}` : ''} ${e.scrollWidth}>${e.clientWidth}`,
          ),
      );
      t.deepEqual(wide, [], `at ${width} px nothing is wider than its box`);
      // Every table and chart ends inside the page.
      const right = await page.$$eval('table, svg.chart', (els) =>
        Math.max(...els.map((e) => e.getBoundingClientRect().right)),
      );
      t.true(right <= width, `rightmost table/chart edge ${right} ≤ ${width}`);
      if (width === 1100) {
        const first = await page.$('section.finding');
        t.truthy(first, 'the fault run has a finding');
        const rows = await page.$$eval(
          'section.finding:first-of-type svg text.row-name, section.finding svg text.row-name',
          (els) => els.map((e) => e.textContent ?? ''),
        );
        t.true(
          rows.length > 0 && rows.every((r) => /· n\d/.test(r)),
          `first finding’s timeline rows name the node: ${rows.join(' | ')}`,
        );
        const labels = await page.$$eval('section.finding svg text.op-label', (els) =>
          els.map((e) => e.textContent ?? ''),
        );
        t.true(
          labels.every((l) => !/[{}"]/.test(l)),
          `no raw JSON in labels: ${labels.join(' | ')}`,
        );
        // A chart's legend sits below its title: their boxes never intersect.
        const overlaps = await page.$$eval('svg.chart', (svgs) =>
          svgs.flatMap((svg) => {
            const title = svg.querySelector('text.chart-title')?.getBoundingClientRect();
            const legend = svg.querySelector('g.legend')?.getBoundingClientRect();
            if (!title || !legend) return [];
            const hit =
              title.left < legend.right &&
              legend.left < title.right &&
              title.top < legend.bottom &&
              legend.top < title.bottom;
            return hit ? [svg.getAttribute('data-chart')] : [];
          }),
        );
        t.deepEqual(overlaps, []);
        mkdirSync('.tmp', { recursive: true });
        const shot = join('.tmp', 'report-fault-run.png');
        await page.screenshot({ path: shot, fullPage: true });
        t.true(existsSync(shot) && statSync(shot).size > 1000);
        t.log(`screenshot: ${shot}`);
      }
      await page.close();
    }
  } finally {
    await browser.close();
  }
  if (!process.env.KEEP_REPORT_DIR) rmSync(dir.path, { recursive: true, force: true });
});
