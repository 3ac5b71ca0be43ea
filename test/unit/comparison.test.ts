// The comparison report: numbers first, the safe configurations named, rows computed from stats.

import test from 'ava';
import { compareRows, renderComparison, type ComparedRun } from '../../lab/report/comparison.ts';
import type { FaultOutage, RunStats } from '../../lab/report/stats.ts';

/** One fault's outage figures, as the availability module reports them. */
function outage(
  worst: number,
  median: number,
  bbs: number,
  firstOk: (number | null)[],
): FaultOutage {
  return {
    fault: 'proxy-kill-1',
    kind: 'proxy-kill',
    target: 'proxy1',
    start: 10,
    healed: 20,
    recovered: 22,
    firstOkAfterSec: Object.fromEntries(firstOk.map((x, i) => [String(i), x])),
    clientOutageSec: {},
    medianClientOutageSec: median,
    worstClientOutageSec: worst,
    worstClient: '0',
    bbsOutageSec: bbs,
    inFlight: { ops: 0, ok: 0, fail: 0, info: 0, unfinished: 0 },
    errors: {},
  };
}
const retries = (absorbed: Record<string, number>, opsRetried: number): RunStats['retries'] => ({
  absorbed,
  absorbedByOp: {},
  absorbedByNode: {},
  opsRetried,
  retriedOutcome: { ok: opsRetried, fail: 0, info: 0 },
  extraLatencyMs: 0,
});

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
    latencyMs: {
      ok: { count: 0, p50: 0, p90: 0, p99: 0, max: 0 },
      fail: { count: 0, p50: 0, p90: 0, p99: 0, max: 0 },
      info: { count: 0, p50: 0, p90: 0, p99: 0, max: 0 },
    },
    nemesis: 2,
    faults: [],
    errorsInFaults: 0,
    errorsOutsideFaults: 0,
    writeWindows: { total: 60, multiNode: 0, seconds: [], switchover: [], concurrent: [] },
    delayed: { thresholdMs: 500, ops: 0, count: 0, share: 0 },
    perSecond: [],
    secondShare: 0.9,
    availability: {
      bbs: { longest: null, gaps: [] },
      perClient: {},
      timeShare: 0.85,
      faults: [outage(19.3, 3.6, 2.5, [12.5, 14])],
    },
    retries: retries({}, 0),
    labEvents: [],
    quorumLoss: [],
    ...over,
  };
}

const runs: ComparedRun[] = [
  {
    config: 'single-proxy',
    runId: 'r1',
    stats: stats({
      secondShare: 0.8,
      availability: {
        bbs: { longest: null, gaps: [] },
        perClient: {},
        timeShare: 0.7,
        faults: [outage(50, 50, 50, [null, null])],
      },
    }),
    check: { valid: true, summary: ['fine.'] },
  },
  {
    config: 'spread',
    runId: 'r2',
    stats: stats({
      writeWindows: {
        total: 60,
        multiNode: 14,
        seconds: [],
        switchover: [40, 41],
        concurrent: Array.from({ length: 12 }, (_, i) => i),
      },
    }),
    check: { valid: false, summary: ['1 key not linearizable.'] },
  },
  {
    config: 'multi-ip',
    runId: 'r3',
    stats: stats({
      errors: {},
      retries: retries({ '1213 deadlock': 300, '1047 non-primary': 38 }, 120),
    }),
    check: { valid: true, summary: ['fine.'] },
  },
  {
    config: 'proxies-by-hostname',
    runId: '',
    stats: undefined as never,
    check: { valid: 'unknown', summary: [] },
    error: 'the cluster did not start',
  },
];

test('rows: shares, 1213 rate, multi-node windows, outages, never recovered, absorbed errors', (t) => {
  const rows = compareRows(runs);
  t.deepEqual(
    rows.map((r) => r.config),
    ['single-proxy', 'spread', 'multi-ip'],
    'a failed run has no row',
  );
  // 50 1213s in 1,000 ops → 50 per 1,000.
  t.is(rows[0]!.deadlocksPerK, 50);
  // single-proxy: neither client had an ok after the fault (firstOkAfter null, null) → never
  // recovered.
  t.is(rows[0]!.neverRecovered, 1);
  t.is(rows[0]!.worstClientOutageSec, 50);
  t.is(rows[0]!.timeShare, 0.7);
  t.is(rows[0]!.secondShare, 0.8);
  t.is(rows[1]!.multiNodeWindows, 12);
  t.is(rows[2]!.deadlocksPerK, 0);
  // multi-ip: its one fault's figures as given: worst client 19.3, median 3.6, BBS 2.5; clients
  // recovered.
  t.is(rows[2]!.worstClientOutageSec, 19.3);
  t.is(rows[2]!.medianClientOutageSec, 3.6);
  t.is(rows[2]!.bbsOutageSec, 2.5);
  t.is(rows[2]!.neverRecovered, 0);
  // 300 + 38 absorbed errors in 120 retried ops.
  t.is(rows[2]!.absorbed, 338);
  t.is(rows[2]!.opsRetried, 120);
  t.is(rows[2]!.okShare, 0.9);
  const noFaults = compareRows([
    {
      config: 'x',
      runId: 'r',
      stats: stats({
        availability: { bbs: { longest: null, gaps: [] }, perClient: {}, timeShare: 1, faults: [] },
      }),
      check: { valid: true, summary: [] },
    },
  ]);
  t.is(noFaults[0]!.bbsOutageSec, null, 'no fault: no outage figure');
});

test('the report answers first: which configurations were safe, with numbers', (t) => {
  const md = renderComparison({
    scenario: 'client-configs',
    question: 'Which is safe?',
    seed: 7,
    runs,
  });
  const answer = md.split('\n').find((l) => l.startsWith('**Answer'))!;
  t.regex(answer, /same seed 7/);
  t.regex(
    answer,
    /Safe in this run \(no anomaly, writes never on two nodes at once\): single-proxy, multi-ip\./,
  );
  t.regex(answer, /Anomalies found with: spread\./);
  t.regex(answer, /Writes reached two nodes at once with spread \(12 of 60 s\)/);
  // Sorted by worst-client outage: spread and multi-ip 19.3 s, then single-proxy 50 s.
  t.regex(
    answer,
    /worst client \/ the median client \/ any client\): spread 19\.3 s \/ 3\.6 s \/ 2\.5 s, multi-ip 19\.3 s \/ 3\.6 s \/ 2\.5 s, single-proxy 50\.0 s \/ 50\.0 s \/ 50\.0 s \(1 fault\(s\) never recovered from\)/,
  );
  t.regex(answer, /single-proxy 70\.0%; 80\.0%/);
  t.regex(
    answer,
    /Errors absorbed by retries \(never seen by the caller\): multi-ip 338 in 120 retried ops\./,
  );
  t.regex(md, /> \*\*proxies-by-hostname\*\* did not complete: the cluster did not start/);
  t.regex(
    md,
    /\| multi-ip \| 1,000 \| 90\.0% \| 8\.0% \| 2\.0% \| 0\.0 \| 338 \| 0 of 60 \| 19\.3 s \| 3\.6 s \| 2\.5 s \| 85\.0% \| 90\.0% \| no anomaly \|/,
  );
  t.regex(
    md,
    /\*\*single-proxy\*\* \(run `r1`\): proxy-kill proxy1: worst client 50\.0 s \(client 0\), median 50\.0 s, BBS 50\.0 s/,
  );
  t.notRegex(md, /failover/i, 'the old failover figure is gone');
});
