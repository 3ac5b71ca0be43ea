// The campaign's statistics and bookkeeping, each on small inputs worked by hand and against a
// simple reference: paired comparisons (signed ranks, effect, seeds needed), Holm's correction,
// the blocked seeded order, shared configurations, claim templates, run facts, provenance and
// verification.

import test from 'ava';
import fc from 'fast-check';
import { holmAdjust } from '../../lab/investigate/holm.ts';
import { blockedOrder, seededShuffle } from '../../lab/investigate/order.ts';
import {
  midranks,
  normalQuantile,
  paired,
  rankBiserial,
  seedsNeeded,
  signedRank,
} from '../../lab/investigate/paired.ts';
import { summarizeProvenance } from '../../lab/investigate/provenance-summary.ts';
import { runFacts, type RunFacts } from '../../lab/investigate/run-facts.ts';
import { canonicalJson, sharing } from '../../lab/investigate/share.ts';
import { handWrittenNumbers, statText } from '../../lab/investigate/template.ts';
import {
  committedSeeds,
  replaceLastSection,
  sampleSeeds,
  shownDigits,
  verifyFigures,
  type CommittedFindings,
} from '../../lab/investigate/verify.ts';
import { interval } from '../../lab/report/intervals.ts';

test('midranks: ties take the mean of the ranks they span', (t) => {
  // Sorted 1, 2, 3, 3: ranks 1, 2 and (3 + 4) / 2 = 3.5 for both 3s.
  t.deepEqual(midranks([3, 1, 3, 2]), [3.5, 1, 3.5, 2]);
});

test('signed-rank test: exact p, zeros dropped, ties by mean rank (worked by hand)', (t) => {
  // [1, −2, 3, 0]: the 0 is dropped; ranks 1, 2, 3; W+ = 1 + 3 = 4, W− = 2. Under no difference W+
  // is a subset sum of {1, 2, 3}: 0, 1, 2, 3, 3, 4, 5, 6, each 1/8; its mean is 3. |W+ − 3| ≥ 1
  // for all but the two 3s: p = 6/8.
  t.deepEqual(signedRank([1, -2, 3, 0]), { n: 3, wPlus: 4, wMinus: 2, p: 0.75 });
  // [2, 2, −2]: all tied, ranks 2, 2, 2; W+ = 4. Sums 0, 2, 2, 2, 4, 4, 4, 6: all at least 1 from
  // 3: p = 1.
  t.is(signedRank([2, 2, -2]).p, 1);
  // Six positive differences: only "all +" and "all −" are as extreme: 2 / 64.
  t.is(signedRank([5, 6, 7, 8, 9, 10]).p, 2 / 64);
  t.deepEqual(signedRank([0, 0]), { n: 0, wPlus: 0, wMinus: 0, p: 1 });
  // Rank-biserial: (4 − 2) / 6.
  t.is(rankBiserial([1, -2, 3, 0]), 1 / 3);
  t.is(rankBiserial([-1, -5]), -1);
  t.is(rankBiserial([]), 0);
});

/** Reference: every one of the 2^n sign patterns of the non-zero |d| ranks, counted. */
function bruteP(diffs: number[]): number {
  const nz = diffs.filter((d) => d !== 0);
  if (nz.length === 0) return 1;
  const r = midranks(nz.map(Math.abs));
  const total = r.reduce((a, x) => a + x, 0);
  const obs = nz.reduce((a, d, i) => a + (d > 0 ? r[i]! : 0), 0);
  let hits = 0;
  for (let mask = 0; mask < 2 ** nz.length; mask++) {
    let w = 0;
    for (let i = 0; i < nz.length; i++) if (mask & (1 << i)) w += r[i]!;
    if (Math.abs(2 * w - total) >= Math.abs(2 * obs - total) - 1e-9) hits++;
  }
  return hits / 2 ** nz.length;
}

test('signed-rank test: the p-value equals the count over all sign patterns; symmetric in the sign', (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 10 }), (d) => {
      const p = signedRank(d).p;
      t.true(Math.abs(p - bruteP(d)) < 1e-12, `${d}: ${p} vs ${bruteP(d)}`);
      t.true(p > 0 && p <= 1);
      t.is(signedRank(d.map((x) => -x)).p, p);
      t.is(rankBiserial(d.map((x) => -x)), -rankBiserial(d) || 0);
    }),
  );
});

test('normal quantiles', (t) => {
  const near = (a: number, b: number) => t.true(Math.abs(a - b) < 1e-6, `${a} vs ${b}`);
  near(normalQuantile(0.975), 1.959964);
  near(normalQuantile(0.8), 0.841621);
  near(normalQuantile(0.01), -2.326348);
  near(normalQuantile(0.5), 0);
  near(normalQuantile(0.9875), 2.241403);
});

test('seeds needed: the larger of the smallest-p bound and the spread bound (worked by hand)', (t) => {
  // All differences 1: no spread; an exact test on n pairs gives p ≥ 2 / 2ⁿ, so at 0.05
  // n ≥ 1 + log2(20) = 5.32 → 6.
  t.deepEqual(seedsNeeded([1, 1, 1], 0.05), { seeds: 6, reason: 'smallest p' });
  // [1, −1, 2]: mean 2/3, sd √((1/9 + 25/9 + 16/9) / 2) = √(7/3) = 1.5275; (1.95996 + 0.84162)²
  // · (7/3) / (4/9) = 7.8489 · 5.25 = 41.21, over 3/π = 43.15 → 44.
  t.deepEqual(seedsNeeded([1, -1, 2], 0.05), { seeds: 44, reason: 'spread' });
  t.deepEqual(seedsNeeded([0, 0, 0], 0.05), { seeds: null, reason: 'no difference seen' });
  t.deepEqual(seedsNeeded([3], 0.05), { seeds: null, reason: 'fewer than 2 pairs' });
  t.deepEqual(seedsNeeded([1, -1, 1.001, -1], 0.05), { seeds: null, reason: 'more than the cap' });
  // A stricter level needs more: at 0.05 / 200, 1 + log2(4000) = 12.97 → 13.
  t.is(seedsNeeded([1, 1, 1], 0.05 / 200).seeds, 13);
});

test('paired: seeds both sides measured, b − a, the median difference and its interval', (t) => {
  const a = new Map<number, number | null>([
    [1, 10],
    [2, 30],
    [3, 20],
    [4, null],
  ]);
  const b = new Map<number, number | null>([
    [1, 0],
    [2, 0],
    [3, 4],
    [4, 7],
    [5, 1],
  ]);
  const p = paired(a, b);
  t.deepEqual(p.seeds, [1, 2, 3]);
  t.deepEqual(p.diffs, [-10, -30, -16]);
  t.is(p.medianDiff, -16);
  t.deepEqual([p.interval.low, p.interval.high, p.interval.coverage], [-30, -10, 0.75]);
  t.is(p.p, 0.25);
  t.is(p.effect, -1);
});

test("Holm's correction: worked by hand, and the same decisions as the step-down procedure", (t) => {
  // Sorted 0.005, 0.01, 0.03, 0.04 → 4 × 0.005 = 0.02, 3 × 0.01 = 0.03, 2 × 0.03 = 0.06,
  // max(0.06, 1 × 0.04) = 0.06.
  const adj = holmAdjust([0.01, 0.04, 0.03, 0.005]);
  t.deepEqual(
    adj.map((x) => Math.round(x * 1e9) / 1e9),
    [0.03, 0.06, 0.06, 0.02],
  );
  t.deepEqual(holmAdjust([]), []);
  const stepDown = (ps: number[], alpha: number): boolean[] => {
    const order = ps.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    const out = ps.map(() => false);
    for (let j = 0; j < order.length; j++) {
      if (order[j]![0] * (ps.length - j) > alpha) break;
      out[order[j]![1]] = true;
    }
    return out;
  };
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 30 }),
      fc.constantFrom(0.01, 0.05, 0.1),
      (ps, alpha) => {
        const a = holmAdjust(ps);
        t.deepEqual(
          a.map((x) => x <= alpha),
          stepDown(ps, alpha),
        );
        ps.forEach((p, i) => {
          t.true(a[i]! >= p && a[i]! <= 1);
          ps.forEach((q, j) => {
            if (p < q) t.true(a[i]! <= a[j]!);
          });
        });
      },
    ),
  );
});

test('blocked order: block by block, each block shuffled by its own seed only; same seed, same order', (t) => {
  const items = ['a', 'b', 'c', 'd'].flatMap((v) =>
    [0, 1, 2].map((block) => ({ key: `${v}/${block}`, block })),
  );
  const order = blockedOrder(items, 42);
  t.deepEqual(
    order.map((x) => x.block),
    [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2],
  );
  t.deepEqual(blockedOrder(items, 42), order);
  // A plan that keeps fewer blocks (a smaller budget) keeps the order of those it keeps.
  t.deepEqual(
    blockedOrder(
      items.filter((x) => x.block < 2),
      42,
    ),
    order.slice(0, 8),
  );
  // Some seed orders block 0 differently (the shuffle is not the identity).
  t.true(
    [1, 2, 3, 4, 5].some(
      (s) =>
        blockedOrder(items, s)
          .slice(0, 4)
          .map((x) => x.key)
          .join() !==
        order
          .slice(0, 4)
          .map((x) => x.key)
          .join(),
    ),
  );
  fc.assert(
    fc.property(
      fc.array(fc.record({ key: fc.string(), block: fc.integer({ min: 0, max: 4 }) })),
      fc.nat(),
      (xs, seed) => {
        const o = blockedOrder(xs, seed);
        t.deepEqual(
          [...o].sort((p, q) => (p.key + p.block < q.key + q.block ? -1 : 1)),
          [...xs].sort((p, q) => (p.key + p.block < q.key + q.block ? -1 : 1)),
        );
        for (let i = 1; i < o.length; i++) t.true(o[i - 1]!.block <= o[i]!.block);
        t.deepEqual(seededShuffle(xs, seed).length, xs.length);
      },
    ),
  );
});

test('shared configurations: the first run of a configuration and seed runs, later ones point at it', (t) => {
  const runs = [
    { key: 'q1/a/1', config: 'X', seed: 1 },
    { key: 'q1/b/1', config: 'Y', seed: 1 },
    { key: 'q2/c/1', config: 'X', seed: 1 },
    { key: 'q2/c/2', config: 'X', seed: 2 },
    { key: 'q3/d/1', config: 'X', seed: 1 },
  ];
  t.deepEqual(
    [...sharing(runs)],
    [
      ['q2/c/1', 'q1/a/1'],
      ['q3/d/1', 'q1/a/1'],
    ],
  );
  t.is(
    canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } }),
    '{"a":{"d":[1,{"x":1,"y":2}]},"b":1}',
  );
  fc.assert(
    fc.property(
      fc.array(
        fc.record({ config: fc.constantFrom('X', 'Y', 'Z'), seed: fc.integer({ min: 1, max: 3 }) }),
      ),
      (xs) => {
        const rs = xs.map((x, i) => ({ ...x, key: String(i) }));
        const same = sharing(rs);
        rs.forEach((r, i) => {
          const first = rs.findIndex((x) => x.config === r.config && x.seed === r.seed);
          t.is(same.get(r.key), first === i ? undefined : String(first));
        });
      },
    ),
  );
});

test('typed numbers in claim texts: results are caught; codes, versions, names, settings, units, quoted values and the source’s own numbers are not', (t) => {
  t.deepEqual(handWrittenNumbers('near 0.007 and 26 s, 10 1213s per 1,000 ops; 3×'), [
    '0.007',
    '26',
    '10',
    '3×',
  ]);
  t.deepEqual(
    handWrittenNumbers(
      'BBS 2016-05 retries a 1213 and a 1047; MDEV-38999, G2-item, n3; wsrep_sync_wait 7; `clients.backoffMs: 500`; {{q.v.m.median}}',
    ),
    [],
  );
  t.deepEqual(handWrittenNumbers('measured 0.007 against the claimed 0.060', new Set(['0.060'])), [
    '0.007',
  ]);
  t.deepEqual(
    handWrittenNumbers('1500 ops'),
    ['1500'],
    'a 4-digit number that is no MySQL code is a figure',
  );
  fc.assert(
    fc.property(
      fc.array(
        fc.constantFrom(
          'the',
          'proxy',
          '1213s',
          '2016-11',
          'G-single',
          '`x: 5`',
          '{{a.b.c.n}}',
          'per 1,000',
          'wsrep_sync_wait 0',
        ),
      ),
      fc.double({ min: 0.01, max: 999, noNaN: true }),
      (words, x) => {
        t.deepEqual(handWrittenNumbers(words.join(' ')), []);
        const figure = x.toFixed(2);
        t.deepEqual(handWrittenNumbers(`${words.join(' ')} then ${figure} seconds`), [figure]);
      },
    ),
  );
});

test('template stats from a figure (worked by hand)', (t) => {
  // Values 4, 0, 10: sorted 0, 4, 10; median 4; with 3 runs the interval is the range.
  const f = { interval: interval([4, 0, 10]), digits: 1 };
  t.deepEqual(
    (['median', 'low', 'high', 'min', 'max', 'n', 'nonzero', 'interval'] as const).map((s) =>
      statText(f, s),
    ),
    ['4.0', '0.0', '10.0', '0.0', '10.0', '3', '2', '4.0 [0.0–10.0]'],
  );
  t.is(statText({ interval: interval([]), digits: 1 }, 'median'), 'n/a (no runs)');
  t.is(statText({ interval: interval([]), digits: 1 }, 'n'), '0');
});

test('run facts: rate, load samples and provenance read loosely; absent fields are null or empty', (t) => {
  const f = runFacts({
    rate: { offered: 120, achieved: 96.5, keptUp: false },
    machine: {
      samples: [
        { t: 0, load1: 1.5, steal: 0 },
        { t: 1, load1: 2.5, steal: 3 },
      ],
    },
    provenance: { lab: { commit: 'abc', dirty: false } },
  });
  t.deepEqual(f, {
    keptUp: false,
    offered: 120,
    achieved: 96.5,
    load1: [1.5, 2.5],
    steal: [0, 3],
    load1Range: [1.5, 2.5],
    stealRange: [0, 3],
    loadSamples: 2,
    provenance: { lab: { commit: 'abc', dirty: false } },
  });
  t.deepEqual(runFacts({ stats: {}, check: {} }), {
    keptUp: null,
    offered: null,
    achieved: null,
    load1: [],
    steal: [],
    load1Range: null,
    stealRange: null,
    loadSamples: 0,
    provenance: null,
  });
  // What results.json holds (report/machine.ts): the run's own summary of its samples.
  const summarized = runFacts({
    machine: {
      samples: 30,
      cores: 2,
      load1: { min: 0.5, median: 1.2, max: 4 },
      busyPct: null,
      stealPct: { min: 0, median: 0.1, max: 2 },
    },
  });
  t.like(summarized, {
    load1: [1.2],
    load1Range: [0.5, 4],
    steal: [0.1],
    stealRange: [0, 2],
    loadSamples: 30,
  });
  // Two summarized runs (medians 1.2 and 2.0): the middle is their median 1.6, the ends the lowest
  // and highest sample.
  const other = runFacts({
    machine: {
      samples: 10,
      load1: { min: 1, median: 2, max: 3 },
      stealPct: { min: 0, median: 0, max: 0 },
    },
  });
  const p = summarizeProvenance(
    {
      machine: { cores: 2, cpuModel: 'C', memGiB: 4, platform: 'L' },
      command: 'x',
      budgetSec: null,
      runs: [],
    },
    [summarized, other],
  );
  t.deepEqual(p.load, {
    runs: 2,
    samples: 40,
    load1: { min: 0.5, median: 1.6, max: 4 },
    steal: { min: 0, median: 0.05, max: 2 },
  });
  t.deepEqual(runFacts({ machine: { load1: [1, 2] } }).load1, [1, 2]);
});

test('provenance: commits counted per run, load and rates as median [min–max], the state as fallback (worked by hand)', (t) => {
  const fact = (over: Partial<RunFacts>): RunFacts => ({
    keptUp: null,
    offered: null,
    achieved: null,
    load1: [],
    steal: [],
    load1Range: null,
    stealRange: null,
    loadSamples: over.load1?.length ?? 0,
    provenance: null,
    ...over,
  });
  const lab = (commit: string, dirty: boolean) => ({
    lab: { commit, dirty },
    node: 'v20.19.0',
    mariadb: '1:11.8.3',
    galera: '26.4.22',
    etcd: null,
    machine: { cores: 2, memoryGiB: 7.8 },
  });
  const state = {
    machine: { cores: 2, cpuModel: 'CPU', memGiB: 7.81, platform: 'Linux' },
    command: 'node bin/bbs-lab.js investigate c.yaml --budget 45m --order-seed 7',
    budgetSec: 2700,
    orderSeed: 7,
    provenance: [{ ...lab('old', false), at: '2026-01-01' }],
    runs: [
      {
        key: 'q/a/1',
        question: 'q',
        variant: 'a',
        seed: 1,
        status: 'done' as const,
        nodes: 1,
        durationSec: 5,
      },
      {
        key: 'q/b/1',
        question: 'q',
        variant: 'b',
        seed: 1,
        status: 'done' as const,
        nodes: 1,
        durationSec: 5,
      },
      {
        key: 'q/a/2',
        question: 'q',
        variant: 'a',
        seed: 2,
        status: 'done' as const,
        nodes: 1,
        durationSec: 5,
      },
    ],
  };
  // Three runs: commit a clean twice, b dirty once; load 1, 2, 3 and 5 → median (2 + 3) / 2 = 2.5;
  // offered 100 twice, achieved 99 and 80; one kept up, one did not, one unknown.
  const p = summarizeProvenance(state, [
    fact({ provenance: lab('a', false), load1: [1, 2], offered: 100, achieved: 99, keptUp: true }),
    fact({ provenance: lab('a', false), load1: [3] }),
    fact({ provenance: lab('b', true), load1: [5], offered: 100, achieved: 80, keptUp: false }),
  ]);
  t.deepEqual(p.lab, [
    { commit: 'a', dirty: false, runs: 2 },
    { commit: 'b', dirty: true, runs: 1 },
  ]);
  t.deepEqual(p.components, {
    node: ['v20.19.0'],
    mariadb: ['1:11.8.3'],
    galera: ['26.4.22'],
    etcd: [],
  });
  t.deepEqual(p.load, { runs: 3, samples: 4, load1: { min: 1, median: 2.5, max: 5 }, steal: null });
  t.deepEqual(p.rate, {
    runs: 2,
    keptUp: 1,
    notKeptUp: 1,
    offered: { min: 100, median: 100, max: 100 },
    achieved: { min: 80, median: 89.5, max: 99 },
  });
  t.deepEqual(p.seeds, { q: [1, 2] });
  t.is(p.command, state.command);
  // Runs that recorded nothing: the campaign's own record, with no run count.
  t.deepEqual(summarizeProvenance(state, [fact({})]).lab, [
    { commit: 'old', dirty: false, runs: null },
  ]);
});

const committed: CommittedFindings = {
  campaign: 'tiny',
  questions: [
    {
      id: 'qa',
      metrics: ['ops'],
      variants: [
        {
          name: 'A',
          runs: [
            { seed: 1, status: 'done', values: { ops: 100 } },
            { seed: 2, status: 'done', values: { ops: 120 } },
            { seed: 3, status: 'failed' },
          ],
          metrics: { ops: { unit: 'ops', digits: 0, median: 110, low: 100, high: 120, n: 2 } },
        },
        {
          name: 'B',
          runs: [
            { seed: 1, status: 'done', values: { ops: 50 } },
            { seed: 2, status: 'done', values: { ops: 70 } },
            { seed: 3, status: 'done', values: { ops: 60 } },
          ],
          metrics: { ops: { unit: 'ops', digits: 0, median: 60, low: 50, high: 70, n: 3 } },
        },
      ],
    },
  ],
};

test('verification: the sample takes seeds every variant ran; each fresh median held against the committed interval', (t) => {
  t.deepEqual(committedSeeds(committed.questions[0]!), [1, 2], 'seed 3 failed in A');
  const one = sampleSeeds(committed, 1, 5);
  t.is(one[0]!.seeds.length, 1);
  t.true([1, 2].includes(one[0]!.seeds[0]!));
  t.deepEqual(sampleSeeds(committed, 1, 5), one, 'seeded: the same sample again');
  t.deepEqual(sampleSeeds(committed, 5, 5)[0]!.seeds, [1, 2]);
  // A re-run on seed 2: A gives 125 (outside 100–120), B 70 (inside 50–70, the bound counts).
  const v = verifyFigures(committed, [
    { question: 'qa', variant: 'A', seed: 2, values: { ops: 125 } },
    { question: 'qa', variant: 'B', seed: 2, values: { ops: 70 } },
  ]);
  t.deepEqual(
    v.map((x) => [x.variant, x.fresh.median, x.committed.sameSeeds, x.inside]),
    [
      ['A', 125, [120], false],
      ['B', 70, [70], true],
    ],
  );
  // A failed re-run is not measured; two seeds give their median.
  const w = verifyFigures(committed, [
    { question: 'qa', variant: 'A', seed: 1, values: null },
    { question: 'qa', variant: 'B', seed: 1, values: { ops: 40 } },
    { question: 'qa', variant: 'B', seed: 2, values: { ops: 60 } },
  ]);
  t.deepEqual(
    w.map((x) => [x.variant, x.fresh.median, x.inside]),
    [
      ['A', null, null],
      ['B', 50, true],
    ],
  );
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 3 }),
      (xs) => {
        const fresh = xs.map((x, i) => ({
          question: 'qa',
          variant: 'B',
          seed: i + 1,
          values: { ops: x },
        }));
        const s = [...xs].sort((a, b) => a - b);
        const med =
          s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
        t.is(verifyFigures(committed, fresh)[0]!.inside, med >= 50 && med <= 70);
      },
    ),
  );
});

test('the last section of a document is replaced, or appended when missing', (t) => {
  const md = '# T\n\n## Other\n\nx\n\n## <a id="verification"></a>Last verification\n\nold\n';
  t.is(
    replaceLastSection(
      md,
      '## <a id="verification"></a>Last verification',
      '## <a id="verification"></a>Last verification\n\nnew\n',
    ),
    '# T\n\n## Other\n\nx\n\n## <a id="verification"></a>Last verification\n\nnew\n',
  );
  t.is(replaceLastSection('# T\n', '## V', '## V\n\nnew\n'), '# T\n\n## V\n\nnew\n');
  const html = '<body>\n<h2>A</h2>\n<h2 id="verification">Last</h2>\n<p>old</p>\n</body></html>\n';
  t.is(
    replaceLastSection(
      html,
      '<h2 id="verification">',
      '<h2 id="verification">Last</h2>\n<p>new</p>\n',
      '</body>',
    ),
    '<body>\n<h2>A</h2>\n<h2 id="verification">Last</h2>\n<p>new</p>\n</body></html>\n',
  );
  t.is(
    replaceLastSection(
      '<body>\n<p>x</p>\n</body></html>',
      '<h2 id="verification">',
      '<h2 id="verification">V</h2>\n',
      '</body>',
    ),
    '<body>\n<p>x</p>\n<h2 id="verification">V</h2>\n</body></html>',
  );
});

test('the verification section: counts, what fell outside, what was not counted, the command (worked by hand)', async (t) => {
  const { verificationParagraphs, verificationText } = await import(
    '../../lab/investigate/verify.ts'
  );
  const figures = verifyFigures(committed, [
    { question: 'qa', variant: 'A', seed: 2, values: { ops: 125 } },
    { question: 'qa', variant: 'B', seed: 2, values: { ops: 70 } },
  ]);
  const v = {
    campaign: 'tiny',
    at: '2026-03-04T05:06:07.000Z',
    command: 'node bin/bbs-lab.js investigate c.yaml --verify findings/tiny',
    seedsPerVariant: 1,
    sample: [{ question: 'qa', seeds: [2] }],
    runs: [
      { key: 'qa/A/2', status: 'done', keptUp: true },
      { key: 'qa/B/2', status: 'done', keptUp: false },
    ],
    figures,
    inside: 1,
    outside: 1,
    unmeasured: 0,
    provenance: summarizeProvenance(
      {
        machine: { cores: 2, cpuModel: 'C', memGiB: 4, platform: 'L' },
        command: 'x',
        budgetSec: null,
        runs: [],
      },
      [
        {
          keptUp: true,
          offered: null,
          achieved: null,
          load1: [1, 3],
          steal: [],
          load1Range: [1, 3],
          stealRange: null,
          loadSamples: 2,
          provenance: { lab: { commit: '0123456789abcdef', dirty: true } },
        },
      ],
    ),
  };
  // 1 of 2 inside (50%); A's 125 is outside 100–120; load median (1 + 3) / 2 = 2. Expected inside
  // if the runs reproduce: A's range of 2 runs holds a third with probability 1/3, B's of 3 runs 2/4;
  // the mean 5/12 = 42%.
  t.deepEqual(verificationParagraphs(v, { campaignFile: 'c.yaml', findings: 'findings/tiny' }), [
    'Last verification: 2026-03-04, lab 0123456789ab (with uncommitted changes): 1 seed(s) per variant re-run (qa seed 2); 1 of 2 figure(s) inside the committed intervals (50%) (if the runs reproduce, at least 42% are expected inside: one fresh run falls within the range of n committed runs with probability (n − 1)/(n + 1)), 1 outside; 1-min load average during the re-runs 2.00 [1.00–3.00].',
    'Outside: qa/A, ops the clients invoked in the run: 125 (committed 110 [100–120]).',
    'Not counted: qa/B/2 (rate not kept up).',
    'Every figure and the command are in verification.json. `node bin/bbs-lab.js investigate c.yaml --verify findings/tiny` re-runs one seed per variant (`--budget` for more) and records here whether each figure falls inside its committed interval.',
  ]);
  t.regex(
    verificationText(v),
    /qa\/A ops: 125 \(committed 110 \[100–120\]; same seed then 120\): OUTSIDE/,
  );
});

test('verification: an outside figure gets the digits that tell it from the bound it passed; inside ones keep their own', (t) => {
  const fig = (median: number, low: number, high: number, inside: boolean) => ({
    digits: 1,
    inside,
    fresh: { median },
    committed: { low, high },
  });
  // 3.52 past a high of 3.50: one digit prints both as 3.5, two tell them apart.
  t.is(shownDigits(fig(3.52, 3.3, 3.5, false)), 2);
  // 0.02 past [0, 0]: 0.0 at one digit, 0.02 at two.
  t.is(shownDigits(fig(0.02, 0, 0, false)), 2);
  // Below the low bound: compared with the low one.
  t.is(shownDigits(fig(3.2996, 3.3, 3.5, false)), 4);
  t.is(shownDigits(fig(3.6, 3.3, 3.5, false)), 1);
  t.is(shownDigits(fig(3.45, 3.3, 3.5, true)), 1);
  // Never more than three extra digits.
  t.is(shownDigits(fig(3.500001, 3.3, 3.5, false)), 4);
});

test('the share expected inside if the runs reproduce: (n − 1)/(n + 1) per figure of one fresh run', async (t) => {
  const { expectedInsideShare } = await import('../../lab/investigate/verify.ts');
  const fig = (n: number, fresh: number[], inside: boolean | null = true) => ({
    inside,
    committed: { median: 0, low: 0, high: 1, n, sameSeeds: [] },
    fresh: { seeds: fresh.map((_, i) => i), values: fresh, median: fresh[0] ?? null },
  });
  // 6 committed runs: 5/7.
  t.is(expectedInsideShare([fig(6, [1])]), 5 / 7);
  // 3 and 6 runs: (2/4 + 5/7) / 2; a figure not measured is left out.
  t.is(expectedInsideShare([fig(3, [1]), fig(6, [2], false), fig(6, [], null)]), (0.5 + 5 / 7) / 2);
  // A median of two fresh runs has another chance: not computed.
  t.is(expectedInsideShare([fig(6, [1, 2])]), null);
  t.is(expectedInsideShare([]), null);
});
