// `bbs-lab check history.edn` and `--export edn FILE` through the real binary: verdicts and exit
// codes on the hand-written fixtures, malformed EDN refused with exit 2 and its position, and an
// export that reads back with the same verdict.

import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-check-edn-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/bbs-lab.js', 'check', ...args], { encoding: 'utf8' });

test('the cas-register fixtures: VALID exit 0 and INVALID exit 1 (key default)', (t) => {
  const good = cli('test/fixtures/edn/cas-register-valid.edn', '--model', 'cas-register');
  t.is(good.status, 0, good.stderr);
  t.regex(good.stdout, /^VALID: Linearizability: all 1 key \(5 ops\) linearizable\./);
  const bad = cli('test/fixtures/edn/cas-register-invalid.edn', '--model', 'cas-register');
  t.is(bad.status, 1, bad.stderr);
  t.regex(bad.stdout, /^INVALID: Linearizability: 1 of 1 key not linearizable \(default\)/);
});

test('malformed EDN: exit 2 naming file, line and column, no stack trace', (t) => {
  const p = join(dir, 'bad.edn');
  writeFileSync(
    p,
    '{:type :invoke, :f :read, :process 0}\n{:type :ok, :f :read, :process 0, :value [1 2}\n',
  );
  const r = cli(p);
  t.is(r.status, 2);
  t.regex(r.stderr, /bad\.edn:2:46: \} closes the \[ opened at .*bad\.edn:2:42 \(expected \]\)/);
  t.notRegex(r.stderr, /\n\s+at /);
});

test('--export edn writes Jepsen EDN that checks the same; a bad --export is refused', (t) => {
  const out = join(dir, 'out.edn');
  const r = cli(
    'test/fixtures/edn/independent-invalid.edn',
    '--model',
    'cas-register',
    '--export',
    'edn',
    out,
  );
  t.is(r.status, 1, r.stderr);
  t.regex(
    readFileSync(out, 'utf8'),
    /^\{:type :invoke :process 0 :f :write :value \[1 5\] :time 0 :index 0\}\n/,
  );
  const again = cli(out, '--model', 'cas-register');
  t.is(again.status, 1);
  t.regex(again.stdout, /1 of 2 keys not linearizable \(1\)/);
  const wrong = cli('test/fixtures/edn/independent-invalid.edn', '--export', 'json', out);
  t.is(wrong.status, 2);
  t.regex(wrong.stderr, /--export: give a format and a file, e\.g\. `--export edn history\.edn`/);
});
