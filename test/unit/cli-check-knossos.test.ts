// Knossos's conventions in `bbs-lab check`: a register's initial value (--initial-value; Knossos's
// own tests start at 0), an :ok read of nil read as an unknown value, and a history with only
// nemesis events (no client op) is valid, not bad input. Through the CLI entry in-process.

import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './cli-capture.ts';
import { parseEdnHistory } from '../../lab/history/edn.ts';
import { checkReport } from '../../lab/report/verdicts.ts';

const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-knossos-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const file = (text: string, ext: string): string => {
  const p = join(dir, `h${n++}.${ext}`);
  writeFileSync(p, text);
  return p;
};

// Knossos-style: a cas from 0 at the very start, before any write. Only a register holding 0
// from the start can swap it.
const casFromZero = [
  '{:process 0, :type :invoke, :f :cas, :value [0 1], :time 0}',
  '{:process 0, :type :ok, :f :cas, :value [0 1], :time 10}',
  '{:process 1, :type :invoke, :f :read, :value nil, :time 20}',
  '{:process 1, :type :ok, :f :read, :value 1, :time 30}',
].join('\n');

test.serial(
  '--initial-value 0: a cas from 0 before any write is linearizable; from null (the default) it is not',
  async (t) => {
    const f = file(casFromZero, 'edn');
    const zero = await cli('check', f, '--model', 'cas-register', '--initial-value', '0');
    t.is(zero.code, 0, zero.stdout + zero.stderr);
    t.regex(zero.stdout, /VALID/);
    const nil = await cli('check', f, '--model', 'cas-register');
    t.is(nil.code, 1, nil.stdout + nil.stderr);
    const explicitNil = await cli('check', f, '--model', 'cas-register', '--initial-value', 'null');
    t.is(explicitNil.code, 1);
    // The register model too (a read of 0 first).
    const read0 = file(
      [
        '{:process 0, :type :invoke, :f :read, :value nil, :time 0}',
        '{:process 0, :type :ok, :f :read, :value 0, :time 1}',
      ].join('\n'),
      'edn',
    );
    t.is((await cli('check', read0, '--model', 'register', '--initial-value', '0')).code, 0);
    t.is((await cli('check', read0, '--model', 'register')).code, 1);
  },
);

test.serial(
  '--initial-value is refused when it is not JSON, without --model, or for a model without one value',
  async (t) => {
    const f = file(casFromZero, 'edn');
    const notJson = await cli('check', f, '--model', 'cas-register', '--initial-value', 'zero');
    t.is(notJson.code, 2);
    t.regex(
      notJson.stderr,
      /--initial-value: must be a JSON value such as 0, null or "x", got "zero"/,
    );
    const noModel = await cli('check', f, '--initial-value', '0');
    t.is(noModel.code, 2);
    t.regex(noModel.stderr, /--initial-value: give it with --model register or cas-register/);
    const kv = await cli('check', f, '--model', 'set', '--initial-value', '0');
    t.is(kv.code, 2);
    t.regex(kv.stderr, /--initial-value: applies to --model register or cas-register, not set/);
  },
);

test('an :ok read of nil is an unknown value (Knossos): it becomes an info completion and constrains nothing', (t) => {
  const edn = [
    '{:process 0, :type :invoke, :f :write, :value 1, :time 0}',
    '{:process 0, :type :ok, :f :write, :value 1, :time 10}',
    '{:process 1, :type :invoke, :f :read, :value nil, :time 20}',
    '{:process 1, :type :ok, :f :read, :value nil, :time 30}',
  ].join('\n');
  const events = parseEdnHistory(edn).events;
  const read = events[3]!;
  t.is(read.type, 'info');
  t.like(read, { error: { message: 'an :ok read of nil: Knossos reads it as an unknown value' } });
  t.is(checkReport(events, { model: 'cas-register' }).valid, true);
  // The lab's own JSON keeps null as the value read: the same read after the write is stale.
  const json = [
    {
      type: 'invoke',
      op: 0,
      process: 0,
      f: 'write',
      key: 'x',
      value: { f: 'write', value: 1 },
      time: 0,
      index: 0,
    },
    { type: 'ok', op: 0, process: 0, f: 'write', key: 'x', value: null, time: 10, index: 1 },
    {
      type: 'invoke',
      op: 1,
      process: 1,
      f: 'read',
      key: 'x',
      value: { f: 'read' },
      time: 20,
      index: 2,
    },
    { type: 'ok', op: 1, process: 1, f: 'read', key: 'x', value: null, time: 30, index: 3 },
  ];
  t.is(checkReport(json as never, { model: 'cas-register' }).valid, false);
});

test.serial(
  'a history of nemesis events only is valid (exit 0); an empty one is bad input',
  async (t) => {
    const edn = file(
      [
        '{:process :nemesis, :type :info, :f :start, :value nil, :time 0}',
        '{:process :nemesis, :type :info, :f :stop, :value nil, :time 5}',
      ].join('\n'),
      'edn',
    );
    const r = await cli('check', edn, '--model', 'cas-register');
    t.is(r.code, 0, r.stdout + r.stderr);
    t.regex(r.stdout, /VALID/);
    const jsonl = file(
      `${JSON.stringify({ type: 'nemesis', phase: 'event', fault: 'f', kind: 'k', time: 0 })}\n`,
      'jsonl',
    );
    t.is((await cli('check', jsonl)).code, 0);
    const empty = await cli('check', file('', 'jsonl'));
    t.is(empty.code, 2);
    t.regex(empty.stderr, /the history is empty \(no events\)/);
  },
);
