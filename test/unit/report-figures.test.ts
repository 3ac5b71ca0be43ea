import test from 'ava';
import fc from 'fast-check';
import { isSwitchover, writeWindows } from '../../lab/report/write-windows.ts';
import { delayedShare } from '../../lab/report/delayed.ts';
import {
  anomalyEvents,
  groupReports,
  summarizeEvents,
  witnessOf,
} from '../../lab/report/anomaly-events.ts';
import type { AnomalyCause } from '../../lab/checkers/causes.ts';
import type { Op } from '../../lab/history/event.ts';
import type { FaultWindow } from '../../lab/report/stats.ts';

const s = 1e9;
const ms = 1e6;

test('write windows: a second whose writers moved on is a switchover; one that comes back is concurrent', (t) => {
  const w = (sec: number, msIn: number, node: string) => ({ time: sec * s + msIn * ms, node });
  const ww = writeWindows(
    [
      // Second 0: one node only, not multi-node.
      w(0, 100, 'n1'),
      w(0, 200, 'n1'),
      // Second 1: n1, n1, then n2, n2: a switchover.
      w(1, 100, 'n1'),
      w(1, 300, 'n1'),
      w(1, 500, 'n2'),
      w(1, 900, 'n2'),
      // Second 2: n2, n3, n2: back to n2, concurrent.
      w(2, 100, 'n2'),
      w(2, 200, 'n3'),
      w(2, 300, 'n2'),
      // Second 3: n1, n2, n3 one after another: a switchover through two nodes.
      w(3, 100, 'n1'),
      w(3, 200, 'n2'),
      w(3, 300, 'n3'),
      // Second 5, given out of order: n1 at 100, n2 at 50 and 150: n2 n1 n2, concurrent.
      w(5, 100, 'n1'),
      w(5, 150, 'n2'),
      w(5, 50, 'n2'),
    ],
    0,
  );
  t.deepEqual(ww, {
    total: 5,
    multiNode: 4,
    seconds: [1, 2, 3, 5],
    switchover: [1, 3],
    concurrent: [2, 5],
  });
});

test('isSwitchover agrees with a reference: node changes = distinct nodes - 1', (t) => {
  const reference = (xs: string[]) => {
    let changes = 0;
    for (let i = 1; i < xs.length; i++) if (xs[i] !== xs[i - 1]) changes++;
    return changes === new Set(xs).size - 1 || xs.length === 0;
  };
  t.notThrows(() =>
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 12 }),
        (xs) => isSwitchover(xs) === reference(xs),
      ),
    ),
  );
  t.false(isSwitchover(['a', 'b', 'a']));
  t.true(isSwitchover(['a', 'a', 'b']));
});

test('delayed share: latencies at or past the threshold, over every completed op', (t) => {
  t.deepEqual(delayedShare([10, 499.9, 500, 750, 20], 500), {
    thresholdMs: 500,
    ops: 5,
    count: 2,
    share: 0.4,
  });
  t.deepEqual(delayedShare([], 500), { thresholdMs: 500, ops: 0, count: 0, share: 0 });
});

// Ops 1..6 on the clock in ms: op n runs from 100n to 100n + 50 ms.
const op = (n: number): Op =>
  ({
    op: n,
    process: 0,
    client: 0,
    f: 'TaskByGuid',
    invoke: {
      type: 'invoke',
      index: 2 * n,
      time: 100 * n * ms,
      op: n,
      process: 0,
      client: 0,
      f: 'TaskByGuid',
    },
    complete: {
      type: 'ok',
      index: 2 * n + 1,
      time: (100 * n + 50) * ms,
      op: n,
      process: 0,
      client: 0,
      f: 'TaskByGuid',
    },
  }) as Op;
const ops = [1, 2, 3, 4, 5, 6].map(op);
const cause = (
  anomaly: AnomalyCause['anomaly'],
  key: string,
  c: AnomalyCause['cause'],
  o: number[],
): AnomalyCause => ({ anomaly, key, cause: c, ops: o, nodes: ['n1'], explanation: '' });

test('anomaly events: one stale read seen by two checkers is one event; a second reader is another', (t) => {
  const causes = [
    // Write 1 read stale by op 2: linearizability and an invariant both report it.
    cause('not-linearizable', 'task/a', 'stale-read', [1, 2]),
    cause('modification-index-went-back', 'task/a', 'stale-read', [1, 2]),
    // The same write read stale by op 3: a second event.
    cause('not-linearizable', 'task/a', 'stale-read', [1, 3]),
    // Op 5 failed but applied, seen by op 6 (and the same op 5 seen by op 4 via linearizability's
    // recheck).
    cause('failed-but-applied', 'task/b', 'failed-but-applied', [5, 6]),
    cause('not-linearizable', 'task/b', 'failed-but-applied', [5, 4]),
  ];
  // One fault from 0.28 s, healed 0.31 s, recovered 0.32 s: op 3 (0.30–0.35 s) is open inside it.
  const faults: FaultWindow[] = [
    { id: 'kill-1', kind: 'kill', target: 'n2', start: 0.28, end: 0.31, recovered: 0.32 },
  ];
  const ev = anomalyEvents(causes, ops, faults, 0, 1);
  t.is(ev.length, 3);
  t.deepEqual(ev[0], {
    key: 'task/a',
    kinds: ['not-linearizable', 'modification-index-went-back'],
    checkers: ['linearizability', 'invariants'],
    causes: ['stale-read'],
    ops: [1, 2],
    from: 0.1,
    to: 0.25,
    faults: [],
  });
  t.deepEqual(ev[1]!.ops, [1, 3]);
  t.deepEqual(ev[1]!.faults, ['kill-1']);
  t.deepEqual(ev[2]!.ops, [4, 5, 6]);
  t.deepEqual(ev[2]!.checkers, ['failedApplied', 'linearizability']);
  t.deepEqual(summarizeEvents(causes.length, ev), {
    reports: 5,
    events: 3,
    inFault: 1,
    outsideFaults: 2,
  });
});

test('anomaly events: the same ops on different keys stay apart; a window never healed runs to the end', (t) => {
  const ev = anomalyEvents(
    [
      cause('not-linearizable', 'task/a', 'unattributed', [2, 3]),
      cause('not-linearizable', 'task/b', 'unattributed', [2, 3]),
    ],
    ops,
    [{ id: 'p', kind: 'partition', target: 'n1', start: 0.2, end: null }],
    0,
    10,
  );
  t.is(ev.length, 2);
  t.true(ev.every((e) => e.faults[0] === 'p'));
});

test('groupReports agrees with a brute-force reference (same key, shared witness op, transitively)', (t) => {
  const causeArb = fc
    .record({
      key: fc.constantFrom('k1', 'k2'),
      cause: fc.constantFrom(
        'stale-read',
        'lost-write',
        'both-acknowledged',
        'failed-but-applied',
        'single-node-logic',
        'unattributed',
      ) as fc.Arbitrary<AnomalyCause['cause']>,
      ops: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
    })
    .map((r) => cause('not-linearizable', r.key, r.cause, r.ops));
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.array(causeArb, { maxLength: 8 }), (cs) => {
        // Reference: label propagation until nothing changes.
        const label = cs.map((_, i) => i);
        let changed = true;
        while (changed) {
          changed = false;
          for (let i = 0; i < cs.length; i++)
            for (let j = 0; j < cs.length; j++) {
              const share =
                cs[i]!.key === cs[j]!.key &&
                witnessOf(cs[i]!).some((o) => witnessOf(cs[j]!).includes(o));
              if (share && label[i] !== label[j]) {
                const m = Math.min(label[i]!, label[j]!);
                if (label[i] !== m || label[j] !== m) changed = true;
                label[i] = label[j] = m;
              }
            }
        }
        const norm = (groups: number[][]) =>
          groups.map((g) => [...g].sort((a, b) => a - b).join(',')).sort();
        const ref = new Map<number, number[]>();
        label.forEach((l, i) => {
          ref.set(l, [...(ref.get(l) ?? []), i]);
        });
        return JSON.stringify(norm(groupReports(cs))) === JSON.stringify(norm([...ref.values()]));
      }),
    ),
  );
});
