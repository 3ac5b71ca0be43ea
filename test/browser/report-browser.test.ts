// Opens a rendered report.html from disk in Debian's headless Chromium: every chart's <svg> has a
// non-zero box, the page logs no console error, and a screenshot lands in the run dir.
// Run: npx ava --serial test/browser/report-browser.test.ts

import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { renderFixtureRun } from './report-fixture.ts';

test('report.html renders every chart in Chromium with no console error, and is screenshotted', async (t) => {
  execFileSync('bash', ['scripts/browser-deps.sh'], { stdio: 'inherit' });
  const dir = renderFixtureRun();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
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
    for (const k of ['throughput', 'latency', 'writers', 'errors-by-node', 'errors-by-op']) t.true(kinds.includes(k), `chart ${k} present`);
    for (const c of charts) t.true(c.width > 0 && c.height > 0, `chart ${c.kind} has a box (${c.width}×${c.height})`);
    t.true((await page.$$('circle.point')).length > 0, 'latency points are in the DOM');
    const shot = join(dir.path, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    t.true(existsSync(shot) && statSync(shot).size > 1000);
    t.deepEqual(errors, []);
    t.log(`screenshot: ${shot}`);
  } finally {
    await browser.close();
  }
  if (!process.env['KEEP_REPORT_DIR']) rmSync(dir.path, { recursive: true, force: true });
});

