// `bbs-lab check --stop-at-first-failure`: the linearizability search ends at the first key found
// not linearizable (keys in name order), as Porcupine does; the keys left undecided are unknown
// ("stopped") and the verdict is still INVALID. Valid and unknown verdicts are unchanged by it.
// Through the CLI entry (main) in-process, as cli-check-input.test.ts.

import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './cli-capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-check-stop-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(events: object[]): string {
  const p = join(dir, `h${n++}.jsonl`);
  writeFileSync(p, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
  return p;
}

let nextOp = 0;
/** One op on `key` from `from` to `to`: an invoke and its ok completion. */
function op(key: string, from: number, to: number, input: object, output: unknown): object[] {
  const id = nextOp++;
  const base = { op: id, process: id, f: (input as { f: string }).f, key };
  return [
    { type: 'invoke', time: from, ...base, value: input },
    { type: 'ok', time: to, ...base, value: output },
  ];
}
const write = (key: string, at: number, v: number) =>
  op(key, at, at + 1, { f: 'write', value: v }, v);
const read = (key: string, at: number, v: unknown) => op(key, at, at + 1, { f: 'read' }, v);

/** Key `key` written 1, then read: linearizable when the read sees 1, not when it sees null. */
const keyOps = (key: string, start: number, sees: unknown) => [
  ...write(key, start, 1),
  ...read(key, start + 2, sees),
];

/** Events of several keys, in time order (each key's ops take their own stretch of time). */
const history = (...keys: object[][]) =>
  keys.flat().sort((a, b) => (a as { time: number }).time - (b as { time: number }).time);

test.serial(
  'two bad keys: both reported without the flag; with it, the first, and the second unknown (stopped)',
  async (t) => {
    // a is linearizable, b and c are not (each reads null after its write of 1 completed).
    const h = file(history(keyOps('a', 0, 1), keyOps('b', 10, null), keyOps('c', 20, null)));
    const all = await cli('check', h, '--model', 'register');
    t.is(all.code, 1, all.stderr);
    t.regex(all.stdout, /^INVALID: Linearizability: 2 of 3 keys not linearizable \(b, c\)\./);

    const first = await cli('check', h, '--model', 'register', '--stop-at-first-failure');
    t.is(first.code, 1, first.stderr);
    t.regex(
      first.stdout,
      /^INVALID: Linearizability: 1 of 3 keys not linearizable \(b\), 1 unknown \(not searched to the end: the check stopped at the first non-linearizable key\)\./,
    );
    const json = JSON.parse(
      (await cli('check', h, '--model', 'register', '--stop-at-first-failure', '--json')).stdout,
    );
    t.is(json.valid, false);
    t.deepEqual(
      json.linearizability.keys.map((k: { key: string; verdict: string; exhausted?: string }) => [
        k.key,
        k.verdict,
        k.exhausted ?? null,
      ]),
      [
        ['a', 'linearizable', null],
        ['b', 'not-linearizable', null],
        ['c', 'unknown', 'stopped'],
      ],
    );
    // The key that failed still gets its evidence.
    const b = json.linearizability.keys[1];
    t.true(Array.isArray(b.failure?.ops) && b.failure.ops.length > 0);
  },
);

test.serial('a valid history is VALID with the flag too (exit 0)', async (t) => {
  const h = file(history(keyOps('a', 0, 1), keyOps('b', 10, 1)));
  const res = await cli('check', h, '--model', 'register', '--stop-at-first-failure');
  t.is(res.code, 0, res.stdout + res.stderr);
  t.regex(res.stdout, /^VALID: Linearizability: all 2 keys \(4 ops\) linearizable\./);
});

test.serial(
  'a key out of budget is UNKNOWN with the flag too (exit 3), for its own reason',
  async (t) => {
    // Three overlapping writes and a read: more than one search step, with a budget of one.
    const h = file(
      history(
        op('a', 0, 10, { f: 'write', value: 1 }, 1),
        op('a', 1, 11, { f: 'write', value: 2 }, 2),
        op('a', 2, 12, { f: 'write', value: 3 }, 3),
        read('a', 20, 3),
      ),
    );
    const plain = await cli('check', h, '--model', 'register', '--budget', '1');
    const res = await cli(
      'check',
      h,
      '--model',
      'register',
      '--budget',
      '1',
      '--stop-at-first-failure',
    );
    t.is(res.code, 3, res.stdout + res.stderr);
    t.regex(
      res.stdout,
      /^UNKNOWN: Linearizability: 0 of 1 key not linearizable, 1 unknown \(search budget of 1 steps exhausted\)\./,
    );
    t.is(res.stdout, plain.stdout);
  },
);

test.serial('the flag is in the usage and among the allowed options', async (t) => {
  const help = await cli('check', '--help');
  t.regex(
    help.stdout,
    /--stop-at-first-failure\n +end the linearizability search at the first key/,
  );
  const typo = await cli('check', join(dir, 'none.jsonl'), '--stop-at-first-fail');
  t.is(typo.code, 2);
  t.regex(typo.stderr, /--stop-at-first-fail: unknown option; allowed: .*--stop-at-first-failure/);
});
