// compare --repeat: figures over seeds as medians with intervals, and the answer's wording, on
// fixed run figures worked out by hand. With 3 runs the interval is the whole range and its
// coverage 1 − 2·P(Binomial(3, ½) < 1) = 1 − 2/8 = 75%.

import test from 'ava';
import {
  indistinguishablePairs,
  renderRepeatedComparison,
  repeatedSentences,
  runFigures,
  summarise,
  type RunFigures,
} from '../../lab/report/comparison-repeated.ts';
import { interval } from '../../lab/report/intervals.ts';
import { compareSeeds } from '../../lab/runner/compare.ts';
import type { RunStats } from '../../lab/report/stats.ts';

interface Spec {
  proxyKill: number[];
  partition?: number[];
  bbs: number[];
  share: number[];
  perK: number[];
  multi: number[];
  unknown: number[];
  verdict: (boolean | 'unknown')[];
  unplannedSeed?: number;
}
function runs(config: string, s: Spec): RunFigures[] {
  return [1, 2, 3].map((seed, i) => ({
    config,
    seed,
    runId: `${config}-${seed}`,
    ops: 1000,
    faults: [
      {
        fault: 'proxy-kill-1',
        kind: 'proxy-kill',
        target: 'proxy1',
        worstClientOutageSec: s.proxyKill[i]!,
      },
      ...(s.partition
        ? [
            {
              fault: 'partition-2',
              kind: 'partition',
              target: 'isolate:active-of:proxy1',
              node: `n${seed}`,
              worstClientOutageSec: s.partition[i]!,
            },
          ]
        : []),
    ],
    bbsOutageSec: s.bbs[i]!,
    timeShare: s.share[i]!,
    deadlocksPerK: s.perK[i]!,
    multiNodeSeconds: s.multi[i]!,
    unknownOps: s.unknown[i]!,
    verdict: s.verdict[i]!,
    unplannedQuorumLoss:
      s.unplannedSeed === seed ? [{ node: 'n2', from: 31, to: 45.8, errors: 1553 }] : [],
  }));
}

const singleProxy = runs('single-proxy', {
  proxyKill: [10, 12, 11],
  partition: [3, 4, 5],
  bbs: [10, 12, 11],
  share: [0.8, 0.78, 0.82],
  perK: [0, 0, 0],
  multi: [0, 0, 0],
  unknown: [4, 6, 5],
  verdict: [true, true, true],
});
const spread = runs('spread', {
  proxyKill: [1, 1.5, 2],
  partition: [3.5, 4.5, 6],
  bbs: [0.5, 0.6, 0.7],
  share: [0.99, 0.98, 0.97],
  perK: [5, 7, 6],
  multi: [12, 0, 9],
  unknown: [8, 9, 10],
  verdict: [true, false, true],
});

test('per configuration: medians and intervals, runs with anomalies, both criteria in every run', (t) => {
  const [sp, sr] = summarise([...singleProxy, ...spread]);
  // single-proxy proxy-kill: sorted 10, 11, 12 → median 11, interval 10–12 at 75%.
  const pk = sp!.figures.worstClientOutage.find((f) => f.fault === 'proxy-kill-1')!.interval;
  t.deepEqual([pk.median, pk.low, pk.high, pk.coverage], [11, 10, 12, 0.75]);
  // spread multi-node seconds: sorted 0, 9, 12 → median 9; in 2 of 3 runs (12 and 9).
  t.is(sr!.figures.multiNodeSeconds.median, 9);
  t.is(sr!.multiWriterRuns, 2);
  t.is(sr!.anomalyRuns, 1);
  // unknown ops: sorted 8, 9, 10 → 9.
  t.is(sr!.figures.unknownOps.median, 9);
  t.true(sp!.meetsBoth);
  t.false(sr!.meetsBoth, 'writes on two nodes in 2 runs and an anomaly in 1');
});

test("the answer names who meets both, the others' trade-off, and says which figures the runs cannot tell apart", (t) => {
  const out = repeatedSentences(summarise([...singleProxy, ...spread]), [1, 2, 3]);
  t.deepEqual(out, [
    'Met both criteria (no anomaly, never writes on several nodes at once) in every one of its runs: single-proxy (3 runs).',
    // spread's worst fault by median: partition 4.5 s (3.5, 4.5, 6) > proxy-kill 1.5 s (1, 1.5, 2).
    'Did not: spread: wrote on several nodes at once in 2 of 3 runs (median 9 s), anomalies in 1 of 3; worst-client outage ~4.5 s per partition isolate:active-of:proxy1.',
    // 1.0–2.0 and 10.0–12.0 do not overlap.
    'Worst-client outage in proxy-kill proxy1: spread 1.5 s (1.0 s–2.0 s), single-proxy 11.0 s (10.0 s–12.0 s); every pair distinguishable.',
    // 3.0–5.0 and 3.5–6.0 overlap.
    'Worst-client outage in partition isolate:active-of:proxy1: single-proxy 4.0 s (3.0 s–5.0 s), spread 4.5 s (3.5 s–6.0 s); not distinguishable on these runs (the intervals overlap).',
    'BBS outage: spread 0.6 s (0.5 s–0.7 s), single-proxy 11.0 s (10.0 s–12.0 s); every pair distinguishable.',
    // 0.78, 0.80, 0.82 → 80.0%; 0.97, 0.98, 0.99 → 98.0%.
    'Time share available: single-proxy 80.0% (78.0%–82.0%), spread 98.0% (97.0%–99.0%); every pair distinguishable.',
    '1213 per 1,000 ops: single-proxy 0.0 (0.0–0.0), spread 6.0 (5.0–7.0); every pair distinguishable.',
  ]);
});

test('no configuration meets both: said so, with the trade-off in numbers; unplanned quorum loss flagged, figures with and without it', (t) => {
  const leader = runs('leader-proxy', {
    proxyKill: [19, 21, 20],
    bbs: [19, 21, 20],
    share: [0.6, 0.62, 0.64],
    perK: [0, 0, 0],
    multi: [0, 0, 0],
    unknown: [1, 2, 3],
    verdict: [true, false, true],
  });
  const spread2 = runs('spread', {
    proxyKill: [1, 1.5, 2],
    bbs: [0.5, 14, 0.7],
    share: [0.99, 0.7, 0.97],
    perK: [5, 7, 6],
    multi: [12, 0, 9],
    unknown: [8, 9, 10],
    verdict: [true, true, true],
    unplannedSeed: 2,
  });
  const out = repeatedSentences(summarise([...leader, ...spread2]), [1, 2, 3]);
  t.is(
    out[0],
    'No configuration met both criteria (no anomaly, never writes on several nodes at once) in every run of the 3 seed(s). The trade-off: ' +
      'leader-proxy: never wrote on several nodes at once, anomalies in 1 of 3; worst-client outage ~20.0 s per proxy-kill proxy1; ' +
      'spread: wrote on several nodes at once in 2 of 3 runs (median 9 s), no anomaly; worst-client outage ~1.5 s per proxy-kill proxy1.',
  );
  // spread BBS outage 0.5, 0.7, 14 → 0.7 (0.5–14.0); leader 19, 20, 21 → 20: 14.0 < 19.0,
  // distinguishable.
  t.true(
    out.includes(
      'BBS outage: spread 0.7 s (0.5 s–14.0 s), leader-proxy 20.0 s (19.0 s–21.0 s); every pair distinguishable.',
    ),
  );
  // Without seed 2: BBS outage (0.5 + 0.7) / 2 = 0.6 s; time share (0.99 + 0.97) / 2 = 98.0%.
  t.is(
    out[out.length - 1],
    'UNPLANNED QUORUM LOSS (nodes answered 1047 where no fault meant them to: the machine, not the scenario) in spread seed(s) 2; those runs are in the medians above; without them: spread BBS outage 0.6 s, time share 98.0%.',
  );
});

test('indistinguishable pairs: only those whose intervals overlap', (t) => {
  const items = [
    { config: 'a', interval: interval([1, 2, 3]) },
    { config: 'b', interval: interval([2.5, 3.5, 4]) },
    { config: 'c', interval: interval([10, 11, 12]) },
  ];
  // a 1–3 and b 2.5–4 overlap; c 10–12 overlaps neither.
  t.deepEqual(indistinguishablePairs(items), [['a', 'b']]);
  const out = repeatedSentences(
    summarise([
      ...runs('a', {
        proxyKill: [1, 2, 3],
        bbs: [1, 1, 1],
        share: [1, 1, 1],
        perK: [0, 0, 0],
        multi: [0, 0, 0],
        unknown: [0, 0, 0],
        verdict: [true, true, true],
      }),
      ...runs('b', {
        proxyKill: [2.5, 3.5, 4],
        bbs: [1, 1, 1],
        share: [1, 1, 1],
        perK: [0, 0, 0],
        multi: [0, 0, 0],
        unknown: [0, 0, 0],
        verdict: [true, true, true],
      }),
      ...runs('c', {
        proxyKill: [10, 11, 12],
        bbs: [1, 1, 1],
        share: [1, 1, 1],
        perK: [0, 0, 0],
        multi: [0, 0, 0],
        unknown: [0, 0, 0],
        verdict: [true, true, true],
      }),
    ]),
    [1, 2, 3],
  );
  t.true(
    out.includes(
      'Worst-client outage in proxy-kill proxy1: a 2.0 s (1.0 s–3.0 s), b 3.5 s (2.5 s–4.0 s), c 11.0 s (10.0 s–12.0 s); not distinguishable on these runs: a and b.',
    ),
    out.join('\n'),
  );
});

test("comparison.md: answer first, the interval's kind and coverage, every run with its resolved node, and a failed run", (t) => {
  const failed: RunFigures = {
    ...spread[0]!,
    seed: 4,
    runId: '',
    error: 'the cluster did not start',
  };
  const md = renderRepeatedComparison({
    scenario: 'client-configs',
    question: 'Which is safe?',
    seeds: [1, 2, 3],
    runs: [...singleProxy, ...spread, failed],
  });
  const lines = md.split('\n');
  t.true(
    lines.findIndex((l) => l.startsWith('**Answer')) < lines.findIndex((l) => l.startsWith('|')),
  );
  t.regex(md, /distribution-free confidence interval for that median from order statistics/);
  t.regex(md, /Repeat with `--seeds 1,2,3`/);
  // single-proxy BBS outage 10, 11, 12 → "11.0 s (10.0 s–12.0 s, 3 runs, 75% interval for the
  // median)".
  t.regex(
    md,
    /\| single-proxy \| 11\.0 s \(10\.0 s–12\.0 s, 3 runs, 75% interval for the median\) \|/,
  );
  t.regex(md, /\| spread \| .* \| 1 \/ 3 \| none \|/);
  t.regex(md, /partition-2 isolate:active-of:proxy1 \(n2\): 4\.5 s/);
  t.regex(md, /> \*\*spread\*\* seed 4 did not complete: the cluster did not start/);
});

test('runFigures keeps the small figures of one run', (t) => {
  const st = {
    ops: 200,
    byOutcome: { ok: 180, fail: 12, info: 8 },
    errors: { '1213 deadlock': 3, '1047 non-primary': 2 },
    writeWindows: {
      total: 30,
      multiNode: 6,
      seconds: [],
      switchover: [3, 9],
      concurrent: [4, 5, 6, 7],
    },
    availability: {
      bbs: { longest: { from: 10, to: 13.5, sec: 3.5 }, gaps: [] },
      perClient: {},
      timeShare: 0.9,
      faults: [
        {
          fault: 'kill-1',
          kind: 'kill',
          target: 'active-of:proxy1',
          node: 'n1',
          worstClientOutageSec: 19.3,
        },
      ],
    },
    quorumLoss: [
      { node: 'n1', from: 10, to: 20, errors: 50, planned: true },
      { node: 'n2', from: 11, to: 12, errors: 3, planned: false },
    ],
  } as unknown as RunStats;
  // 3 1213s in 200 ops = 15 per 1,000.
  t.deepEqual(runFigures('spread', 7, 'r', st, false), {
    config: 'spread',
    seed: 7,
    runId: 'r',
    ops: 200,
    faults: [
      {
        fault: 'kill-1',
        kind: 'kill',
        target: 'active-of:proxy1',
        node: 'n1',
        worstClientOutageSec: 19.3,
      },
    ],
    bbsOutageSec: 3.5,
    timeShare: 0.9,
    deadlocksPerK: 15,
    multiNodeSeconds: 4, // the 4 concurrent seconds; the 2 switchover seconds do not count
    unknownOps: 8,
    verdict: false,
    unplannedQuorumLoss: [{ node: 'n2', from: 11, to: 12, errors: 3 }],
  });
});

test('seeds: as listed, or N consecutive from the base', (t) => {
  t.deepEqual(compareSeeds(42, { repeat: 3 }), [42, 43, 44]);
  t.deepEqual(compareSeeds(42, {}), [42]);
  t.deepEqual(compareSeeds(42, { seeds: [7, 3], repeat: 5 }), [7, 3]);
});
