// The script that runs Porcupine's kv logs: its reader (Porcupine's parseKvLog reading of each
// line) and its run, on hand-made logs.

import test from 'ava';
import { parseKvLog, runKv } from '../../lab/bench/porcupine-kv.ts';

// Key "1": append "a" by process 0, then process 1 reads "a" while process 2 puts "b"; key "2":
// process 3 reads "" before anything, then reads "z" no op wrote.
const bad = [
  '{:process 0, :type :invoke, :f :append, :key "1", :value "a"}',
  '{:process 0, :type :ok, :f :append, :key "1", :value "a"}',
  '{:process 1, :type :invoke, :f :get, :key "1", :value nil}',
  '{:process 2, :type :invoke, :f :put, :key "1", :value "b"}',
  '{:process 1, :type :ok, :f :get, :key "1", :value "a"}',
  '{:process 2, :type :ok, :f :put, :key "1", :value "b"}',
  '{:process 3, :type :invoke, :f :get, :key "2", :value nil}',
  '{:process 3, :type :ok, :f :get, :key "2", :value ""}',
  '{:process 3, :type :invoke, :f :get, :key "2", :value nil}',
  '{:process 3, :type :ok, :f :get, :key "2", :value "z"}',
].join('\n');

test('parseKvLog: invokes as append-kv inputs, a get completion as its string, times as line numbers', (t) => {
  const ops = parseKvLog(bad);
  t.is(ops.length, 5);
  const [append, get, put] = ops;
  t.deepEqual(append!.invoke.value, { f: 'append', value: 'a' });
  t.is(append!.key, '1');
  t.deepEqual(get!.invoke.value, { f: 'get' });
  t.is(get!.complete!.value, 'a');
  t.is(get!.invoke.time, 2);
  t.is(get!.complete!.time, 4);
  t.deepEqual(put!.invoke.value, { f: 'put', value: 'b' });
  t.is(ops[3]!.complete!.value, '');
});

test('runKv: key "2" is not linearizable, key "1" is; stopping at the first failure still gives the verdict', (t) => {
  const r = runKv('hand', bad, 1, 10_000);
  t.is(r.valid, false);
  t.is(r.keys, 2);
  t.deepEqual(r.everyKey, { ms: r.everyKey.ms, linearizable: 1, notLinearizable: 1, unknown: 0 });
  const ok = runKv('hand-ok', bad.split('\n').slice(0, 6).join('\n'), 1, 10_000);
  t.is(ok.valid, true);
});
