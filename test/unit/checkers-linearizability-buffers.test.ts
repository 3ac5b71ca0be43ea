// The search's reused tables (checkers/linearizability/buffers.ts) and reused memos (Memo.make):
// a table or memo handed out again is as new (zeroed, empty), whatever its last owner left in it.

import test from 'ava';
import {
  giveBack,
  int32s,
  pooledBytes,
  uint32s,
} from '../../lab/checkers/linearizability/buffers.ts';
import { Memo } from '../../lab/checkers/linearizability/memo.ts';

test('a table given back is handed out again, filled as asked, whatever was left in it', (t) => {
  const a = int32s(100, 7);
  t.is(a.length, 100);
  t.true(a.every((x) => x === 7));
  a.fill(42);
  const before = pooledBytes();
  giveBack(a);
  t.is(pooledBytes(), before + 512, 'kept: 100 int32s come from a 512-byte size class');
  const b = int32s(120, -1);
  t.is(b.buffer, a.buffer, 'the same buffer, reused');
  t.is(pooledBytes(), before);
  t.is(b.length, 120);
  t.true(b.every((x) => x === -1));
  giveBack(b);
  const u = uint32s(90);
  t.true(
    u.every((x) => x === 0),
    'zeroed for its new owner',
  );
  giveBack(u);
});

test('small tables live on the heap and are never pooled', (t) => {
  const before = pooledBytes();
  const s = int32s(16, 3);
  t.true(s.every((x) => x === 3));
  giveBack(s);
  t.is(pooledBytes(), before);
});

test('a released memo is empty when made again, and a released memo refuses to be used', (t) => {
  const m = Memo.make(3, 2);
  const bits = new Uint32Array(m.words);
  bits[0] = 0b101;
  t.false(m.seen(bits, 1, 2, 3, 4, 0), 'recorded');
  t.true(m.seen(bits, 1, 2, 3, 4, 0), 'seen');
  t.is(m.size, 1);
  m.release();
  t.throws(() => m.seen(bits, 1, 2, 3, 4, 0), { message: /released/ });
  const again = Memo.make(40, 1);
  t.is(again, m, 'the released memo, reset');
  t.is(again.size, 0);
  t.is(again.okWords, 2);
  t.is(again.optWords, 1);
  const wide = new Uint32Array(again.words);
  wide[0] = 0b101;
  t.false(again.seen(wide, 1, 2, 3, 4, 0), 'what its last owner recorded is gone');
  again.release();
  again.release();
  t.not(Memo.make(1, 1), Memo.make(1, 1), 'released twice, handed out once');
});
