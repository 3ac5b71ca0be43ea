// Elle's published histories in the shapes its tests give them, hand-made here (keys and values
// our own), and the script that runs Elle's files themselves (lab/bench/elle-histories.ts).

import test from 'ava';
import { checkIsolation, type CycleAnomaly } from '../../lab/checkers/isolation/index.ts';
import { describe, readElleHistory } from '../../lab/bench/elle-histories.ts';
import { found, txn, assertWellFormed } from './isolation-helpers.ts';

const [X, Y, Z] = [1, 2, 3];

test("the shape of Elle's si-without-g-single: G2-item only, ruling out repeatable read and up", (t) => {
  // T1 appends 7 to x (read by T4). T2 appends 1 to y, reads x empty. T3 reads z and y empty and
  // appends 5 to x. T4 appends 2 to z and reads x as [7]. Nobody reads y, z, or x's 5: each is
  // placed by the inference (after the last append read). Every cycle needs two rw edges:
  // T3 -rw(z)-> T4 -rw(x)-> T3, and T3 -rw(y)-> T2 -rw(x)-> T1 -ww(x)-> T3.
  const concurrent = { at: [0, 100] as [number, number] };
  const h = [
    txn(1, [['append', X, 7]], concurrent),
    txn(
      2,
      [
        ['append', Y, 1],
        ['r', X, []],
      ],
      concurrent,
    ),
    txn(
      3,
      [
        ['r', Z, []],
        ['r', Y, []],
        ['append', X, 5],
      ],
      concurrent,
    ),
    txn(
      4,
      [
        ['append', Z, 2],
        ['r', X, [7]],
      ],
      concurrent,
    ),
  ];
  for (const consistency of ['serializable', 'strict-serializable'] as const) {
    const res = checkIsolation(h, { consistency });
    assertWellFormed(t, res, h);
    t.deepEqual(found(res), { 'G2-item': 1 });
    t.deepEqual(res.rulesOut['G2-item'], [
      'repeatable-read',
      'serializable',
      'strong-session-serializable',
      'strict-serializable',
    ]);
    t.true(
      (res.anomalies['G2-item'][0] as CycleAnomaly).cycle.filter((s) => s.kind === 'rw').length >=
        2,
    );
  }
});

test("the shape of Elle's G-nonadjacent-test: G-nonadjacent-item, ruling out repeatable read, snapshot isolation and up", (t) => {
  // Elle: T1 ax1; T2 rx1 ry (empty); T3 ay1; T4 ry1 rx (empty). Its cycle T4 -rw(x)-> T1 -wr(x)->
  // T2 -rw(y)-> T3 -wr(y)-> T4: two rw edges, not adjacent. Elle's :not is #{:snapshot-isolation
  // :repeatable-read}, the weakest of the models listed here.
  const concurrent = { at: [0, 100] as [number, number] };
  const h = [
    txn(1, [['append', X, 1]], concurrent),
    txn(
      2,
      [
        ['r', X, [1]],
        ['r', Y, []],
      ],
      concurrent,
    ),
    txn(3, [['append', Y, 1]], concurrent),
    txn(
      4,
      [
        ['r', Y, [1]],
        ['r', X, []],
      ],
      concurrent,
    ),
  ];
  for (const consistency of ['serializable', 'strict-serializable'] as const) {
    const res = checkIsolation(h, { consistency });
    assertWellFormed(t, res, h);
    t.deepEqual(found(res), { 'G-nonadjacent-item': 1 });
    const cycle = (res.anomalies['G-nonadjacent-item'][0] as CycleAnomaly).cycle;
    const start = cycle.findIndex((s) => s.from === 4);
    t.deepEqual(
      [...cycle.slice(start), ...cycle.slice(0, start)].map((s) => [s.from, s.kind, s.key]),
      [
        [4, 'rw', X],
        [1, 'wr', X],
        [2, 'rw', Y],
        [3, 'wr', Y],
      ],
    );
    t.deepEqual(res.rulesOut['G-nonadjacent-item']!.slice(0, 2), [
      'repeatable-read',
      'snapshot-isolation',
    ]);
  }
});

test("Elle-shaped EDN without :process or :f is read as one process of txns; the script's line names counts and models", (t) => {
  const edn = [
    '{:index 0 :type :invoke :value [[:append 5 1] [:r 6 nil]]}',
    '{:index 1 :type :ok :value [[:append 5 1] [:r 6 nil]]}',
    '{:index 2 :type :invoke :value [[:append 6 1] [:r 5 nil]]}',
    '{:index 3 :type :ok :value [[:append 6 1] [:r 5 nil]]}',
  ].join('\n');
  const ops = readElleHistory(edn, 'bare.edn');
  t.is(ops.length, 2);
  t.deepEqual(
    ops.map((o) => [o.f, o.process, o.complete?.type]),
    [
      ['txn', 0, 'ok'],
      ['txn', 0, 'ok'],
    ],
  );
  // Each read 5 / 6 as nil (empty) and appended to the other: write skew, G2-item.
  const res = checkIsolation(ops, { consistency: 'serializable' });
  t.is(
    describe(res),
    'G2-item ×1; rules out repeatable-read, serializable, strong-session-serializable, strict-serializable',
  );
  t.is(describe(checkIsolation(ops.slice(0, 1), { consistency: 'serializable' })), 'valid');
});
