// Availability from the clients' side and errors absorbed by retries, on small fixed histories
// whose answers are worked out by hand in the comments (seconds since the first invoke).

import test from 'ava';
import type { HistoryEvent, OpError } from '../../lab/history/event.ts';
import { computeAvailability, gapsBetween } from '../../lab/report/availability.ts';
import { computeRetries } from '../../lab/report/retries.ts';
import { computeStats } from '../../lab/report/stats.ts';
import { pairOps } from '../../lab/history/event.ts';

const S = 1e9;
const E1047: OpError = {
  errno: 1047,
  code: 'ER_UNKNOWN_COM_ERROR',
  message: 'WSREP has not yet prepared node',
  phase: 'statement',
};
const E1213: OpError = {
  errno: 1213,
  code: 'ER_LOCK_DEADLOCK',
  message: 'Deadlock found',
  phase: 'statement',
};
const LOST: OpError = { code: 'PROTOCOL_CONNECTION_LOST', message: 'lost' };

/** Builds a history; times in seconds. The first invoke must be at 0 (the workload's time zero). */
function builder() {
  const events: HistoryEvent[] = [];
  let id = 0;
  const push = (e: Record<string, unknown>) =>
    events.push({ index: events.length, ...e } as unknown as HistoryEvent);
  return {
    events,
    op(
      client: number,
      inv: number,
      done: number | null,
      type: 'ok' | 'fail' | 'info',
      extra: Record<string, unknown> = {},
      f = 'TaskByGuid',
    ) {
      const base = { op: id++, process: client, client, f, key: 'task/t' };
      push({ type: 'invoke', time: inv * S, ...base });
      if (done !== null) push({ type, time: done * S, ...base, ...extra });
    },
    nemesis(
      time: number,
      phase: 'start' | 'stop' | 'event',
      fault: string,
      kind: string,
      detail?: unknown,
    ) {
      push({
        type: 'nemesis',
        time: time * S,
        phase,
        fault,
        kind,
        ...(detail === undefined ? {} : { detail }),
      });
    },
    sorted(): HistoryEvent[] {
      return [...events].sort((a, b) => a.time - b.time).map((e, index) => ({ ...e, index }));
    },
  };
}

// The acceptance example. Four clients, workload 0–30 s. Before the fault each client c has
// ok completions every 0.5 s at 0.5k + 0.1c (k = 1..19) and one at 10.0. A kill starts at 10.5,
// heals at 15, and the system is back at 20 (the `recovered` event).
// Clients 0–2 next succeed at 13.0 (a 10.0 → 13.0 gap, 3 s), then every 0.5 s at 13 + 0.5k + 0.1c
// (k = 1..33, last 29.5 + 0.1c). Client 3 next succeeds at 29.0 (10.0 → 29.0: 19 s) and 29.8.
// In flight at 10.5: client 0's op 10.2 → 11.0 (info, lost connection), client 1's 10.3 → 10.6
// (fail, 1047), client 3's 10.4 → 12.0 (fail, 1047). Client 3 also fails 16.9 → 17.0 (1047: after
// the heal, before the recovery: the rejoin's aftermath) and 29.9 → 30.0 (1213), which ends the
// workload.
function acceptanceHistory(): HistoryEvent[] {
  const b = builder();
  b.op(0, 0, 0.5, 'ok'); // the first invoke at 0
  for (let c = 0; c < 4; c++) {
    for (let k = c === 0 ? 2 : 1; k <= 19; k++)
      b.op(c, 0.5 * k + 0.1 * c - 0.05, 0.5 * k + 0.1 * c, 'ok');
    b.op(c, 9.99, 10.0, 'ok');
  }
  b.op(0, 10.2, 11.0, 'info', { error: LOST });
  b.op(1, 10.3, 10.6, 'fail', { error: E1047 });
  b.op(3, 10.4, 12.0, 'fail', { error: E1047 });
  for (let c = 0; c < 3; c++) {
    b.op(c, 12.95, 13.0, 'ok');
    for (let k = 1; k <= 33; k++)
      b.op(c, 13 + 0.5 * k + 0.1 * c - 0.05, 13 + 0.5 * k + 0.1 * c, 'ok');
  }
  b.op(3, 16.9, 17.0, 'fail', { error: E1047 });
  b.op(3, 28.95, 29.0, 'ok');
  b.op(3, 29.75, 29.8, 'ok');
  b.op(3, 29.9, 30.0, 'fail', { error: E1213 });
  b.nemesis(10.5, 'start', 'kill-1', 'kill', { target: 'n1' });
  b.nemesis(15, 'stop', 'kill-1', 'kill', { target: 'n1' });
  b.nemesis(20, 'event', 'kill-1', 'recovered');
  return b.sorted();
}

test('acceptance: four clients, a 3 s gap for all and a 19 s gap for one → 19 s worst client, 3 s for the whole BBS', (t) => {
  const s = computeStats(acceptanceHistory());
  const a = s.availability;
  // Per client, the longest no-success gap: clients 0–2 10.0 → 13.0; client 3 10.0 → 29.0.
  t.deepEqual(
    Object.fromEntries(
      Object.entries(a.perClient).map(([c, p]) => [
        c,
        [p.longest!.from, p.longest!.to, p.longest!.sec],
      ]),
    ),
    { '0': [10, 13, 3], '1': [10, 13, 3], '2': [10, 13, 3], '3': [10, 29, 19] },
  );
  // Ok completions per client: 0–2: 19 + 1 + 1 + 33 = 54; client 3: 19 + 1 + 2 = 22.
  t.deepEqual(
    Object.values(a.perClient).map((p) => p.oks),
    [54, 54, 54, 22],
  );
  // The whole BBS: every other stretch between oks is ≤ 0.5 s, so the only gap ≥ 1 s is 10 → 13.
  t.deepEqual(a.bbs.longest, { from: 10, to: 13, sec: 3 });
  t.deepEqual(a.bbs.gaps, [{ from: 10, to: 13, sec: 3 }]);
  // 3 s of the workload's 30 s inside a ≥ 1 s gap: 1 − 3/30 = 0.9.
  t.is(Math.round(a.timeShare * 1e9) / 1e9, 0.9);
  t.is(a.faults.length, 1);
  const f = a.faults[0]!;
  t.like(f, {
    fault: 'kill-1',
    kind: 'kill',
    target: 'n1',
    start: 10.5,
    healed: 15,
    recovered: 20,
  });
  t.is(f.node, undefined, 'a plain node target resolves to nothing more');
  // Window [10.5, 20]: the gaps overlapping it are 3 s for clients 0–2 and 19 s for client 3.
  t.deepEqual(f.clientOutageSec, { '0': 3, '1': 3, '2': 3, '3': 19 });
  t.is(f.worstClientOutageSec, 19);
  t.is(f.worstClient, '3');
  // Median of 3, 3, 3, 19 = (3 + 3) / 2 = 3.
  t.is(f.medianClientOutageSec, 3);
  t.is(f.bbsOutageSec, 3);
  // First ok of an op invoked at or after 10.5: clients 0–2 at 13.0 (13.0 − 10.5 = 2.5); client 3
  // at 29.0 (18.5).
  t.deepEqual(f.firstOkAfterSec, { '0': 2.5, '1': 2.5, '2': 2.5, '3': 18.5 });
  // Invoked before 10.5 and completed after: 10.2 → 11.0 info, 10.3 → 10.6 fail, 10.4 → 12.0 fail.
  // The info op is not a CompleteTask (no unique trace): cannot tell whether it committed.
  t.deepEqual(f.inFlight, {
    ops: 3,
    ok: 0,
    fail: 2,
    info: 1,
    unfinished: 0,
    unknown: { seen: 0, notSeen: 0, cannotTell: 1 },
  });
  // Failed/unknown completions in [10.5, 20]: 10.6 and 12.0 and 17.0 (1047 ×3), 11.0 (lost); 30.0
  // is outside.
  t.deepEqual(f.errors, { '1047 non-primary': 3, 'connection-lost': 1 });
  // The window ends at the recovery, not the heal: the 1047 at 17.0 is inside a fault window.
  t.is(s.errorsInFaults, 4);
  t.is(s.errorsOutsideFaults, 1);
  t.deepEqual(s.faults[0], {
    id: 'kill-1',
    kind: 'kill',
    target: 'n1',
    start: 10.5,
    end: 15,
    recovered: 20,
  });
  // The recovery is a lab event with its time.
  t.deepEqual(
    s.labEvents.map((e) => [e.at, e.source, e.kind]),
    [[20, 'kill-1', 'recovered']],
  );
});

test('a fault never healed: window to the end; in-flight ops by outcome; clients with no success after it; the resolved node', (t) => {
  // Three clients, workload 0–10 s. A partition of the role target active-of:proxy1 (resolved to
  // n1) starts at 2.0 and is never healed, so its window is [2, 10].
  //   client 0: ok 0 → 1.0; ok 1.5 → 3.0 (in flight at 2.0); info 3.1 → 4.0 (lost); fail 9.9 → 10.0
  //   (1213).
  //   client 1: fail 1.0 → 2.5 (in flight, 1047). No ok ever.
  //   client 2: invoked 1.8, never completed (in flight, unfinished). No ok ever.
  const b = builder();
  b.op(0, 0, 1.0, 'ok');
  b.op(1, 1.0, 2.5, 'fail', { error: E1047 });
  b.op(0, 1.5, 3.0, 'ok');
  b.op(2, 1.8, null, 'ok');
  b.op(0, 3.1, 4.0, 'info', { error: LOST });
  b.op(0, 9.9, 10.0, 'fail', { error: E1213 });
  b.nemesis(2.0, 'start', 'partition-1', 'partition', { target: 'active-of:proxy1', node: 'n1' });
  const s = computeStats(b.sorted());
  const f = s.availability.faults[0]!;
  t.is(f.node, 'n1');
  t.is(f.target, 'active-of:proxy1');
  t.is(f.healed, null);
  t.is(f.recovered, null);
  // Client 0's gaps: 0 → 1, 1 → 3, 3 → 10; those overlapping [2, 10]: 2 s and 7 s → 7.
  // Clients 1 and 2 never succeeded: one gap 0 → 10 = 10 s.
  t.deepEqual(f.clientOutageSec, { '0': 7, '1': 10, '2': 10 });
  // Median of 7, 10, 10 = 10; worst 10, the first such client: 1.
  t.is(f.medianClientOutageSec, 10);
  t.is(f.worstClientOutageSec, 10);
  t.is(f.worstClient, '1');
  // The BBS's oks are client 0's (1.0, 3.0): gaps 0 → 1, 1 → 3, 3 → 10. Each ok has a gap of 1 s
  // or more on both sides, so each is a lone success and the BBS's outage is one stretch 0 → 10.
  t.is(f.bbsOutageSec, 10);
  t.deepEqual(f.bbsStretches, [{ from: 0, to: 10, sec: 10, split: [1, 3] }]);
  // The ok at 3.0 was invoked at 1.5, before the fault: no client had an ok op invoked after 2.0.
  t.deepEqual(f.firstOkAfterSec, { '0': null, '1': null, '2': null });
  t.deepEqual(f.inFlight, {
    ops: 3,
    ok: 1,
    fail: 1,
    info: 0,
    unfinished: 1,
    unknown: { seen: 0, notSeen: 0, cannotTell: 1 },
  });
  // In [2, 10]: 1047 at 2.5, lost at 4.0, 1213 at 10.0.
  t.deepEqual(f.errors, { '1047 non-primary': 1, 'connection-lost': 1, '1213 deadlock': 1 });
  // Every BBS gap here is ≥ 1 s (1, 2, 7 s), merged into one: 10 of 10 s unavailable → time share
  // 0.
  t.deepEqual(
    s.availability.bbs.gaps.map((g) => g.sec),
    [10],
  );
  t.is(s.availability.timeShare, 0);
  t.deepEqual(s.faults[0], {
    id: 'partition-1',
    kind: 'partition',
    target: 'active-of:proxy1',
    start: 2,
    end: null,
    recovered: null,
    node: 'n1',
  });
});

test('gaps: from the workload start to the first ok, between oks, to the end; none for an empty workload', (t) => {
  // Oks at 2 and 5 in a 9 s workload: 0 → 2, 2 → 5, 5 → 9.
  t.deepEqual(gapsBetween([2, 5], 9), [
    { from: 0, to: 2, sec: 2 },
    { from: 2, to: 5, sec: 3 },
    { from: 5, to: 9, sec: 4 },
  ]);
  // Two oks at the same instant make no zero-length gap.
  t.deepEqual(gapsBetween([1, 1], 1), [{ from: 0, to: 1, sec: 1 }]);
  const empty = computeAvailability([], [], 0, 0);
  t.deepEqual(empty, { bbs: { longest: null, gaps: [] }, perClient: {}, timeShare: 0, faults: [] });
});

test('lab events carry their time since the workload start: proxy moves and Consul leadership', (t) => {
  const b = builder();
  b.op(0, 0, 1, 'ok');
  b.nemesis(2.5, 'event', 'proxy1', 'proxy-active-changed', {
    type: 'active-changed',
    from: 'n1',
    to: 'n2',
    reason: 'n1 is unhealthy; n2 has the lowest index among the healthy (1)',
  });
  b.nemesis(3, 'event', 'proxy1', 'proxy-health-changed', { backend: 'n1' });
  b.nemesis(4, 'event', 'proxy2', 'consul-leader', { proxy: 'proxy2', event: 'leader' });
  const s = computeStats(b.sorted());
  // Health changes are many and not listed; the move and the leadership are, at 2.5 s and 4 s.
  t.deepEqual(
    s.labEvents.map((e) => [e.at, e.text]),
    [
      [
        2.5,
        'proxy1: active backend n1 → n2 (n1 is unhealthy; n2 has the lowest index among the healthy (1))',
      ],
      [4, 'proxy2: took the Consul lock and serves'],
    ],
  );
});

test('retries: absorbed errors by code, op and node; ops retried and how they ended; the latency they cost', (t) => {
  // StartTask: A retried twice (1213, 1213) then ok in 50 ms on n1; B, C, D ok without retry in 10,
  // 20, 30 ms.
  // DesireTask: E retried once (1047) then failed (1213) on n2; F retried once (lost connection)
  // then ok, node unknown.
  // CancelTask: G retried once (1213) then unknown (lost) on n1.
  const b = builder();
  b.op(0, 0, 0.05, 'ok', { node: 'n1', attempts: 3, retried: [E1213, E1213] }, 'StartTask');
  b.op(1, 0, 0.01, 'ok', { node: 'n1' }, 'StartTask');
  b.op(2, 0, 0.02, 'ok', { node: 'n1' }, 'StartTask');
  b.op(3, 0, 0.03, 'ok', { node: 'n1' }, 'StartTask');
  b.op(
    4,
    0,
    0.1,
    'fail',
    { node: 'n2', attempts: 2, retried: [E1047], error: E1213 },
    'DesireTask',
  );
  b.op(5, 0, 0.2, 'ok', { attempts: 2, retried: [LOST] }, 'DesireTask');
  b.op(6, 0, 0.3, 'info', { node: 'n1', attempts: 2, retried: [E1213], error: LOST }, 'CancelTask');
  const r = computeRetries(pairOps(b.sorted()));
  // 1213: 2 (A) + 1 (G) = 3; 1047: 1 (E); lost: 1 (F).
  t.deepEqual(r.absorbed, { '1213 deadlock': 3, '1047 non-primary': 1, 'connection-lost': 1 });
  t.deepEqual(r.absorbedByOp, {
    '1213 deadlock': { StartTask: 2, CancelTask: 1 },
    '1047 non-primary': { DesireTask: 1 },
    'connection-lost': { DesireTask: 1 },
  });
  t.deepEqual(r.absorbedByNode, {
    '1213 deadlock': { n1: 3 },
    '1047 non-primary': { n2: 1 },
    'connection-lost': { '(unknown)': 1 },
  });
  // Retried: A, E, F, G → ok A and F, fail E, info G.
  t.is(r.opsRetried, 4);
  t.deepEqual(r.retriedOutcome, { ok: 2, fail: 1, info: 1 });
  // A: 50 ms − median(10, 20, 30) = 30 ms. F: no DesireTask succeeded without a retry, no baseline
  // → 0.
  t.is(Math.round(r.extraLatencyMs * 1e6) / 1e6, 30);
  // computeStats carries the same figures; the errors the caller saw (E's 1213, G's lost) stay in
  // `errors`.
  const s = computeStats(b.sorted());
  t.deepEqual(s.retries.absorbed, r.absorbed);
  t.deepEqual(s.errors, { '1213 deadlock': 1, 'connection-lost': 1 });
});

test('retries: a run without a retry policy absorbs nothing', (t) => {
  const b = builder();
  b.op(0, 0, 0.01, 'ok', { node: 'n1', attempts: 1 });
  b.op(0, 0.02, 0.03, 'fail', { node: 'n1', error: E1213 });
  t.deepEqual(computeRetries(pairOps(b.sorted())), {
    absorbed: {},
    absorbedByOp: {},
    absorbedByNode: {},
    opsRetried: 0,
    retriedOutcome: { ok: 0, fail: 0, info: 0 },
    extraLatencyMs: 0,
  });
});

test('report.md of the acceptance history: the outage first, then the fault table, availability, lab events with times', async (t) => {
  const { renderMarkdown } = await import('../../lab/report/markdown.ts');
  const { parseScenario } = await import('../../lab/scenario/validate.ts');
  const scenario = parseScenario(
    'name: k\nquestion: How long is the BBS down?\nduration: 30\ntopology: {nodes: 3, proxies: 1}\nclients: {count: 4}\n',
  );
  const md = renderMarkdown({
    scenario,
    seed: 1,
    runId: 'r',
    stats: computeStats(acceptanceHistory()),
    check: { valid: true, summary: [] },
  });
  const answer = md.split('\n').find((l) => l.startsWith('**Answer'))!;
  // The question asks how long: the outage first, with whether a fault was injected, in two
  // sentences.
  t.is(
    answer,
    '**Answer from this run.** The whole BBS was out (no client had a success) for 3.0 s at most (kill-1), the worst client for 19.0 s; 1 fault was injected (table below). The checkers found no anomaly: no acknowledged write lost, no BBS invariant broken.',
  );
  const detail = md.split('\n').find((l) => l.startsWith('**In detail'))!;
  // The figures worked out in the acceptance test above: BBS 3 s, median 3 s, worst 19 s (client
  // 3).
  t.true(
    detail.startsWith(
      '**In detail.** 1 fault(s). kill n1 at 10.5 s (healed at 15.0 s, back to its pre-fault state at 20.0 s): no client had a success for 3.0 s; the worst client (client 3) had none for 19.0 s, the median client for 3.0 s; 3 op(s) were in flight when it started (0 ok, 2 failed, 1 unknown; of the unknown, by later reads: 0 committed, 0 never seen, 1 cannot tell).',
    ),
    detail,
  );
  t.regex(detail, /The BBS was available 90\.0% of the time/);
  // Recovery 20 − 15 = 5 s after the heal; errors in [10.5, 20]: 1047 ×3, lost ×1.
  t.regex(
    md,
    /\| kill-1 \| n1 \| 10\.5 – 15\.0 – 20\.0 \| 3\.0 s \| 3\.0 s \| 19\.0 s \(client 3\) \| 3 \(0 ok, 2 failed, 1 unknown; of the unknown, by later reads: 0 committed, 0 never seen, 1 cannot tell\) \| 4: 1047 non-primary ×3, connection-lost ×1 \| 5\.0 s \|/,
  );
  // Per client, the longest stretch first: client 3 (19 s), then 0, 1, 2 (3 s each).
  t.regex(
    md,
    /\| client \| ok ops \| longest stretch without a success \| from – to s \|\n\| --- \| --- \| --- \| --- \|\n\| 3 \| 22 \| 19\.0 s \| 10\.0 – 29\.0 \|\n\| 0 \| 54 \| 3\.0 s \| 10\.0 – 13\.0 \|/,
  );
  t.regex(
    md,
    /Stretches of 1 s or more with no successful op by any client: 10\.0–13\.0 s \(3\.0 s\)\./,
  );
  t.regex(
    md,
    /## Lab events\n\nSeconds since the first op\.\n\n- 20\.0 s: kill-1: the system is back to its pre-fault state/,
  );
  t.notRegex(md, /Errors absorbed by retries/, 'no retry section without retries');
  t.notRegex(md, /failover/i);
});

test('report.md shows the errors retries absorbed, by code, op and node', async (t) => {
  const { renderMarkdown } = await import('../../lab/report/markdown.ts');
  const { parseScenario } = await import('../../lab/scenario/validate.ts');
  const b = builder();
  // Two StartTasks on n1: one retried twice after 1213s, then ok in 50 ms; one ok in 10 ms without
  // retry.
  b.op(0, 0, 0.05, 'ok', { node: 'n1', attempts: 3, retried: [E1213, E1213] }, 'StartTask');
  b.op(1, 0, 0.01, 'ok', { node: 'n1' }, 'StartTask');
  const scenario = parseScenario(
    'name: k\nquestion: q\nduration: 1\ntopology: {nodes: 3, proxies: 1}\nclients: {count: 2}\nbbs: {version: 2016-11}\n',
  );
  const md = renderMarkdown({
    scenario,
    seed: 1,
    runId: 'r',
    stats: computeStats(b.sorted()),
    check: { valid: true, summary: [] },
  });
  // Extra latency: 50 − median(10) = 40 ms = 0.04 s → "0.0 s".
  const line =
    'Retries absorbed 2 error(s) the caller never saw (1213 deadlock ×2) in 1 retried op(s) (1 then ok, 0 failed, 0 unknown), costing 0.0 s of latency over the ops that needed no retry.';
  t.true(md.includes(line), 'in the answer and the section');
  t.regex(
    md,
    /## Errors absorbed by retries[\s\S]*\| error \| absorbed \| StartTask \| on n1 \|\n\| --- \| --- \| --- \| --- \|\n\| 1213 deadlock \| 2 \| 2 \| 2 \|/,
  );
});

/**
 * A kill of n2 while proxy1 writes to n1. Two clients, workload 0–6 s.
 *   client 0: ok 0→0.5, 0.5→1.0, 1.0→1.5, 1.5→2.0, 2.0→4.9 (in flight through the kill), 4.9→5.5,
 *   5.5→6.0 client 1: ok 0.1→0.6, 0.6→1.1, 1.1→1.6, 1.6→1.95, 1.95→3.5 (a lone success), 3.5→5.0,
 *   5.0→5.6, 5.6→6.0
 * Kill n2 at 2.1, healed at 3.0, recovered at 5.0; proxy1's active backend n1 from 0, never moved.
 * Successes of any client after 2.0: 3.5, then 4.9. Gaps 2.0→3.5 (1.5 s) and 3.5→4.9 (1.4 s) are
 * both ≥ 1 s, so 3.5 is a lone success and the BBS's outage is one stretch 2.0→4.9 = 2.9 s.
 */
function nonActiveKill() {
  const b = builder();
  for (const [i, d] of [
    [0, 0.5],
    [0.5, 1.0],
    [1.0, 1.5],
    [1.5, 2.0],
    [2.0, 4.9],
    [4.9, 5.5],
    [5.5, 6.0],
  ] as const)
    b.op(0, i, d, 'ok');
  for (const [i, d] of [
    [0.1, 0.6],
    [0.6, 1.1],
    [1.1, 1.6],
    [1.6, 1.95],
    [1.95, 3.5],
    [3.5, 5.0],
    [5.0, 5.6],
    [5.6, 6.0],
  ] as const)
    b.op(1, i, d, 'ok');
  b.nemesis(0, 'event', 'proxy1', 'proxy-active-changed', { from: null, to: 'n1' });
  b.nemesis(2.1, 'start', 'kill-1', 'kill', { target: 'n2' });
  b.nemesis(3.0, 'stop', 'kill-1', 'kill');
  b.nemesis(5.0, 'event', 'kill-1', 'recovered');
  return computeStats(b.sorted());
}

test('a lone success inside an outage does not end it: the kill of a non-active node, its stretch and why it stalled', async (t) => {
  const { faultNotes } = await import('../../lab/report/fault-table.ts');
  const st = nonActiveKill();
  const f = st.availability.faults[0]!;
  t.is(Number(f.bbsOutageSec.toFixed(6)), 2.9);
  t.deepEqual(
    f.bbsStretches!.map((g) => [g.from, Number(g.to.toFixed(6)), g.split]),
    [[2, 4.9, [3.5]]],
  );
  // Per client nothing is merged: client 0 was without a success 2.0→4.9 (2.9 s), client 1 at most
  // 1.95→3.5 (1.55 s).
  t.is(Number(f.worstClientOutageSec.toFixed(6)), 2.9);
  t.is(Number(f.clientOutageSec['1']!.toFixed(6)), 1.55);
  const notes = faultNotes(st);
  t.is(notes.length, 2);
  t.true(
    notes[0]!.startsWith(
      'kill-1: the whole BBS was without a success in 2.0–4.9 s (2.9 s, one stretch across a lone success at 3.5 s) (a lone success',
    ),
    notes[0],
  );
  t.true(
    notes[1]!.startsWith(
      'kill-1: n2 was not a node the proxies wrote to (proxy1 on n1) and no proxy moved, yet no client had a success for 2.9 s:',
    ),
    notes[1],
  );
  t.regex(notes[1]!, /evs\.suspect_timeout/);
});

test('no line of why when the killed node was the active one, or when the proxy moved', async (t) => {
  const { faultNotes } = await import('../../lab/report/fault-table.ts');
  const st = nonActiveKill();
  const active = {
    ...st,
    labEvents: st.labEvents.map((e) =>
      e.kind === 'proxy-active-changed' ? { ...e, to: 'n2' } : e,
    ),
  };
  t.false(faultNotes(active).some((n) => n.includes('was not a node the proxies wrote to')));
  const moved = {
    ...st,
    labEvents: [
      ...st.labEvents,
      { at: 2.5, source: 'proxy1', kind: 'proxy-active-changed', text: '', to: 'n3' },
    ],
  };
  t.false(faultNotes(moved).some((n) => n.includes('was not a node the proxies wrote to')));
});

test('the answer opens with the asked figure and says whether a fault was injected, in under 80 words', async (t) => {
  const { answerSentences, askedFigures } = await import('../../lab/report/answer.ts');
  const st = nonActiveKill();
  const words = (s: string[]) => s.join(' ').split(/\s+/).length;
  const outage = answerSentences({
    scenario: { question: 'How long is the BBS unavailable, and is any acknowledged write lost?' },
    stats: st,
    check: { valid: true, summary: [] },
  });
  t.deepEqual(outage, [
    'The whole BBS was out (no client had a success) for 2.9 s at most (kill-1), the worst client for 2.9 s; 1 fault was injected (table below).',
    'The checkers found no anomaly: no acknowledged write lost, no BBS invariant broken.',
  ]);
  // The quickstart's question on a history without faults or errors (the 15 ops above, no nemesis).
  const quiet = { ...st, availability: { ...st.availability, faults: [] } };
  const q =
    'With every BBS write routed through one switchboard proxy to one active Galera node, do deadlock errors (1213) or rollbacks happen, and does any BBS operation misbehave?';
  t.deepEqual(askedFigures(q), ['deadlocks', 'errors', 'correctness']);
  const qs = answerSentences({
    scenario: { question: q },
    stats: quiet,
    check: { valid: true, summary: [] },
  });
  t.is(qs[0], 'No 1213 deadlock (rollback) in 15 ops; no fault was injected.');
  t.true(words(qs) <= 80, `${words(qs)} words`);
});

test('a role target’s resolution reaches results.json (availability.faults) and the line under the fault table', async (t) => {
  const { faultNotes } = await import('../../lab/report/fault-table.ts');
  const b = builder();
  b.op(0, 0, 0.5, 'ok');
  b.op(0, 0.5, 3.0, 'ok');
  b.nemesis(1.0, 'start', 'partition-1', 'partition', {
    target: 'isolate:most-written',
    node: 'n2',
    resolution: {
      role: 'most-written',
      node: 'n2',
      margin: 37,
      text: 'most-written: n2, 412 ok writes when the fault started, 37 more than n1 (375)',
    },
  });
  const f = computeStats(b.sorted()).availability.faults[0]!;
  t.is(f.margin, 37);
  t.is(
    f.resolution,
    'most-written: n2, 412 ok writes when the fault started, 37 more than n1 (375)',
  );
  t.is(
    faultNotes(computeStats(b.sorted()))[0],
    'partition-1: the role isolate:most-written resolved to n2 (most-written: n2, 412 ok writes when the fault started, 37 more than n1 (375)).',
  );
});
