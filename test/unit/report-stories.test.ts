import test from 'ava';
import type { CheckReport } from '../../lab/report/verdicts.ts';
import { pairOps, type CompletionEvent, type HistoryEvent } from '../../lab/history/event.ts';
import { computeStats } from '../../lab/report/stats.ts';
import { STORY_RULES, generateStories, renderStoriesMarkdown } from '../../lab/report/stories.ts';
import type { OpError } from '../../lab/history/event.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';
import type { DeadlockRetry } from '../../lab/scenario/types.ts';
import { T0, fixtureHistory } from '../browser/report-fixture.ts';

const clean: CheckReport = {
  valid: true,
  summary: [],
  linearizability: null,
  invariants: null,
  failedApplied: [],
  isolation: null,
};

/** The BBS version whose retry each policy is. */
const VERSION_WITH: Record<DeadlockRetry, string> = {
  none: '2016-03',
  'commit-only-2016-04': '2016-05',
  'all-2016-11': '2016-11',
  'all-and-bad-conn-2017-06': '2017-06',
};

const scenarioWith = (retry: DeadlockRetry = 'none') =>
  parseScenario(
    `name: stories\nquestion: q?\nduration: 5\ntopology: {nodes: 3}\nclients: {count: 3, via: nodes}\nbbs: {version: ${VERSION_WITH[retry]}}\n`,
  );

function ctx(history: HistoryEvent[], check: CheckReport = clean, retry: DeadlockRetry = 'none') {
  return {
    scenario: scenarioWith(retry),
    stats: computeStats(history),
    check,
    ops: pairOps(history).filter((o) => o.f !== 'FinalRead'),
  };
}

const DEADLOCK: OpError = { errno: 1213, message: 'Deadlock found', phase: 'statement' };
const DEADLOCK_ON_COMMIT: OpError = { errno: 1213, message: 'Deadlock found', phase: 'commit' };

/**
 * A history of ops given as [op, f, node, invoke s, complete s, outcome, error?, extra completion
 * fields]; one process per op.
 */
function history(
  rows: [
    number,
    string,
    string,
    number,
    number,
    'ok' | 'fail' | 'info',
    OpError?,
    Record<string, unknown>?,
  ][],
): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  for (const [op, f, node, a, b, type, error, extra] of rows) {
    const base = { op, process: op, client: op, f, key: `task/t${op}` };
    out.push({ type: 'invoke', index: 0, time: T0 + a * 1e9, ...base });
    out.push({
      type,
      index: 0,
      time: T0 + b * 1e9,
      ...base,
      node,
      ...(error ? { error } : { value: {} }),
      ...(extra ?? {}),
    } as HistoryEvent);
  }
  out.sort((x, y) => x.time - y.time);
  out.forEach((e, i) => {
    e.index = i;
  });
  return out;
}

/**
 * Second 0: ok writes on n1 (op 0) and n2 (op 1), and a 1213 on n2 (op 2): a multi-master second.
 * Second 1: an ok write on n1 only (op 3) and a 1213 on COMMIT on n1 (op 4).
 * 5 completed ops, 2 of them 1213 = 40.0%; 1 on COMMIT; seconds with ok writes: 0 and 1 (2),
 * multi-node: second 0 only; 1213s in a multi-node second: op 2 only (1 of 2).
 */
const twoWriters = (extra3?: Record<string, unknown>) =>
  history([
    [0, 'DesireTask', 'n1', 0.0, 0.1, 'ok'],
    [1, 'DesireTask', 'n2', 0.2, 0.3, 'ok'],
    [2, 'StartTask', 'n2', 0.4, 0.5, 'fail', DEADLOCK],
    [3, 'StartTask', 'n1', 1.0, 1.1, 'ok', undefined, extra3],
    [4, 'StartTask', 'n1', 1.2, 1.3, 'fail', DEADLOCK_ON_COMMIT],
  ]);

/** Everything on n1: ok write, a 1213, ok write; 3 completed, 1 of them 1213 = 33.3%. */
const oneWriter = () =>
  history([
    [0, 'DesireTask', 'n1', 0.0, 0.1, 'ok'],
    [1, 'StartTask', 'n1', 0.2, 0.3, 'fail', DEADLOCK],
    [2, 'StartTask', 'n1', 0.4, 0.5, 'ok'],
  ]);

/** Two writers, one ok read, all on n1, in different seconds: nothing to fix. */
function cleanHistory(): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  let i = 0;
  for (let k = 0; k < 3; k++) {
    const base = {
      op: k,
      process: k,
      client: k,
      f: k === 2 ? 'TaskByGuid' : 'DesireTask',
      key: `task/t${k}`,
    };
    out.push({ type: 'invoke', index: i++, time: T0 + k * 1e9, ...base });
    out.push({ type: 'ok', index: i++, time: T0 + k * 1e9 + 5e6, ...base, node: 'n1', value: {} });
  }
  return out;
}

test('the rules table names every rule once, each with a title, a trigger in words and acceptance criteria', (t) => {
  t.is(new Set(STORY_RULES.map((r) => r.rule)).size, STORY_RULES.length);
  for (const r of STORY_RULES)
    t.true(r.title.length > 0 && r.when.length > 0 && r.acceptance.length > 0, r.rule);
});

test('a clean history gets no story, and stories.md says so', (t) => {
  const stories = generateStories(ctx(cleanHistory()));
  t.deepEqual(stories, []);
  t.regex(renderStoriesMarkdown(stories, 'run-1'), /No story/);
});

test('1213s in a second with two writers, no retry: the multi-writer story, with this run’s numbers and ops', (t) => {
  const stories = generateStories(ctx(twoWriters()));
  t.deepEqual(
    stories.map((x) => x.rule),
    ['deadlock-multi-writer'],
  );
  const s = stories[0]!;
  t.deepEqual(s.why, [
    '2 of 5 completed ops (40.0%) ended in 1213 deadlock, 1 of them on COMMIT (Galera certification failures).',
    'By op: StartTask ×2; by node: n1 ×1, n2 ×1.',
    '1 of the 2 came in seconds when ok writes reached more than one node (1 of 2 one-second windows with writes: 0 s): multi-master writes, which Galera resolves by aborting one side.',
    'The other 1 came in seconds with writes on one node only (InnoDB deadlocks between transactions on that node).',
    "The run's BBS 2016-03 did not retry a 1213, so every 1213 reached the caller.",
  ]);
  t.deepEqual(s.ops, [2, 4]);
  const md = renderStoriesMarkdown(stories, 'run-1');
  t.regex(md, /## Retry BBS transactions on deadlock/);
  t.regex(md, /- \[ \] /);
});

test('1213s only in seconds with one writer: the single-node InnoDB story, never the multi-writer one', (t) => {
  const stories = generateStories(ctx(oneWriter()));
  t.deepEqual(
    stories.map((x) => x.rule),
    ['deadlock-single-node'],
  );
  t.deepEqual(stories[0]!.why, [
    '1 of 3 completed ops (33.3%) ended in 1213 deadlock.',
    'By op: StartTask ×1; by node: n1 ×1.',
    'Every one came in a second when ok writes reached at most one node (every op was served by n1): InnoDB deadlocks between transactions on the same node, not multi-master certification conflicts; routing every write to one node does not remove them.',
    "The run's BBS 2016-03 did not retry a 1213, so every 1213 reached the caller.",
  ]);
  // The report fixture has writes on two nodes in second 0 but its 1213s in seconds 2 (n2) and 4
  // (n1), when at most one node took ok writes: still not blamed on multi-master writes.
  const f = generateStories(ctx(fixtureHistory())).map((x) => x.rule);
  t.true(f.includes('deadlock-single-node'));
  t.false(f.includes('deadlock-multi-writer'));
});

test('a run that already retries gets no add-a-retry story; 1213s past the retry get their own, with what it absorbed', (t) => {
  // op 3 succeeded on its second attempt after a 1213: 1 absorbed 1213 on 1 op; ops 2 and 4 still
  // reached the caller.
  const h = twoWriters({ attempts: 2, retried: [DEADLOCK] });
  const stories = generateStories(ctx(h, clean, 'all-2016-11'));
  t.deepEqual(
    stories.map((x) => x.rule),
    ['deadlock-past-retry'],
  );
  t.deepEqual(stories[0]!.why.slice(2), [
    "The run's BBS 2016-11 retried (deadlock retry all-2016-11): it absorbed 1 1213 on 1 op, and these 2 still reached the caller.",
    '1 of the 2 came in seconds when ok writes reached more than one node (1 such second): multi-master conflicts that a retry on the same nodes can meet again.',
  ]);
  // On one node the retry story says so.
  const one = generateStories(ctx(oneWriter(), clean, 'commit-only-2016-04'));
  t.deepEqual(
    one.map((x) => x.rule),
    ['deadlock-past-retry'],
  );
  t.regex(
    one[0]!.why[3]!,
    /^Every one came in a second when ok writes reached at most one node: InnoDB deadlocks on one node that outlasted the retry\.$/,
  );
  // Every 1213 absorbed (none reached the caller): no deadlock story at all.
  const absorbed = history([
    [0, 'DesireTask', 'n1', 0.0, 0.1, 'ok'],
    [1, 'StartTask', 'n2', 0.2, 0.3, 'ok', undefined, { attempts: 2, retried: [DEADLOCK] }],
  ]);
  t.deepEqual(generateStories(ctx(absorbed, clean, 'all-2016-11')), []);
});

const linBad: CheckReport = {
  ...clean,
  valid: false,
  linearizability: {
    valid: false,
    opsChecked: 2,
    skipped: 0,
    droppedReads: 0,
    keys: [
      {
        key: 'task/a',
        model: 'task',
        verdict: 'not-linearizable',
        ops: 2,
        steps: 5,
        failure: {
          ops: [
            {
              op: 1,
              process: 0,
              outcome: 'ok',
              description: 'DesireTask a',
              invoke: T0,
              complete: T0 + 0.2e9,
            },
            {
              op: 3,
              process: 0,
              outcome: 'ok',
              description: 'TaskByGuid a → null',
              invoke: T0 + 1e9,
              complete: T0 + 1.1e9,
            },
          ],
          shrunkFrom: 2,
          longestPrefix: [1],
          stateAfterPrefix: 'PENDING',
          blockedOp: 3,
          explanation: 'stale',
        },
      },
    ],
  },
};

test('a non-linearizable read with faults: the wsrep_sync_wait story; not for a clean single-node run', (t) => {
  const s = generateStories(ctx(fixtureHistory(), linBad)).find((x) => x.rule === 'stale-reads');
  t.truthy(s);
  t.regex(s!.title, /wsrep_sync_wait/);
  t.regex(s!.why[0]!, /^1 key not linearizable with a read in the evidence \(task\/a\)/);
  t.regex(s!.why[2]!, /2 fault window\(s\) \(partition n1 at 2\.0 s, kill n2 at 4\.0 s\)/);
  // partition-1 (window 2.0–3.5 s): client 2 never succeeded (0 → 4.3 s, the workload's end),
  // client 1 only at 0.3 (0.3 → 4.3 = 4.0 s), client 0 at 1.1 and 3.7 (2.6 s): worst 4.3, median
  // 4.0; no client succeeded 1.1 → 3.7 (2.6 s). kill-1's worst is also 4.3 s; the first such fault
  // is named.
  t.regex(
    s!.why[2]!,
    /the longest outage: a client had no success for 4\.3 s \(median client 4\.0 s, no client at all 2\.6 s\) in partition n1\.$/,
  );
  t.deepEqual(s!.ops, [3]);
  t.is(generateStories(ctx(cleanHistory())).length, 0);
});

test('a lost update or a task started on two cells: the row-lock / compare-and-set story', (t) => {
  const check: CheckReport = {
    ...clean,
    valid: false,
    invariants: {
      valid: false,
      counts: {
        'task-started-on-two-cells': 2,
        'completed-task-result-changed': 0,
        'instance-held-by-two-cells': 0,
        'modification-index-went-back': 0,
        'acknowledged-write-lost': 0,
        'crash-bookkeeping-wrong': 0,
        'domains-read-wrong': 0,
        'domain-upsert-refused-wrongly': 0,
      },
      violations: [
        { invariant: 'task-started-on-two-cells', key: 'task/a', ops: [5, 6], explanation: 'x' },
      ],
    },
  };
  const s = generateStories(ctx(fixtureHistory(), check)).find((x) => x.rule === 'lost-update');
  t.truthy(s);
  t.regex(s!.why[0]!, /^2 BBS invariant violations of the two-writers kind/);
  t.deepEqual(s!.ops, [5, 6]);
});

test('a lost update is worded as Elle defines it (same version read, both wrote), never as a write replaced', (t) => {
  const check = {
    ...clean,
    valid: false,
    isolation: {
      valid: false,
      txns: 2,
      anomalies: {
        'lost-update': [
          {
            type: 'lost-update',
            key: 3,
            version: 7,
            txns: [
              { txn: 12, appended: [8] },
              { txn: 15, appended: [9] },
            ],
            explanation: 'x',
          },
        ],
      },
      counts: { 'lost-update': 1 },
      summary: '',
    },
  } as unknown as CheckReport;
  const s = generateStories(ctx(cleanHistory(), check)).find((x) => x.rule === 'lost-update')!;
  t.is(
    s.why[0],
    '1 lost update (as Elle defines it): in each, two or more transactions read the same version of a key and each then wrote that key, so neither write was based on the other. E.g. key 3: op 12 and op 15 read it ending in 7, then appended 8 and 9.',
  );
  t.notRegex(s.why.join(' '), /replaced/);
  t.deepEqual(s.ops, [12, 15]);
  t.is(
    generateStories(
      ctx(cleanHistory(), {
        ...check,
        isolation: {
          ...check.isolation!,
          counts: { 'lost-update': 0 } as never,
          anomalies: {} as never,
        },
      }),
    ).length,
    0,
  );
});

test('write and read skew: every cycle with an rw edge, by its Elle name, and old results by their old names', (t) => {
  const withCounts = (counts: Record<string, number>, names?: 'elle') =>
    ({
      ...clean,
      valid: false,
      isolation: {
        valid: false,
        txns: 40,
        ...(names ? { names } : {}),
        anomalies: {},
        counts,
        summary: '',
      },
    }) as unknown as CheckReport;
  // 1 + 2 + 3 cycles with rw edges; G1c and G0 have none and are not skew.
  const elle = withCounts(
    {
      'G-single-item': 1,
      'G-nonadjacent-item-process': 2,
      'G2-item-realtime': 3,
      G1c: 4,
      'G0-realtime': 5,
    },
    'elle',
  );
  const s = generateStories(ctx(cleanHistory(), elle)).find((x) => x.rule === 'lost-update')!;
  t.deepEqual(s.why, [
    '6 write-skew / read-skew cycles (G-single-item ×1, G-nonadjacent-item-process ×2, G2-item-realtime ×3) among 40 transactions.',
  ]);
  // Results from before Elle's names: G-single and G2-item as they were counted.
  const old = withCounts({ 'G-single': 2, 'G2-item': 1, G1c: 4 });
  const o = generateStories(ctx(cleanHistory(), old)).find((x) => x.rule === 'lost-update')!;
  t.deepEqual(o.why, [
    '3 write-skew / read-skew cycles (G-single ×2, G2-item ×1) among 40 transactions.',
  ]);
});

test('an op retried after a lost connection, or failed but applied: the idempotency story', (t) => {
  const h = cleanHistory();
  const done = h[1] as CompletionEvent;
  done.attempts = 2;
  done.retried = [{ code: 'PROTOCOL_CONNECTION_LOST', message: 'lost' }];
  const s = generateStories(ctx(h)).find((x) => x.rule === 'unknown-retried');
  t.truthy(s);
  t.deepEqual(s!.why, [
    '1 op was retried after an attempt whose outcome was unknown (connection-lost ×1); their last attempt ended ok ×1, failed ×0, unknown ×0.',
    'For the 1 whose last attempt ended ok or unknown, the attempt with unknown outcome may have committed as well (the history cannot tell), which would apply the write twice.',
  ]);
  t.deepEqual(s!.ops, [0]);
  // Retried after a lost connection, and the retry failed for sure: only the numbers, no "ran
  // twice".
  const failed = history([
    [
      0,
      'StartTask',
      'n1',
      0,
      0.1,
      'fail',
      DEADLOCK,
      { attempts: 2, retried: [{ code: 'PROTOCOL_CONNECTION_LOST', message: 'lost' }] },
    ],
  ]);
  const sf = generateStories(ctx(failed, clean, 'all-and-bad-conn-2017-06')).find(
    (x) => x.rule === 'unknown-retried',
  )!;
  t.deepEqual(sf.why, [
    '1 op was retried after an attempt whose outcome was unknown (connection-lost ×1); their last attempt ended ok ×0, failed ×1, unknown ×0.',
  ]);
  // Retried only after a 1213 (known not applied): not this story.
  const dl = history([
    [0, 'StartTask', 'n1', 0, 0.1, 'ok', undefined, { attempts: 2, retried: [DEADLOCK] }],
  ]);
  t.is(
    generateStories(ctx(dl, clean, 'all-2016-11')).filter((x) => x.rule === 'unknown-retried')
      .length,
    0,
  );
  const fa: CheckReport = {
    ...clean,
    failedApplied: [
      {
        op: 4,
        f: 'StartTask',
        key: 'task/b',
        error: '1213 deadlock',
        seenBy: 6,
        explanation: 'seen',
      } as CheckReport['failedApplied'][number],
    ],
  };
  const s2 = generateStories(ctx(cleanHistory(), fa)).find((x) => x.rule === 'unknown-retried');
  t.regex(
    s2!.why[0]!,
    /1 op reported failed took effect anyway \(op 4 StartTask 1213 deadlock, seen by op 6\)/,
  );
});

/**
 * Ops given as [client, invoke s, complete s, outcome, error?], one process per client, plus
 * nemesis events [s, phase, kind].
 */
function faultHistory(
  rows: [number, number, number, 'ok' | 'fail' | 'info', OpError?][],
  nemesis: [number, 'start' | 'stop' | 'event', string][],
  kind = 'kill',
): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  rows.forEach(([client, a, b, type, error], op) => {
    const base = { op, process: client, client, f: 'StartTask', key: `task/t${op}` };
    out.push({ type: 'invoke', index: 0, time: T0 + a * 1e9, ...base });
    out.push({
      type,
      index: 0,
      time: T0 + b * 1e9,
      ...base,
      node: 'n2',
      ...(error ? { error } : { value: {} }),
    } as HistoryEvent);
  });
  for (const [at, phase, k] of nemesis)
    out.push({
      type: 'nemesis',
      index: 0,
      time: T0 + at * 1e9,
      phase,
      fault: `${kind}-1`,
      kind: k,
      detail: { target: 'n1' },
    } as HistoryEvent);
  out.sort((x, y) => x.time - y.time);
  out.forEach((e, i) => {
    e.index = i;
  });
  return out;
}

/**
 * Three clients; kill n1 at 2.0 s, healed at 3.0 s, back to its pre-fault state at 3.8 s (window
 * 2.0–3.8).
 * client 0: ok at 0.5, 1.5, …, 5.5 (every gap 1.0 s).
 * client 1: ok at 0.5, 1.5; op invoked 1.9 lost its connection at 2.2 (unknown); a 1047 at 2.4; ok
 * at 6.0:
 *           its gap 1.5–6.0 = 4.5 s overlaps the window.
 * client 2: ok at 0.6, 1.6, 4.1, 5.1: its gap 1.6–4.1 = 2.5 s.
 * Worst client 1 (4.5 s); median of {1.0, 2.5, 4.5} = 2.5 s; every ok of any client, sorted:
 * … 1.6, 2.5, 3.5, 4.1 …: the longest gap over the window is 2.5–3.5 = 1.0 s. In flight at 2.0: the
 * op invoked 1.9 (unknown). Failed or unknown inside 2.0–3.8: connection-lost ×1, 1047 ×1.
 * Back to the pre-fault state 3.8 − 2.0 = 1.8 s after the start.
 */
function killRun(kind = 'kill'): HistoryEvent[] {
  const rows: [number, number, number, 'ok' | 'fail' | 'info', OpError?][] = [];
  for (let k = 0; k < 6; k++) rows.push([0, k + 0.4, k + 0.5, 'ok']);
  rows.push(
    [1, 0.0, 0.5, 'ok'],
    [1, 1.4, 1.5, 'ok'],
    [1, 1.9, 2.2, 'info', { code: 'PROTOCOL_CONNECTION_LOST', message: 'lost' }],
    [1, 2.3, 2.4, 'fail', { errno: 1047, message: 'WSREP has not yet prepared node' }],
    [1, 5.9, 6.0, 'ok'],
  );
  rows.push([2, 0.1, 0.6, 'ok'], [2, 1.5, 1.6, 'ok'], [2, 4.0, 4.1, 'ok'], [2, 5.0, 5.1, 'ok']);
  return faultHistory(
    rows,
    [
      [2.0, 'start', kind],
      [3.0, 'stop', kind],
      [3.8, 'event', 'recovered'],
    ],
    kind,
  );
}

test('a kill with clients stalled: the outage story with the worst and median client, the BBS, recovery and ops in flight', (t) => {
  const s = generateStories(ctx(killRun())).find((x) => x.rule === 'outage');
  t.truthy(s);
  t.deepEqual(s!.why, [
    'kill n1 at 2.0 s: the worst client (client 1) had no ok op for 4.5 s, the median client for 2.5 s, and no client at all for 1.0 s; back to its pre-fault state 1.8 s after it started.',
    'In flight when it started: 1 op (ok ×0, failed ×0, unknown ×1); failed or unknown inside its window: 1047 non-primary ×1, connection-lost ×1.',
  ]);
  t.deepEqual(s!.ops, [8], 'the op in flight that ended unknown');
  // A partition, a pause and a proxy kill get it too.
  for (const k of ['partition', 'pause', 'proxy-kill'])
    t.truthy(
      generateStories(ctx(killRun(k))).find((x) => x.rule === 'outage'),
      k,
    );
});

test('no outage story for a link fault, or when every client kept succeeding through the kill', (t) => {
  t.falsy(generateStories(ctx(killRun('link-latency'))).find((x) => x.rule === 'outage'));
  // Three clients ok every 0.5 s from 0.5 to 6.0 through the same kill: no client gap reaches 1 s.
  const rows: [number, number, number, 'ok' | 'fail' | 'info', OpError?][] = [];
  for (let c = 0; c < 3; c++)
    for (let k = 1; k <= 12; k++) rows.push([c, k * 0.5 - 0.1, k * 0.5, 'ok']);
  const steady = faultHistory(rows, [
    [2.0, 'start', 'kill'],
    [3.0, 'stop', 'kill'],
  ]);
  t.is(ctx(steady).stats.availability.faults[0]!.worstClientOutageSec, 0.5);
  t.falsy(generateStories(ctx(steady)).find((x) => x.rule === 'outage'));
});
