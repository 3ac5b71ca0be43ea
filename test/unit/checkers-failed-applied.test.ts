import test from 'ava';
import type { HistoryEvent } from '../../lab/history/event.ts';
import { pairOps } from '../../lab/history/event.ts';
import { checkFailedApplied } from '../../lab/checkers/failed-applied.ts';

const complete = { f: 'CompleteTask', args: { taskGuid: 't', cellId: 'cell-a', failed: false, failureReason: '', result: 'alpha-c1-7' } };
const rec = (result: string) => ({ record: { taskGuid: 't', domain: 'd', state: 'COMPLETED', cellId: 'cell-a', result, failed: false, failureReason: '' } });

function h(readResult: string, outcome: 'fail' | 'ok'): HistoryEvent[] {
  const base = { process: 0, client: 0, key: 'task/t' };
  return [
    { type: 'invoke', index: 0, time: 0, op: 0, f: 'CompleteTask', value: complete, ...base },
    { type: outcome, index: 1, time: 5, op: 0, f: 'CompleteTask', value: complete, ...base, ...(outcome === 'fail' ? { error: { errno: 1213, message: 'Deadlock', phase: 'commit' as const } } : {}) },
    { type: 'invoke', index: 2, time: 10, op: 1, f: 'TaskByGuid', value: { f: 'TaskByGuid', args: { taskGuid: 't' } }, ...base, process: 1, client: 1 },
    { type: 'ok', index: 3, time: 12, op: 1, f: 'TaskByGuid', value: rec(readResult), ...base, process: 1, client: 1 },
  ] as HistoryEvent[];
}

test('a CompleteTask that failed with 1213 but whose result is later read was applied after all', (t) => {
  const found = checkFailedApplied(pairOps(h('alpha-c1-7', 'fail')));
  t.is(found.length, 1);
  t.like(found[0], { op: 0, seenBy: 1, error: '1213' });
  t.regex(found[0]!.explanation, /failed with 1213 \(on commit\), yet TaskByGuid later saw its result "alpha-c1-7"/);
});

test('a failed CompleteTask whose result never shows up, or an ok one, is not reported', (t) => {
  t.deepEqual(checkFailedApplied(pairOps(h('beta-c2-1', 'fail'))), []);
  t.deepEqual(checkFailedApplied(pairOps(h('alpha-c1-7', 'ok'))), []);
});
