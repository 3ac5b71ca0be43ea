// The script that runs Porcupine's Jepsen etcd logs: its log reader (Porcupine's reading of each
// line) and its independent re-check of the evidence, on a hand-made log of etcd 004's shape.

import test from 'ava';
import { parseJepsenLog, witnessAlone } from '../../lab/bench/porcupine-etcd.ts';
import { checkLinearizable } from '../../lab/checkers/linearizability/index.ts';
import { casRegisterModel } from '../../specs/cas-register.ts';
import type { Model } from '../../specs/model.ts';

const log = (rows: string[]) => rows.map((r) => `INFO  jepsen.util - ${r}`).join('\n');

// Process 3's write of 2 times out (no completion); process 1 reads 2, so it took effect early.
// Then 1 is written, process 5's write of 3 times out, 3 is read, and 2 is read again: no write of
// 2 is left. Without the read of 2 before the cut, the timed-out write could explain the last read.
const rows = [
  '0\t:invoke\t:write\t1',
  '0\t:ok\t:write\t1',
  '3\t:invoke\t:write\t2',
  '1\t:invoke\t:read\tnil',
  '1\t:ok\t:read\t2',
  '0\t:invoke\t:write\t1',
  '0\t:ok\t:write\t1',
  '5\t:invoke\t:write\t3',
  '1\t:invoke\t:read\tnil',
  '1\t:ok\t:read\t3',
  '2\t:invoke\t:cas\t[1 4]',
  '2\t:fail\t:cas\t[1 4]',
  '1\t:invoke\t:read\tnil',
  '1\t:ok\t:read\t2',
  '4\t:invoke\t:read\tnil',
  '4\t:fail\t:read\t:timed-out',
];

test('parseJepsenLog: an op with no completion is info, a failed cas answered false, a timed-out read is info', (t) => {
  const ops = parseJepsenLog(log(rows));
  t.is(ops.length, 9);
  t.deepEqual(
    ops.map((o) => [
      o.op,
      o.f,
      o.complete?.type,
      o.complete?.type === 'ok' ? o.complete.value : '-',
    ]),
    [
      [0, 'write', 'ok', null],
      [1, 'write', undefined, '-'],
      [2, 'read', 'ok', 2],
      [3, 'write', 'ok', null],
      [4, 'write', undefined, '-'],
      [5, 'read', 'ok', 3],
      [6, 'cas', 'ok', false],
      [7, 'read', 'ok', 2],
      [8, 'read', 'info', '-'],
    ],
  );
  t.deepEqual(ops[6]!.invoke.value, { f: 'cas', value: [1, 4] });
  t.is(ops[1]!.invoke.time, 2, 'times are line numbers');
});

test("witnessAlone: the lab's evidence proves alone; the same evidence without the early read does not", (t) => {
  const model = casRegisterModel as Model;
  const ops = parseJepsenLog(log(rows));
  const k = checkLinearizable(ops, () => model).keys[0]!;
  t.is(k.verdict, 'not-linearizable');
  t.true(
    k.failure!.ops.some((o) => o.op === 1),
    'the timed-out write of 2 is in the evidence',
  );
  t.is(witnessAlone(model, ops, k.failure!), true);
  // Evidence from a cut after the read of 2 (ops 3..7) leans on that read: with only the
  // state-changing ops before it added back, write 2 may take effect between #5 and #7.
  const leaning = { ...k.failure!, ops: k.failure!.ops.filter((o) => o.op >= 3) };
  t.is(witnessAlone(model, ops, leaning), false);
});
