// The pieces that keep a long key linear: segments cut from ops in any order, step slots for any
// op id, the first round sized to the key, and the reader's depth limit and places.

import test from 'ava';
import { checkLinearizable, toSearchOps } from '../../lab/checkers/linearizability/index.ts';
import { segmentsOf } from '../../lab/checkers/linearizability/segments.ts';
import { StepCache } from '../../lab/checkers/linearizability/steps.ts';
import { depthOf, parseHistory } from '../../lab/history/reader.ts';
import { registerModel } from '../../specs/register.ts';
import type { Model } from '../../specs/model.ts';
import { opsOf, type TestOp } from './lin-history.ts';

const reg = registerModel as Model;

test('segmentsOf: ops listed out of invoke order give the segments of the sorted list', (t) => {
  // ok ops [0,2] and [1,3] overlap; [5,6] alone; an info write invoked at 4 joins the last.
  const ops: TestOp[] = [
    { input: { f: 'write', value: 3 }, at: [5, 6] },
    { input: { f: 'write', value: 1 }, at: [0, 2] },
    { input: { f: 'write', value: 9 }, at: [4, 100], outcome: 'info' },
    { input: { f: 'write', value: 2 }, at: [1, 3] },
  ];
  const { search } = toSearchOps(opsOf(ops), reg);
  const ids = (s: number[]) => s.map((i) => search[i]!.id).sort();
  const segs = segmentsOf(search);
  t.deepEqual(
    segs.map((s) => [s.from, s.to, ids(s.ops)]),
    [
      [0, 3, [1, 3]],
      [5, 6, [0, 2]],
    ],
  );
  const shuffled = [search[2]!, search[0]!, search[3]!, search[1]!];
  t.deepEqual(
    segmentsOf(shuffled).map((s) => [s.from, s.to, s.ops.map((i) => shuffled[i]!.id).sort()]),
    [
      [0, 3, [1, 3]],
      [5, 6, [0, 2]],
    ],
  );
});

test('StepCache.slot: one dense slot per (op id, outcome known), for small, negative and fractional ids alike', (t) => {
  const c = new StepCache(reg);
  const op = (id: number, known: boolean) => ({ id, input: { f: 'read' }, output: 1, known });
  t.is(c.slot(op(0, true)), 0);
  t.is(c.slot(op(-5, true)), 1);
  t.is(c.slot(op(0, false)), 2);
  t.is(c.slot(op(2 ** 40, true)), 3);
  t.is(c.slot(op(0.5, true)), 4);
  t.is(c.slot(op(-5, true)), 1);
  t.is(c.slot(op(0, true)), 0);
  t.is(c.slot(op(2 ** 40, true)), 3);
});

test('a sequential key is searched once: its first round fits one step per op', (t) => {
  const ops: TestOp[] = Array.from({ length: 30_000 }, (_, i) => ({
    input: i % 2 === 0 ? { f: 'write', value: i } : { f: 'read' },
    ...(i % 2 === 1 ? { output: i - 1 } : {}),
    at: [3 * i, 3 * i + 1] as [number, number],
  }));
  const k = checkLinearizable(opsOf(ops), () => reg).keys[0]!;
  t.is(k.verdict, 'linearizable');
  t.is(k.steps, 30_000);
  t.is(k.segments, 30_000);
});

test('depthOf: the depth of a value, and past a limit only that it is past', (t) => {
  t.is(depthOf(1), 0);
  t.is(depthOf({ a: [[1], { b: 2 }] }), 3);
  t.is(depthOf({ a: [[1], { b: 2 }] }, 100), 3);
  let deep: unknown = 1;
  for (let i = 0; i < 5000; i++) deep = [deep];
  t.is(depthOf(deep), 5000);
  t.is(depthOf(deep, 100), 101);
});

test('the reader names the line of a bad event, and where() names an event of the history', (t) => {
  const good = '{"type":"invoke","time":0,"op":1,"process":0,"f":"read"}';
  const err = t.throws(() => parseHistory(`${good}\n{"type":"ok","time":"x","op":1}\n`, 'h.jsonl'));
  t.regex(err!.message, /^h\.jsonl line 2: time must be a number/);
  const h = parseHistory(`{"type":"ok","time":5,"op":1,"process":0,"f":"read"}\n${good}\n`, 'h');
  t.is(h.events[0]!.type, 'invoke', 'ordered by time');
  t.is(h.where(h.events[0]!), 'h line 2');
  t.is(h.where(h.events[1]!), 'h line 1');
  t.is(h.where({ ...h.events[1]! }), 'h (event 1)');
});
