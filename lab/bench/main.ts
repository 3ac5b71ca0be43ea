// `npm run bench`: checker throughput on generated histories of growing size, all in one run so
// the ratios between sizes are comparable on a noisy machine (absolute figures are not).
// `npm run bench -- --only linearizability` (or reader, isolation, report, startup, overhead, plan, overlap) runs one group of rows.
// PORCUPINE_DATA=<porcupine checkout>/test_data adds Porcupine's etcd and kv logs, Porcupine re-run
// beside the lab when `go` is on PATH (porcupine-go.ts), its quoted figures otherwise.

import { benchIsolation } from './isolation.ts';
import { benchEtcd, benchLinearizability, benchLongKey } from './linearizability.ts';
import { benchPorcupineApart } from './porcupine-go.ts';
import { benchReader } from './reader.ts';
import { benchReport } from './report.ts';
import { benchStartup } from './startup.ts';
import { benchOverhead } from './overhead.ts';
import { benchPlanAccuracy } from './plan-accuracy.ts';
import { benchOverlap } from './overlap.ts';

const log = (line: string) => console.log(line);
const GROUPS = [
  'linearizability',
  'reader',
  'isolation',
  'report',
  'startup',
  'overhead',
  'plan',
  'overlap',
] as const;
const USAGE = `usage: npm run bench [-- --only ${GROUPS.join('|')}]`;

function parseOnly(args: readonly string[]): Set<string> {
  if (args.length === 0) return new Set(GROUPS);
  if (args[0] === '--help' || args[0] === '-h') {
    console.log(USAGE);
    process.exit(0);
  }
  const only =
    args[0] === '--only' ? args[1] : args[0]?.startsWith('--only=') ? args[0].slice(7) : undefined;
  if (args[0] !== '--only' && !args[0]?.startsWith('--only=')) {
    console.error(`bench: unknown option "${args[0]}"\n${USAGE}`);
    process.exit(2);
  }
  const picked = (only ?? '').split(',').filter((g) => g !== '');
  const bad = picked.filter((g) => !(GROUPS as readonly string[]).includes(g));
  if (picked.length === 0 || bad.length > 0) {
    console.error(
      `bench: --only takes one or more of ${GROUPS.join(', ')} (comma-separated)${bad.length > 0 ? `; got "${bad.join(', ')}"` : ''}\n${USAGE}`,
    );
    process.exit(2);
  }
  return new Set(picked);
}

function ratios(name: string, rows: { size: number; perSec: number }[]): void {
  const first = rows[0];
  if (!first) return;
  for (const r of rows.slice(1)) {
    log(
      `${name}: ${r.size.toLocaleString('en-US')} vs ${first.size.toLocaleString('en-US')} → ${(r.size / first.size).toFixed(0)}× the input, throughput ×${(r.perSec / first.perSec).toFixed(2)}`,
    );
  }
}

const only = parseOnly(process.argv.slice(2));
log('Checker benchmarks (one run; compare the ratios, not the absolute figures).');
const lin = only.has('linearizability') ? benchLinearizability([1_000, 10_000, 100_000], log) : [];
if (only.has('linearizability')) {
  benchEtcd(100, log);
  benchLongKey(100_000, 0.001, log);
  benchPorcupineApart(process.env.PORCUPINE_DATA, log);
}
// Reading a JSONL history of 400,000 events alone, then with the check, as `bbs-lab check` does.
if (only.has('reader')) benchReader(200_000, log);
const iso = only.has('isolation') ? benchIsolation([10_000, 100_000], log) : [];
if (only.has('report')) benchReport(log);
if (only.has('startup')) benchStartup(log);
// A real run (Galera, proxies): its cleanup is the runner's own, on every exit path.
if (only.has('overhead')) await benchOverhead(log);
if (only.has('plan')) await benchPlanAccuracy(log);
if (only.has('overlap')) await benchOverlap(log);
log('');
ratios(
  'linearizability',
  lin.map((r) => ({ size: r.size, perSec: r.opsPerSec })),
);
ratios(
  'isolation',
  iso.map((r) => ({ size: r.size, perSec: r.txnsPerSec })),
);
const lin10k = lin.find((r) => r.size === 10_000);
const iso10k = iso.find((r) => r.size === 10_000);
if (lin10k && iso10k)
  log(
    `at 10,000: isolation checks ${(iso10k.txnsPerSec / lin10k.opsPerSec).toFixed(2)}× as many transactions per second as linearizability checks ops`,
  );
