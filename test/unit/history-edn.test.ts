// Jepsen EDN in and out: the hand-written fixtures in test/fixtures/edn/ (their verdicts are worked
// out in each file's header comment), how ops map to the lab's events, every kind of malformed
// input refused with its line and column, the exact text of an export, and round trips (lab
// history → EDN → lab history gives the same verdict), fixed and generated.

import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { checkHistory } from '../../lab/checkers/index.ts';
import { toJepsenEdn } from '../../lab/history/edn-export.ts';
import { DEFAULT_KEY, parseEdnHistory, readEdnHistory } from '../../lab/history/edn.ts';
import type { CompletionEvent, HistoryEvent, InvokeEvent } from '../../lab/history/event.ts';
import { HistoryFormatError } from '../../lab/history/reader.ts';
import { eventsOf, type TestOp } from './lin-history.ts';

const fixture = (name: string) => `test/fixtures/edn/${name}.edn`;
const verdictOf = (events: HistoryEvent[], model?: string) =>
  checkHistory(events, model ? { model } : {});
const badKeys = (events: HistoryEvent[], model: string) =>
  verdictOf(events, model)
    .linearizability!.keys.filter((k) => k.verdict === 'not-linearizable')
    .map((k) => k.key);

// ---------- fixtures, both ways ----------

test('fixture cas-register-valid: linearizable; ops paired by process, nemesis ops kept as lab events', (t) => {
  const { events } = readEdnHistory(fixture('cas-register-valid'));
  t.is(verdictOf(events, 'cas-register').valid, true);
  t.is(events.length, 14);
  t.deepEqual(
    events
      .filter((e) => e.type === 'nemesis')
      .map((e) => [e.index, e.type === 'nemesis' && e.kind]),
    [
      [2, 'start'],
      [11, 'stop'],
    ],
  );
  // Op ids in invoke order: write(p0)=0, cas(p1)=1, read(p0)=2, cas(p0)=3, write(p1)=4, read(p2)=5.
  const ops = events.filter((e): e is InvokeEvent | CompletionEvent => e.type !== 'nemesis');
  t.deepEqual(
    ops.map((e) => e.op),
    [0, 0, 1, 2, 2, 1, 3, 3, 4, 4, 5, 5],
  );
  const cas = events[3] as InvokeEvent;
  t.deepEqual([cas.key, cas.value, cas.time], [DEFAULT_KEY, { f: 'cas', value: [1, 2] }, 20]);
  t.is((events[6] as CompletionEvent).value, true, "an :ok cas swapped (Knossos's meaning)");
  t.is(events[8]!.type, 'fail');
  t.deepEqual((events[10] as CompletionEvent).error, { message: 'timeout' });
  t.deepEqual(
    (events[4] as InvokeEvent).value,
    { f: 'read' },
    'a read with :value nil has no input value',
  );
});

test('fixture cas-register-invalid: not linearizable (a read of 1 after the cas 1→2 completed)', (t) => {
  const { events } = readEdnHistory(fixture('cas-register-invalid'));
  t.is(verdictOf(events, 'cas-register').valid, false);
  t.deepEqual(badKeys(events, 'cas-register'), [DEFAULT_KEY]);
});

test('fixtures independent-*: a vector of maps with [key value] tuples gives one register per key', (t) => {
  const valid = readEdnHistory(fixture('independent-valid')).events;
  t.is(verdictOf(valid, 'cas-register').valid, true);
  t.deepEqual([...new Set(valid.map((e) => (e as InvokeEvent).key))].sort(), ['1', '2']);
  t.deepEqual(
    (valid[4] as InvokeEvent).value,
    { f: 'cas', value: [5, 6] },
    'the tuple key is taken off the cas',
  );
  t.deepEqual(
    valid.map((e) => e.time),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    'no :time anywhere: the position is the time',
  );
  const invalid = readEdnHistory(fixture('independent-invalid')).events;
  t.deepEqual(
    badKeys(invalid, 'cas-register'),
    ['1'],
    'key 1 read 5 after the cas 5→6 completed; key 2 is fine',
  );
});

test('fixtures list-append-*: Elle txn micro-ops reach the isolation checker', (t) => {
  const valid = readEdnHistory(fixture('list-append-valid')).events;
  t.deepEqual((valid[1] as CompletionEvent).value, [
    ['append', 1, 1],
    ['r', 2, []],
  ]);
  const v = verdictOf(valid);
  t.is(v.valid, true);
  t.is(v.isolation!.valid, true);
  const invalid = verdictOf(readEdnHistory(fixture('list-append-invalid')).events);
  t.is(invalid.valid, false);
  t.regex(invalid.isolation!.summary, /G1a ×1/);
});

// ---------- malformed input ----------

const refuses = (t: import('ava').ExecutionContext, text: string, message: RegExp) => {
  const e = t.throws(() => parseEdnHistory(text, 'h.edn'), { instanceOf: HistoryFormatError });
  t.regex(e!.message, message);
};
const inv = (p: number, extra = '') => `{:type :invoke, :f :read, :process ${p}${extra}}`;
const ok = (p: number, extra = '') => `{:type :ok, :f :read, :process ${p}, :value 1${extra}}`;

test('malformed EDN is refused naming line and column', (t) => {
  refuses(
    t,
    `${inv(0)}\n{:type :ok, :f :read\n`,
    /^h\.edn:2:1: \{ opened here is never closed \(a missing \}\)/,
  );
  refuses(
    t,
    `${inv(0)}\n{:type :ok, :value [1 2}, :f :read, :process 0}\n`,
    /^h\.edn:2:24: \} closes the \[ opened at h\.edn:2:20 \(expected \]\)/,
  );
  refuses(t, `${inv(0)}\n]\n`, /^h\.edn:2:1: unexpected \] with nothing open to close/);
  refuses(
    t,
    `${inv(0)}\n{:type :ok, :f :read, :process 0, :value "abc}\n`,
    /^h\.edn:2:42: a string starts here and never ends/,
  );
  refuses(
    t,
    `{:type :invoke, :f :read, :process}\n`,
    /^h\.edn:1:1: this map has a key without a value \(5 forms\)/,
  );
  refuses(
    t,
    `{:type :invoke, :f :read, :process 0, :value "a\\qb"}`,
    /^h\.edn:1:1: not valid EDN: Unexpected escape character/,
  );
  refuses(t, `${inv(0)}\n[1 2]\n`, /^h\.edn:2:1: an op must be an EDN map/);
  refuses(t, '['.repeat(600) + ']'.repeat(600), /nested more than 500 levels/);
});

test('ops that cannot be paired or read are refused naming the op', (t) => {
  refuses(t, ok(0), /^h\.edn:1:1: a :ok completion of process 0 with no open invoke before it/);
  refuses(
    t,
    `${inv(0)}\n${inv(0)}`,
    /^h\.edn:2:1: process 0 invokes while its op invoked at h\.edn:1:1 is still open/,
  );
  refuses(
    t,
    `${inv(0)}\n{:type :ok, :f :write, :process 0}`,
    /^h\.edn:2:1: a completion of :write for process 0, whose open invoke at h\.edn:1:1 is :read/,
  );
  refuses(
    t,
    `{:type :start, :f :read, :process 0}`,
    /^h\.edn:1:1: :type must be one of :invoke, :ok, :fail, :info; got "start"/,
  );
  refuses(
    t,
    `{:type :invoke, :f :read, :process "p1"}`,
    /:process must be an integer \(a client process\) or :nemesis; got "p1"/,
  );
  refuses(t, `{:type :invoke, :process 0}`, /:f must name the op/);
  refuses(
    t,
    `${inv(0, ', :time 5')}\n${ok(0)}`,
    /^h\.edn:2:1: :time must be a number \(nanoseconds\), as on the first op; got undefined/,
  );
  refuses(
    t,
    `${inv(0)}\n${ok(0, ', :time 5')}`,
    /^h\.edn:2:1: :time is given here but not on the first op/,
  );
  refuses(
    t,
    `${inv(0, ', :index 3')}\n${ok(0, ', :index 3')}`,
    /^h\.edn:2:1: :index must be an integer larger than the previous op's; got 3/,
  );
});

test('EDN goes through the same time-order rule as JSON: ordered by :time, a completion before its invoke refused', (t) => {
  // File order p0 invoke (t=5), p1 invoke (t=1), p1 ok (t=2), p0 ok (t=6). Op ids follow invoke
  // order in the file (p0 → 0, p1 → 1); time order is p1 inv 1, p1 ok 2, p0 inv 5, p0 ok 6.
  const text = [
    inv(0, ', :time 5'),
    inv(1, ', :time 1'),
    ok(1, ', :time 2'),
    ok(0, ', :time 6'),
  ].join('\n');
  const read = parseEdnHistory(text, 'h.edn');
  t.deepEqual(
    read.events.map((e) => [e.index, e.type, e.time, (e as InvokeEvent).op]),
    [
      [0, 'invoke', 1, 1],
      [1, 'ok', 2, 1],
      [2, 'invoke', 5, 0],
      [3, 'ok', 6, 0],
    ],
  );
  t.deepEqual(
    read.events.map((e) => read.where(e)),
    ['h.edn:2:1', 'h.edn:3:1', 'h.edn:1:1', 'h.edn:4:1'],
    'where names file:line:col',
  );
  // p0's completion (line 2, t=5) is earlier than its invoke (line 1, t=10): refused, as in JSON.
  refuses(
    t,
    `${inv(0, ', :time 10')}\n${ok(0, ', :time 5')}`,
    /^h\.edn:2:1: the completion of op 0 has time 5, earlier than its invoke's time 10 \(h\.edn:1:1\)/,
  );
  // Equal times keep the file order (stable): the ok at 3 of p1 stays after p0's invoke at 3.
  const tie = parseEdnHistory(
    [inv(1, ', :time 0'), inv(0, ', :time 3'), ok(1, ', :time 3'), ok(0, ', :time 4')].join('\n'),
    'h.edn',
  );
  t.deepEqual(
    tie.events.map((e) => [e.type, (e as InvokeEvent).process]),
    [
      ['invoke', 1],
      ['invoke', 0],
      ['ok', 1],
      ['ok', 0],
    ],
  );
});

test('comments, commas, #_ discards, tags and an op record tag are read as Jepsen writes them', (t) => {
  const text = `; a comment\n#_{:type :ok}\n#jepsen.history.Op{:type :invoke, :f :write, :value 3, :process 0, :time 1}\n{:type :ok, :f :write, :value 3, :process 0, :time 2, :at #inst "2024-01-01T00:00:00Z"}`;
  const { events } = parseEdnHistory(text, 'h.edn');
  t.deepEqual(
    events.map((e) => [e.type, e.time, (e as InvokeEvent).value]),
    [
      ['invoke', 1, { f: 'write', value: 3 }],
      ['ok', 2, 3],
    ],
  );
});

// ---------- export ----------

test('export: the exact EDN of a small lab history (register tuples, cas false as :fail, txn, BBS op, lab event)', (t) => {
  const events: HistoryEvent[] = [
    {
      type: 'invoke',
      index: 0,
      time: 0,
      op: 0,
      process: 0,
      client: 0,
      f: 'write',
      key: 'a',
      value: { f: 'write', value: 1 },
    },
    {
      type: 'nemesis',
      index: 1,
      time: 5,
      phase: 'start',
      fault: 'f1',
      kind: 'kill',
      detail: { target: 'n1' },
    },
    {
      type: 'ok',
      index: 2,
      time: 10,
      op: 0,
      process: 0,
      client: 0,
      f: 'write',
      key: 'a',
      value: null,
    },
    {
      type: 'invoke',
      index: 3,
      time: 20,
      op: 1,
      process: 1,
      client: 1,
      f: 'cas',
      key: '7',
      value: { f: 'cas', value: [1, 2] },
    },
    {
      type: 'ok',
      index: 4,
      time: 30,
      op: 1,
      process: 1,
      client: 1,
      f: 'cas',
      key: '7',
      value: false,
    },
    {
      type: 'invoke',
      index: 5,
      time: 40,
      op: 2,
      process: 0,
      client: 0,
      f: 'txn',
      value: [
        ['append', 3, 12],
        ['r', 4, null],
      ],
    },
    {
      type: 'ok',
      index: 6,
      time: 50,
      op: 2,
      process: 0,
      client: 0,
      f: 'txn',
      value: [
        ['append', 3, 12],
        ['r', 4, [1, 5]],
      ],
    },
    {
      type: 'invoke',
      index: 7,
      time: 60,
      op: 3,
      process: 2,
      client: 2,
      f: 'StartTask',
      key: 'task/t',
      value: { f: 'StartTask', args: { taskGuid: 't', cellId: 'c' } },
    },
    {
      type: 'fail',
      index: 8,
      time: 70,
      op: 3,
      process: 2,
      client: 2,
      f: 'StartTask',
      key: 'task/t',
      value: null,
      error: { message: 'deadlock', errno: 1213 },
    },
  ];
  t.is(
    toJepsenEdn(events),
    [
      // Two register keys ("a", "7"): values are [key value] tuples; the numeric key is a number.
      '{:type :invoke :process 0 :f :write :value ["a" 1] :time 0 :index 0}',
      '{:type :info :process :nemesis :f :start :value {:fault "f1" :kind "kill" :detail {:target "n1"}} :time 5 :index 1}',
      '{:type :ok :process 0 :f :write :value ["a" 1] :time 10 :index 2}',
      '{:type :invoke :process 1 :f :cas :value [7 [1 2]] :time 20 :index 3}',
      // The cas answered false: Knossos's :fail.
      '{:type :fail :process 1 :f :cas :value [7 [1 2]] :time 30 :index 4}',
      '{:type :invoke :process 0 :f :txn :value [[:append 3 12] [:r 4 nil]] :time 40 :index 5}',
      '{:type :ok :process 0 :f :txn :value [[:append 3 12] [:r 4 [1 5]]] :time 50 :index 6}',
      '{:type :invoke :process 2 :f :StartTask :key "task/t" :value {:f "StartTask" :args {:taskGuid "t" :cellId "c"}} :time 60 :index 7}',
      '{:type :fail :process 2 :f :StartTask :key "task/t" :value nil :error {:message "deadlock" :errno 1213} :time 70 :index 8}',
      '',
    ].join('\n'),
  );
  // And back: the lab event and the BBS op come back as they were.
  const back = parseEdnHistory(toJepsenEdn(events)).events;
  t.deepEqual(back[1], events[1]);
  t.deepEqual(back[7], events[7]);
  t.deepEqual(back[8], events[8]);
  t.deepEqual([back[3]!.type === 'invoke' && back[3]!.key, back[4]!.type], ['7', 'fail']);
});

test('round trip: every fixture read, exported and read again gives the same verdict and events', (t) => {
  for (const name of [
    'cas-register-valid',
    'cas-register-invalid',
    'independent-valid',
    'independent-invalid',
    'list-append-valid',
    'list-append-invalid',
  ]) {
    const first = readEdnHistory(fixture(name)).events;
    const again = parseEdnHistory(toJepsenEdn(first)).events;
    t.deepEqual(again, first, name);
    t.is(verdictOf(again, 'cas-register').valid, verdictOf(first, 'cas-register').valid, name);
  }
});

test('round trip loses one thing, as documented: a cas that answered false becomes a :fail', (t) => {
  // write 1, then cas 2→3 answered false: fine. A cas 1→3 answered false while the register held 1
  // is an anomaly in the lab's model, but Knossos has no "answered false": exported as :fail, it is
  // dropped.
  const ops: TestOp[] = [
    { input: { f: 'write', value: 1 }, at: [0, 1] },
    { input: { f: 'cas', value: [1, 3] }, output: false, at: [2, 3] },
  ];
  const lab = eventsOf(ops);
  t.is(verdictOf(lab, 'cas-register').valid, false);
  t.is(verdictOf(parseEdnHistory(toJepsenEdn(lab)).events, 'cas-register').valid, true);
});

// Generated register / cas-register histories over two keys, with info and fail ops; cas outputs
// are true or the op is a fail (the one shape Knossos and the lab read alike).
const genOp = fc.record({
  key: fc.constantFrom('a', 'b'),
  f: fc.constantFrom('read', 'write', 'cas'),
  v: fc.integer({ min: 0, max: 2 }),
  w: fc.integer({ min: 0, max: 2 }),
  outcome: fc.constantFrom('ok', 'ok', 'ok', 'info', 'fail', 'open'),
  call: fc.integer({ min: 0, max: 20 }),
  len: fc.integer({ min: 1, max: 8 }),
});

test('generated: lab history → EDN → lab history gives the same verdict, per key', (t) => {
  let invalid = 0;
  fc.assert(
    fc.property(fc.array(genOp, { minLength: 1, maxLength: 12 }), (gen) => {
      // One process per op, so no process has two ops open.
      const ops: TestOp[] = gen.map((g, i) => ({
        key: g.key,
        process: i,
        input:
          g.f === 'read'
            ? { f: 'read' }
            : g.f === 'write'
              ? { f: 'write', value: g.v }
              : { f: 'cas', value: [g.v, g.w] },
        output: g.f === 'read' ? g.v : g.f === 'cas' ? true : null,
        outcome: g.outcome as TestOp['outcome'],
        at: [g.call * 2, (g.call + g.len) * 2 + 1],
      }));
      const lab = eventsOf(ops);
      const back = parseEdnHistory(toJepsenEdn(lab)).events;
      const a = verdictOf(lab, 'cas-register');
      const b = verdictOf(back, 'cas-register');
      if (a.valid === false) invalid++;
      const perKey = (r: typeof a) => r.linearizability!.keys.map((k) => k.verdict).sort();
      const keys = new Set(gen.map((g) => g.key));
      // With one key the export has no tuples and the key comes back as `default`.
      const sameKeys =
        keys.size === 1 ? b.linearizability!.keys.every((k) => k.key === DEFAULT_KEY) : true;
      return (
        a.valid === b.valid && JSON.stringify(perKey(a)) === JSON.stringify(perKey(b)) && sameKeys
      );
    }),
    { numRuns: 400 },
  );
  t.true(invalid > 20, `non-linearizable histories generated: ${invalid}`);
});

test('fixture files are small and hand-written (no generated dumps)', (t) => {
  for (const name of ['cas-register-valid', 'independent-valid', 'list-append-invalid'])
    t.true(readFileSync(fixture(name), 'utf8').length < 2000);
});
