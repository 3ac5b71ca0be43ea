// Unplanned quorum loss found from fixed histories, both ways, each answer worked out by hand.

import test from 'ava';
import fc from 'fast-check';
import type { HistoryEvent } from '../../lab/history/event.ts';
import { quorumLoss, unplannedSentence } from '../../lab/report/quorum-loss.ts';
import { renderMarkdown } from '../../lab/report/markdown.ts';
import { computeStats } from '../../lab/report/stats.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';

const S = 1e9;
/** Events in time order; times in seconds; the first invoke at 0 is the workload's t0. */
function h(...parts: HistoryEvent[][]): HistoryEvent[] {
  return parts
    .flat()
    .sort((a, b) => a.time - b.time)
    .map((e, i) => ({ ...e, index: i }));
}
let id = 0;
function op(t: number, node: string, errno?: number): HistoryEvent[] {
  const o = id++;
  const base = { op: o, process: 0, client: 0, f: 'DesireTask' };
  return [
    { type: 'invoke', index: 0, time: t * S - 1e6, ...base },
    errno === undefined
      ? { type: 'ok', index: 0, time: t * S, ...base, node }
      : {
          type: 'fail',
          index: 0,
          time: t * S,
          ...base,
          node,
          error: { errno, message: 'WSREP has not yet prepared node for application use' },
        },
  ] as HistoryEvent[];
}
const start = (t: number, fault: string, kind: string, detail: unknown): HistoryEvent[] => [
  { type: 'nemesis', index: 0, time: t * S, phase: 'start', fault, kind, detail },
];
const stop = (t: number, fault: string, kind: string): HistoryEvent[] => [
  { type: 'nemesis', index: 0, time: t * S, phase: 'stop', fault, kind },
];
const recovered = (t: number, fault: string): HistoryEvent[] => [
  { type: 'nemesis', index: 0, time: t * S, phase: 'event', fault, kind: 'recovered' },
];
const t0 = [
  { type: 'invoke', index: 0, time: 0, op: 999, process: 9, client: 9, f: 'TaskByGuid' },
] as HistoryEvent[];

test('1047s of the isolated node while its partition lasts are planned; the two-node remainder losing quorum is not', (t) => {
  const events = h(
    t0,
    start(10, 'partition-1', 'partition', {
      target: 'isolate:active-of:proxy1',
      node: 'n1',
      sides: [['n1'], ['n2', 'n3']],
    }),
    op(11, 'n1', 1047),
    op(12, 'n1', 1047),
    op(13.5, 'n1', 1047),
    // n2 is on the majority side: its 1047s at 12, 13, 14.9 are one unplanned interval (gaps ≤ 2
    // s);
    // the one at 20 is 5.1 s later, a second interval.
    op(12, 'n2', 1047),
    op(13, 'n2', 1047),
    op(14.9, 'n2', 1047),
    op(20, 'n2', 1047),
    stop(25, 'partition-1', 'partition'),
    recovered(27, 'partition-1'),
    // n1 at 26.5 is before its recovery (planned); at 30 it is after (unplanned).
    op(26.5, 'n1', 1047),
    op(30, 'n1', 1047),
    op(31, 'n3'),
  );
  const q = quorumLoss(events);
  t.deepEqual(q, [
    // n1: 11, 12, 13.5 (gaps 1 and 1.5 s) — one interval; 26.5 is 13 s later — another.
    { node: 'n1', from: 11, to: 13.5, errors: 3, planned: true },
    { node: 'n2', from: 12, to: 14.9, errors: 3, planned: false },
    { node: 'n2', from: 20, to: 20, errors: 1, planned: false },
    { node: 'n1', from: 26.5, to: 26.5, errors: 1, planned: true },
    { node: 'n1', from: 30, to: 30, errors: 1, planned: false },
  ]);
  // Unplanned: 3 + 1 + 1 = 5 errors.
  t.is(
    unplannedSentence(q),
    'UNPLANNED QUORUM LOSS: nodes answered 1047 (non-Primary) where no active fault meant them to (n2 12.0–14.9 s (×3), n2 20.0–20.0 s (×1), n1 30.0–30.0 s (×1); 5 errors in all), an effect of this run (e.g. a loaded machine), not of the scenario: its outage figures include it.',
  );
});

test('no false alarm: a killed node rejoining within the grace after its heal, a paused node, an isolate:<n> partition without sides', (t) => {
  const events = h(
    t0,
    start(5, 'kill-1', 'kill', { target: 'n2' }),
    stop(15, 'kill-1', 'kill'),
    // No recovered event: the intent lasts until the heal + 5 s = 20 s.
    op(16, 'n2', 1047),
    op(19.9, 'n2', 1047),
    start(30, 'pause-2', 'pause', { target: 'a-non-active', node: 'n3' }),
    op(31, 'n3', 1047),
    stop(35, 'pause-2', 'pause'),
    start(40, 'partition-3', 'partition', { target: 'isolate:n1' }),
    op(41, 'n1', 1047),
    stop(45, 'partition-3', 'partition'),
  );
  const q = quorumLoss(events);
  t.true(
    q.every((l) => l.planned),
    JSON.stringify(q),
  );
  t.is(
    q.reduce((a, l) => a + l.errors, 0),
    4,
  );
  t.is(unplannedSentence(q), null);
  // A health flap unseats nobody: a 1047 during one is unplanned.
  const flap = quorumLoss(
    h(
      t0,
      start(5, 'health-flap-1', 'health-flap', { target: 'n1' }),
      op(6, 'n1', 1047),
      stop(10, 'health-flap-1', 'health-flap'),
    ),
  );
  t.deepEqual(flap, [{ node: 'n1', from: 6, to: 6, errors: 1, planned: false }]);
});

test('a minority partition on 5 nodes unseats the two-node side only', (t) => {
  const events = h(
    t0,
    start(1, 'partition-1', 'partition', {
      target: 'minority',
      sides: [
        ['n4', 'n5'],
        ['n1', 'n2', 'n3'],
      ],
    }),
    op(2, 'n5', 1047),
    op(2, 'n3', 1047),
    stop(9, 'partition-1', 'partition'),
  );
  t.deepEqual(quorumLoss(events), [
    { node: 'n3', from: 2, to: 2, errors: 1, planned: false },
    { node: 'n5', from: 2, to: 2, errors: 1, planned: true },
  ]);
});

test("against a reference: every 1047 is counted once, and planned exactly when inside the isolated node's window", (t) => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({ t: fc.integer({ min: 1, max: 60 }), node: fc.constantFrom('n1', 'n2', 'n3') }),
        { maxLength: 40 },
      ),
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 1, max: 15 }),
      (errs, at, len) => {
        const events = h(
          t0,
          start(at + 0.5, 'p', 'partition', {
            target: 'isolate:n1',
            sides: [['n1'], ['n2', 'n3']],
          }),
          stop(at + len + 0.5, 'p', 'partition'),
          recovered(at + len + 1.5, 'p'),
          ...errs.map((e) => op(e.t, e.node, 1047)),
        );
        const q = quorumLoss(events);
        // Reference: planned iff n1 and within [at + 0.5, at + len + 1.5].
        const plannedRef = errs.filter(
          (e) => e.node === 'n1' && e.t >= at + 0.5 && e.t <= at + len + 1.5,
        ).length;
        const plannedGot = q.filter((l) => l.planned).reduce((a, l) => a + l.errors, 0);
        return (
          q.reduce((a, l) => a + l.errors, 0) === errs.length &&
          plannedGot === plannedRef &&
          q.every((l) => l.from <= l.to)
        );
      },
    ),
  );
  t.pass();
});

test('RunStats carries it and report.md says so in the answer', (t) => {
  const events = h(
    t0,
    start(10, 'partition-1', 'partition', { target: 'isolate:n1', sides: [['n1'], ['n2', 'n3']] }),
    op(12, 'n2', 1047),
    op(13, 'n3'),
    stop(20, 'partition-1', 'partition'),
  );
  const st = computeStats(events);
  t.deepEqual(st.quorumLoss, [{ node: 'n2', from: 12, to: 12, errors: 1, planned: false }]);
  const scenario = parseScenario(
    'name: r\nquestion: q?\nduration: 30\ntopology: {nodes: 3}\nclients: {count: 3}\n',
  );
  const md = renderMarkdown({
    scenario,
    seed: 1,
    runId: 'r',
    stats: st,
    check: { valid: true, summary: [] },
  });
  t.regex(
    md.split('\n').find((l) => l.startsWith('**Answer'))!,
    /UNPLANNED QUORUM LOSS: .*n2 12\.0–12\.0 s \(×1\)/,
  );
});
