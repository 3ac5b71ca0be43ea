// Re-checking a non-linearizable key with its COMMIT-time failures taken as of unknown outcome
// (checkers/linearizability/commit-fails.ts). Answers worked out by hand on register histories.

import test from 'ava';
import { checkHistory } from '../../lab/checkers/index.ts';
import { recheckCommitFails } from '../../lab/checkers/linearizability/commit-fails.ts';
import { pairOps, type HistoryEvent } from '../../lab/history/event.ts';
import type { Model } from '../../specs/model.ts';
import { registerModel } from '../../specs/register.ts';
import { eventsOf, type TestOp } from './lin-history.ts';

const reg = registerModel as Model;

/** TestOps, then the `fail` completions given a phase ('commit' or 'statement'). */
function withPhases(ops: TestOp[], phases: Record<number, 'commit' | 'statement'>): HistoryEvent[] {
  return eventsOf(ops).map((e) =>
    e.type === 'fail'
      ? { ...e, error: { errno: 1213, message: 'deadlock', phase: phases[e.op] ?? 'statement' } }
      : e,
  );
}

const w = (value: number, at: [number, number], outcome: TestOp['outcome'] = 'ok'): TestOp => ({
  input: { f: 'write', value },
  output: null,
  at,
  outcome,
});
const r = (value: number, at: [number, number]): TestOp => ({
  input: { f: 'read' },
  output: value,
  at,
});

test('a read of a value whose write failed at COMMIT: taken as unknown, that write decides the verdict', (t) => {
  // op 0 writes 1; op 1 writes 2 and fails at COMMIT; op 2 reads 2 (4–5); op 3 writes 3, fails at
  // COMMIT; op 4 reads 2 (8–9); op 5 writes 4, fails on a statement (surely not applied).
  // As recorded, no write of 2 happened: not linearizable. With op 1 unknown, 1, 2, read 2, read 2
  // is legal; op 3 (3 never read) is not needed: it can be put back to fail. op 5 is no COMMIT
  // failure.
  const ops = pairOps(
    withPhases(
      [
        w(1, [0, 1]),
        w(2, [2, 3], 'fail'),
        r(2, [4, 5]),
        w(3, [6, 7], 'fail'),
        r(2, [8, 9]),
        w(4, [10, 11], 'fail'),
      ],
      { 1: 'commit', 3: 'commit', 5: 'statement' },
    ),
  );
  t.deepEqual(recheckCommitFails('x', ops, reg, 1e5), {
    key: 'x',
    commitFails: [1, 3],
    verdictIfUnknown: 'linearizable',
    deciding: [1],
    minimal: true,
  });
});

test('when no COMMIT failure can explain it, the re-check says so and names none', (t) => {
  // Reads 2 then 1 after a write of 1 and a COMMIT-failed write of 2 that both completed before
  // the reads: even with op 1 unknown, 2 then 1 needs a second write of 1.
  const ops = pairOps(
    withPhases([w(1, [0, 1]), w(2, [2, 3], 'fail'), r(2, [4, 5]), r(1, [6, 7])], { 1: 'commit' }),
  );
  t.deepEqual(recheckCommitFails('x', ops, reg, 1e5), {
    key: 'x',
    commitFails: [1],
    verdictIfUnknown: 'not-linearizable',
    deciding: [],
    minimal: true,
  });
  // No COMMIT failure at all: nothing to re-check.
  t.is(
    recheckCommitFails('x', pairOps(withPhases([w(1, [0, 1]), r(2, [4, 5])], {})), reg, 1e5),
    null,
  );
});

test('checkHistory attributes such a key to a failed COMMIT that was applied', (t) => {
  const report = checkHistory(
    withPhases([w(1, [0, 1]), w(2, [2, 3], 'fail'), r(2, [4, 5])], { 1: 'commit' }),
    { model: 'register' },
  );
  t.false(report.valid);
  t.deepEqual(
    report.commitFailRechecks?.map((x) => x.deciding),
    [[1]],
  );
  const c = report.causes!.find((x) => x.anomaly === 'not-linearizable')!;
  t.is(c.cause, 'failed-but-applied');
  t.is(c.ops[0], 1);
  // The same history with the failure on a statement: surely not applied, so no such cause.
  const plain = checkHistory(
    withPhases([w(1, [0, 1]), w(2, [2, 3], 'fail'), r(2, [4, 5])], { 1: 'statement' }),
    { model: 'register' },
  );
  t.deepEqual(plain.commitFailRechecks, []);
  t.not(plain.causes!.find((x) => x.anomaly === 'not-linearizable')!.cause, 'failed-but-applied');
});

test('the evidence says what the re-check found', async (t) => {
  const { renderEvidence } = await import('../../lab/report/evidence.ts');
  const { checkReport } = await import('../../lab/report/verdicts.ts');
  const report = checkReport(
    withPhases([w(1, [0, 1]), w(2, [2, 3], 'fail'), r(2, [4, 5])], { 1: 'commit' }),
    { model: 'register' },
  );
  t.regex(
    renderEvidence(report, 0),
    /1 op on this key failed at COMMIT \(op 1\); taken as of unknown outcome instead, the key is linearizable: the classification of op 1 decides the verdict/,
  );
});
