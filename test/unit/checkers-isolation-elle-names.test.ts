// Elle's names for cycles (elle.txn/cycle-explainer): the rule on hand-worked step lists for each
// of the 15 names, against a small reference classifier on generated ones, on hand-worked histories
// (a nonadjacent cycle, -process and -realtime variants), and the models each name rules out
// against a transcription of Elle's consistency-model graphs.

import test from 'ava';
import fc from 'fast-check';
import { elleName, splitName } from '../../lab/checkers/isolation/elle-names.ts';
import {
  CONSISTENCY_MODELS,
  checkIsolation,
  CYCLE_TYPES,
  MODEL_ORDER,
  rulesOut,
  type AnomalyType,
  type CycleAnomaly,
  type CycleType,
  type EdgeKind,
} from '../../lab/checkers/isolation/index.ts';
import type { Op } from '../../lab/history/event.ts';
import { assertWellFormed, found, txn, type M } from './isolation-helpers.ts';

const steps = (...kinds: EdgeKind[]) => kinds.map((kind) => ({ kind }));

test('each of the 15 names from a hand-worked cycle', (t) => {
  const cases: [EdgeKind[], CycleType][] = [
    [['ww', 'ww'], 'G0'],
    [['ww', 'process'], 'G0-process'],
    [['ww', 'realtime'], 'G0-realtime'],
    [['ww', 'wr'], 'G1c'],
    [['wr', 'process'], 'G1c-process'],
    [['wr', 'ww', 'realtime'], 'G1c-realtime'],
    [['rw', 'wr'], 'G-single-item'],
    [['rw', 'ww', 'process'], 'G-single-item-process'],
    [['rw', 'realtime'], 'G-single-item-realtime'],
    // T1 -rw-> T2 -wr-> T3 -rw-> T4 -wr-> T1: two rw edges, never adjacent.
    [['rw', 'wr', 'rw', 'wr'], 'G-nonadjacent-item'],
    [['rw', 'wr', 'rw', 'process'], 'G-nonadjacent-item-process'],
    [['rw', 'realtime', 'rw', 'ww'], 'G-nonadjacent-item-realtime'],
    [['rw', 'rw'], 'G2-item'],
    [['rw', 'rw', 'wr', 'rw', 'ww'], 'G2-item'],
    [['rw', 'rw', 'process'], 'G2-item-process'],
    [['rw', 'ww', 'rw', 'rw', 'realtime'], 'G2-item-realtime'],
  ];
  for (const [kinds, name] of cases) t.is(elleName(steps(...kinds)), name, kinds.join(' '));
  t.deepEqual(new Set(cases.map((c) => c[1])), new Set(CYCLE_TYPES));
  t.is(CYCLE_TYPES.length, 15);
});

test('adjacency wraps around: the last rw edge and the first are adjacent', (t) => {
  t.is(elleName(steps('rw', 'wr', 'rw')), 'G2-item');
  t.is(elleName(steps('wr', 'rw', 'wr', 'rw', 'ww')), 'G-nonadjacent-item');
  t.is(elleName(steps('rw', 'wr', 'ww', 'rw')), 'G2-item');
});

test('real time wins over process order when a cycle has both', (t) => {
  t.is(elleName(steps('rw', 'process', 'realtime')), 'G-single-item-realtime');
  t.is(elleName(steps('ww', 'realtime', 'process')), 'G0-realtime');
});

test('splitName gives back the class and the variant', (t) => {
  t.deepEqual(splitName('G2-item-realtime'), { cls: 'G2-item', variant: 'realtime' });
  t.deepEqual(splitName('G-nonadjacent-item-process'), {
    cls: 'G-nonadjacent-item',
    variant: 'process',
  });
  t.deepEqual(splitName('G1c'), { cls: 'G1c', variant: 'data' });
});

/** Elle's rule again, written another way: forward pairs, counts by filter. */
function referenceName(kinds: readonly EdgeKind[]): string {
  const rw = kinds.filter((k) => k === 'rw').length;
  const pairs = kinds.map((k, i) => [k, kinds[(i + 1) % kinds.length]] as const);
  const adjacent = pairs.some(([a, b]) => a === 'rw' && b === 'rw');
  let cls: string;
  if (rw === 1) cls = 'G-single-item';
  else if (rw >= 2) cls = adjacent ? 'G2-item' : 'G-nonadjacent-item';
  else if (kinds.includes('wr')) cls = 'G1c';
  else cls = 'G0';
  if (kinds.includes('realtime')) return `${cls}-realtime`;
  if (kinds.includes('process')) return `${cls}-process`;
  return cls;
}

test('property: elleName agrees with the reference classifier on any list of edge kinds', (t) => {
  const kind = fc.constantFrom<EdgeKind>('ww', 'wr', 'rw', 'process', 'realtime');
  fc.assert(
    fc.property(fc.array(kind, { minLength: 2, maxLength: 9 }), (kinds) => {
      if (elleName(steps(...kinds)) !== referenceName(kinds))
        throw new Error(`${kinds.join(' ')}: ${elleName(steps(...kinds))}`);
    }),
    { numRuns: 3000 },
  );
  t.pass();
});

// ---- on histories ---------------------------------------------------------------------------

const [X, Y, Z, W] = [1, 2, 3, 4];
const all: [number, number] = [0, 100];

/**
 * T1 -rw(x)-> T2 -wr(y)-> T3 -rw(z)-> T4 -wr(w)-> T1, all concurrent. Nobody reads x's 1 or z's 3:
 * each follows the empty list its reader saw (Elle's inference), so T1 and T3 read before them.
 */
const nonadjacent = (): Op[] => [
  txn(
    1,
    [
      ['r', X, []],
      ['r', W, [4]],
    ],
    { at: all },
  ),
  txn(
    2,
    [
      ['append', X, 1],
      ['append', Y, 2],
    ],
    { at: all },
  ),
  txn(
    3,
    [
      ['r', Y, [2]],
      ['r', Z, []],
    ],
    { at: all },
  ),
  txn(
    4,
    [
      ['append', Z, 3],
      ['append', W, 4],
    ],
    { at: all },
  ),
];

test('G-nonadjacent-item: two rw edges separated by wr edges, from data alone', (t) => {
  const h = nonadjacent();
  for (const consistency of ['serializable', 'strict-serializable'] as const) {
    const res = checkIsolation(h, { consistency });
    assertWellFormed(t, res, h);
    t.deepEqual(found(res), { 'G-nonadjacent-item': 1 }, consistency);
    const a = res.anomalies['G-nonadjacent-item'][0] as CycleAnomaly;
    t.deepEqual(rotateTo(1, a.cycle), [
      { from: 1, to: 2, kind: 'rw', key: X, value: 1 },
      { from: 2, to: 3, kind: 'wr', key: Y, value: 2 },
      { from: 3, to: 4, kind: 'rw', key: Z, value: 3 },
      { from: 4, to: 1, kind: 'wr', key: W, value: 4 },
    ]);
    t.regex(
      a.explanation,
      /a cycle with 2 read-write anti-dependencies, no two of them adjacent .*\(Elle's G-nonadjacent-item\)\.$/,
    );
    // Snapshot isolation forbids it (Elle: G-nonadjacent), unlike G2-item.
    t.deepEqual(res.rulesOut['G-nonadjacent-item'], [
      'repeatable-read',
      'snapshot-isolation',
      'serializable',
      'strong-session-snapshot-isolation',
      'strong-session-serializable',
      'strong-snapshot-isolation',
      'strict-serializable',
    ]);
    t.regex(res.summary, /G-nonadjacent-item ×1 /);
  }
});

/** The cycle `cycle` started at the step leaving `from`. */
function rotateTo<T extends { from: number }>(from: number, cycle: T[]): T[] {
  const i = cycle.findIndex((s) => s.from === from);
  return [...cycle.slice(i), ...cycle.slice(0, i)];
}

test('G-nonadjacent-item-realtime and -process: the same cycle closed by an order edge', (t) => {
  // T4 no longer appends w: T4 -> T1 is real-time order (T4 completed before T1 began) ...
  const micros: M[][] = [
    [],
    [['r', X, []]],
    [
      ['append', X, 1],
      ['append', Y, 2],
    ],
    [
      ['r', Y, [2]],
      ['r', Z, []],
    ],
    [['append', Z, 3]],
  ];
  const micro = (op: number): M[] => micros[op]!;
  const rt = [
    txn(1, micro(1), { at: [20, 100] }),
    txn(2, micro(2), { at: all }),
    txn(3, micro(3), { at: all }),
    txn(4, micro(4), { at: [0, 10] }),
  ];
  t.true(checkIsolation(rt, { consistency: 'serializable' }).valid);
  const strict = checkIsolation(rt, { consistency: 'strict-serializable' });
  assertWellFormed(t, strict, rt);
  t.deepEqual(found(strict), { 'G-nonadjacent-item-realtime': 1 });
  const a = strict.anomalies['G-nonadjacent-item-realtime'][0] as CycleAnomaly;
  t.deepEqual(
    rotateTo(1, a.cycle).map((s) => s.kind),
    ['rw', 'wr', 'rw', 'realtime'],
  );
  t.regex(a.explanation, /closed by real-time order \(Elle's G-nonadjacent-item-realtime\)\.$/);
  t.deepEqual(strict.rulesOut['G-nonadjacent-item-realtime'], [
    'strong-snapshot-isolation',
    'strict-serializable',
  ]);
  // ... or process order: T4 and then T1 on one process, overlapping in time.
  const proc = [
    txn(1, micro(1), { at: [5, 100], process: 9 }),
    txn(2, micro(2), { at: all }),
    txn(3, micro(3), { at: all }),
    txn(4, micro(4), { at: [0, 100], process: 9 }),
  ];
  const session = checkIsolation(proc, { consistency: 'strong-session-serializable' });
  assertWellFormed(t, session, proc);
  t.deepEqual(found(session), { 'G-nonadjacent-item-process': 1 });
  t.deepEqual(session.rulesOut['G-nonadjacent-item-process'], [
    'strong-session-snapshot-isolation',
    'strong-session-serializable',
    'strong-snapshot-isolation',
    'strict-serializable',
  ]);
});

test('G0-realtime and G1c-process: ww and wr cycles closed by order edges', (t) => {
  // T1 completed (at 10) before T2 began (at 20), yet T3 reads x as [2, 1]: T2's append came
  // first. T1 -realtime-> T2 -ww-> T1.
  const g0 = [
    txn(1, [['append', X, 1]], { at: [0, 10] }),
    txn(2, [['append', X, 2]], { at: [20, 30] }),
    txn(3, [['r', X, [2, 1]]], { at: [40, 50] }),
  ];
  t.true(checkIsolation(g0, { consistency: 'serializable' }).valid);
  const r0 = checkIsolation(g0, { consistency: 'strict-serializable' });
  assertWellFormed(t, r0, g0);
  t.deepEqual(found(r0), { 'G0-realtime': 1 });
  t.deepEqual(
    rotateTo(1, (r0.anomalies['G0-realtime'][0] as CycleAnomaly).cycle).map((s) => s.kind),
    ['realtime', 'ww'],
  );
  t.deepEqual(r0.rulesOut['G0-realtime'], [
    'strong-read-uncommitted',
    'strong-read-committed',
    'strong-snapshot-isolation',
    'strict-serializable',
  ]);
  // T2 reads T1's append, yet T2 came first on their process: T1 -wr-> T2 -process-> T1.
  const g1c = [
    txn(1, [['append', X, 1]], { at: [5, 100], process: 9 }),
    txn(2, [['r', X, [1]]], { at: [0, 100], process: 9 }),
  ];
  t.true(checkIsolation(g1c, { consistency: 'serializable' }).valid);
  const r1 = checkIsolation(g1c, { consistency: 'strong-session-serializable' });
  assertWellFormed(t, r1, g1c);
  t.deepEqual(found(r1), { 'G1c-process': 1 });
  t.deepEqual(r1.rulesOut['G1c-process'], [
    'strong-session-read-committed',
    'strong-session-snapshot-isolation',
    'strong-session-serializable',
    'strong-read-committed',
    'strong-snapshot-isolation',
    'strict-serializable',
  ]);
});

test('G2-item-realtime: write skew whose second read is stale only in real time', (t) => {
  // T1 reads x empty and appends y 1; T2 reads y empty and appends x 2; both concurrent with each
  // other, so it is plain G2-item from data alone ...
  const skew = [
    txn(
      1,
      [
        ['r', X, []],
        ['append', Y, 1],
      ],
      { at: all },
    ),
    txn(
      2,
      [
        ['r', Y, []],
        ['append', X, 2],
      ],
      { at: all },
    ),
  ];
  t.deepEqual(found(checkIsolation(skew, { consistency: 'strict-serializable' })), {
    'G2-item': 1,
  });
  // ... and with a real-time edge in the cycle, G2-item-realtime: T1 -rw(x)-> T2 -rw(y)-> T3
  // -realtime-> T1 (T3 completed before T1 began; T2 overlaps both).
  const stale = [
    txn(1, [['r', X, []]], { at: [20, 100] }),
    txn(
      2,
      [
        ['append', X, 2],
        ['r', Y, []],
      ],
      { at: all },
    ),
    txn(3, [['append', Y, 3]], { at: [0, 10] }),
  ];
  t.true(checkIsolation(stale, { consistency: 'serializable' }).valid);
  const res = checkIsolation(stale, { consistency: 'strict-serializable' });
  assertWellFormed(t, res, stale);
  t.deepEqual(found(res), { 'G2-item-realtime': 1 });
  t.deepEqual(
    rotateTo(1, (res.anomalies['G2-item-realtime'][0] as CycleAnomaly).cycle).map((s) => s.kind),
    ['rw', 'rw', 'realtime'],
  );
  t.deepEqual(res.rulesOut, { 'G2-item-realtime': ['strict-serializable'] });
});

// ---- every search's cycles, named from the cycle ---------------------------------------------

interface Gen {
  txns: { micro: ['append' | 'r', number][]; ok: boolean; at: [number, number]; process: number }[];
  cuts: number[];
}

const gen: fc.Arbitrary<Gen> = fc.record({
  txns: fc.array(
    fc.record({
      micro: fc.array(
        fc.tuple(fc.constantFrom('append' as const, 'r' as const), fc.integer({ min: 0, max: 2 })),
        { minLength: 1, maxLength: 3 },
      ),
      ok: fc.oneof(
        { arbitrary: fc.constant(true), weight: 9 },
        { arbitrary: fc.constant(false), weight: 1 },
      ),
      at: fc
        .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 30 }))
        .map(([a, d]): [number, number] => [a, a + d]),
      process: fc.integer({ min: 0, max: 2 }),
    }),
    { minLength: 2, maxLength: 7 },
  ),
  cuts: fc.array(fc.nat(5), { minLength: 20, maxLength: 20 }),
});

/** Appends applied in txn order; each read a prefix of its key's final list. */
function build(g: Gen): Op[] {
  const finals = new Map<number, number[]>();
  let next = 1;
  const micros = g.txns.map((x) =>
    x.micro.map(([f, k]): M => {
      if (f === 'r') return ['r', k, null];
      const v = next++;
      if (x.ok) finals.set(k, [...(finals.get(k) ?? []), v]);
      return ['append', k, v];
    }),
  );
  let c = 0;
  return g.txns.map((x, i) => {
    const ms = micros[i]!.map((m): M => {
      if (m[0] !== 'r') return m;
      const list = finals.get(m[1]) ?? [];
      return ['r', m[1], list.slice(0, g.cuts[c++ % g.cuts.length]! % (list.length + 1))];
    });
    return txn(i + 1, ms, { at: x.at, process: x.process, outcome: x.ok ? 'ok' : 'fail' });
  });
}

test('property: every cycle found is a closed cycle counted under its Elle name; each search yields one per component', (t) => {
  let cycles = 0;
  fc.assert(
    fc.property(gen, fc.constantFrom(...CONSISTENCY_MODELS), (g, consistency) => {
      const h = build(g);
      const res = checkIsolation(h, { consistency, maxExamples: 1000 });
      const byFamily = new Map<string, Set<number>[]>();
      for (const type of CYCLE_TYPES) {
        if (res.anomalies[type].length !== res.counts[type])
          throw new Error(`${type}: every example kept, one per count`);
        for (const a of res.anomalies[type] as CycleAnomaly[]) {
          cycles++;
          const kinds = a.cycle.map((s) => s.kind);
          if (a.type !== referenceName(kinds) || a.type !== type)
            throw new Error(`${type} counted, cycle ${kinds.join(' ')}`);
          a.cycle.forEach((s, i) => {
            if (s.to !== a.cycle[(i + 1) % a.cycle.length]!.from)
              throw new Error(`${type}: not a closed cycle`);
          });
          // The searches: ww only, wr, one rw, two or more rw (G2-item and
          // G-nonadjacent-item come from the same one).
          const cls = splitName(type).cls;
          const family = cls === 'G-nonadjacent-item' ? 'G2-item' : cls;
          const txns = new Set(a.cycle.map((s) => s.from));
          const seen = byFamily.get(family) ?? [];
          // One cycle per strongly connected component per search: disjoint txns.
          if (seen.some((o) => [...txns].some((x) => o.has(x))))
            throw new Error(`two ${family} cycles share a transaction`);
          seen.push(txns);
          byFamily.set(family, seen);
        }
      }
    }),
    { numRuns: 1500 },
  );
  t.true(cycles > 300, `${cycles} cycles seen`);
});

// ---- the models each name rules out, against Elle's graphs ------------------------------------

// elle.consistency-model, transcribed for the anomalies and models this checker names (canonical
// names: PL-1 read uncommitted, PL-2 read committed, PL-CS cursor stability, PL-2.99 repeatable
// read, PL-SI snapshot isolation, PL-3 serializable, PL-SS strict serializable).
const IMPLIED: Record<string, string[]> = {
  G0: ['G1c', 'G0-process'],
  'G0-process': ['G1c-process', 'G0-realtime'],
  'G0-realtime': ['G1c-realtime'],
  G1a: ['G1'],
  G1b: ['G1'],
  G1c: ['G1', 'G1c-process'],
  'G1c-process': ['G1c-realtime', 'G1-process'],
  'G1c-realtime': ['G1-realtime'],
  G1: ['G1-process'],
  'G1-process': ['G1-realtime'],
  'G-single-item': ['G-single', 'G-single-item-process', 'G-nonadjacent-item'],
  'G-single-item-process': [
    'G-single-process',
    'G-single-item-realtime',
    'G-nonadjacent-item-process',
  ],
  'G-single-item-realtime': ['G-single-realtime', 'G-nonadjacent-item-realtime'],
  'G-single': ['G-nonadjacent', 'GSIb', 'G-single-process'],
  'G-single-process': ['G-nonadjacent-process', 'G-single-realtime'],
  'G-single-realtime': ['G-nonadjacent-realtime'],
  'G-nonadjacent-item': ['G-nonadjacent', 'G2-item', 'G-nonadjacent-item-process'],
  'G-nonadjacent-item-process': [
    'G-nonadjacent-process',
    'G2-item-process',
    'G-nonadjacent-item-realtime',
  ],
  'G-nonadjacent-item-realtime': ['G2-item-realtime', 'G-nonadjacent-realtime'],
  'G-nonadjacent': ['G2', 'G-nonadjacent-process'],
  'G-nonadjacent-process': ['G2-process', 'G-nonadjacent-realtime'],
  'G-nonadjacent-realtime': ['G2-realtime'],
  G2: ['G2-process'],
  'G2-item': ['G2', 'G2-item-process'],
  'G2-item-process': ['G2-process', 'G2-item-realtime'],
  'G2-item-realtime': ['G2-realtime'],
  'G2-process': ['G2-realtime'],
  'incompatible-order': ['G1a'],
  'future-read': ['G1c'],
  'lost-update': ['write-skew', 'G2-item'],
  'write-skew': ['G2'],
};
/** Model → the models it implies (a history that satisfies the first satisfies these). */
const MODELS: Record<string, string[]> = {
  'causal-cerone': ['read-atomic'],
  'PL-2+': ['PL-CS', 'PL-2L'],
  'PL-CS': ['PL-2'],
  'PL-FCV': ['PL-2+'],
  'PL-2': ['PL-1'],
  'PL-3': ['PL-2.99', 'PL-3U', 'PL-SI'],
  'PL-3U': ['PL-FCV'],
  MAV: ['PL-2'],
  'PL-2L': ['PL-2'],
  'PL-MSR': ['PL-2'],
  PSI: ['causal-cerone', 'update-atomic'],
  prefix: ['causal-cerone'],
  'read-atomic': ['MAV'],
  'PL-2.99': ['PL-CS', 'MAV'],
  'update-atomic': ['read-atomic'],
  'PL-SI': ['PL-FCV', 'MAV', 'PL-MSR', 'PSI', 'prefix'],
  'PL-SS': ['PL-3', 'PL-SI', 'strong-SI', 'ss-serializable'],
  'ss-PL-1': ['PL-1'],
  'ss-PL-2': ['PL-2', 'ss-PL-1'],
  'strong-PL-1': ['ss-PL-1'],
  'strong-PL-2': ['ss-PL-2', 'strong-PL-1'],
  'ss-serializable': ['PL-3', 'ss-SI'],
  'ss-SI': ['PL-SI', 'ss-PL-2'],
  'strong-SI': ['ss-SI', 'strong-PL-2'],
};
/** Model → the anomalies it proscribes directly (duplicates: Elle's duplicate-elements; a garbage read, the lab's, is held to PL-1 as well). */
const PROSCRIBES: Record<string, string[]> = {
  'causal-cerone': ['internal', 'G1a'],
  'PL-CS': ['G1', 'lost-update'],
  'PL-2L': ['G1'],
  'PL-MSR': ['G1'],
  'PL-2+': ['G1', 'G-single'],
  'PL-FCV': ['G1'],
  PSI: ['internal', 'G1a'],
  'PL-3': ['G1', 'G2', 'internal'],
  'PL-2': ['G1'],
  'PL-1': ['G0', 'duplicate-append', 'garbage-read'],
  prefix: ['internal', 'G1a'],
  'PL-SI': ['internal', 'G1', 'G-nonadjacent'],
  'read-atomic': ['internal', 'G1a', 'future-read'],
  'PL-2.99': ['G1', 'G2-item', 'lost-update'],
  'update-atomic': ['lost-update'],
  'PL-SS': ['G1', 'G1c-realtime', 'G2-realtime'],
  'ss-PL-1': ['G0-process'],
  'ss-PL-2': ['G1c-process'],
  'strong-PL-1': ['G0-realtime'],
  'strong-PL-2': ['G1c-realtime'],
  'ss-SI': ['internal', 'G1-process', 'G-nonadjacent-process'],
  'strong-SI': ['internal', 'G1-realtime', 'G-nonadjacent-realtime'],
  'ss-serializable': ['G1-process', 'G2-process'],
};
const FRIENDLY: Record<string, string> = {
  'PL-1': 'read-uncommitted',
  'PL-2': 'read-committed',
  'PL-CS': 'cursor-stability',
  'read-atomic': 'read-atomic',
  'PL-2.99': 'repeatable-read',
  'PL-SI': 'snapshot-isolation',
  'PL-3': 'serializable',
  'ss-PL-1': 'strong-session-read-uncommitted',
  'ss-PL-2': 'strong-session-read-committed',
  'ss-SI': 'strong-session-snapshot-isolation',
  'ss-serializable': 'strong-session-serializable',
  'strong-PL-1': 'strong-read-uncommitted',
  'strong-PL-2': 'strong-read-committed',
  'strong-SI': 'strong-snapshot-isolation',
  'PL-SS': 'strict-serializable',
};

function closure(start: string[], next: (x: string) => string[]): Set<string> {
  const out = new Set(start);
  const todo = [...start];
  while (todo.length > 0)
    for (const y of next(todo.pop()!)) {
      if (out.has(y)) continue;
      out.add(y);
      todo.push(y);
    }
  return out;
}

/** Elle's anomalies->impossible-models, as the friendly names MODEL_ORDER uses. */
function elleRulesOut(type: AnomalyType): string[] {
  const anomalies = closure([type], (a) => IMPLIED[a] ?? []);
  const direct = Object.keys(PROSCRIBES).filter((m) =>
    PROSCRIBES[m]!.some((a) => anomalies.has(a)),
  );
  const implying = (m: string) => Object.keys(MODELS).filter((k) => MODELS[k]!.includes(m));
  const out = closure(direct, implying);
  return MODEL_ORDER.filter((m) => [...out].some((c) => FRIENDLY[c] === m));
}

test("rulesOut for every anomaly name is what Elle's consistency-model graphs give", (t) => {
  const types: AnomalyType[] = [
    ...CYCLE_TYPES,
    'G1a',
    'G1b',
    'lost-update',
    'incompatible-order',
    'duplicate-append',
    'garbage-read',
    'internal',
    'future-read',
  ];
  for (const type of types) t.deepEqual(rulesOut(type), elleRulesOut(type), type);
  // The readable cases: SI allows G2-item but not G-nonadjacent-item.
  t.false(rulesOut('G2-item').includes('snapshot-isolation'));
  t.true(rulesOut('G-nonadjacent-item').includes('snapshot-isolation'));
  t.deepEqual(rulesOut('G2-item-realtime'), ['strict-serializable']);
  t.deepEqual(rulesOut('G2-item-process'), ['strong-session-serializable', 'strict-serializable']);
});
