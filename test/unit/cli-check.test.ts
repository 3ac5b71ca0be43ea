// `bbs-lab check` end to end through the real CLI binary: the documented example history, exit
// codes for valid / anomalies / unknown / bad input, and errors that name the problem.

import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventsOf, type TestOp } from './lin-history.ts';

const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-check-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, ['bin/bbs-lab.js', ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { code: 0, stdout, stderr: '' };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, stdout: err.stdout, stderr: err.stderr };
  }
}

function write(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

test('the example history of docs/history-format.md is reported not linearizable, as the doc says', (t) => {
  const doc = readFileSync('docs/history-format.md', 'utf8');
  const block = doc
    .split('## Example: a register history')[1]!
    .split('```json')[1]!
    .split('```')[0]!;
  const res = cli('check', write('doc.json', block), '--model', 'register');
  t.is(res.code, 1, res.stderr);
  t.regex(res.stdout, /^INVALID: Linearizability: 1 of 1 key not linearizable \(x\)/);
});

const w = (value: number, at: [number, number], outcome: TestOp['outcome'] = 'ok'): TestOp => ({
  input: { f: 'write', value },
  at,
  outcome,
});
const r = (output: unknown, at: [number, number]): TestOp => ({ input: { f: 'read' }, output, at });

test('a valid JSONL history exits 0; --json prints the whole report', (t) => {
  const jsonl = `${eventsOf([w(1, [0, 1]), r(1, [2, 3])])
    .map((e) => JSON.stringify(e))
    .join('\n')}\n`;
  const p = write('ok.jsonl', jsonl);
  const res = cli('check', p, '--model', 'register');
  t.is(res.code, 0, res.stderr);
  t.regex(res.stdout, /^VALID: Linearizability: all 1 key \(2 ops\) linearizable\./);
  const json = JSON.parse(cli('check', p, '--model', 'register', '--json').stdout);
  t.is(json.valid, true);
  t.is(json.linearizability.keys[0].verdict, 'linearizable');
});

test('a search budget too small exits 3 (unknown); a bad budget exits 2', (t) => {
  const ops: TestOp[] = [];
  for (let i = 0; i < 12; i++) ops.push(w(i, [i, i + 100], 'info'));
  ops.push(r(-1, [200, 201]));
  const p = write('hard.json', eventsOf(ops));
  const res = cli('check', p, '--model', 'register', '--budget', '20');
  t.is(res.code, 3, res.stderr);
  t.regex(res.stdout, /^UNKNOWN: .*budget of 20 steps exhausted/);
  const bad = cli('check', p, '--budget', 'lots');
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--budget: must be a positive whole number/);
});

test('bad input exits 2 with a message naming the problem, never a stack trace', (t) => {
  const p = write('ok.json', eventsOf([w(1, [0, 1])]));
  const unknownModel = cli('check', p, '--model', 'queue');
  t.is(unknownModel.code, 2);
  t.regex(
    unknownModel.stderr,
    /--model: unknown model "queue"; known: register, cas-register, kv, set/,
  );
  const badOps = cli(
    'check',
    write('bad-op.json', eventsOf([{ input: { f: 'push', value: 1 }, at: [0, 1] }])),
    '--model',
    'register',
  );
  t.is(badOps.code, 2);
  t.regex(
    badOps.stderr,
    /model register: an op's invoke value must be an object with "f" one of read, write/,
  );
  const missing = cli('check', join(dir, 'nope.json'));
  t.is(missing.code, 2);
  t.regex(missing.stderr, /no such file or directory/);
  const garbage = cli('check', write('garbage.json', '{"type":'));
  t.is(garbage.code, 2);
  for (const r of [unknownModel, badOps, missing, garbage])
    t.notRegex(r.stderr, /\n\s+at /, 'no stack trace');
});
