import test from 'ava';
import type { HistoryEvent } from '../../lab/history/event.ts';
import { computeStats } from '../../lab/report/stats.ts';
import { renderMarkdown } from '../../lab/report/markdown.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';

const ms = 1e6;
let idx = 0;
function op(
  id: number,
  f: string,
  t0: number,
  t1: number,
  type: 'ok' | 'fail' | 'info' | null,
  extra: Record<string, unknown> = {},
): HistoryEvent[] {
  const base = { op: id, process: id % 3, client: id % 3, f, key: 'task/task-0' };
  const out: HistoryEvent[] = [{ type: 'invoke', index: idx++, time: t0 * ms, ...base }];
  if (type) out.push({ type, index: idx++, time: t1 * ms, ...base, ...extra } as HistoryEvent);
  return out;
}

const history: HistoryEvent[] = [
  ...op(0, 'StartTask', 0, 10, 'ok', { node: 'n1', value: { shouldStart: true } }),
  ...op(1, 'StartTask', 1, 12, 'fail', {
    node: 'n2',
    error: { errno: 1213, message: 'Deadlock found', phase: 'statement' },
  }),
  ...op(2, 'CompleteTask', 2, 30, 'info', {
    node: 'n2',
    error: { code: 'PROTOCOL_CONNECTION_LOST', message: 'lost' },
  }),
  ...op(3, 'StartTask', 3, 5, 'ok', { node: 'n2', value: { error: 'InvalidStateTransition' } }),
  ...op(4, 'TaskByGuid', 4, 1000, 'ok', { node: 'n1', value: { record: null } }),
  ...op(5, 'DeleteTask', 5, 0, null),
  ...op(6, 'FinalRead', 1001, 1002, 'ok', { value: { tasks: [] } }),
  {
    type: 'nemesis',
    index: idx++,
    time: 11 * ms,
    phase: 'start',
    fault: 'partition-1',
    kind: 'partition',
    detail: { target: 'isolate:n2' },
  },
  {
    type: 'nemesis',
    index: idx++,
    time: 20 * ms,
    phase: 'stop',
    fault: 'partition-1',
    kind: 'partition',
  },
  // Writes on two nodes in different seconds are not multi-master.
  ...op(7, 'DesireTask', 1500, 1510, 'ok', { node: 'n1', value: {} }),
  ...op(8, 'DesireTask', 2500, 2510, 'ok', { node: 'n2', value: {} }),
];

test('stats count outcomes, errors by code, node and op, and leave the final read out', (t) => {
  const s = computeStats(history);
  t.is(s.ops, 8);
  t.is(s.unfinished, 1);
  t.deepEqual(s.byOutcome, { ok: 5, fail: 1, info: 1 });
  t.deepEqual(s.faults, [
    {
      id: 'partition-1',
      kind: 'partition',
      target: 'isolate:n2',
      start: 0.011,
      end: 0.02,
      recovered: null,
    },
  ]);
  t.is(s.errorsInFaults, 1, 'the 1213 at 12 ms is inside the fault window');
  t.is(s.errorsOutsideFaults, 1, 'the lost connection at 30 ms is outside');
  // Second 0: ok writes on n2 (op 3 at 5 ms), then n1 (op 0 at 10 ms): the writers moved, a
  // switchover.
  t.deepEqual(s.writeWindows, {
    total: 3,
    multiNode: 1,
    seconds: [0],
    switchover: [0],
    concurrent: [],
  });
  // Latencies of the 7 completed ops: 10, 11, 28, 2, 996, 10, 10 ms; only the read (996) reaches
  // 500.
  t.deepEqual(s.delayed, { thresholdMs: 500, ops: 7, count: 1, share: 1 / 7 });
  t.deepEqual(s.byOp.StartTask, { ok: 2, fail: 1 });
  t.deepEqual(s.errors, { '1213 deadlock': 1, 'connection-lost': 1 });
  t.deepEqual(s.errorsByNode['1213 deadlock'], { n2: 1 });
  t.deepEqual(s.errorsByOp['connection-lost'], { CompleteTask: 1 });
  t.deepEqual(s.errorsBySecond, { '1213 deadlock': { '0': 1 }, 'connection-lost': { '0': 1 } });
  t.deepEqual(s.servedByNode, { n1: { ok: 3 }, n2: { fail: 1, info: 1, ok: 2 } });
  t.deepEqual(s.bbsErrors, { InvalidStateTransition: 1 });
  t.is(s.latencyMs.ok.count, 5);
  t.is(s.latencyMs.ok.max, 996);
  t.is(s.durationSec, 2.51);
  t.is(s.throughput, 5 / 2.51);
});

test('report.md answers the question first, with numbers, and never mentions credentials', (t) => {
  const scenario = parseScenario(
    'name: r\nquestion: Does it deadlock?\nduration: 1\ntopology: {nodes: 3}\nclients: {count: 3, via: nodes}\n',
  );
  const md = renderMarkdown({
    scenario,
    seed: 9,
    runId: 'run-1',
    stats: computeStats(history),
    check: { valid: false, summary: ['1 key not linearizable.'] },
  });
  const lines = md.split('\n');
  const answer = lines.findIndex((l) => l.startsWith('**Answer from this run.**'));
  const firstTable = lines.findIndex((l) => l.startsWith('|'));
  t.true(answer > 0 && answer < firstTable, 'the answer comes before any table');
  t.regex(md, /\*\*Question\.\*\* Does it deadlock\?/);
  // Short, the asked figure first: 1 of the 7 completed ops (5 ok, 1 fail, 1 info) got a 1213,
  // a StartTask; a fault was injected; the checkers' verdict.
  t.is(
    lines[answer],
    '**Answer from this run.** 1 1213 deadlock (rollback) in 7 ops (14%), most on StartTask (1); 1 fault was injected (table below). The checkers found anomalies (listed under Findings).',
  );
  const detail = lines.findIndex((l) => l.startsWith('**In detail.**'));
  t.true(detail > answer);
  t.regex(
    lines[detail]!,
    /8 ops: 5 ok \(71\.4%\), 1 failed for sure \(14\.3%\), 1 with unknown outcome \(14\.3%\), 1 never completed/,
  );
  t.regex(lines[detail]!, /1213 deadlock ×1/);
  t.regex(
    lines[detail]!,
    /2 nodes served ops \(n1 42\.9%, n2 57\.1%\); writes reached several nodes at once in 0 of 3 one-second windows; in 1 more, writes moved from one node to another \(a switchover, not concurrent writing\)/,
  );
  t.regex(
    lines[detail]!,
    /p99 996\.0 ms; 14\.3% of completed ops \(1\) took at least the 500 ms retry pause/,
  );
  // What happened comes first. Clients are op id mod 3. Fault 11–20 ms. Client 0's oks at 5 and
  // 10 ms, then none to the end (2.51 s): 2.5 s. Client 1's: 1.0, 1.51 s; its gap over the fault
  // 0 → 1.0 s. Client 2's only ok is at 2.51 s: 2.51 s. Median of 1.0, 2.5, 2.51 = 2.5; worst 2.51
  // (client 2). The BBS: oks at 0.005, 0.010, 1.0, 1.51, 2.51 → the gap over the fault is 0.01 →
  // 1.0 (0.99 s). In flight at 11 ms: op 1 (fail), 2 (info), 4 (ok), 5 (never completed).
  t.true(
    lines[detail]!.startsWith(
      '**In detail.** 1 fault(s). partition isolate:n2 at 0.0 s (healed at 0.0 s): no client had a success for 1.0 s; the worst client (client 2) had none for 2.5 s, the median client for 2.5 s; 4 op(s) were in flight when it started (1 ok, 1 failed, 1 unknown, 1 never completed; of the unknown, by later reads: 0 committed, 0 never seen, 2 cannot tell).',
    ),
    lines[detail],
  );
  // The only BBS gap ≥ 1 s is 1.51 → 2.51: 1 − 1 / 2.51 = 60.2% of the time; both whole seconds had
  // an ok.
  t.regex(
    lines[detail]!,
    /The BBS was available 60\.2% of the time \(outside stretches of 1 s or more with no successful op by any client; 100% of whole seconds had one\); its longest stretch with no success was 1\.0 s \(1\.5–2\.5 s\)\./,
  );
  t.true(
    lines[detail]!.indexOf('Checkers:') < lines[detail]!.indexOf('3 clients ran'),
    'anomalies before the set-up',
  );
  t.regex(
    lines[detail]!,
    /1 failed or unknown ops completed inside fault windows \(from a fault's start until the system was back to its pre-fault state\), 1 outside\./,
  );
  // The fault table right after the answer.
  const table = lines.findIndex((l) => l.startsWith('| fault | target (node) |'));
  t.is(
    lines
      .slice(answer + 1, table)
      .filter((l) => l.trim() !== '')
      .join('\n'),
    '## Faults and what the clients saw',
  );
  t.is(
    lines[table + 2],
    '| partition-1 | isolate:n2 | 0.0 – 0.0 – — | 1.0 s | 2.5 s | 2.5 s (client 2) | 4 (1 ok, 1 failed, 1 unknown, 1 never completed; of the unknown, by later reads: 0 committed, 0 never seen, 2 cannot tell) | 1: 1213 deadlock ×1 | not recorded |',
  );
  t.regex(lines[detail]!, /Checkers: ANOMALIES FOUND\. 1 key not linearizable\./);
  t.regex(md, /--seed 9/);
  t.notRegex(md, /password/i);
});

test('an interrupted run says so before anything else', (t) => {
  const scenario = parseScenario(
    'name: r\nquestion: q\nduration: 1\ntopology: {nodes: 1}\nclients: {count: 1}\n',
  );
  const md = renderMarkdown({
    scenario,
    seed: 1,
    runId: 'x',
    stats: computeStats([]),
    interrupted: 'SIGINT',
  });
  t.regex(md.split('\n').slice(0, 3).join('\n'), /This run was interrupted\*\* \(SIGINT\)/);
  t.regex(md, /No database errors\./);
});

test('per-second completions feed the timeline (the throughput chart), which shades each fault window', async (t) => {
  const { throughputChart } = await import('../../lab/report/charts/throughput.ts');
  const s = computeStats(history);
  t.deepEqual(s.perSecond, [
    { ok: 2, fail: 1, info: 1 },
    { ok: 2, fail: 0, info: 0 },
    { ok: 1, fail: 0, info: 0 },
  ]);
  const svg = throughputChart(s.perSecond, s.faults);
  t.regex(svg, /^<svg /);
  t.is(
    (svg.match(/<title>partition isolate:n2 0\.0–0\.0 s<\/title>/g) ?? []).length,
    1,
    'one shaded window, titled with its fault',
  );
  t.is((svg.match(/class="bar fail"/g) ?? []).length, 1, 'one failed bar');
  const none = throughputChart([], []);
  t.notRegex(none, /class="fault-band"/, 'no faults, no shading');
});

test('the evidence section shows a failing key with its shrunk ops, and is empty for a clean verdict', async (t) => {
  const { renderEvidence } = await import('../../lab/report/evidence.ts');
  const clean = renderEvidence(
    {
      valid: true,
      summary: [],
      linearizability: { valid: true, keys: [], opsChecked: 0, skipped: 0, droppedReads: 0 },
      invariants: null,
      failedApplied: [],
      isolation: null,
    },
    0,
  );
  t.is(clean, '');
  const md = renderEvidence(
    {
      valid: false,
      summary: [],
      linearizability: {
        valid: false,
        opsChecked: 3,
        skipped: 0,
        droppedReads: 0,
        keys: [
          {
            key: 'task/t1',
            model: 'bbs-task',
            verdict: 'not-linearizable',
            ops: 3,
            steps: 9,
            failure: {
              ops: [
                {
                  op: 4,
                  process: 1,
                  outcome: 'ok',
                  description: 'StartTask on cell-a → shouldStart',
                  invoke: 1e9,
                  complete: 2e9,
                },
                {
                  op: 7,
                  process: 2,
                  outcome: 'ok',
                  description: 'StartTask on cell-b → shouldStart',
                  invoke: 1.5e9,
                  complete: 2.5e9,
                },
              ],
              shrunkFrom: 40,
              longestPrefix: [4],
              stateAfterPrefix: 'RUNNING on cell-a',
              blockedOp: 7,
              explanation: 'No order of these 2 ops is a legal run of bbs-task.',
            },
          },
        ],
      },
      invariants: null,
      failedApplied: [],
      isolation: null,
    },
    0,
  );
  t.regex(md, /## Evidence/);
  t.regex(md, /\*\*task\/t1\*\* \(model bbs-task, 3 ops\)\. No order of these 2 ops/);
  t.regex(md, /\| 7 \| 2 \| ok \| 1\.500 \| 2\.500 \| StartTask on cell-b → shouldStart \|/);
  t.regex(md, /shrunk from 40/);
});

test('second share: whole seconds with an ok completion (the last, partial second does not count)', (t) => {
  const s = computeStats(history);
  // Ok completions at 10, 5, 1000 ms (second 0), 1510 ms (second 1), 2510 ms (second 2, the last,
  // partial one). Whole seconds 0 and 1 both had an ok → 2 / 2 = 1.
  t.is(s.secondShare, 1);
});

test("the set-up sentence states the pause after a failed op: the real BBS's 500 ms by default, or none", (t) => {
  const scenario = parseScenario(
    'name: r\nquestion: q?\nduration: 1\ntopology: {nodes: 3}\nclients: {count: 3, via: nodes}\n',
  );
  const md = renderMarkdown({
    scenario,
    seed: 9,
    runId: 'run-1',
    stats: computeStats(history),
    check: { valid: true, summary: [] },
  });
  t.regex(
    md,
    /after a failed or unknown op a client waited 500 ms \(the real BBS's pause before it retries a transaction/,
  );
  const none = parseScenario(
    'name: r\nquestion: q?\nduration: 1\ntopology: {nodes: 3}\nclients: {count: 3, via: nodes, backoffMs: 0}\n',
  );
  t.regex(
    renderMarkdown({
      scenario: none,
      seed: 9,
      runId: 'run-1',
      stats: computeStats(history),
      check: { valid: true, summary: [] },
    }),
    /went on at once after a failed op \(no backoff\)/,
  );
});

test('wsrep_sync_wait is explained in words in the report: which statements wait', async (t) => {
  const { syncWaitWords, systemUnderTest } = await import('../../lab/report/markdown.ts');
  t.is(
    syncWaitWords(1),
    'reads and transaction starts wait until the node has applied every commit the cluster made before them',
  );
  t.is(
    syncWaitWords(7),
    'reads and transaction starts, UPDATE and DELETE, INSERT and REPLACE wait until the node has applied every commit the cluster made before them',
  );
  t.regex(syncWaitWords(0), /^off/);
  const s = parseScenario(
    'name: r\nquestion: q\nduration: 1\ntopology: {nodes: 3}\nclients: {count: 3, via: nodes}\ndatabase: {syncWait: 3}\n',
  );
  t.regex(
    systemUnderTest(s),
    /wsrep_sync_wait = 3 \(reads and transaction starts, UPDATE and DELETE wait .*docs\/settings-explained\.md\)/,
  );
});
