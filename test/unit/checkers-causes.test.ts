import test from 'ava';
import fc from 'fast-check';
import {
  keyOf,
  type BbsOp,
  type BbsResult,
  type DesiredLRPRecord,
  type TaskRecord,
} from '../../bbs/ops.ts';
import { attributeCauses, attributeOne, groupByCause } from '../../lab/checkers/causes.ts';
import { checkHistory } from '../../lab/checkers/index.ts';
import {
  syncWaitBitsFor,
  waitsForCausality,
  type CauseSettings,
} from '../../lab/checkers/causal-wait.ts';
import { byKey } from '../../lab/checkers/invariants/timeline.ts';
import { checkInvariants } from '../../lab/checkers/invariants/index.ts';
import { pairOps, type HistoryEvent, type Op } from '../../lab/history/event.ts';

/**
 * One op: its interval in ms, the node that served it, and its result (undefined: info; 'fail':
 * fail).
 */
type Step = { op: BbsOp; out: BbsResult | undefined | 'fail'; at: [number, number]; node?: string };
const MS = 1e6;

function events(steps: Step[]): HistoryEvent[] {
  const ev: HistoryEvent[] = [];
  steps.forEach((s, i) => {
    const base = { op: i, process: i, client: i, f: s.op.f, key: keyOf(s.op) };
    ev.push({ type: 'invoke', index: 0, time: s.at[0] * MS, ...base, value: s.op });
    const node = s.node ? { node: s.node } : {};
    if (s.out === 'fail')
      ev.push({
        type: 'fail',
        index: 0,
        time: s.at[1] * MS,
        ...base,
        ...node,
        value: s.op,
        error: { errno: 1213, message: 'deadlock' },
      });
    else if (s.out === undefined)
      ev.push({
        type: 'info',
        index: 0,
        time: s.at[1] * MS,
        ...base,
        value: s.op,
        error: { code: 'PROTOCOL_CONNECTION_LOST', message: 'lost' },
      });
    else ev.push({ type: 'ok', index: 0, time: s.at[1] * MS, ...base, ...node, value: s.out });
  });
  ev.sort((a, b) => a.time - b.time);
  return ev.map((e, index) => ({ ...e, index }));
}
const history = (steps: Step[]): Op[] => pairOps(events(steps));

const lrp = (index: number, instances = 1): BbsResult => ({
  record: {
    processGuid: 'p',
    domain: 'd',
    instances,
    annotation: '',
    modificationTag: { epoch: 'E', index },
  } satisfies DesiredLRPRecord,
});
const desire: BbsOp = {
  f: 'DesireLRP',
  args: { processGuid: 'p', domain: 'd', instances: 1, annotation: '' },
};
const update = (instances: number): BbsOp => ({
  f: 'UpdateDesiredLRP',
  args: { processGuid: 'p', instances },
});
const readLrp: BbsOp = { f: 'DesiredLRPByProcessGuid', args: { processGuid: 'p' } };

function one(
  steps: Step[],
  shown: number[],
  anomaly: Parameters<typeof attributeOne>[0] = 'not-linearizable',
  settings?: CauseSettings,
) {
  const ops = history(steps);
  const key = ops[shown[0]!]!.key!;
  return attributeOne(
    anomaly,
    key,
    shown,
    byKey(ops, key).get(key)!,
    new Map(ops.map((o) => [o.op, o])),
    settings,
  );
}
const syncWait = (n: number, transactionalReads = true): CauseSettings => ({
  syncWait: n,
  transactionalReads,
});

test('a read on another node that misses an acknowledged write is a stale read, with both nodes and the lag', (t) => {
  // Op 1 (UpdateDesiredLRP, index 1) acknowledged by n1 at 30 ms; op 2 invoked on n2 at 45 ms saw
  // index 0. Lag at least 45 - 30 = 15 ms.
  const c = one(
    [
      { op: desire, out: lrp(0), at: [0, 10], node: 'n1' },
      { op: update(2), out: lrp(1, 2), at: [20, 30], node: 'n1' },
      { op: readLrp, out: lrp(0), at: [45, 50], node: 'n2' },
    ],
    [1, 2],
  );
  t.is(c.cause, 'stale-read');
  t.deepEqual(c.ops, [1, 2]);
  t.is(c.writerNode, 'n1');
  t.is(c.readerNode, 'n2');
  t.is(c.lagMs, 15);
  t.deepEqual(c.nodes, ['n1', 'n2']);
});

test('of several writes the reader missed, the earliest on another node gives the lag', (t) => {
  // Writes at index 1 (n1, acked 30 ms) and 2 (n3, acked 60 ms); a read on n2 at 100 ms saw index
  // 0:
  // n2 had applied neither, so it lagged at least 100 - 30 = 70 ms behind n1.
  const c = one(
    [
      { op: desire, out: lrp(0), at: [0, 10], node: 'n1' },
      { op: update(2), out: lrp(1, 2), at: [20, 30], node: 'n1' },
      { op: update(3), out: lrp(2, 3), at: [40, 60], node: 'n3' },
      { op: readLrp, out: lrp(0), at: [100, 110], node: 'n2' },
    ],
    [3],
  );
  t.is(c.cause, 'stale-read');
  t.deepEqual([c.writerNode, c.readerNode, c.lagMs], ['n1', 'n2', 70]);
});

test('the same miss on the node that acknowledged the write is a lost write', (t) => {
  const c = one(
    [
      { op: desire, out: lrp(0), at: [0, 10], node: 'n1' },
      { op: update(2), out: lrp(1, 2), at: [20, 30], node: 'n1' },
      { op: readLrp, out: lrp(0), at: [45, 50], node: 'n1' },
    ],
    [1, 2],
  );
  t.is(c.cause, 'lost-write');
  t.deepEqual(c.ops, [1, 2]);
  t.is(c.lagMs, undefined);
});

test('a task read absent after its creation is not stale when a delete may fall between', (t) => {
  const rec = (state: TaskRecord['state']): BbsResult => ({
    record: {
      taskGuid: 't',
      domain: 'd',
      state,
      cellId: '',
      result: '',
      failed: false,
      failureReason: '',
    },
  });
  const steps: Step[] = [
    {
      op: { f: 'DesireTask', args: { taskGuid: 't', domain: 'd' } },
      out: rec('PENDING'),
      at: [0, 10],
      node: 'n1',
    },
    { op: { f: 'DeleteTask', args: { taskGuid: 't' } }, out: undefined, at: [12, 14] },
    {
      op: { f: 'TaskByGuid', args: { taskGuid: 't' } },
      out: { record: null },
      at: [20, 25],
      node: 'n2',
    },
  ];
  t.not(one(steps, [2]).cause, 'stale-read', 'an unknown-outcome DeleteTask may have removed it');
  // Without the delete, absent after an acknowledged DesireTask on n1 is a stale read on n2 (20 -
  // 10 = 10 ms).
  const c = one([steps[0]!, steps[2]!], [1]);
  t.is(c.cause, 'stale-read');
  t.is(c.lagMs, 10);
});

test('two cells started on one node alone is a logic bug; on two nodes one after the other a stale read', (t) => {
  const start = (cellId: string): BbsOp => ({ f: 'StartTask', args: { taskGuid: 't', cellId } });
  const started = (cellId: string): BbsResult => ({
    shouldStart: true,
    record: {
      taskGuid: 't',
      domain: 'd',
      state: 'RUNNING',
      cellId,
      result: '',
      failed: false,
      failureReason: '',
    },
  });
  const steps = (na: string, nb: string, bStart: number): Step[] => [
    { op: start('cell-a'), out: started('cell-a'), at: [0, 10], node: na },
    { op: start('cell-b'), out: started('cell-b'), at: [bStart, bStart + 10], node: nb },
  ];
  t.is(one(steps('n1', 'n1', 20), [0, 1], 'task-started-on-two-cells').cause, 'single-node-logic');
  const c = one(steps('n1', 'n2', 20), [0, 1], 'task-started-on-two-cells');
  t.is(c.cause, 'stale-read');
  t.is(c.lagMs, 10, '20 - 10 ms');
  // Overlapping on two nodes (5 < 10): nothing in the history says which saw what, but both were
  // acknowledged where certification lets only one of them commit.
  t.is(one(steps('n1', 'n2', 5), [0, 1], 'task-started-on-two-cells').cause, 'both-acknowledged');
});

test('through checkHistory: a stale read on a multi-writer history is named, grouped and in the report object', (t) => {
  const ev = events([
    { op: desire, out: lrp(0), at: [0, 10], node: 'n1' },
    { op: update(2), out: lrp(1, 2), at: [20, 30], node: 'n1' },
    { op: readLrp, out: lrp(0), at: [45, 50], node: 'n2' },
  ]);
  const r = checkHistory(ev);
  t.false(r.valid);
  const causes = r.causes ?? [];
  t.true(
    causes.some(
      (c) => c.anomaly === 'not-linearizable' && c.cause === 'stale-read' && c.lagMs === 15,
    ),
  );
  t.true(
    causes.some((c) => c.anomaly === 'modification-index-went-back' && c.cause === 'stale-read'),
  );
  t.deepEqual(
    groupByCause(causes).map(([k]) => k),
    ['stale-read'],
  );
  // The run's settings reach the causes: with wsrep_sync_wait 7 the same history has no stale read.
  const causal =
    checkHistory(ev, { causeSettings: { syncWait: 7, transactionalReads: true } }).causes ?? [];
  t.false(causal.some((c) => c.cause === 'stale-read'));
  t.true(causal.some((c) => c.anomaly === 'not-linearizable' && c.cause === 'lost-write'));
  // And a clean history has no cause at all.
  const clean = checkHistory(
    events([
      { op: desire, out: lrp(0), at: [0, 10], node: 'n1' },
      { op: update(2), out: lrp(1, 2), at: [20, 30], node: 'n1' },
      { op: readLrp, out: lrp(1, 2), at: [45, 50], node: 'n2' },
    ]),
  );
  t.true(clean.valid);
  t.deepEqual(clean.causes, []);
});

test('a Domains read missing a fresh domain: stale read when another node acknowledged the upsert, lost write on its own node', (t) => {
  // Op 0 UpsertDomain d (ttl 30 s) acknowledged by n1 at 10 ms; op 1 Domains on n2, 20–30 ms,
  // lists nothing: surely fresh (expires ≥ 30 s), so stale read, lag 20 - 10 = 10 ms.
  const upsert: BbsOp = { f: 'UpsertDomain', args: { domain: 'd', ttl: 30 } };
  const read: BbsOp = { f: 'Domains', args: {} };
  const causesOf = (readNode: string, listed: string[]) => {
    const ops = history([
      { op: upsert, out: { record: { domain: 'd', ttl: 30 } }, at: [0, 10], node: 'n1' },
      { op: read, out: { domains: listed }, at: [20, 30], node: readNode },
    ]);
    return attributeCauses(ops, {
      linearizability: null,
      invariants: checkInvariants(ops),
      failedApplied: [],
    });
  };
  t.deepEqual(
    causesOf('n2', []).map((c) => [
      c.anomaly,
      c.key,
      c.cause,
      c.writerNode,
      c.readerNode,
      c.lagMs,
      c.ops,
    ]),
    [['domains-read-wrong', 'domain/d', 'stale-read', 'n1', 'n2', 10, [0, 1]]],
  );
  t.deepEqual(
    causesOf('n1', []).map((c) => [c.cause, c.writerNode, c.ops]),
    [['lost-write', 'n1', [0, 1]]],
  );
  t.deepEqual(causesOf('n2', ['d']), [], 'listed: no anomaly, no cause');
});

test('a lost final write and a failed-but-applied op carry their own causes', (t) => {
  const ops = history([{ op: desire, out: lrp(0), at: [0, 10], node: 'n2' }]);
  const c = attributeCauses(ops, {
    linearizability: null,
    invariants: {
      valid: false,
      counts: {} as never,
      violations: [
        { invariant: 'acknowledged-write-lost', key: 'desired/p', ops: [0, 9], explanation: '' },
      ],
    },
    failedApplied: [
      { op: 0, f: 'DesireLRP', key: 'desired/p', error: '1213', seenBy: 7, explanation: 'x' },
    ],
  });
  t.deepEqual(
    c.map((x) => [x.cause, x.writerNode]),
    [
      ['lost-write', 'n2'],
      ['failed-but-applied', 'n2'],
    ],
  );
});

test('property: the cause of one read matches a simple reference over generated write/read histories', (t) => {
  // Writes one after another (index i acked at 10*i + 5 ms) on random nodes; one read at a random
  // time that saw a random index. Reference: the writes it missed are those acked before it began
  // with a higher index; any on another node → stale read, lag from the earliest such; only on its
  // own node → lost write; none → the read alone, one node: single-node-logic. A write on another
  // node the reader's node is shown to have applied (a later write there) is not one it lagged
  // behind.
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom('n1', 'n2', 'n3'), { minLength: 1, maxLength: 6 }),
      fc.constantFrom('n1', 'n2', 'n3'),
      fc.nat(80),
      fc.nat(5),
      (writeNodes, readNode, readAt, seenRaw) => {
        const steps: Step[] = writeNodes.map((node, i) => ({
          op: i === 0 ? desire : update(i + 1),
          out: lrp(i, i + 1),
          at: [10 * i, 10 * i + 5],
          node,
        }));
        const seen = Math.min(seenRaw, writeNodes.length - 1);
        steps.push({
          op: readLrp,
          out: lrp(seen, seen + 1),
          at: [readAt + 0.5, readAt + 100],
          node: readNode,
        });
        const readId = steps.length - 1;
        const c = one(steps, [readId]);
        const writes = writeNodes.map((node, i) => ({ node, i, start: 10 * i, acked: 10 * i + 5 }));
        const missed = writes.filter((w) => w.acked < readAt + 0.5 && w.i > seen);
        // A write on the reader's node begun after w was acknowledged, done before the read, shows
        // that node had applied w: no lag behind w.
        const applied = (w: (typeof writes)[number]) =>
          writes.some(
            (z) => z.node === readNode && z.start > w.acked && z.acked < readAt + 0.5 && z.i >= w.i,
          );
        const other = missed.filter((w) => w.node !== readNode && !applied(w));
        if (other.length > 0) {
          const first = other[0]!;
          return (
            c.cause === 'stale-read' &&
            c.writerNode === first.node &&
            c.readerNode === readNode &&
            c.lagMs === Math.round(readAt + 0.5 - first.acked) &&
            c.ops[0] === first.i
          );
        }
        if (missed.length > 0)
          return c.cause === 'lost-write' && c.ops[0] === missed[missed.length - 1]!.i;
        return c.cause === 'single-node-logic';
      },
    ),
    { seed: 17, numRuns: 300 },
  );
  t.pass();
});

test('the report groups anomalies by cause, in md and html, with the op links', async (t) => {
  const { renderCausesMarkdown, renderCausesHtml } = await import('../../lab/report/causes.ts');
  const causes = [
    {
      anomaly: 'not-linearizable' as const,
      key: 'desired/p',
      cause: 'stale-read' as const,
      ops: [1, 2],
      writerNode: 'n1',
      readerNode: 'n2',
      lagMs: 15,
      nodes: ['n1', 'n2'],
      explanation: 'e1',
    },
    {
      anomaly: 'task-started-on-two-cells' as const,
      key: 'task/t',
      cause: 'single-node-logic' as const,
      ops: [4, 5],
      nodes: ['n1'],
      explanation: 'e2',
    },
    {
      anomaly: 'modification-index-went-back' as const,
      key: 'desired/p',
      cause: 'stale-read' as const,
      ops: [1, 2],
      nodes: ['n1', 'n2'],
      explanation: 'e3',
    },
  ];
  const md = renderCausesMarkdown(causes);
  // Stale reads first (CAUSES order), both of them under one heading; the logic bug after.
  t.true(md.indexOf('(2):') < md.indexOf('logic bug: a state the BBS rules forbid'));
  t.true(md.includes('- not-linearizable on desired/p (op 1, op 2; nodes n1, n2): e1'));
  t.true(md.includes('- task-started-on-two-cells on task/t (op 4, op 5; nodes n1): e2'));
  const html = renderCausesHtml(causes, (s) =>
    s.replace(/\bop (\d+)\b/g, '<a href="#op-$1">op $1</a>'),
  );
  t.true(html.includes('<a href="#op-4">op 4</a>'));
  t.is((html.match(/<h3>/g) ?? []).length, 2);
  t.is(renderCausesMarkdown([]), '');
});

test('a removal is not an old state seen: DeleteTask after ResolvingTask on another node is no stale read', (t) => {
  const rec = (state: TaskRecord['state']): BbsResult => ({
    record: {
      taskGuid: 't',
      domain: 'd',
      state,
      cellId: '',
      result: '',
      failed: false,
      failureReason: '',
    },
  });
  // ResolvingTask acked by n2 at 10 ms; DeleteTask on n3 from 17 ms answered with the record it
  // left: absent. That is its effect, newer than RESOLVING, not an old state.
  const c = one(
    [
      {
        op: { f: 'ResolvingTask', args: { taskGuid: 't' } },
        out: rec('RESOLVING'),
        at: [0, 10],
        node: 'n2',
      },
      {
        op: { f: 'DeleteTask', args: { taskGuid: 't' } },
        out: { record: null },
        at: [17, 20],
        node: 'n3',
      },
    ],
    [0, 1],
  );
  t.is(c.cause, 'unattributed');
});

test('a refusal for a missing row on another node, after the row was created and acknowledged, is a stale read', (t) => {
  // Op 0 (DesireLRP) acknowledged by n1 at 10 ms; op 1, an UpdateDesiredLRP invoked on n2 at 14 ms,
  // was refused with ResourceNotFound: n2 saw no row, the state before op 0. Lag at least 14 - 10 =
  // 4 ms.
  const c = one(
    [
      { op: desire, out: lrp(0), at: [0, 10], node: 'n1' },
      { op: update(2), out: { error: 'ResourceNotFound' }, at: [14, 15], node: 'n2' },
    ],
    [0, 1],
  );
  t.is(c.cause, 'stale-read');
  t.deepEqual(c.ops, [0, 1]);
  t.is(c.writerNode, 'n1');
  t.is(c.readerNode, 'n2');
  t.is(c.lagMs, 4);
  // The same refusal on the node that acknowledged the row is the row lost there, not a lag.
  const same = one(
    [
      { op: desire, out: lrp(0), at: [0, 10], node: 'n1' },
      { op: update(2), out: { error: 'ResourceNotFound' }, at: [14, 15], node: 'n1' },
    ],
    [0, 1],
  );
  t.is(same.cause, 'lost-write');
  // A refusal before the creation was acknowledged proves nothing: the row may not have been there
  // yet.
  const early = one(
    [
      { op: desire, out: lrp(0), at: [0, 10], node: 'n1' },
      { op: update(2), out: { error: 'ResourceNotFound' }, at: [5, 12], node: 'n2' },
    ],
    [0, 1],
  );
  t.not(early.cause, 'stale-read');
  t.not(early.cause, 'lost-write');
});

test('two overlapping writes of one row on different nodes, both acknowledged, are named as such; one after the other, or on one node, they are not', (t) => {
  // Op 1 (n1, 20–30 ms) and op 2 (n3, 25–35 ms) both raised the index from 0 to 1: they overlap
  // (25 < 30) on different nodes, and each returned a state that ignores the other.
  const both = one(
    [
      { op: desire, out: lrp(0), at: [0, 10], node: 'n1' },
      { op: update(2), out: lrp(1, 2), at: [20, 30], node: 'n1' },
      { op: update(3), out: lrp(1, 3), at: [25, 35], node: 'n3' },
    ],
    [1, 2],
  );
  t.is(both.cause, 'both-acknowledged');
  t.deepEqual(both.ops, [1, 2]);
  t.regex(both.explanation, /op 1\) on n1 and UpdateDesiredLRP \(op 2\) on n3 overlapped/);
  // On one node the row lock serializes them: the same pair is a logic bug there.
  const oneNode = one(
    [
      { op: desire, out: lrp(0), at: [0, 10], node: 'n1' },
      { op: update(2), out: lrp(1, 2), at: [20, 30], node: 'n1' },
      { op: update(3), out: lrp(1, 3), at: [25, 35], node: 'n1' },
    ],
    [1, 2],
  );
  t.is(oneNode.cause, 'single-node-logic');
  // One refused (an error answer) is not two acknowledgements.
  const refused = one(
    [
      { op: desire, out: lrp(0), at: [0, 10], node: 'n1' },
      { op: update(2), out: lrp(1, 2), at: [20, 30], node: 'n1' },
      { op: update(3), out: { error: 'InvalidStateTransition' }, at: [25, 35], node: 'n3' },
    ],
    [1, 2],
  );
  t.not(refused.cause, 'both-acknowledged');
});

// Premises (issue 27): a cause holds only when the history and the run's settings allow it.

const taskRec = (state: TaskRecord['state'], cellId = ''): BbsResult => ({
  record: {
    taskGuid: 't',
    domain: 'd',
    state,
    cellId,
    result: '',
    failed: false,
    failureReason: '',
  },
});
const startTask = (cellId: string): BbsOp => ({ f: 'StartTask', args: { taskGuid: 't', cellId } });
const startedOn = (cellId: string): BbsResult => ({
  shouldStart: true,
  ...taskRec('RUNNING', cellId),
});

test('stale read: holds without sync wait (or with bits that leave reads out); with reads covered (bit 1) no lag is possible and it is a lost write', (t) => {
  const steps: Step[] = [
    { op: desire, out: lrp(0), at: [0, 10], node: 'n1' },
    { op: update(2), out: lrp(1, 2), at: [20, 30], node: 'n1' },
    { op: readLrp, out: lrp(0), at: [45, 50], node: 'n2' },
  ];
  t.is(one(steps, [1, 2], 'not-linearizable', syncWait(0)).cause, 'stale-read');
  t.is(
    one(steps, [1, 2], 'not-linearizable', syncWait(6)).cause,
    'stale-read',
    'bits 2 and 4 do not cover a SELECT',
  );
  for (const n of [1, 7, 15]) {
    const c = one(steps, [1, 2], 'not-linearizable', syncWait(n));
    t.is(c.cause, 'lost-write', `wsrep_sync_wait ${n}`);
    t.deepEqual([c.writerNode, c.readerNode, c.lagMs], ['n1', 'n2', undefined]);
    t.regex(
      c.explanation,
      new RegExp(`wsrep_sync_wait ${n} DesiredLRPByProcessGuid's node applied every commit`),
    );
  }
});

test("stale read: an earlier op on the reader's node that saw the write refutes the lag", (t) => {
  // Op 2 on n2 (35–40 ms) saw index 1, which op 1 (n1, acked 30 ms) wrote; op 3 on n2 at 45 ms saw
  // index 0 again. n2 had applied op 1 by 40 ms: no lag, the state went back there (lost write).
  const steps: Step[] = [
    { op: desire, out: lrp(0), at: [0, 10], node: 'n1' },
    { op: update(2), out: lrp(1, 2), at: [20, 30], node: 'n1' },
    { op: readLrp, out: lrp(1, 2), at: [35, 40], node: 'n2' },
    { op: readLrp, out: lrp(0), at: [45, 50], node: 'n2' },
  ];
  const c = one(steps, [1, 3]);
  t.is(c.cause, 'lost-write');
  t.deepEqual(
    [c.ops, c.writerNode, c.readerNode],
    [[2, 3], 'n2', 'n2'],
    'n2 itself had served index 1',
  );
  // The same read on n3, which no op showed to have applied op 1: a stale read of n3.
  const other = one([...steps.slice(0, 3), { ...steps[3]!, node: 'n3' }], [1, 3]);
  t.is(other.cause, 'stale-read');
  t.is(other.readerNode, 'n3');
});

test('two sequential starts on two nodes: a stale read without sync wait; with causal reads, or after the node showed it had the first, a store logic bug', (t) => {
  const pair = (): Step[] => [
    { op: startTask('cell-a'), out: startedOn('cell-a'), at: [0, 10], node: 'n1' },
    { op: startTask('cell-b'), out: startedOn('cell-b'), at: [20, 30], node: 'n2' },
  ];
  t.is(one(pair(), [0, 1], 'task-started-on-two-cells', syncWait(0)).cause, 'stale-read');
  // multi-writer-baseline's setting: wsrep_sync_wait 7. The second StartTask's BEGIN waited for the
  // first's commit: it saw RUNNING on cell-a and started anyway.
  const c = one(pair(), [0, 1], 'task-started-on-two-cells', syncWait(7));
  t.is(c.cause, 'store-logic');
  t.deepEqual([c.ops, c.writerNode, c.readerNode, c.lagMs], [[0, 1], 'n1', 'n2', undefined]);
  t.regex(c.explanation, /with wsrep_sync_wait 7 StartTask's node applied every commit/);
  // Without sync wait, a TaskByGuid on n2 (12–15 ms) that saw RUNNING on cell-a shows n2 had it.
  const seen: Step[] = [
    pair()[0]!,
    {
      op: { f: 'TaskByGuid', args: { taskGuid: 't' } },
      out: taskRec('RUNNING', 'cell-a'),
      at: [12, 15],
      node: 'n2',
    },
    { ...pair()[1]!, at: [20, 30] },
  ];
  t.is(one(seen, [0, 2], 'task-started-on-two-cells', syncWait(0)).cause, 'store-logic');
  // A read that saw RUNNING on another cell proves nothing about op 0.
  const unrelated: Step[] = [
    seen[0]!,
    { ...seen[1]!, out: taskRec('RUNNING', 'cell-c') },
    seen[2]!,
  ];
  t.is(one(unrelated, [0, 2], 'task-started-on-two-cells', syncWait(0)).cause, 'stale-read');
});

test('a Domains read missing a fresh domain on another node: stale read without sync wait, lost write with reads covered', (t) => {
  const upsert: BbsOp = { f: 'UpsertDomain', args: { domain: 'd', ttl: 30 } };
  const ops = history([
    { op: upsert, out: { record: { domain: 'd', ttl: 30 } }, at: [0, 10], node: 'n1' },
    { op: { f: 'Domains', args: {} }, out: { domains: [] }, at: [20, 30], node: 'n2' },
  ]);
  const causes = (settings: CauseSettings) =>
    attributeCauses(ops, {
      linearizability: null,
      invariants: checkInvariants(ops),
      failedApplied: [],
      settings,
    });
  t.deepEqual(
    causes(syncWait(0)).map((c) => [c.cause, c.writerNode, c.readerNode, c.lagMs]),
    [['stale-read', 'n1', 'n2', 10]],
  );
  const c = causes(syncWait(1));
  t.deepEqual(
    c.map((x) => [x.cause, x.writerNode, x.readerNode, x.lagMs]),
    [['lost-write', 'n1', 'n2', undefined]],
  );
  t.regex(c[0]!.explanation, /wsrep_sync_wait 1 n2 applied every commit/);
  // Autocommit reads (before 47049111) are a SELECT: bit 1 still covers them.
  t.is(causes(syncWait(1, false))[0]!.cause, 'lost-write');
});

test('single-node logic needs every op of the anomaly on one known node; one of unknown node makes it unattributed', (t) => {
  const steps: Step[] = [
    { op: startTask('cell-a'), out: startedOn('cell-a'), at: [0, 10], node: 'n1' },
    { op: startTask('cell-b'), out: startedOn('cell-b'), at: [20, 30], node: 'n1' },
  ];
  t.is(one(steps, [0, 1], 'task-started-on-two-cells').cause, 'single-node-logic');
  const unknown: Step[] = [steps[0]!, { op: steps[1]!.op, out: steps[1]!.out, at: [20, 30] }];
  t.is(one(unknown, [0, 1], 'task-started-on-two-cells').cause, 'unattributed');
});

test('failed but applied from a COMMIT recheck needs ops that decide it; with none the general cause stays', (t) => {
  const steps: Step[] = [
    { op: startTask('cell-a'), out: startedOn('cell-a'), at: [0, 10], node: 'n1' },
    { op: startTask('cell-b'), out: startedOn('cell-b'), at: [2, 12], node: 'n1' },
  ];
  const ops = history(steps);
  const lin = {
    valid: false,
    keys: [
      { key: 'task/t', verdict: 'not-linearizable', failure: { ops: [{ op: 0 }, { op: 1 }] } },
    ],
  } as never;
  const withRecheck = (deciding: number[]) =>
    attributeCauses(ops, {
      linearizability: lin,
      invariants: null,
      failedApplied: [],
      commitFailRechecks: [{ key: 'task/t', deciding, commitFails: [5], minimal: true } as never],
    })[0]!.cause;
  t.is(withRecheck([5]), 'failed-but-applied');
  t.is(withRecheck([]), 'single-node-logic');
});

test('causal wait: bit 1 covers every transactional op; autocommit writes need the bits of their first statement', (t) => {
  t.true(waitsForCausality('StartTask', syncWait(1)));
  t.false(waitsForCausality('StartTask', syncWait(6)));
  t.false(waitsForCausality('DesireTask', syncWait(1, false)), 'an autocommit INSERT needs bit 4');
  t.true(waitsForCausality('DesireTask', syncWait(4, false)));
  t.false(
    waitsForCausality('UpsertDomain', syncWait(2, false)),
    'UPDATE then INSERT, or INSERT … ON DUPLICATE: bits 2 and 4',
  );
  t.true(waitsForCausality('UpsertDomain', syncWait(6, false)));
  t.true(waitsForCausality('UpsertDomain', syncWait(1, true)));
  // Property: waiting is monotone in the bitmask and, with transactional reads, is exactly bit 1.
  const names = [
    'StartTask',
    'DesireTask',
    'UpsertDomain',
    'Domains',
    'TaskByGuid',
    'CreateUnclaimedActualLRP',
    'RemoveActualLRP',
  ];
  fc.assert(
    fc.property(
      fc.constantFrom(...names),
      fc.integer({ min: 0, max: 15 }),
      fc.integer({ min: 0, max: 15 }),
      fc.boolean(),
      (f, a, extra, tr) => {
        const s = syncWait(a, tr);
        if (waitsForCausality(f, s) && !waitsForCausality(f, syncWait(a | extra, tr))) return false;
        if (tr && waitsForCausality(f, s) !== ((a & 1) === 1)) return false;
        return waitsForCausality(f, s) === ((a & syncWaitBitsFor(f, s)) === syncWaitBitsFor(f, s));
      },
    ),
    { seed: 27, numRuns: 300 },
  );
});
