// Every checker's findings in the one anomaly shape (lab/checkers/anomaly.ts), on small fixed data
// worked out by hand; results written before anomalies were stored read the same; and the
// self-test's detection over the one list agrees with a simple reference that reads each checker's
// own data, as detection did before the list existed.

import test from 'ava';
import fc from 'fast-check';
import type { PlantRecord } from '../../bbs/sql/plants.ts';
import { failedAppliedChecker } from '../../lab/checkers/failed-applied.ts';
import { anomaliesOf, CHECKERS } from '../../lab/checkers/index.ts';
import { invariantsChecker } from '../../lab/checkers/invariants/checker.ts';
import type { InvariantResult } from '../../lab/checkers/invariants/index.ts';
import { isolationChecker } from '../../lab/checkers/isolation/checker.ts';
import type { IsolationResult } from '../../lab/checkers/isolation/index.ts';
import { linearizabilityChecker } from '../../lab/checkers/linearizability/checker.ts';
import type { LinResult } from '../../lab/checkers/linearizability/index.ts';
import type { HistoryEvent, Op } from '../../lab/history/event.ts';
import { plainWords } from '../../lab/report/anomaly-wording.ts';
import { type CheckReport, checkReport } from '../../lab/report/verdicts.ts';
import { detectionOf, detectionOfRecord } from '../../lab/selftest/detection.ts';
import { txn } from './isolation-helpers.ts';

const failureOp = (op: number) => ({
  op,
  process: 0,
  outcome: 'ok' as const,
  description: `op ${op}`,
  invoke: op,
  complete: op + 1,
});

test('linearizability: one anomaly per key that is not linearizable, its witness ops in order', (t) => {
  const lin = {
    valid: false,
    opsChecked: 9,
    skipped: 0,
    keys: [
      {
        key: 'task/a',
        model: 'bbs-task',
        verdict: 'not-linearizable',
        ops: 3,
        steps: 1,
        failure: { ops: [failureOp(4), failureOp(2)] },
      },
      { key: 'task/b', model: 'bbs-task', verdict: 'linearizable', ops: 3, steps: 1 },
      { key: 'task/c', model: 'bbs-task', verdict: 'not-linearizable', ops: 3, steps: 1 },
    ],
  } as unknown as LinResult;
  t.deepEqual(linearizabilityChecker.anomalies(lin), [
    {
      checker: 'linearizability',
      type: 'not-linearizable',
      ops: [4, 2],
      keys: ['task/a'],
      ruledOut: ['linearizable'],
      data: { model: 'bbs-task' },
    },
    // No witness kept: still an anomaly, shown by no op.
    {
      checker: 'linearizability',
      type: 'not-linearizable',
      ops: [],
      keys: ['task/c'],
      ruledOut: ['linearizable'],
      data: { model: 'bbs-task' },
    },
  ]);
  t.deepEqual(linearizabilityChecker.anomalies(null), []);
});

test('invariants and failed-but-applied: one anomaly per violation and per failed op seen applied', (t) => {
  const inv = {
    valid: false,
    counts: {},
    violations: [
      { invariant: 'task-started-on-two-cells', key: 'task/t', ops: [3, 4], explanation: 'x' },
    ],
  } as unknown as InvariantResult;
  t.deepEqual(invariantsChecker.anomalies(inv), [
    {
      checker: 'invariants',
      type: 'task-started-on-two-cells',
      ops: [3, 4],
      keys: ['task/t'],
      ruledOut: [],
      data: {},
    },
  ]);
  const fa = [
    { op: 3, f: 'CompleteTask', key: 'task/t', error: '1213', seenBy: 5, explanation: 'y' },
  ];
  t.deepEqual(failedAppliedChecker.anomalies(fa), [
    {
      checker: 'failedApplied',
      type: 'failed-but-applied',
      ops: [3, 5],
      keys: ['task/t'],
      ruledOut: [],
      data: { f: 'CompleteTask', error: '1213', seenBy: 5 },
    },
  ]);
});

test('isolation: each example with its txns once, its keys, and the models it rules out', (t) => {
  const none = { G0: [], G1a: [], G1b: [], G1c: [], 'G-single-item': [], 'G2-item': [] };
  const iso = {
    valid: false,
    anomalies: {
      ...none,
      // Listed after G1a: the report's type order puts G1a first.
      'G2-item-realtime': [
        {
          type: 'G2-item-realtime',
          cycle: [
            { from: 1, to: 2, kind: 'rw', key: 'x', value: 5 },
            { from: 2, to: 1, kind: 'realtime' },
          ],
          explanation: 'z',
        },
      ],
      G1a: [{ type: 'G1a', op: 7, txn: 8, key: 3, value: 1, explanation: 'w' }],
    },
  } as unknown as IsolationResult;
  t.deepEqual(isolationChecker.anomalies(iso), [
    {
      checker: 'isolation',
      type: 'G1a',
      ops: [7, 8],
      keys: ['3'],
      // G1a is proscribed from read committed up (models.ts), weakest first.
      ruledOut: [
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
      ],
      data: { op: 7, txn: 8, key: 3, value: 1 },
    },
    {
      checker: 'isolation',
      type: 'G2-item-realtime',
      ops: [1, 2],
      keys: ['x'],
      // Elle's G2-item-realtime: of G2-item's models only the real-time one is ruled out.
      ruledOut: ['strict-serializable'],
      data: {
        cycle: [
          { from: 1, to: 2, kind: 'rw', key: 'x', value: 5 },
          { from: 2, to: 1, kind: 'realtime' },
        ],
      },
    },
  ]);
});

/** A task CompleteTask that failed with 1213 yet a later read saw its result, and a G1a read. */
function mixedHistory(): HistoryEvent[] {
  const complete = {
    f: 'CompleteTask',
    args: { taskGuid: 't', cellId: 'c', failed: false, failureReason: '', result: 'r-c1-7' },
  };
  const task = { process: 0, client: 0, key: 'task/t' };
  const seen = { taskGuid: 't', domain: 'd', state: 'COMPLETED', cellId: 'c', result: 'r-c1-7' };
  const bbs: HistoryEvent[] = [
    { type: 'invoke', index: 0, time: 0, op: 0, f: 'CompleteTask', value: complete, ...task },
    {
      type: 'fail',
      index: 1,
      time: 5,
      op: 0,
      f: 'CompleteTask',
      value: complete,
      ...task,
      error: { errno: 1213, message: 'Deadlock', phase: 'commit' },
    },
    {
      type: 'invoke',
      index: 2,
      time: 10,
      op: 1,
      f: 'TaskByGuid',
      value: { f: 'TaskByGuid', args: { taskGuid: 't' } },
      ...task,
      process: 1,
      client: 1,
    },
    {
      type: 'ok',
      index: 3,
      time: 12,
      op: 1,
      f: 'TaskByGuid',
      value: { record: seen },
      ...task,
      process: 1,
      client: 1,
    },
  ] as HistoryEvent[];
  // Txn 2 appends 1 to list 3 and fails; txn 3 reads [1]: it read an aborted write (G1a).
  const txns: Op[] = [txn(2, [['append', 3, 1]], { outcome: 'fail' }), txn(3, [['r', 3, [1]]])];
  const events = txns.flatMap((o) => [o.invoke, ...(o.complete ? [o.complete] : [])]);
  return [...bbs, ...events.map((e, i) => ({ ...e, index: 4 + i }))];
}

test('results written before anomalies were stored: anomaliesOf derives the same list from the checkers data', (t) => {
  const report = checkReport(mixedHistory());
  t.deepEqual(
    report.anomalies?.map((a) => [a.checker, a.type, a.ops]),
    [
      // The read saw a completed task no op that succeeded made: alone it cannot be linearized.
      ['linearizability', 'not-linearizable', [1]],
      ['failedApplied', 'failed-but-applied', [0, 1]],
      ['isolation', 'G1a', [3, 2]],
    ],
  );
  // An older results.json: the same check through JSON, without the list.
  const { anomalies: _stored, ...older } = JSON.parse(JSON.stringify(report)) as CheckReport;
  t.false('anomalies' in older);
  t.deepEqual(anomaliesOf(older), report.anomalies!);
  t.deepEqual(anomaliesOf(report), report.anomalies!);
  // A field an older check lacks (no isolation then) gives no anomaly, not an error.
  const { isolation: _iso, ...noIsolation } = older;
  t.deepEqual(
    anomaliesOf(noIsolation as CheckReport).map((a) => a.checker),
    ['linearizability', 'failedApplied'],
  );
});

test('an anomaly of a checker the report has no words for is worded from its own fields', (t) => {
  t.deepEqual(
    plainWords({
      checker: 'noWrites',
      type: 'write-seen',
      ops: [4, 9],
      keys: ['x'],
      ruledOut: ['read-only'],
      data: { writes: 2, value: 'v' },
    }),
    {
      title: 'noWrites: write-seen on x',
      explanation:
        'noWrites found write-seen on x, shown by ops 4, 9 (writes 2; value v). It rules out read-only.',
    },
  );
  t.deepEqual(plainWords({ checker: 'c', type: 't', ops: [1], keys: [], ruledOut: [], data: {} }), {
    title: 'c: t',
    explanation: 'c found t, shown by op 1.',
  });
});

// The reference: detection as it read each checker's own data before the one list existed.
const PREFIX: Record<PlantRecord, string> = {
  task: 'task/',
  'actual-lrp': 'actual/',
  'desired-lrp': 'desired/',
  domain: 'domain/',
};
interface RefFinding {
  checker: string;
  key: string;
  ops: number[];
}
function refFindings(c: CheckReport): RefFinding[] {
  const out: RefFinding[] = [];
  for (const k of c.linearizability?.keys ?? [])
    if (k.verdict === 'not-linearizable')
      out.push({
        checker: 'linearizability',
        key: k.key,
        ops: k.failure?.ops.map((o) => o.op) ?? [],
      });
  for (const v of c.invariants?.violations ?? [])
    out.push({ checker: 'invariants', key: v.key, ops: v.ops });
  for (const f of c.failedApplied)
    out.push({ checker: 'failedApplied', key: f.key, ops: [f.op, f.seenBy] });
  return out;
}
function refDetection(
  fs: RefFinding[],
  found: boolean,
  doneAt: ReadonlyMap<number, number>,
  start: number,
) {
  let first: number | null = null;
  for (const f of fs) {
    const times = f.ops.map((o) => doneAt.get(o)).filter((x): x is number => x !== undefined);
    if (times.length === 0 || times.length < f.ops.length) continue;
    const done = Math.max(...times);
    if (first === null || done < first) first = done;
  }
  const names = new Set(fs.map((f) => f.checker));
  return {
    found,
    checkers: ['linearizability', 'invariants', 'failedApplied'].filter((n) => names.has(n)),
    firstDetectionSec: found && first !== null ? (first - start) / 1e9 : null,
  };
}

const keyArb = fc.constantFrom('task/a', 'task/b', 'actual/p/0', 'domain/d', 'desired/q');
const opsArb = fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 4 });
const checkArb = fc
  .record({
    lin: fc.array(
      fc.record({
        key: keyArb,
        bad: fc.boolean(),
        ops: fc.option(opsArb, { nil: undefined }),
      }),
      { maxLength: 3 },
    ),
    inv: fc.array(fc.record({ key: keyArb, ops: opsArb }), { maxLength: 3 }),
    fa: fc.array(
      fc.record({
        key: keyArb,
        op: fc.integer({ min: 0, max: 9 }),
        seenBy: fc.integer({ min: 0, max: 9 }),
      }),
      { maxLength: 2 },
    ),
    stored: fc.boolean(),
  })
  .map(({ lin, inv, fa, stored }): CheckReport => {
    const keys = lin.map((k) => ({
      key: k.key,
      model: 'm',
      verdict: k.bad ? 'not-linearizable' : 'linearizable',
      ops: 1,
      steps: 1,
      ...(k.bad && k.ops ? { failure: { ops: k.ops.map(failureOp) } } : {}),
    }));
    const linValid = !lin.some((k) => k.bad);
    const check = {
      valid: linValid && inv.length === 0 && fa.length === 0,
      summary: [],
      linearizability: { valid: linValid, keys, opsChecked: 1, skipped: 0 } as unknown as LinResult,
      invariants: {
        valid: inv.length === 0,
        counts: {} as never,
        violations: inv.map((v) => ({
          invariant: 'acknowledged-write-lost' as const,
          key: v.key,
          ops: v.ops,
          explanation: '',
        })),
      },
      failedApplied: fa.map((f) => ({ ...f, f: 'CompleteTask', error: '1213', explanation: '' })),
      isolation: null,
    } as CheckReport;
    // Half the cases as a new results.json (the list stored), half as an older one.
    return stored
      ? { ...check, anomalies: CHECKERS.flatMap((c) => anomaliesOf(check, [c])) }
      : check;
  });
const doneAtArb = fc
  .array(fc.option(fc.integer({ min: 100, max: 200 }), { nil: undefined }), {
    minLength: 10,
    maxLength: 10,
  })
  .map(
    (ts) =>
      new Map(ts.flatMap((x, op) => (x === undefined ? [] : [[op, x * 1e9] as [number, number]]))),
  );

test('property: detection over the one list equals the reference over each checker own data', (t) => {
  fc.assert(
    fc.property(checkArb, doneAtArb, (check, doneAt) => {
      const all = refFindings(check);
      t.deepEqual(
        detectionOf(check, doneAt, 100e9),
        refDetection(all, check.valid === false, doneAt, 100e9),
      );
      for (const record of Object.keys(PREFIX) as PlantRecord[]) {
        const mine = all.filter((f) => f.key.startsWith(PREFIX[record]));
        t.deepEqual(
          detectionOfRecord(check, record, doneAt, 100e9),
          refDetection(mine, mine.length > 0, doneAt, 100e9),
        );
      }
    }),
    { numRuns: 300 },
  );
});
