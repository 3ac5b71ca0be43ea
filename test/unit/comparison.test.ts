// The comparison report: numbers first, the safe configurations named, rows computed from stats.

import test from 'ava';
import { compareRows, renderComparison, type ComparedRun } from '../../lab/report/comparison.ts';
import type { RunStats } from '../../lab/report/stats.ts';

function stats(over: Partial<RunStats>): RunStats {
  return {
    ops: 1000,
    unfinished: 0,
    byOutcome: { ok: 900, fail: 80, info: 20 },
    byOp: {},
    errors: { '1213 deadlock': 50, '1047 non-primary': 30 },
    errorsByOp: {},
    errorsByNode: {},
    errorsBySecond: {},
    servedByNode: {},
    bbsErrors: {},
    durationSec: 60,
    throughput: 15,
    latencyMs: { ok: { count: 0, p50: 0, p90: 0, p99: 0, max: 0 }, fail: { count: 0, p50: 0, p90: 0, p99: 0, max: 0 }, info: { count: 0, p50: 0, p90: 0, p99: 0, max: 0 } },
    nemesis: 2,
    faults: [],
    errorsInFaults: 0,
    errorsOutsideFaults: 0,
    writeWindows: { total: 60, multiNode: 0, seconds: [] },
    perSecond: [],
    availability: 0.9,
    failover: [{ fault: 'proxy-kill-1', kind: 'proxy-kill', target: 'proxy1', lastOkBefore: 10, firstOkAfter: 12.5, gapSec: 2.5 }],
    quorumLoss: [],
    ...over,
  };
}

const runs: ComparedRun[] = [
  { config: 'single-proxy', runId: 'r1', stats: stats({ availability: 0.8, failover: [{ fault: 'proxy-kill-1', kind: 'proxy-kill', target: 'proxy1', lastOkBefore: 10, firstOkAfter: null, gapSec: null }] }), check: { valid: true, summary: ['fine.'] } },
  { config: 'spread', runId: 'r2', stats: stats({ writeWindows: { total: 60, multiNode: 12, seconds: [] } }), check: { valid: false, summary: ['1 key not linearizable.'] } },
  { config: 'multi-ip', runId: 'r3', stats: stats({ errors: {} }), check: { valid: true, summary: ['fine.'] } },
  { config: 'proxies-by-hostname', runId: '', stats: undefined as never, check: { valid: 'unknown', summary: [] }, error: 'the cluster did not start' },
];

test('rows: shares, 1213 rate, multi-node windows, worst failover, never recovered', (t) => {
  const rows = compareRows(runs);
  t.deepEqual(rows.map((r) => r.config), ['single-proxy', 'spread', 'multi-ip'], 'a failed run has no row');
  t.is(rows[0]!.deadlocksPerK, 50);
  t.is(rows[0]!.neverRecovered, 1);
  t.is(rows[0]!.worstFailoverSec, null);
  t.is(rows[1]!.multiNodeWindows, 12);
  t.is(rows[2]!.deadlocksPerK, 0);
  t.is(rows[2]!.worstFailoverSec, 2.5);
  t.is(rows[2]!.okShare, 0.9);
});

test('the report answers first: which configurations were safe, with numbers', (t) => {
  const md = renderComparison({ scenario: 'client-configs', question: 'Which is safe?', seed: 7, runs });
  const answer = md.split('\n').find((l) => l.startsWith('**Answer'))!;
  t.regex(answer, /same seed 7/);
  t.regex(answer, /Safe in this run \(no anomaly, writes never on two nodes at once\): single-proxy, multi-ip\./);
  t.regex(answer, /Anomalies found with: spread\./);
  t.regex(answer, /Writes reached two nodes at once with spread \(12 of 60 s\)/);
  t.regex(answer, /single-proxy n\/a \(1 fault\(s\) never recovered from\)/);
  t.regex(md, /> \*\*proxies-by-hostname\*\* did not complete: the cluster did not start/);
  t.regex(md, /\| multi-ip \| 1,000 \| 90\.0% \| 8\.0% \| 2\.0% \| 0\.0 \| 0 of 60 \| 2\.5 s \| 90\.0% \| no anomaly \|/);
});
