// pairOps: each completion goes to the open invoke of its op id, whatever the ids are (small
// integers take an array, any other id a map), and an invoke never completed stays open.

import test from 'ava';
import { type HistoryEvent, pairOps } from '../../lab/history/event.ts';

const ev = (type: string, op: number, time: number): HistoryEvent =>
  ({
    type,
    op,
    process: 0,
    client: 0,
    f: 'read',
    key: 'k',
    time,
    index: time,
    value: null,
  }) as HistoryEvent;

test('completions pair with their invokes for small, negative, fractional and huge ids', (t) => {
  const ids = [3, 0, -1, 2.5, 1e12, 1 << 26];
  const events: HistoryEvent[] = [];
  for (const [i, id] of ids.entries()) events.push(ev('invoke', id, i));
  // Completed in reverse order; the last id (1 << 26, just past the array's range) never completes.
  for (const [i, id] of ids.slice(0, -1).reverse().entries())
    events.push(ev(i % 2 ? 'info' : 'ok', id, 10 + i));
  const ops = pairOps(events);
  t.deepEqual(
    ops.map((o) => o.op),
    ids,
    'in invoke order',
  );
  t.deepEqual(
    ops.map((o) => o.complete?.time),
    [14, 13, 12, 11, 10, undefined],
  );
  t.true(ops.every((o) => o.complete === undefined || o.complete.op === o.op));
});

test('an op id used again after its completion opens a new op', (t) => {
  const ops = pairOps([ev('invoke', 1, 0), ev('ok', 1, 1), ev('invoke', 1, 2), ev('ok', 1, 3)]);
  t.deepEqual(
    ops.map((o) => [o.invoke.time, o.complete?.time]),
    [
      [0, 1],
      [2, 3],
    ],
  );
});
