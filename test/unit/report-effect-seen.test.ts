import test from 'ava';
import type { HistoryEvent } from '../../lab/history/event.ts';
import { pairOps } from '../../lab/history/event.ts';
import { effectSeen, observe } from '../../lab/report/effect-seen.ts';

// Three CompleteTask ops of unknown outcome on task t, each with its own result: r1 is read back by
// a TaskByGuid invoked after it (committed); r2 only appears in the final read (committed); r3
// never appears (not seen: it may have been replaced, so not "did not commit"). A DesireTask of
// unknown outcome leaves no unique trace: cannot tell.
let i = 0;
const ev = (e: Record<string, unknown>): HistoryEvent =>
  ({ index: i++, process: 0, client: 0, key: 'task/t', ...e }) as HistoryEvent;
const complete = (op: number, t: number, result: string): HistoryEvent[] => [
  ev({
    type: 'invoke',
    op,
    time: t,
    f: 'CompleteTask',
    value: { f: 'CompleteTask', args: { cellId: 'c', failed: false, failureReason: '', result } },
  }),
  ev({
    type: 'info',
    op,
    time: t + 5,
    f: 'CompleteTask',
    error: { code: 'PROTOCOL_CONNECTION_LOST', message: 'lost' },
  }),
];
const history: HistoryEvent[] = [
  // A read of r1 invoked BEFORE op 0 does not count (it cannot have seen op 0's write).
  ev({ type: 'invoke', op: 9, time: 0, f: 'TaskByGuid', value: { f: 'TaskByGuid', args: {} } }),
  ev({
    type: 'ok',
    op: 9,
    time: 30,
    f: 'TaskByGuid',
    value: { record: { taskGuid: 't', state: 'COMPLETED', result: 'r3' } },
  }),
  ...complete(0, 10, 'r1'),
  ...complete(1, 20, 'r2'),
  ...complete(2, 40, 'r3'),
  ev({ type: 'invoke', op: 3, time: 50, f: 'TaskByGuid', value: { f: 'TaskByGuid', args: {} } }),
  ev({
    type: 'ok',
    op: 3,
    time: 60,
    f: 'TaskByGuid',
    value: { record: { taskGuid: 't', state: 'COMPLETED', result: 'r1' } },
  }),
  ev({ type: 'invoke', op: 4, time: 70, f: 'DesireTask', value: { f: 'DesireTask', args: {} } }),
  ev({ type: 'info', op: 4, time: 80, f: 'DesireTask' }),
  ev({ type: 'invoke', op: 5, time: 90, f: 'FinalRead', key: undefined }),
  ev({
    type: 'ok',
    op: 5,
    time: 95,
    f: 'FinalRead',
    key: undefined,
    value: {
      tasks: [{ taskGuid: 't', state: 'COMPLETED', result: 'r2' }],
      desiredLRPs: [],
      actualLRPs: [],
    },
  }),
];

test('an unknown op counts as committed only when a later read or the final read shows its own write', (t) => {
  const ops = pairOps(history);
  const obs = observe(ops);
  const by = (op: number) => effectSeen(ops.find((o) => o.op === op)!, obs);
  t.is(by(0), 'seen', 'r1 read back by op 3, invoked at 50 ≥ 10');
  t.is(by(1), 'seen', 'r2 in the final read');
  t.is(by(2), 'not-seen', 'r3 was only read by op 9, invoked at 0, before op 2 (40)');
  t.is(by(4), 'cannot-tell', 'a DesireTask leaves no unique trace');
});
