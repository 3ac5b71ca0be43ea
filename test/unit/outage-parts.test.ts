// An outage by part (lab/report/outage-parts.ts) on a small fixed history worked by hand, the node
// log parser, the report section, and properties of the split.

import test from 'ava';
import fc from 'fast-check';
import type { HistoryEvent } from '../../lab/history/event.ts';
import { parseNodeLog } from '../../lab/report/node-log-marks.ts';
import {
  computeOutageParts,
  markDelay,
  partSegments,
  splitOutage,
  subjectOf,
  worstParts,
  type FaultTimeline,
} from '../../lab/report/outage-parts.ts';
import {
  renderOutagePartsHtml,
  renderOutagePartsMarkdown,
  timelineSentence,
} from '../../lab/report/outage-parts-md.ts';
import { METRICS } from '../../lab/investigate/metrics.ts';

const T0 = 5e9;
const at = (s: number) => Math.round(T0 + s * 1e9);
const WALL = new Date(2026, 0, 1, 0, 0, 0).getTime();

/** Two clients; n1 cut off from 2 s to 8 s (see the test for the figures by hand). */
function history(): HistoryEvent[] {
  let i = 0;
  let op = 0;
  const ev: HistoryEvent[] = [];
  const push = (e: Record<string, unknown>) =>
    ev.push({ ...e, index: i++ } as unknown as HistoryEvent);
  const opAt = (
    client: number,
    inv: number,
    done: number,
    type: 'ok' | 'fail' | 'info',
    node = 'n2',
  ) => {
    const o = op++;
    push({ type: 'invoke', op: o, process: client, client, f: 'StartTask', time: at(inv) });
    push({ type, op: o, process: client, client, f: 'StartTask', node, time: at(done) });
  };
  push({
    type: 'nemesis',
    phase: 'event',
    fault: 'workload',
    kind: 'schedule',
    detail: { ratePerClient: 1, clients: 2, durationSec: 10, offsetsSec: [0, 0], wallMs: WALL },
    time: at(0),
  });
  opAt(0, 0, 1, 'ok');
  opAt(1, 0.5, 1.5, 'ok', 'n1');
  push({
    type: 'nemesis',
    phase: 'event',
    fault: 'n1',
    kind: 'health',
    detail: { healthy: true },
    time: at(0.5),
  });
  push({
    type: 'nemesis',
    phase: 'start',
    fault: 'partition-1',
    kind: 'partition',
    detail: { target: 'isolate:n1', node: 'n1' },
    time: at(2),
  });
  opAt(0, 2.5, 3, 'fail');
  push({
    type: 'nemesis',
    phase: 'event',
    fault: 'n1',
    kind: 'health',
    detail: { healthy: false },
    time: at(4),
  });
  opAt(1, 2, 4, 'info', 'n1');
  push({
    type: 'nemesis',
    phase: 'event',
    fault: 'consul',
    kind: 'dns-answer',
    detail: { passing: ['n2', 'n3'] },
    time: at(4.5),
  });
  opAt(0, 5, 5.5, 'ok');
  push({ type: 'nemesis', phase: 'stop', fault: 'partition-1', kind: 'partition', time: at(8) });
  opAt(0, 8.5, 9, 'ok');
  opAt(1, 9.5, 10, 'ok');
  return ev;
}

const LOGS = [
  ...parseNodeLog(
    'n2',
    [
      '2026-01-01 00:00:02 0 [Note] WSREP: evs::proto(6250be69-aff2, OPERATIONAL, view_id(REG,6170d2ab-8304,3)) suspecting node: 6170d2ab-8304',
      '2026-01-01 00:00:03 0 [Note] WSREP: New COMPONENT: primary = yes, bootstrap = no, my_idx = 0, memb_num = 2',
    ].join('\n'),
  ),
  ...parseNodeLog(
    'n1',
    [
      '2026-01-01 00:00:03 0 [Note] WSREP: New COMPONENT: primary = no, bootstrap = no, my_idx = 0, memb_num = 1',
      '2026-01-01 00:00:08 0 [Note] WSREP: Shifting JOINED -> SYNCED (TO: 166)',
    ].join('\n'),
  ),
];

test('the node log parser: suspicion, views and state shifts, each in the middle of its second', (t) => {
  t.deepEqual(
    parseNodeLog(
      'n1',
      [
        '2026-01-01 00:00:03 0 [Note] WSREP: New COMPONENT: primary = no, bootstrap = no, my_idx = 0, memb_num = 1',
        'noise',
        '2026-01-01 00:00:04 0 [Note] WSREP: Shifting SYNCED -> OPEN (TO: 59)',
        '2026-01-01 00:00:05 0 [Note] InnoDB: not wsrep',
      ].join('\n'),
    ),
    [
      { node: 'n1', wallMs: WALL + 3500, kind: 'view', primary: false, members: 1 },
      { node: 'n1', wallMs: WALL + 4500, kind: 'state', from: 'SYNCED', to: 'OPEN' },
    ],
  );
});

test('a fixed history: the timeline and each client’s outage by part, worked by hand', (t) => {
  const p = computeOutageParts(history(), LOGS);
  t.true(p.logMarks);
  const [f] = p.faults;
  // Log lines at 00:00:02 / :03 / :08 sit at 2.5, 3.5 and 8.5 s (the wall clock at t0 is 00:00:00).
  t.deepEqual(f!.timeline, {
    fault: 'partition-1',
    kind: 'partition',
    target: 'isolate:n1',
    subject: 'n1',
    start: 2,
    suspected: 2.5,
    detected: 3.5,
    healthSeen: 4,
    routed: 4.5,
    healed: 8,
    rejoined: 8.5,
  });
  // Client 1: oks at 1.5 and 10 → out 1.5–10 (8.5 s): before 0.5 (1.5–2), detection 1.5 (2–3.5),
  // health 0.5 (3.5–4), routing 0.5 (4–4.5), client 3.5 (4.5–8), rejoin 0.5 (8–8.5), after 1.5
  // (8.5–10).
  // Client 0: oks at 1, 5.5, 9 → its longest overlapping stretch 1–5.5 (4.5 s): before 1, detection
  // 1.5, health 0.5, routing 0.5, client 1 (4.5–5.5).
  t.deepEqual(
    f!.clients.map((c) => [c.client, c.from, c.to, c.sec, c.firstErrorAfterSec, c.parts]),
    [
      [
        '1',
        1.5,
        10,
        8.5,
        2,
        {
          before: 0.5,
          detection: 1.5,
          health: 0.5,
          routing: 0.5,
          client: 3.5,
          rejoin: 0.5,
          after: 1.5,
        },
      ],
      [
        '0',
        1,
        5.5,
        4.5,
        1,
        { before: 1, detection: 1.5, health: 0.5, routing: 0.5, client: 1, rejoin: 0, after: 0 },
      ],
    ],
  );
  t.is(worstParts(p)!.client.client, '1');
  t.deepEqual(
    ['suspected', 'detected', 'healthSeen', 'routed', 'rejoined'].map((m) =>
      markDelay(f!.timeline, m as never),
    ),
    [0.5, 1.5, 2, 2.5, 0.5],
  );
});

test('the metrics read the worst client of the worst fault, and each mark’s delay', (t) => {
  const r = { stats: {}, check: {}, outageParts: computeOutageParts(history(), LOGS) };
  t.is(METRICS.outagePart!.get(r, 'detection'), 1.5);
  t.is(METRICS.outagePart!.get(r, 'client'), 3.5);
  t.is(METRICS.faultMarkSec!.get(r, 'routed'), 2.5);
  t.is(METRICS.faultMarkSec!.get(r, 'rejoined'), 0.5);
  t.is(
    METRICS.outagePart!.get({ stats: {}, check: {} }, 'detection'),
    null,
    'an older run: missing, not 0',
  );
});

test('without the wall clock (an older run) the log marks are left out, the history marks stay', (t) => {
  const ev = history().map((e) =>
    e.type === 'nemesis' && e.kind === 'schedule'
      ? { ...e, detail: { ratePerClient: 1, clients: 2, durationSec: 10, offsetsSec: [0, 0] } }
      : e,
  );
  const p = computeOutageParts(ev, LOGS);
  t.false(p.logMarks);
  const tl = p.faults[0]!.timeline;
  t.deepEqual(
    [tl.suspected, tl.detected, tl.healthSeen, tl.routed, tl.rejoined],
    [null, null, 4, 4.5, null],
  );
  // No detection mark: the wait until the health check is all "health" (2–4).
  t.is(p.faults[0]!.clients[0]!.parts.health, 2);
});

test('marks out of the usual order (a kill: the health check sees it before Galera) are cut in time order', (t) => {
  const tl: FaultTimeline = {
    fault: 'k',
    kind: 'kill',
    target: 'n1',
    subject: 'n1',
    start: 10,
    suspected: null,
    detected: 16,
    healthSeen: 11,
    routed: 12,
    healed: 20,
    rejoined: 25,
  };
  t.deepEqual(
    partSegments(tl).map((s) => [s.part, s.from, s.to]),
    [
      ['before', -Infinity, 10],
      ['health', 10, 11],
      ['routing', 11, 12],
      ['detection', 12, 16],
      ['client', 16, 20],
      ['rejoin', 20, 25],
      ['after', 25, Infinity],
    ],
  );
  t.deepEqual(splitOutage(tl, 10, 17), {
    before: 0,
    detection: 4,
    health: 1,
    routing: 1,
    client: 1,
    rejoin: 0,
    after: 0,
  });
});

test('the subject of a fault: a resolved role, a node or proxy in the target, else none', (t) => {
  t.is(subjectOf({ node: 'n3', target: 'isolate:most-written' }), 'n3');
  t.is(subjectOf({ target: 'isolate:n2' }), 'n2');
  t.is(subjectOf({ target: 'proxy1' }), 'proxy1');
  t.is(subjectOf({ target: 'client-proxy1' }), null);
});

test('the parts of any stretch sum to its length and none is negative', (t) => {
  const mark = fc.option(fc.double({ min: 0, max: 40, noNaN: true }), { nil: null });
  fc.assert(
    fc.property(
      fc.double({ min: 0, max: 20, noNaN: true }),
      fc.double({ min: 0, max: 20, noNaN: true }),
      mark,
      mark,
      mark,
      mark,
      fc.double({ min: 0, max: 40, noNaN: true }),
      fc.double({ min: 0, max: 30, noNaN: true }),
      (start, len, detected, healthSeen, routed, rejoined, from, dur) => {
        const healed = start + len;
        const tl: FaultTimeline = {
          fault: 'f',
          kind: 'partition',
          target: 'n1',
          subject: 'n1',
          start,
          suspected: null,
          detected,
          healthSeen,
          routed,
          healed,
          rejoined,
        };
        const parts = splitOutage(tl, from, from + dur);
        const total = Object.values(parts).reduce((a, b) => a + b, 0);
        t.true(Math.abs(total - dur) < 1e-6, `sum ${total} vs ${dur}`);
        t.true(Object.values(parts).every((x) => x >= 0));
      },
    ),
  );
});

test('the report section: the timeline in one sentence, the clients out ≥ 1 s by part', (t) => {
  const p = computeOutageParts(history(), LOGS);
  t.is(
    timelineSentence(p.faults[0]!.timeline),
    'started at 2.0 s; suspected by Galera +0.5 s; Galera went on without it +1.5 s; health check unhealthy +2.0 s; proxy or DNS moved +2.5 s; healed +6.0 s; n1 Synced again 0.5 s after the heal',
  );
  const md = renderOutagePartsMarkdown(p, 'evs.suspect_timeout 5 s');
  t.true(md.includes('## Outage by part'));
  t.true(md.includes('Galera failure detection: evs.suspect_timeout 5 s.'));
  t.true(md.includes('| 1 | 8.5 | 0.5 | 1.5 | 0.5 | 0.5 | 3.5 | 0.5 | 1.5 | 2.0 |'), md);
  t.true(md.includes('| 0 | 4.5 | 1.0 | 1.5 | 0.5 | 0.5 | 1.0 | 0.0 | 0.0 | 1.0 |'), md);
  t.is(renderOutagePartsMarkdown({ logMarks: false, faults: [] }, 'x'), '');
  const html = renderOutagePartsHtml(p, 'evs.suspect_timeout 5 s');
  t.true(html.includes('<h2 id="outage-parts">Outage by part</h2>'));
  t.true(
    html.includes(
      '<tr><td>1</td><td>8.5</td><td>0.5</td><td>1.5</td><td>0.5</td><td>0.5</td><td>3.5</td><td>0.5</td><td>1.5</td><td>2.0</td></tr>',
    ),
    html,
  );
  t.true(html.includes('client&#39;s own') || html.includes("client's own"), 'the header in words');
});

test("a health answer inside the logged second of Galera's new view: the view moves to the second's start", (t) => {
  const ev = history().map((e) =>
    e.type === 'nemesis' &&
    e.kind === 'health' &&
    (e.detail as { healthy: boolean }).healthy === false
      ? { ...e, time: at(3.2) }
      : e,
  );
  // The view at 00:00:03 sits at 3.5; the health check answered at 3.2, inside that second: view at
  // 3.0.
  const tl = computeOutageParts(ev, LOGS).faults[0]!.timeline;
  t.deepEqual([tl.detected, tl.healthSeen, tl.routed], [3, 3.2, 4.5]);
  // A health answer outside the second (the fixed history's 4.0) leaves the view at 3.5.
  t.is(computeOutageParts(history(), LOGS).faults[0]!.timeline.detected, 3.5);
});
