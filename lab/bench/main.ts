// `npm run bench`: checker throughput on generated histories of growing size, all in one run so
// the ratios between sizes are comparable on a noisy machine (absolute figures are not).

import { benchIsolation } from './isolation.ts';
import { benchEtcd, benchLinearizability, benchLongKey } from './linearizability.ts';
import { benchReport } from './report.ts';
import { benchStartup } from './startup.ts';

const log = (line: string) => console.log(line);

function ratios(name: string, rows: { size: number; perSec: number }[]): void {
  const first = rows[0];
  if (!first) return;
  for (const r of rows.slice(1)) {
    log(`${name}: ${r.size.toLocaleString('en-US')} vs ${first.size.toLocaleString('en-US')} → ${(r.size / first.size).toFixed(0)}× the input, throughput ×${(r.perSec / first.perSec).toFixed(2)}`);
  }
}

log('Checker benchmarks (one run; compare the ratios, not the absolute figures).');
const lin = benchLinearizability([1_000, 10_000, 100_000], log);
benchEtcd(100, log);
benchLongKey(100_000, 0.001, log);
const iso = benchIsolation([10_000, 100_000], log);
benchReport(log);
benchStartup(log);
log('');
ratios('linearizability', lin.map((r) => ({ size: r.size, perSec: r.opsPerSec })));
ratios('isolation', iso.map((r) => ({ size: r.size, perSec: r.txnsPerSec })));
const lin10k = lin.find((r) => r.size === 10_000);
const iso10k = iso.find((r) => r.size === 10_000);
if (lin10k && iso10k) log(`at 10,000: isolation checks ${(iso10k.txnsPerSec / lin10k.opsPerSec).toFixed(2)}× as many transactions per second as linearizability checks ops`);
