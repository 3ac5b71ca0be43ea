// The reader bench (lab/bench/reader.ts): its line on a fixed row worked out by hand, and the
// history it reads (one sequential key, every line one event).

import test from 'ava';
import { benchReader, readerLine, sequentialJsonl } from '../../lab/bench/reader.ts';

test('the bench line: events per second of reading alone and of reading and checking', (t) => {
  // 400,000 events in 0.5 s: 800,000 events/s; in 1.25 s: 320,000 events/s. 45 MiB.
  t.is(
    readerLine({
      events: 400_000,
      bytes: 45 * 2 ** 20,
      readMs: 500,
      checkMs: 1250,
      verdict: 'VALID',
    }),
    'reader: JSONL, one sequential key, 400,000 events (45 MB): read 0.50 s (800,000 events/s); read + check (bbs-lab check --model cas-register) 1.25 s (320,000 events/s), VALID',
  );
});

test('the history: one event per line, one key, each op invoked after the last one completed', (t) => {
  const lines = sequentialJsonl(3).trimEnd().split('\n');
  t.is(lines.length, 6);
  const events = lines.map((l) => JSON.parse(l));
  t.deepEqual(
    events.map((e) => [e.type, e.op, e.key]),
    [
      ['invoke', 0, 'r'],
      ['ok', 0, 'r'],
      ['invoke', 1, 'r'],
      ['ok', 1, 'r'],
      ['invoke', 2, 'r'],
      ['ok', 2, 'r'],
    ],
  );
  for (let i = 1; i < events.length; i++) t.true(events[i].time > events[i - 1].time);
});

test('the row: every event read, and the check finds the generated history valid', (t) => {
  const lines: string[] = [];
  const row = benchReader(50, (l) => lines.push(l));
  t.is(row.events, 100);
  t.is(row.verdict, 'VALID');
  t.deepEqual(lines, [readerLine(row)]);
});
