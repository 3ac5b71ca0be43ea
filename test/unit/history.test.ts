import test from 'ava';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pairOps } from '../../lab/history/event.ts';
import { HistoryWriter } from '../../lab/history/writer.ts';
import { parseHistory, readHistory, HistoryFormatError } from '../../lab/history/reader.ts';

test('the writer appends one line per event, readable before close', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const w = new HistoryWriter(join(dir, 'h.jsonl'));
  w.append({ type: 'invoke', op: 0, process: 0, client: 0, f: 'read', key: 'x' });
  w.append({ type: 'ok', op: 0, process: 0, client: 0, f: 'read', key: 'x', value: 1 });
  // Not closed: an interrupted run must still be readable.
  const { events, warnings } = readHistory(join(dir, 'h.jsonl'));
  t.is(events.length, 2);
  t.deepEqual(warnings, []);
  t.is(events[0]!.index, 0);
  t.is(events[1]!.index, 1);
  t.true(events[1]!.time >= events[0]!.time);
  w.close();
});

test('a torn last line is skipped with a warning; a torn middle line is an error', (t) => {
  const good = JSON.stringify({ type: 'invoke', op: 0, process: 0, f: 'read', time: 1 });
  const r = parseHistory(`${good}\n{"type":"ok","op":0,`);
  t.is(r.events.length, 1);
  t.is(r.warnings.length, 1);
  t.regex(r.warnings[0]!, /line 2 is incomplete/);
  t.throws(() => parseHistory(`{"type":\n${good}\n`), {
    instanceOf: HistoryFormatError,
    message: /line 1: not valid JSON \(only a last line without a newline may be torn\)/,
  });
});

test('a JSON array history from another tool gets index and client filled in', (t) => {
  const r = parseHistory(
    JSON.stringify([{ type: 'invoke', op: 1, process: 7, f: 'write', value: 3, time: 5 }]),
  );
  t.is(r.events[0]!.index, 0);
  t.is((r.events[0] as { client: number }).client, 7);
});

test('events with a bad type are refused with the allowed types named', (t) => {
  t.throws(() => parseHistory('[{"type":"done","op":1,"process":1,"f":"x","time":0}]'), {
    message: /type must be one of invoke, ok, fail, info, nemesis/,
  });
});

test('pairOps pairs completions to invokes and leaves unfinished ops open', (t) => {
  const ev = parseHistory(
    [
      { type: 'invoke', op: 0, process: 0, f: 'w', time: 1 },
      { type: 'invoke', op: 1, process: 1, f: 'w', time: 2 },
      { type: 'ok', op: 0, process: 0, f: 'w', time: 3 },
      { type: 'nemesis', phase: 'start', fault: 'p1', kind: 'partition', time: 4 },
    ]
      .map((e) => JSON.stringify(e))
      .join('\n'),
  ).events;
  const ops = pairOps(ev);
  t.is(ops.length, 2);
  t.is(ops[0]!.complete?.type, 'ok');
  t.is(ops[1]!.complete, undefined);
});

test('the file is append-only: a second writer continues it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const p = join(dir, 'h.jsonl');
  appendFileSync(p, '');
  const w = new HistoryWriter(p);
  w.append({ type: 'nemesis', phase: 'event', fault: 'x', kind: 'note' });
  w.close();
  t.is(readFileSync(p, 'utf8').split('\n').filter(Boolean).length, 1);
});
