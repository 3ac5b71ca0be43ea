// The list-append isolation checker, both ways: hand-written histories with one known anomaly
// each (and nothing else reported), serially executed random histories that must always be valid,
// and the same histories with one planted violation that must always be caught.

import test from 'ava';
import fc from 'fast-check';
import {
  checkIsolation,
  TxnInputError,
  type CycleAnomaly,
  type IsolationOptions,
} from '../../lab/checkers/isolation/index.ts';
import {
  simulateSerial,
  type PlannedOutcome,
  type PlannedTxn,
} from '../../lab/checkers/isolation/simulate.ts';
import type { Op } from '../../lab/history/event.ts';
import { assertWellFormed, found, txn } from './isolation-helpers.ts';

const check = (ops: Op[], opts: IsolationOptions = {}) => checkIsolation(ops, opts);
const X = 1;
const Y = 2;

test('a serial history is valid, with and without process and real-time order', (t) => {
  const h = [
    txn(0, [['append', X, 1]]),
    txn(1, [
      ['r', X, [1]],
      ['append', X, 2],
    ]),
    txn(2, [
      ['r', X, [1, 2]],
      ['append', Y, 3],
      ['r', Y, [3]],
    ]),
    txn(3, [
      ['r', Y, [3]],
      ['r', X, [1, 2]],
    ]),
    txn(4, [['r', 9, []]]),
  ];
  for (const opts of [{}, { realtime: true }, { realtime: true, process: true }]) {
    const res = check(h, opts);
    assertWellFormed(t, res, h);
    t.true(res.valid, JSON.stringify(res.counts));
    t.is(res.txns, 5);
  }
  t.is(
    check(h).summary,
    '5 transactions checked, no anomaly found (G0, G1a, G1b, G1c, G-single-item, G-nonadjacent-item, G2-item, lost update). Checked against serializability (ww, wr and rw dependencies only).',
  );
});

test('G0: two txns append to x and y in opposite orders', (t) => {
  const h = [
    txn(1, [
      ['append', X, 1],
      ['append', Y, 2],
    ]),
    txn(2, [
      ['append', X, 3],
      ['append', Y, 4],
    ]),
    txn(3, [
      ['r', X, [1, 3]],
      ['r', Y, [4, 2]],
    ]),
  ];
  const res = check(h);
  assertWellFormed(t, res, h);
  t.deepEqual(found(res), { G0: 1 });
  const a = res.anomalies.G0[0] as CycleAnomaly;
  t.deepEqual(
    a.cycle.map((s) => s.kind),
    ['ww', 'ww'],
  );
  t.deepEqual(new Set(a.cycle.map((s) => s.from)), new Set([1, 2]));
  t.regex(a.explanation, /T2 appended 3 to list 1 after T1's append of 1 \(ww\)/);
  t.regex(a.explanation, /G0/);
  t.regex(res.summary, /^3 transactions checked; G0 ×1 /);
});

test('G1a: a committed txn reads the append of a failed one', (t) => {
  const h = [txn(1, [['append', X, 1]], { outcome: 'fail' }), txn(2, [['r', X, [1]]])];
  const res = check(h);
  assertWellFormed(t, res, h);
  t.deepEqual(found(res), { G1a: 1 });
  t.like(res.anomalies.G1a[0], { op: 2, txn: 1, key: X, value: 1 });
  t.is(res.txns, 1, 'the failed txn is not counted');
});

test('G1b: a read ends in an append that its txn later followed with another', (t) => {
  const h = [
    txn(1, [
      ['append', X, 1],
      ['append', X, 2],
    ]),
    txn(2, [['r', X, [1]]], { at: [12, 30] }),
  ];
  const res = check(h);
  assertWellFormed(t, res, h);
  // Also a G-single, as Elle reports it (its list_append_test "G1b"): no read saw T1's 2, so it
  // came after 1, which T2 read: T2 -rw-> T1 -wr-> T2.
  t.deepEqual(found(res), { G1b: 1, 'G-single-item': 1 });
  t.like(res.anomalies.G1b[0], { op: 2, txn: 1, key: X, value: 1, final: 2 });
  t.deepEqual((res.anomalies['G-single-item'][0] as CycleAnomaly).cycle, [
    { from: 2, to: 1, kind: 'rw', key: X, value: 2 },
    { from: 1, to: 2, kind: 'wr', key: X, value: 1 },
  ]);
});

test('G1c: each txn reads the other one’s append (wr cycle)', (t) => {
  const h = [
    txn(1, [
      ['append', X, 1],
      ['r', Y, [2]],
    ]),
    txn(2, [
      ['append', Y, 2],
      ['r', X, [1]],
    ]),
  ];
  const res = check(h);
  assertWellFormed(t, res, h);
  t.deepEqual(found(res), { G1c: 1 });
  t.deepEqual(
    (res.anomalies.G1c[0] as CycleAnomaly).cycle.map((s) => s.kind),
    ['wr', 'wr'],
  );
});

test('G-single-item: read skew', (t) => {
  // T1 sees x before T2's append but y after it.
  const h = [
    txn(1, [
      ['r', X, []],
      ['r', Y, [2]],
    ]),
    txn(2, [
      ['append', X, 1],
      ['append', Y, 2],
    ]),
    txn(3, [['r', X, [1]]]),
  ];
  const res = check(h);
  assertWellFormed(t, res, h);
  t.deepEqual(found(res), { 'G-single-item': 1 });
  const a = res.anomalies['G-single-item'][0] as CycleAnomaly;
  t.deepEqual(a.cycle.map((s) => s.kind).sort(), ['rw', 'wr']);
  t.deepEqual(
    a.cycle.find((s) => s.kind === 'rw'),
    { from: 1, to: 2, kind: 'rw', key: X, value: 1 },
  );
  t.regex(a.explanation, /T1 read list 1 without T2's 1 \(rw\)/);
  t.regex(a.explanation, /T1 read list 2 ending in T2's 2 \(wr\)/);
});

test('G2-item: write skew', (t) => {
  const h = [
    txn(1, [
      ['r', X, []],
      ['r', Y, []],
      ['append', X, 1],
    ]),
    txn(2, [
      ['r', X, []],
      ['r', Y, []],
      ['append', Y, 2],
    ]),
    txn(3, [
      ['r', X, [1]],
      ['r', Y, [2]],
    ]),
  ];
  const res = check(h);
  assertWellFormed(t, res, h);
  t.deepEqual(found(res), { 'G2-item': 1 });
  t.deepEqual(
    (res.anomalies['G2-item'][0] as CycleAnomaly).cycle.map((s) => s.kind),
    ['rw', 'rw'],
  );
});

test('a G2-item cycle is found next to a G-single-item in the same component', (t) => {
  // T1/T2 write skew on x, y; T3 reads y with T2's append but z without T4's, which read y first.
  const h = [
    txn(1, [
      ['r', X, []],
      ['r', Y, []],
      ['append', X, 1],
    ]),
    txn(2, [
      ['r', X, []],
      ['r', Y, []],
      ['append', Y, 2],
    ]),
    txn(3, [
      ['r', X, [1]],
      ['r', Y, [2]],
      ['r', 3, []],
    ]),
    txn(4, [
      ['append', 3, 4],
      ['append', X, 5],
    ]),
    txn(5, [
      ['r', X, [1, 5]],
      ['r', 3, [4]],
    ]),
  ];
  const res = check(h);
  assertWellFormed(t, res, h);
  t.is(res.counts['G2-item'], 1);
  t.false(res.valid);
});

test('lost update: two txns read the same version and both append', (t) => {
  const h = [
    txn(
      1,
      [
        ['r', X, []],
        ['append', X, 1],
      ],
      { at: [0, 20] },
    ),
    txn(
      2,
      [
        ['r', X, []],
        ['append', X, 2],
      ],
      { at: [5, 25] },
    ),
    txn(3, [['r', X, [1, 2]]]),
  ];
  const res = check(h);
  assertWellFormed(t, res, h);
  t.is(res.counts['lost-update'], 1);
  t.like(res.anomalies['lost-update'][0], {
    key: X,
    version: null,
    txns: [
      { txn: 1, appended: [1] },
      { txn: 2, appended: [2] },
    ],
  });
  // The same history is a G-single too: T2 read x without T1's 1, yet appended after it.
  t.deepEqual(found(res), { 'lost-update': 1, 'G-single-item': 1 });
});

test('incompatible order: two reads that are not prefixes of one another', (t) => {
  const h = [
    txn(1, [['append', X, 1]]),
    txn(2, [['append', X, 2]]),
    txn(3, [['r', X, [1, 2]]]),
    txn(4, [['r', X, [2, 1]]]),
  ];
  const res = check(h);
  assertWellFormed(t, res, h);
  t.deepEqual(found(res), { 'incompatible-order': 1 });
  t.like(res.anomalies['incompatible-order'][0], { key: X, index: 0 });
  t.regex(res.anomalies['incompatible-order'][0]!.explanation, /disagree at position 0/);
});

test('one corrupt read among many is one incompatible order, and does not become the order', (t) => {
  const h = [
    txn(1, [['append', X, 1]]),
    txn(2, [['append', X, 2]]),
    txn(3, [['append', X, 3]]),
    txn(4, [['r', X, [1, 3]]]),
    txn(5, [['r', X, [1, 2]]]),
    txn(6, [['r', X, [1, 2, 3]]]),
    txn(7, [['r', X, [1, 2, 3]]]),
  ];
  const res = check(h);
  assertWellFormed(t, res, h);
  t.deepEqual(found(res), { 'incompatible-order': 1 });
  t.like(res.anomalies['incompatible-order'][0], {
    key: X,
    index: 1,
    reads: [{ op: 5 }, { op: 4 }],
  });
});

test('duplicate, garbage and internal reads', (t) => {
  const dup = [txn(1, [['append', X, 1]]), txn(2, [['r', X, [1, 1]]])];
  t.deepEqual(found(check(dup)), { 'duplicate-append': 1 });
  // A read with a duplicate says nothing about order: no ww cycle 1 → 2 → 1 is made up from it.
  const dupOrder = [
    txn(1, [['append', X, 1]]),
    txn(2, [['append', X, 2]]),
    txn(3, [['r', X, [1, 2, 1]]]),
  ];
  t.deepEqual(found(check(dupOrder)), { 'duplicate-append': 1 });
  const appendedTwice = [txn(1, [['append', X, 1]]), txn(2, [['append', X, 1]])];
  t.like(check(appendedTwice).anomalies['duplicate-append'][0], { op: 2, txn: 1, value: 1 });

  const garbage = [txn(1, [['append', Y, 1]]), txn(2, [['r', X, [9]]]), txn(3, [['r', 3, [1]]])];
  const g = check(garbage);
  assertWellFormed(t, g, garbage);
  t.deepEqual(found(g), { 'garbage-read': 2 }, 'never appended, and appended to another key');

  const ownAppend = [
    txn(1, [
      ['append', X, 1],
      ['r', X, []],
    ]),
  ];
  const own = check(ownAppend);
  assertWellFormed(t, own, ownAppend);
  t.deepEqual(found(own), { internal: 1 });
  t.like(own.anomalies.internal[0], { op: 1, key: X, expected: [1], exact: false, read: [] });

  const nonRepeatable = [
    txn(1, [['append', X, 1]]),
    txn(2, [['append', X, 2]]),
    txn(
      3,
      [
        ['r', X, [1]],
        ['r', X, [1, 2]],
      ],
      { at: [12, 40] },
    ),
  ];
  const nr = check(nonRepeatable);
  assertWellFormed(t, nr, nonRepeatable);
  t.is(nr.counts.internal, 1);
  t.like(nr.anomalies.internal[0], { op: 3, expected: [1], exact: true, read: [1, 2] });
});

test('real time: a stale read is a cycle only with real-time order', (t) => {
  const h = [
    txn(1, [['append', X, 1]], { at: [0, 10] }),
    txn(2, [['r', X, []]], { at: [20, 30] }),
    txn(3, [['r', X, [1]]], { at: [40, 50] }),
  ];
  t.true(check(h).valid);
  const res = check(h, { realtime: true });
  assertWellFormed(t, res, h);
  t.deepEqual(found(res), { 'G-single-item-realtime': 1 });
  const a = res.anomalies['G-single-item-realtime'][0] as CycleAnomaly;
  t.deepEqual(a.cycle, [
    { from: 2, to: 1, kind: 'rw', key: X, value: 1 },
    { from: 1, to: 2, kind: 'realtime' },
  ]);
  t.regex(
    a.explanation,
    /T1 completed before T2 began \(realtime\): .*closed by real-time order \(Elle's G-single-item-realtime\)\.$/,
  );
  // Overlapping in time, the same reads are fine.
  const overlapping = [txn(1, [['append', X, 1]], { at: [0, 25] }), h[1]!, h[2]!];
  t.true(check(overlapping, { realtime: true }).valid);
});

test('process order: a process that does not see its own earlier append', (t) => {
  const h = [
    txn(1, [['append', X, 1]], { process: 7, at: [0, 10] }),
    txn(2, [['r', X, []]], { process: 7, at: [5, 30] }),
    txn(3, [['r', X, [1]]], { process: 8, at: [40, 50] }),
  ];
  // Times overlap (bad clocks), so only process order shows it.
  t.true(check(h, { realtime: true }).valid);
  const res = check(h, { process: true });
  t.deepEqual(found(res), { 'G-single-item-process': 1 });
  t.deepEqual(
    (res.anomalies['G-single-item-process'][0] as CycleAnomaly).cycle.map((s) => s.kind),
    ['rw', 'process'],
  );
});

test('info and unfinished txns are committed exactly when a read saw their appends', (t) => {
  for (const outcome of ['info', 'open'] as const) {
    const seen = [
      txn(
        1,
        [
          ['append', X, 1],
          ['append', Y, 2],
        ],
        { outcome },
      ),
      txn(2, [
        ['r', X, [1]],
        ['r', Y, []],
      ]),
      txn(3, [['r', Y, [2]]]),
    ];
    const res = check(seen);
    assertWellFormed(t, res, seen);
    t.deepEqual(found(res), { 'G-single-item': 1 }, outcome);
    t.is(res.txns, 3);
    t.regex(res.summary, /1 of them indeterminate, 1 of those seen committed/);
    // Unseen, it may never have happened, even though it "completed" before the reader began.
    const unseen = [
      txn(1, [['append', X, 1]], { outcome, at: [0, 5] }),
      txn(2, [['r', X, []]], { at: [10, 15] }),
    ];
    t.true(check(unseen, { realtime: true }).valid, outcome);
  }
});

test('ops other than txns are ignored; malformed micro-ops are refused, naming the txn and the micro-op', (t) => {
  const other: Op = {
    op: 9,
    process: 0,
    client: 0,
    f: 'read',
    invoke: { type: 'invoke', index: 0, time: 0, op: 9, process: 0, client: 0, f: 'read' },
  };
  const h = [other, txn(1, [['append', X, 1]]), txn(2, [['r', X, [1]]])];
  const res = check(h);
  t.true(res.valid);
  t.is(res.txns, 2);
  for (const [bad, why] of [
    [['cas', 1, 2], /micro-op 1 \(\["cas",1,2\]\): the first element must be "append" or "r"/],
    ['junk', /micro-op 1 \("junk"\): a micro-op is a list of three/],
    [['append', { k: 1 }, 3], /the key must be a number or a string/],
    [['append', 'x', 'v'], /an appended value must be a number/],
    [
      ['r', 'x', 5],
      /an ok txn's read must carry the list it read \(an array; \[\] or null for an empty list\)/,
    ],
  ] as const) {
    const h2 = [txn(1, [['append', X, 1]]), txn(2, [['r', X, [1]]])];
    (h2[1]!.complete!.value as unknown[]).push(bad);
    const err = t.throws(() => check(h2), { instanceOf: TxnInputError });
    t.regex(err!.message, why);
    t.is(err!.op, 2);
    t.is(err!.event, 'ok');
  }
});

test('only maxExamples examples are kept, every one counted', (t) => {
  const h = [txn(0, [['append', X, 0]], { outcome: 'fail' })];
  for (let i = 1; i <= 20; i++) h.push(txn(i, [['r', X, [0]]]));
  const res = check(h, { maxExamples: 3 });
  assertWellFormed(t, res, h);
  t.is(res.counts.G1a, 20);
  t.is(res.anomalies.G1a.length, 3);
  t.regex(res.summary, /^20 transactions checked; G1a ×20/);
});

test('long dependency chains and rings do not overflow the stack', (t) => {
  // A recursive Tarjan or DFS overflows Node's default stack near 10,000 frames.
  const n = 30_000;
  // A chain: txn i reads txn i-1's append (wr), n deep.
  const chain: Op[] = [];
  for (let i = 0; i < n; i++)
    chain.push(
      txn(i, [
        ['r', 99 + i, i > 0 ? [i - 1] : []],
        ['append', 100 + i, i],
      ]),
    );
  t.true(check(chain, { realtime: true }).valid);
  // A ring: txn i reads key i-1 before txn i-1's append (rw), and a last txn reads every key.
  const ring: Op[] = [];
  for (let i = 0; i < n; i++)
    ring.push(
      txn(i, [
        ['append', 100 + i, i],
        ['r', 100 + ((i + n - 1) % n), []],
      ]),
    );
  ring.push(
    txn(
      n,
      Array.from({ length: n }, (_, i): ['r', number, number[]] => ['r', 100 + i, [i]]),
    ),
  );
  const res = check(ring);
  t.deepEqual(found(res), { 'G2-item': 1 });
  t.is((res.anomalies['G2-item'][0] as CycleAnomaly).cycle.length, n);
});

// ---- generated histories ------------------------------------------------------------------

const outcome = fc.oneof(
  { arbitrary: fc.constant<PlannedOutcome>('ok'), weight: 12 },
  {
    arbitrary: fc.constantFrom<PlannedOutcome>(
      'fail',
      'info-applied',
      'info-lost',
      'open-applied',
      'open-lost',
    ),
    weight: 3,
  },
);
const planned: fc.Arbitrary<PlannedTxn> = fc.record({
  micro: fc.array(
    fc.tuple(fc.constantFrom('append' as const, 'r' as const), fc.integer({ min: 0, max: 2 })),
    { minLength: 1, maxLength: 4 },
  ),
  outcome,
  client: fc.nat(4),
  gap: fc.nat(3),
  lead: fc.nat(40),
  lag: fc.nat(40),
});
const plan = fc.array(planned, { minLength: 10, maxLength: 40 });

test('property: serially executed histories with overlapping txns are valid', (t) => {
  fc.assert(
    fc.property(plan, fc.integer({ min: 1, max: 5 }), (p, clients) => {
      const h = simulateSerial(p, { clients });
      for (const opts of [{}, { realtime: true, process: true }]) {
        const res = checkIsolation(h, opts);
        if (!res.valid)
          throw new Error(`${res.summary}\n${JSON.stringify(res.anomalies, null, 1)}`);
      }
    }),
    { numRuns: 300 },
  );
  t.pass();
});

type ReadAt = { op: Op; micro: number; key: number; list: number[] };

function readsOf(h: readonly Op[]): ReadAt[] {
  const out: ReadAt[] = [];
  for (const op of h) {
    if (op.complete?.type !== 'ok') continue;
    (op.complete.value as ['r' | 'append', number, number[] | number][]).forEach((m, i) => {
      if (m[0] === 'r') out.push({ op, micro: i, key: m[1], list: m[2] as number[] });
    });
  }
  return out;
}

/** Plants a violation; returns false when this history offers no place for it. */
function plant(h: Op[], kind: 'drop' | 'swap' | 'stale', pick: number): boolean {
  const reads = readsOf(h);
  const set = (r: ReadAt, list: number[]) => {
    (r.op.complete!.value as unknown[])[r.micro] = ['r', r.key, list];
  };
  if (kind === 'drop' || kind === 'swap') {
    // A read of 2+ elements with another read of the key at least as long: they must then conflict.
    const cands = reads.filter(
      (r) =>
        r.list.length >= 2 &&
        reads.some((o) => o !== r && o.key === r.key && o.list.length >= r.list.length),
    );
    if (cands.length === 0) return false;
    const r = cands[pick % cands.length]!;
    const j = (pick >> 4) % (r.list.length - 1);
    const list = r.list.slice();
    if (kind === 'drop') list.splice(j, 1);
    else [list[j], list[j + 1]] = [list[j + 1]!, list[j]!];
    set(r, list);
    return true;
  }
  // Stale: cut a read just before an append whose ok writer completed before the reader began;
  // another read shows that append, so the version order still has it.
  const writer = new Map<number, Op>();
  for (const op of h)
    for (const m of op.invoke.value as unknown[][])
      if (m[0] === 'append') writer.set(m[2] as number, op);
  const cands: [ReadAt, number][] = [];
  for (const r of reads) {
    r.list.forEach((v, j) => {
      const w = writer.get(v)!;
      if (
        w.complete?.type === 'ok' &&
        w.complete.time < r.op.invoke.time &&
        reads.some((o) => o.op !== r.op && o.key === r.key && o.list.includes(v))
      )
        cands.push([r, j]);
    });
  }
  if (cands.length === 0) return false;
  const [r, j] = cands[pick % cands.length]!;
  set(r, r.list.slice(0, j));
  return true;
}

test('property: one planted violation is always found', (t) => {
  let planted = 0;
  fc.assert(
    fc.property(
      plan,
      fc.integer({ min: 1, max: 5 }),
      fc.constantFrom('drop' as const, 'swap' as const, 'stale' as const),
      fc.nat(),
      (p, clients, kind, pick) => {
        const h = structuredClone(simulateSerial(p, { clients }));
        fc.pre(plant(h, kind, pick));
        planted++;
        const res = checkIsolation(h, { realtime: true });
        if (res.valid) throw new Error(`${kind} not found`);
        if (kind !== 'stale' && res.counts['incompatible-order'] === 0)
          throw new Error(`${kind}: ${res.summary}`);
        const ids = new Set(h.map((o) => o.op));
        for (const m of JSON.stringify(res.anomalies).matchAll(/"(?:op|from|to|txn)":\s*(-?\d+)/g))
          if (!ids.has(Number(m[1]))) throw new Error(`names op ${m[1]}`);
      },
    ),
    { numRuns: 300 },
  );
  t.true(planted >= 150, `${planted} histories had a violation planted`);
});

// Builds a txn whose micro-ops may use any key type (the helper's M type is number keys only).
const txnAny = (op: number, micro: unknown[][], o: Parameters<typeof txn>[2] = {}): Op =>
  txn(op, micro as never, o);

test('string keys: a G1a with string keys is found, and the anomaly names the key as written', (t) => {
  const h = [txnAny(0, [['append', 'x', 1]], { outcome: 'fail' }), txnAny(1, [['r', 'x', [1]]])];
  const res = check(h);
  assertWellFormed(t, res, h);
  t.deepEqual(found(res), { G1a: 1 });
  t.like(res.anomalies.G1a[0], { op: 1, txn: 0, key: 'x', value: 1 });
  t.regex(res.anomalies.G1a[0]!.explanation, /read 1 in list x, appended only by T0, which failed/);
  // And the other way: the same history with the append ok is valid.
  const fine = [txnAny(0, [['append', 'x', 1]]), txnAny(1, [['r', 'x', [1]]])];
  t.true(check(fine).valid);
});

test('mixed key types are keyed by their JSON: 1 and "1" are different lists', (t) => {
  // T0 appends 5 to list 1; T1 reads list "1" empty and list 1 as [5]: consistent, since "1" ≠ 1.
  const h = [
    txnAny(0, [['append', 1, 5]]),
    txnAny(1, [
      ['r', '1', []],
      ['r', 1, [5]],
    ]),
  ];
  t.true(check(h).valid);
  // Were they one list, T1's reads would disagree (internal); as two lists, a read of "1" holding 5
  // is garbage: nobody appended 5 to "1".
  const g = [txnAny(0, [['append', 1, 5]]), txnAny(1, [['r', '1', [5]]])];
  const res = check(g);
  t.deepEqual(found(res), { 'garbage-read': 1 });
  t.like(res.anomalies['garbage-read'][0], { key: '1', value: 5 });
  t.regex(res.anomalies['garbage-read'][0]!.explanation, /in list "1"/);
});

test('string keys in cycles: the cycle steps carry the key as written', (t) => {
  const h = [
    txnAny(1, [['append', 'a', 1]], { at: [0, 10] }),
    txnAny(2, [['r', 'a', []]], { at: [20, 30] }),
    txnAny(3, [['r', 'a', [1]]], { at: [40, 50] }),
  ];
  const res = check(h, { consistency: 'strict-serializable' });
  const a = res.anomalies['G-single-item-realtime'][0] as CycleAnomaly;
  t.deepEqual(a.cycle[0], { from: 2, to: 1, kind: 'rw', key: 'a', value: 1 });
  t.regex(a.explanation, /T2 read list a without T1's 1 \(rw\)/);
});

test('consistency models: the stale read is a strict-serializability anomaly only; each says what it rules out', (t) => {
  const h = [
    txn(1, [['append', X, 1]], { at: [0, 10] }),
    txn(2, [['r', X, []]], { at: [20, 30] }),
    txn(3, [['r', X, [1]]], { at: [40, 50] }),
  ];
  const strict = check(h, { consistency: 'strict-serializable' });
  t.is(strict.consistency, 'strict-serializable');
  t.deepEqual(found(strict), { 'G-single-item-realtime': 1 });
  // The cycle needs a real-time edge: it rules out the real-time models only (Elle's
  // G-single-item-realtime).
  t.deepEqual(strict.rulesOut, {
    'G-single-item-realtime': ['strong-snapshot-isolation', 'strict-serializable'],
  });
  t.regex(
    strict.summary,
    /Checked against strict serializability \(dependencies plus real-time order\)\. Ruled out: strong-snapshot-isolation, strict-serializable\./,
  );
  const ser = check(h, { consistency: 'serializable' });
  t.is(ser.consistency, 'serializable');
  t.true(ser.valid);
  t.deepEqual(ser.rulesOut, {});
  t.regex(ser.summary, /Checked against serializability/);
  // The same reads on one process: process order closes it too (strong session serializable).
  const oneProcess = h.map((o) =>
    txn(o.op, o.complete!.value as never, { process: 4, at: [o.invoke.time, o.complete!.time] }),
  );
  const session = check(oneProcess, { consistency: 'strong-session-serializable' });
  t.is(session.consistency, 'strong-session-serializable');
  // Elle: G-single-item-process implies G-single-item-realtime (processes are single-threaded),
  // so the strong (real-time) models are out too.
  t.deepEqual(session.rulesOut, {
    'G-single-item-process': [
      'strong-session-snapshot-isolation',
      'strong-session-serializable',
      'strong-snapshot-isolation',
      'strict-serializable',
    ],
  });
});

test('a data-only cycle rules out the plain models too; a G1a rules out read committed and up', (t) => {
  // G-single from data alone (concurrent txns): T1 reads y empty and x as [3]; T2 appends y 2 and
  // x 3; T3 reads y as [2], so 2 is y's first version. T1 -rw(y)-> T2 -wr(x)-> T1 is a cycle with
  // exactly one rw edge, and no order edge in it.
  const h = [
    txn(
      1,
      [
        ['r', Y, []],
        ['r', X, [3]],
      ],
      { at: [0, 50] },
    ),
    txn(
      2,
      [
        ['append', Y, 2],
        ['append', X, 3],
      ],
      { at: [0, 50] },
    ),
    txn(3, [['r', Y, [2]]], { at: [60, 70] }),
  ];
  const res = check(h, { consistency: 'strict-serializable' });
  t.deepEqual(found(res), { 'G-single-item': 1 });
  // Every strong session and strong model implies its plain one: out too.
  t.deepEqual(res.rulesOut['G-single-item'], [
    'repeatable-read',
    'snapshot-isolation',
    'serializable',
    'strong-session-snapshot-isolation',
    'strong-session-serializable',
    'strong-snapshot-isolation',
    'strict-serializable',
  ]);
  const g1a = check([txn(0, [['append', X, 1]], { outcome: 'fail' }), txn(1, [['r', X, [1]]])]);
  t.deepEqual(g1a.rulesOut.G1a, [
    'read-committed',
    'cursor-stability',
    'read-atomic',
    'repeatable-read',
    'snapshot-isolation',
    'serializable',
    'strong-session-read-committed',
    'strong-session-snapshot-isolation',
    'strong-session-serializable',
    'strong-read-committed',
    'strong-snapshot-isolation',
    'strict-serializable',
  ]);
});

test('equal instants are concurrent: a completion at the very time of an invoke does not order them', (t) => {
  // T1 completes at 10 and T2 begins at 10: no real-time edge, so T2 reading [] is fine.
  const h = [
    txn(1, [['append', X, 1]], { at: [0, 10] }),
    txn(2, [['r', X, []]], { at: [10, 30] }),
    txn(3, [['r', X, [1]]], { at: [40, 50] }),
  ];
  t.true(check(h, { consistency: 'strict-serializable' }).valid);
  // One nanosecond later it is ordered, and the stale read is found.
  const later = [h[0]!, txn(2, [['r', X, []]], { at: [11, 30] }), h[2]!];
  t.deepEqual(found(check(later, { consistency: 'strict-serializable' })), {
    'G-single-item-realtime': 1,
  });
});

// ---- Elle's rules: uniqueness per key, nil reads -------------------------------------------

test('appended values are unique per key: the same value appended to two keys is two appends', (t) => {
  // T1 appends 1 to x and to y; T2 appends 1 to z. Every read names its writer by (key, value).
  const h = [
    txn(1, [
      ['append', X, 1],
      ['append', Y, 1],
    ]),
    txn(2, [
      ['append', 3, 1],
      ['r', X, [1]],
    ]),
    txn(3, [
      ['r', X, [1]],
      ['r', Y, [1]],
      ['r', 3, [1]],
    ]),
  ];
  const res = check(h);
  assertWellFormed(t, res, h);
  t.true(res.valid, res.summary);
  // The per-key writer is the one each dependency names: T3 reads z's 1 from T2, not T1.
  const skew = [
    txn(1, [
      ['append', X, 1],
      ['append', Y, 1],
    ]),
    txn(
      2,
      [
        ['append', 3, 1],
        ['r', X, []],
      ],
      { at: [0, 50] },
    ),
    txn(3, [
      ['r', 3, [1]],
      ['r', X, [1]],
    ]),
  ];
  // T2 read x without T1's 1 (rw T2→T1); nothing orders T1 before T2 by data: valid under
  // serializable.
  t.true(check(skew).valid);
});

test('a value appended twice to the same key is still a duplicate append, by two txns or by one', (t) => {
  const two = [
    txn(1, [
      ['append', X, 1],
      ['append', Y, 1],
    ]),
    txn(2, [['append', X, 1]]),
  ];
  const res = check(two);
  assertWellFormed(t, res, two);
  t.deepEqual(found(res), { 'duplicate-append': 1 });
  t.like(res.anomalies['duplicate-append'][0], { op: 2, txn: 1, key: X, value: 1 });
  t.regex(
    res.anomalies['duplicate-append'][0]!.explanation,
    /T2 and T1 both append 1 to list 1; a value may be appended to a key only once/,
  );
  const one = [
    txn(1, [
      ['append', X, 7],
      ['append', X, 7],
    ]),
  ];
  const r1 = check(one);
  t.deepEqual(found(r1), { 'duplicate-append': 1 });
  t.like(r1.anomalies['duplicate-append'][0], { op: 1, txn: 1, key: X, value: 7 });
  // With string keys, the anomaly names the key as written.
  const str = [
    txnAny(1, [['append', 'x', 2]]),
    txnAny(2, [
      ['append', 'x', 2],
      ['append', 'y', 2],
    ]),
  ];
  t.like(check(str).anomalies['duplicate-append'][0], { op: 2, txn: 1, key: 'x', value: 2 });
});

test('per-key writers: a failed append of 1 to x does not taint a read of 1 in y, and a read of 1 in x is G1a', (t) => {
  const h = [
    txn(1, [['append', X, 1]], { outcome: 'fail' }),
    txn(2, [['append', Y, 1]]),
    txn(3, [['r', Y, [1]]]),
  ];
  t.true(check(h).valid);
  const bad = [...h, txn(4, [['r', X, [1]]])];
  const res = check(bad);
  assertWellFormed(t, res, bad);
  t.deepEqual(found(res), { G1a: 1 });
  t.like(res.anomalies.G1a[0], { op: 4, txn: 1, key: X, value: 1 });
});

test('an ok read of null is the empty list (Elle), not bad input', (t) => {
  const nil = (op: number, key: number, o: Parameters<typeof txn>[2] = {}) =>
    txnAny(op, [['r', key, null]], o);
  const h = [nil(1, X), txn(2, [['append', X, 1]]), txn(3, [['r', X, [1]]])];
  const res = check(h);
  assertWellFormed(t, res, h);
  t.true(res.valid, res.summary);
  // As the empty list it orders: a nil read after the append completed is a stale read.
  const stale = [
    txn(1, [['append', X, 1]], { at: [0, 10] }),
    nil(2, X, { at: [20, 30] }),
    txn(3, [['r', X, [1]]], { at: [40, 50] }),
  ];
  const s = check(stale, { consistency: 'strict-serializable' });
  t.deepEqual(found(s), { 'G-single-item-realtime': 1 });
  t.deepEqual((s.anomalies['G-single-item-realtime'][0] as CycleAnomaly).cycle[0], {
    from: 2,
    to: 1,
    kind: 'rw',
    key: X,
    value: 1,
  });
  // After its own append, a txn reading null is internally inconsistent, exactly as reading [].
  const own = [
    txnAny(1, [
      ['append', X, 1],
      ['r', X, null],
    ]),
  ];
  t.like(check(own).anomalies.internal[0], { op: 1, expected: [1], read: [] });
});

// ---- Elle's version-order inference for appends no read saw --------------------------------

test("write skew with no read of either append (the issue's case) is G2-item under serializable", (t) => {
  // T1 reads x empty and appends 1 to y; T2 reads y empty and appends 2 to x. Nobody reads again.
  const h = [
    txn(
      1,
      [
        ['r', X, []],
        ['append', Y, 1],
      ],
      { at: [0, 50] },
    ),
    txn(
      2,
      [
        ['r', Y, []],
        ['append', X, 2],
      ],
      { at: [0, 50] },
    ),
  ];
  const res = check(h, { consistency: 'serializable' });
  assertWellFormed(t, res, h);
  t.deepEqual(found(res), { 'G2-item': 1 });
  const a = res.anomalies['G2-item'][0] as CycleAnomaly;
  t.deepEqual(
    new Set(a.cycle.map((s) => JSON.stringify(s))),
    new Set([
      JSON.stringify({ from: 1, to: 2, kind: 'rw', key: X, value: 2 }),
      JSON.stringify({ from: 2, to: 1, kind: 'rw', key: Y, value: 1 }),
    ]),
  );
  t.regex(
    a.explanation,
    /T1 read list 1 without T2's 2, which no read saw, so it came after every append read \(rw\)/,
  );
  t.deepEqual(res.rulesOut['G2-item'], [
    'repeatable-read',
    'serializable',
    'strong-session-serializable',
    'strict-serializable',
  ]);
  // Either read alone is fine: T1 then T2.
  t.true(
    check([
      h[0]!,
      txn(
        2,
        [
          ['r', Y, [1]],
          ['append', X, 2],
        ],
        { at: [0, 50] },
      ),
    ]).valid,
  );
});

test('several unseen appends to a key all follow a read of it empty, unordered among themselves', (t) => {
  // Elle's "multiple appends without reads": rx -> ax1, rx -> ax2, and no edge between ax1 and ax2.
  const h = [
    txn(1, [['r', X, []]], { at: [0, 50] }),
    txn(2, [['append', X, 1]], { at: [0, 50] }),
    txn(3, [['append', X, 2]], { at: [0, 50] }),
  ];
  t.true(check(h).valid);
  // Either appender reading the other's append would order them; reading x empty after appending
  // is still only its own business (internal), not an edge.
  const skew = [
    ...h.slice(0, 2),
    txn(
      3,
      [
        ['append', X, 2],
        ['r', 5, []],
      ],
      { at: [0, 50] },
    ),
    txn(
      4,
      [
        ['r', 5, []],
        ['append', 5, 9],
        ['r', X, [2]],
      ],
      { at: [0, 50] },
    ),
  ];
  const r = check(skew);
  assertWellFormed(t, r, skew);
  t.true(r.valid, r.summary);
});

test('an unseen append follows the last append any read saw: read skew (G-single-item) and G0 from it', (t) => {
  // T1 appends 1 to x and 1 to y. T2 reads x as [1] but y empty: y's 1 was never read, yet it
  // must follow y's empty state, which T2 saw. T2 -rw(y)-> T1 -wr(x)-> T2.
  const skew = [
    txn(
      1,
      [
        ['append', X, 1],
        ['append', Y, 1],
      ],
      { at: [0, 50] },
    ),
    txn(
      2,
      [
        ['r', X, [1]],
        ['r', Y, []],
      ],
      { at: [0, 50] },
    ),
  ];
  const s = check(skew, { consistency: 'serializable' });
  assertWellFormed(t, s, skew);
  t.deepEqual(found(s), { 'G-single-item': 1 });
  t.deepEqual((s.anomalies['G-single-item'][0] as CycleAnomaly).cycle, [
    { from: 2, to: 1, kind: 'rw', key: Y, value: 1 },
    { from: 1, to: 2, kind: 'wr', key: X, value: 1 },
  ]);
  // G0: x is read as [1] and y as [2]; the unseen 2 on x follows T1's 1, the unseen 1 on y follows
  // T2's 2.
  const g0 = [
    txn(
      1,
      [
        ['append', X, 1],
        ['append', Y, 1],
      ],
      { at: [0, 50] },
    ),
    txn(
      2,
      [
        ['append', X, 2],
        ['append', Y, 2],
      ],
      { at: [0, 50] },
    ),
    txn(
      3,
      [
        ['r', X, [1]],
        ['r', Y, [2]],
      ],
      { at: [0, 50] },
    ),
  ];
  const r = check(g0, { consistency: 'serializable' });
  assertWellFormed(t, r, g0);
  t.is(r.counts.G0, 1);
  const a = r.anomalies.G0[0] as CycleAnomaly;
  t.deepEqual(
    a.cycle.map((x) => x.kind),
    ['ww', 'ww'],
  );
  t.regex(
    a.explanation,
    /appended 2 to list 1 after T1's append of 1 \(no read saw 2, so it came after the last append any read saw\) \(ww\)/,
  );
});

test('a txn reading the whole list then appending unseen: two of them are a cycle of two rw edges', (t) => {
  // Both read x as [1] and append; neither append was read. Each read precedes the other's append.
  const h = [
    txn(0, [['append', X, 1]]),
    txn(
      1,
      [
        ['r', X, [1]],
        ['append', X, 2],
      ],
      { at: [10, 50] },
    ),
    txn(
      2,
      [
        ['r', X, [1]],
        ['append', X, 3],
      ],
      { at: [10, 50] },
    ),
  ];
  const res = check(h, { consistency: 'serializable' });
  assertWellFormed(t, res, h);
  t.deepEqual(found(res), { 'G2-item': 1, 'lost-update': 1 });
  // A lone read-modify-write whose append nobody read is fine, and so is an info txn nobody saw.
  t.true(check(h.slice(0, 2), { consistency: 'serializable' }).valid);
  t.true(
    check([
      h[0]!,
      h[1]!,
      txn(
        2,
        [
          ['r', X, [1]],
          ['append', X, 3],
        ],
        { at: [10, 50], outcome: 'info' },
      ),
    ]).valid,
  );
});

test("future read: a txn reads its own append before making it (Elle's future-read, implying G1c)", (t) => {
  const h = [
    txn(1, [
      ['r', X, [1]],
      ['append', X, 1],
    ]),
  ];
  const res = check(h);
  assertWellFormed(t, res, h);
  t.deepEqual(found(res), { 'future-read': 1 });
  t.like(res.anomalies['future-read'][0], { op: 1, key: X, value: 1 });
  t.regex(
    res.anomalies['future-read'][0]!.explanation,
    /T1 read list 1 as \[1\], holding 1, before it appended 1 itself \(future read\)/,
  );
  t.deepEqual(
    res.rulesOut['future-read'],
    res.rulesOut['future-read'] &&
      check([
        txn(1, [
          ['append', X, 1],
          ['r', Y, [2]],
        ]),
        txn(2, [
          ['append', Y, 2],
          ['r', X, [1]],
        ]),
      ]).rulesOut.G1c,
  );
  // Reading another txn's 1 and then appending 2 is an ordinary read-modify-write.
  t.true(
    check([
      txn(0, [['append', X, 1]]),
      txn(1, [
        ['r', X, [1]],
        ['append', X, 2],
      ]),
    ]).valid,
  );
});
