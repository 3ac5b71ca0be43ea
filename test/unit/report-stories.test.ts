import test from 'ava';
import type { CheckReport } from '../../lab/checkers/index.ts';
import { pairOps, type CompletionEvent, type HistoryEvent } from '../../lab/history/event.ts';
import { computeStats } from '../../lab/report/stats.ts';
import { STORY_RULES, generateStories, renderStoriesMarkdown } from '../../lab/report/stories.ts';
import { T0, fixtureHistory } from '../browser/report-fixture.ts';

const clean: CheckReport = { valid: true, summary: [], linearizability: null, invariants: null, failedApplied: [], isolation: null };

function ctx(history: HistoryEvent[], check: CheckReport = clean) {
  return { stats: computeStats(history), check, ops: pairOps(history).filter((o) => o.f !== 'FinalRead') };
}

/** Two writers, one ok read, all on n1, in different seconds: nothing to fix. */
function cleanHistory(): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  let i = 0;
  for (let k = 0; k < 3; k++) {
    const base = { op: k, process: k, client: k, f: k === 2 ? 'TaskByGuid' : 'DesireTask', key: `task/t${k}` };
    out.push({ type: 'invoke', index: i++, time: T0 + k * 1e9, ...base });
    out.push({ type: 'ok', index: i++, time: T0 + k * 1e9 + 5e6, ...base, node: 'n1', value: {} });
  }
  return out;
}

test('the rules table names every rule once, each with a title, a trigger in words and acceptance criteria', (t) => {
  t.is(new Set(STORY_RULES.map((r) => r.rule)).size, STORY_RULES.length);
  for (const r of STORY_RULES) t.true(r.title.length > 0 && r.when.length > 0 && r.acceptance.length > 0, r.rule);
});

test('a clean history gets no story, and stories.md says so', (t) => {
  const stories = generateStories(ctx(cleanHistory()));
  t.deepEqual(stories, []);
  t.regex(renderStoriesMarkdown(stories, 'run-1'), /No story/);
});

test('1213s with multi-node writes: the deadlock story, with this run’s numbers and ops', (t) => {
  const stories = generateStories(ctx(fixtureHistory()));
  const s = stories.find((x) => x.rule === 'deadlock-multi-writer');
  t.truthy(s);
  t.regex(s!.why[0]!, /^2 of 7 completed ops \(28\.6%\) ended in 1213 deadlock, 1 of them on COMMIT/);
  t.regex(s!.why[1]!, /StartTask ×2/);
  t.regex(s!.why[2]!, /1 of 2 one-second windows \(0 s\)/);
  t.deepEqual(s!.ops, [4, 7]);
  const md = renderStoriesMarkdown(stories, 'run-1');
  t.regex(md, /## Retry BBS transactions on deadlock/);
  t.regex(md, /- \[ \] /);
});

test('1213s without multi-node writes do not trigger the multi-writer story', (t) => {
  const h = fixtureHistory().filter((e) => !(e.type !== 'nemesis' && e.op === 2));
  t.is(generateStories(ctx(h)).filter((s) => s.rule === 'deadlock-multi-writer').length, 0);
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
            { op: 1, process: 0, outcome: 'ok', description: 'DesireTask a', invoke: T0, complete: T0 + 0.2e9 },
            { op: 3, process: 0, outcome: 'ok', description: 'TaskByGuid a → null', invoke: T0 + 1e9, complete: T0 + 1.1e9 },
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
  // partition-1 (window 2.0–3.5 s): client 2 never succeeded (0 → 4.3 s, the workload's end), client 1
  // only at 0.3 (0.3 → 4.3 = 4.0 s), client 0 at 1.1 and 3.7 (2.6 s): worst 4.3, median 4.0; no
  // client succeeded 1.1 → 3.7 (2.6 s). kill-1's worst is also 4.3 s; the first such fault is named.
  t.regex(s!.why[2]!, /the longest outage: a client had no success for 4\.3 s \(median client 4\.0 s, no client at all 2\.6 s\) in partition n1\.$/);
  t.deepEqual(s!.ops, [3]);
  t.is(generateStories(ctx(cleanHistory())).length, 0);
});

test('a lost update or a task started on two cells: the row-lock / compare-and-set story', (t) => {
  const check: CheckReport = {
    ...clean,
    valid: false,
    invariants: { valid: false, counts: { 'task-started-on-two-cells': 2, 'completed-task-result-changed': 0, 'instance-held-by-two-cells': 0, 'modification-index-went-back': 0, 'acknowledged-write-lost': 0 }, violations: [{ invariant: 'task-started-on-two-cells', key: 'task/a', ops: [5, 6], explanation: 'x' }] },
  };
  const s = generateStories(ctx(fixtureHistory(), check)).find((x) => x.rule === 'lost-update');
  t.truthy(s);
  t.regex(s!.why[0]!, /^2 BBS invariant violations of the two-writers kind/);
  t.deepEqual(s!.ops, [5, 6]);
});

test('an op retried after a lost connection, or failed but applied: the idempotency story', (t) => {
  const h = cleanHistory();
  const done = h[1] as CompletionEvent;
  done.attempts = 2;
  done.retried = [{ code: 'PROTOCOL_CONNECTION_LOST', message: 'lost' }];
  const s = generateStories(ctx(h)).find((x) => x.rule === 'unknown-retried');
  t.truthy(s);
  t.regex(s!.why[0]!, /^1 op was retried after an attempt with unknown outcome \(connection-lost ×1\); 1 of them then reported ok/);
  t.deepEqual(s!.ops, [0]);
  const fa: CheckReport = { ...clean, failedApplied: [{ op: 4, f: 'StartTask', key: 'task/b', error: '1213 deadlock', seenBy: 6, explanation: 'seen' } as CheckReport['failedApplied'][number]] };
  const s2 = generateStories(ctx(cleanHistory(), fa)).find((x) => x.rule === 'unknown-retried');
  t.regex(s2!.why[0]!, /1 op reported failed took effect anyway \(op 4 StartTask 1213 deadlock, seen by op 6\)/);
});
