// One run of a scenario at an offered rate, alone or beside CPU hogs (busy-loop child processes,
// killed after the run and on exit), printed as one JSON line: ops, 1213s per 1,000 ops, offered
// and achieved ops/s, slots, start delays, kept up, the machine's load. How the rows of
// lab/runner/README.md ("Why 5 ops/s per client") were made:
//
//   BBS_LAB_ADDRESS_BASE=127.0.71 node --import tsx lab/bench/rate-sustain.ts
//   scenarios/quickstart.yaml 5 2 20
//
// Arguments: scenario file, rate (ops/s per client, or closed), hogs, seconds. Seed 1.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { runScenario } from '../runner/run.ts';
import { parseScenario } from '../scenario/validate.ts';
import type { RateRecord } from '../report/rate.ts';
import type { MachineSummary } from '../report/machine.ts';

const [file, rateArg, hogsArg = '0', secondsArg = '20'] = process.argv.slice(2);
if (!file || !rateArg) {
  console.error(
    'usage: node --import tsx lab/bench/rate-sustain.ts <scenario.yaml> <rate|closed> [hogs] [seconds]',
  );
  process.exit(2);
}
const s = parseScenario(readFileSync(file, 'utf8'), file);
s.clients.rate = rateArg === 'closed' ? 'closed' : Number(rateArg);
const hogs: ChildProcess[] = [];
const kill = () =>
  hogs.forEach((h) => {
    h.kill('SIGKILL');
  });
process.on('exit', kill);
for (let i = 0; i < Number(hogsArg); i++)
  hogs.push(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
try {
  const res = await runScenario(s, {
    seed: 1,
    duration: Number(secondsArg),
    addressBase: process.env.BBS_LAB_ADDRESS_BASE ?? '127.0.0',
    log: () => {},
  });
  kill();
  const r = JSON.parse(readFileSync(res.dir.results, 'utf8')) as {
    stats: { ops: number; errors: Record<string, number>; latencyMs: { ok: { p99: number } } };
    rate: RateRecord;
    machine: MachineSummary | null;
  };
  const deadlocks = Object.entries(r.stats.errors)
    .filter(([k]) => k.startsWith('1213'))
    .reduce((a, [, n]) => a + n, 0);
  console.log(
    JSON.stringify({
      scenario: file,
      rate: s.clients.rate,
      hogs: hogs.length,
      ops: r.stats.ops,
      deadlocksPer1000: Number(((1000 * deadlocks) / Math.max(1, r.stats.ops)).toFixed(1)),
      offered: r.rate.offered,
      achieved: Number(r.rate.achieved.toFixed(1)),
      slots: r.rate.slots,
      lagMs: r.rate.lagMs,
      missedShare: r.rate.judged?.missedShare ?? null,
      keptUp: r.rate.keptUp,
      okLatencyP99Ms: r.stats.latencyMs.ok.p99,
      load1: r.machine?.load1 ?? null,
      busyPct: r.machine?.busyPct ?? null,
      runDir: res.dir.path,
    }),
  );
} finally {
  kill();
}
