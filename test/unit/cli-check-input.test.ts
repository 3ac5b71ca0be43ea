// `bbs-lab check` refuses malformed histories (exit 2, naming the line and what is wrong) instead
// of judging them, orders events by time, and checks several histories in one call. Through the
// CLI entry (main) in-process: one Node start per case would cost seconds each; the spawned binary
// is covered by cli-check.test.ts and the last test here.

import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './cli-capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-check-input-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(content: unknown, ext = 'jsonl'): string {
  const p = join(dir, `h${n++}.${ext}`);
  writeFileSync(
    p,
    typeof content === 'string' || Buffer.isBuffer(content) ? content : JSON.stringify(content),
  );
  return p;
}
const jsonl = (events: object[]) => `${events.map((e) => JSON.stringify(e)).join('\n')}\n`;

const inv = (op: number, time: number, value: unknown, extra: object = {}) => ({
  type: 'invoke',
  op,
  process: op,
  f: (value as { f: string }).f,
  key: 'x',
  value,
  time,
  ...extra,
});
const ok = (op: number, time: number, value: unknown, extra: object = {}) => ({
  type: 'ok',
  op,
  process: op,
  f: 'op',
  key: 'x',
  value,
  time,
  ...extra,
});
const W = (v: number) => ({ f: 'write', value: v });
const R = { f: 'read' };

async function refused(
  t: import('ava').ExecutionContext,
  content: unknown,
  pattern: RegExp,
  ext = 'jsonl',
  model = 'register',
) {
  const res = await cli('check', file(content, ext), '--model', model);
  t.is(res.code, 2, `${res.stdout}${res.stderr}`);
  t.regex(res.stderr, pattern);
  t.notRegex(res.stderr, /\n\s+at /, 'no stack trace');
  t.is(res.stdout, '');
}

test.serial(
  'a completion listed before its invoke at the same time is refused, naming both lines',
  async (t) => {
    await refused(
      t,
      jsonl([ok(0, 5, null), inv(0, 5, W(1))]),
      /h\d+\.jsonl line 1: the completion of op 0 is listed before its invoke \(line 2\) with the same time 5/,
    );
  },
);

test.serial('a completion whose time is earlier than its invoke time is refused', async (t) => {
  await refused(
    t,
    jsonl([inv(0, 10, W(1)), ok(0, 4, null)]),
    /line 2: the completion of op 0 has time 4, earlier than its invoke's time 10 \(line 1\)/,
  );
});

test.serial('a completion with no invoke is refused', async (t) => {
  await refused(
    t,
    jsonl([inv(0, 0, W(1)), ok(0, 1, null), ok(7, 2, null)]),
    /line 3: a completion \(ok\) of op 7, which has no invoke/,
  );
});

test.serial('two completions for one op are refused', async (t) => {
  await refused(
    t,
    jsonl([inv(0, 0, W(1)), ok(0, 1, null), { ...ok(0, 2, null), type: 'info' }]),
    /line 3: a second completion of op 0 \(it already completed at line 2\)/,
  );
});

test.serial(
  'a second invoke of an op id still open is refused; so is an op id used again',
  async (t) => {
    await refused(
      t,
      jsonl([inv(0, 0, W(1)), inv(0, 1, W(2)), ok(0, 2, null)]),
      /line 2: a second invoke of op 0, which is still open since line 1/,
    );
    await refused(
      t,
      jsonl([inv(0, 0, W(1)), ok(0, 1, null), inv(0, 2, W(2)), ok(0, 3, null)]),
      /line 3: op id 0 is used again \(invoked at line 1, completed at line 2\)/,
    );
  },
);

test.serial(
  'an ok read with no value is refused (register, cas-register, kv, and BBS reads)',
  async (t) => {
    const noValue = { type: 'ok', op: 1, process: 1, f: 'read', key: 'x', time: 3 };
    await refused(
      t,
      jsonl([inv(0, 0, W(1)), ok(0, 1, null), inv(1, 2, R), noValue]),
      /line 4: the ok completion of op 1 \(a read on key x, model register\) has no value/,
    );
    await refused(
      t,
      jsonl([inv(0, 0, W(1)), ok(0, 1, null), inv(1, 2, R), noValue]),
      /line 4: .*model cas-register\) has no value/,
      'jsonl',
      'cas-register',
    );
    const kvRead = { f: 'read', key: 'a' };
    await refused(
      t,
      jsonl([inv(1, 2, kvRead), noValue]),
      /line 2: .*model kv\) has no value/,
      'jsonl',
      'kv',
    );
    // A BBS read, routed by its key without --model.
    const bbs = [
      {
        type: 'invoke',
        op: 1,
        process: 1,
        f: 'TaskByGuid',
        key: 'task/t1',
        value: { f: 'TaskByGuid', args: { taskGuid: 't1' } },
        time: 0,
      },
      { type: 'ok', op: 1, process: 1, f: 'TaskByGuid', key: 'task/t1', time: 1 },
    ];
    const res = await cli('check', file(jsonl(bbs)));
    t.is(res.code, 2);
    t.regex(
      res.stderr,
      /line 2: the ok completion of op 1 \(a read on key task\/t1, model bbs-task\) has no value/,
    );
    // And the other way: a read of null is a value.
    const fine = await cli(
      'check',
      file(jsonl([inv(0, 0, W(1)), ok(0, 1, null), inv(1, 2, R), { ...noValue, value: 1 }])),
      '--model',
      'register',
    );
    t.is(fine.code, 0, fine.stderr);
  },
);

test.serial(
  'a JSON object at the top level gets a clear message, one line or several',
  async (t) => {
    await refused(
      t,
      { events: [inv(0, 0, W(1))] },
      /the top level is one JSON object \(with "events"\), not a history; give a JSON array of events/,
      'json',
    );
    await refused(
      t,
      JSON.stringify({ events: [] }, null, 2),
      /the top level is one JSON object \(with "events"\)/,
      'json',
    );
  },
);

test.serial('binary garbage is refused, not taken for a torn last line', async (t) => {
  const garbage = Buffer.concat([
    Buffer.from(jsonl([inv(0, 0, W(1)), ok(0, 1, null)])),
    Buffer.from([0xff, 0xfe, 0x00, 0x01]),
  ]);
  await refused(t, garbage, /line 3: not text \(invalid UTF-8\)/);
  const nul = Buffer.concat([
    Buffer.from(jsonl([inv(0, 0, W(1)), ok(0, 1, null)])),
    Buffer.from('{"type":\u0000"ok"}'),
  ]);
  await refused(t, nul, /line 3: not text \(binary byte 0x00 at column 9\)/);
  // A bad line that is not the last one is never torn.
  await refused(
    t,
    `${JSON.stringify(inv(0, 0, W(1)))}\n{"type":"ok",\n${JSON.stringify(ok(0, 1, null))}\n`,
    /line 2: not valid JSON \(only a last line without a newline may be torn\)/,
  );
  // Even the last line is torn only without its newline.
  await refused(t, `${JSON.stringify(inv(0, 0, W(1)))}\n{"type":"ok",\n`, /line 2: not valid JSON/);
});

test.serial(
  'a torn last line is skipped with a warning on stderr, kept in check.json',
  async (t) => {
    const run = join(dir, 'torn-run');
    mkdirSync(run);
    writeFileSync(
      join(run, 'history.jsonl'),
      `${jsonl([inv(0, 0, W(1)), ok(0, 1, null)])}{"type":"invoke","op":1,"pro`,
    );
    const res = await cli('check', run, '--model', 'register');
    t.is(res.code, 0, res.stderr);
    t.regex(
      res.stderr,
      /warning: .*history\.jsonl: line 3 is incomplete \(the run was interrupted while writing it\); skipped/,
    );
    const saved = JSON.parse(readFileSync(join(run, 'check.json'), 'utf8'));
    t.is(saved.warnings.length, 1);
    t.regex(saved.warnings[0], /line 3 is incomplete/);
  },
);

test.serial('a missing or non-numeric time is refused', async (t) => {
  const { time: _t, ...noTime } = inv(0, 0, W(1));
  await refused(
    t,
    jsonl([noTime, ok(0, 1, null)]),
    /line 1: time must be a number \(nanoseconds on one monotonic clock\), got nothing/,
  );
  await refused(
    t,
    jsonl([inv(0, 0, W(1)), { ...ok(0, 1, null), time: '12' }]),
    /line 2: time must be a number .*got "12"/,
  );
  // In a JSON array the event is named by its index.
  await refused(
    t,
    [inv(0, 0, W(1)), { ...ok(0, 1, null), time: null }],
    /h\d+\.json event 1: time must be a number/,
    'json',
  );
});

test.serial(
  'a numeric key is read as its decimal text: key 7 and key "7" are one key',
  async (t) => {
    // Write 1 on key 7 (a number), then a read on key "7" (a string) sees null: one key, so stale.
    const h = jsonl([
      inv(0, 0, W(1), { key: 7 }),
      ok(0, 1, null, { key: 7 }),
      inv(1, 2, R, { key: '7' }),
      ok(1, 3, null, { key: '7' }),
    ]);
    const res = await cli('check', file(h), '--model', 'register');
    t.is(res.code, 1, res.stderr);
    t.regex(res.stdout, /^INVALID: Linearizability: 1 of 1 key not linearizable \(7\)/);
    await refused(
      t,
      jsonl([inv(0, 0, W(1), { key: { k: 1 } }), ok(0, 1, null)]),
      /line 1: key must be a string \(or a number, read as its decimal text\), got \{"k":1\}/,
    );
  },
);

test.serial('deeply nested values are refused, without a stack overflow', async (t) => {
  const deep = '['.repeat(200_000) + ']'.repeat(200_000);
  await refused(
    t,
    `${JSON.stringify(inv(0, 0, W(1))).replace('"value":1', `"value":${deep}`)}\n${JSON.stringify(ok(0, 1, null))}\n`,
    /line 1: the event nests more than 100 levels of arrays and objects/,
  );
});

test.serial('events are ordered by time, not by file position', async (t) => {
  // The issue's two cases. A read of null at 20–30 listed before a write of 1 at 0–10: stale.
  const stale = jsonl([inv(1, 20, R), ok(1, 30, null), inv(0, 0, W(1)), ok(0, 10, null)]);
  const a = await cli('check', file(stale), '--model', 'register');
  t.is(a.code, 1, a.stderr);
  // A write [0, 30] whose completion is listed before a read [20, 40] of null: they overlap, so
  // valid.
  const overlap = jsonl([inv(0, 0, W(1)), ok(0, 30, null), inv(1, 20, R), ok(1, 40, null)]);
  const b = await cli('check', file(overlap), '--model', 'register');
  t.is(b.code, 0, b.stdout + b.stderr);
});

test.serial(
  'list-append txns with string keys: a G1a is found; a malformed micro-op is refused naming its line',
  async (t) => {
    const txn = (op: number, type: string, time: number, value: unknown) => ({
      type,
      op,
      process: op,
      f: 'txn',
      time,
      value,
    });
    const g1a = jsonl([
      txn(0, 'invoke', 0, [['append', 'x', 1]]),
      txn(0, 'fail', 1, [['append', 'x', 1]]),
      txn(1, 'invoke', 2, [['r', 'x', null]]),
      txn(1, 'ok', 3, [['r', 'x', [1]]]),
    ]);
    const res = await cli('check', file(g1a));
    t.is(res.code, 1, res.stderr);
    t.regex(
      res.stdout,
      /^INVALID: Isolation: 1 transaction checked; G1a ×1 .*Checked against strict serializability/,
    );
    const bad = jsonl([
      txn(0, 'invoke', 0, [['append', 'x', 'one']]),
      txn(0, 'ok', 1, [['append', 'x', 'one']]),
    ]);
    const r2 = await cli('check', file(bad));
    t.is(r2.code, 2);
    t.regex(
      r2.stderr,
      /line 2: txn 0, micro-op 0 \(\["append","x","one"\]\): an appended value must be a number/,
    );
  },
);

test.serial(
  '--consistency serializable drops real-time order; a bad model name exits 2',
  async (t) => {
    const txn = (op: number, type: string, time: number, value: unknown) => ({
      type,
      op,
      process: op,
      f: 'txn',
      time,
      value,
    });
    // T1 appends 1 (0–10); T2 reads [] at 20–30; T3 reads [1]: stale only in real time.
    const h = file(
      jsonl([
        txn(1, 'invoke', 0, [['append', 'k', 1]]),
        txn(1, 'ok', 10, [['append', 'k', 1]]),
        txn(2, 'invoke', 20, [['r', 'k', null]]),
        txn(2, 'ok', 30, [['r', 'k', []]]),
        txn(3, 'invoke', 40, [['r', 'k', null]]),
        txn(3, 'ok', 50, [['r', 'k', [1]]]),
      ]),
    );
    const strict = await cli('check', h);
    t.is(strict.code, 1);
    t.regex(
      strict.stdout,
      /G-single-item-realtime ×1 .*Checked against strict serializability .*Ruled out: strong-snapshot-isolation, strict-serializable\./,
    );
    const ser = await cli('check', h, '--consistency', 'serializable');
    t.is(ser.code, 0, ser.stdout);
    t.regex(ser.stdout, /Checked against serializability \(ww, wr and rw dependencies only\)/);
    const bad = await cli('check', h, '--consistency', 'linearizable');
    t.is(bad.code, 2);
    t.regex(
      bad.stderr,
      /--consistency: must be one of strict-serializable, strong-session-serializable, serializable, got "linearizable"/,
    );
  },
);

test.serial(
  'several files and directories: one line each, a total, the worst exit code',
  async (t) => {
    const sub = join(dir, 'many');
    mkdirSync(sub);
    writeFileSync(
      join(sub, 'a-valid.jsonl'),
      jsonl([inv(0, 0, W(1)), ok(0, 1, null), inv(1, 2, R), ok(1, 3, 1)]),
    );
    writeFileSync(
      join(sub, 'b-stale.jsonl'),
      jsonl([inv(0, 0, W(1)), ok(0, 1, null), inv(1, 2, R), ok(1, 3, null)]),
    );
    writeFileSync(join(sub, 'notes.txt'), 'not a history');
    const res = await cli('check', sub, '--model', 'register');
    t.is(res.code, 1);
    const lines = res.stdout.trim().split('\n');
    t.is(lines.length, 3);
    t.regex(lines[0]!, /a-valid\.jsonl: VALID: /);
    t.regex(lines[1]!, /b-stale\.jsonl: INVALID: /);
    t.is(lines[2], 'total: 2 histories: 1 valid, 1 invalid; exit 1');
    // Bad input outweighs an anomaly; the other verdicts are still printed.
    const broken = file('{"type":"invoke"}\n{"oops"\n');
    const worse = await cli('check', sub, broken, '--model', 'register');
    t.is(worse.code, 2);
    t.regex(worse.stdout, /h\d+\.jsonl: BAD INPUT: .*line 2: not valid JSON/);
    t.regex(worse.stdout, /total: 3 histories: 1 valid, 1 invalid, 1 bad input; exit 2/);
    const json = JSON.parse(
      (await cli('check', sub, broken, '--model', 'register', '--json')).stdout,
    );
    t.is(json.exitCode, 2);
    t.deepEqual(
      json.files.map((f: { exitCode: number }) => f.exitCode),
      [0, 1, 2],
    );
    // An empty directory is bad input, not "valid".
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const none = await cli('check', empty);
    t.is(none.code, 2);
    t.regex(none.stderr, /no run directory or history file/);
  },
);

test.serial(
  'an internal error exits 70 and says it is a bug of the lab, never a verdict',
  async (t) => {
    // No known history crashes a checker (each such case is a bug to fix), so plant one: a model
    // whose step throws a plain Error, as a bug in a model would.
    const { checkFile } = await import('../../lab/cli/check.ts');
    const { genericModels } = await import('../../specs/generic.ts');
    const reg = genericModels.register!;
    const step = reg.step;
    (reg as { step: unknown }).step = () => {
      throw new Error('boom');
    };
    try {
      const v = checkFile(file(jsonl([inv(0, 0, W(1)), ok(0, 1, null)])), null, {
        model: 'register',
      });
      t.is(v.exitCode, 70);
      t.is(v.verdict, 'INTERNAL ERROR');
      t.is(v.error, 'internal error (a bug of bbs-lab): boom');
    } finally {
      (reg as { step: unknown }).step = step;
    }
  },
);

test.serial('every subcommand answers --help and -h with its usage and exit 0', async (t) => {
  for (const cmd of [
    'run',
    'compare',
    'migrate',
    'bbs-node',
    'validate',
    'check',
    'investigate',
    'report',
    'docker-engine',
    'cleanup',
  ]) {
    for (const flag of ['--help', '-h']) {
      const res = await cli(cmd, flag);
      t.is(res.code, 0, `${cmd} ${flag}`);
      t.regex(res.stdout, new RegExp(`^usage: bbs-lab ${cmd}`), `${cmd} ${flag}`);
    }
  }
  const check = await cli('help', 'check');
  t.regex(check.stdout, /70 {2}internal error: a bug of bbs-lab/);
  t.regex(check.stdout, /--consistency MODEL/);
  t.regex(check.stdout, /--export edn FILE +also write the history as Jepsen EDN/);
  t.regex(check.stdout, /\.edn: Jepsen's history\.edn/);
  const compare = await cli('compare', '--help');
  t.regex(
    compare.stdout,
    /Configurations: spread, single-proxy, /,
    'the list comes from the scenario module, loaded for the help only',
  );
});

test('the real binary: check --help exits 0 (it exited 2, "unknown option")', (t) => {
  const out = execFileSync(process.execPath, ['bin/bbs-lab.js', 'check', '--help'], {
    encoding: 'utf8',
  });
  t.regex(out, /^usage: bbs-lab check/);
});

// ---------- Jepsen EDN among the formats, and --export edn with several paths ----------

const ednOps = (readValue: number) =>
  `${[
    '{:type :invoke, :f :write, :value 1, :process 0, :time 0}',
    '{:type :ok, :f :write, :value 1, :process 0, :time 1}',
    '{:type :invoke, :f :read, :value nil, :process 1, :time 2}',
    `{:type :ok, :f :read, :value ${readValue}, :process 1, :time 3}`,
  ].join('\n')}\n`;

test.serial(
  'a directory with .edn and .jsonl histories: each read by its format, one line each',
  async (t) => {
    const sub = join(dir, 'mixed');
    mkdirSync(sub);
    // write 1 then read 1: valid; write 1 then read 0 (nothing wrote 0): not linearizable.
    writeFileSync(join(sub, 'a.edn'), ednOps(1));
    writeFileSync(join(sub, 'b.edn'), ednOps(0));
    writeFileSync(
      join(sub, 'c.jsonl'),
      jsonl([inv(0, 0, W(1)), ok(0, 1, null), inv(1, 2, R), ok(1, 3, 1)]),
    );
    const res = await cli('check', sub, '--model', 'register');
    t.is(res.code, 1, res.stderr);
    const lines = res.stdout.trim().split('\n');
    t.regex(lines[0]!, /a\.edn: VALID: /);
    t.regex(lines[1]!, /b\.edn: INVALID: .*\(default\)/);
    t.regex(lines[2]!, /c\.jsonl: VALID: /);
    t.is(lines[3], 'total: 3 histories: 2 valid, 1 invalid; exit 1');
  },
);

test.serial(
  'an out-of-time-order EDN history is refused by the same rule as JSON: exit 2, file:line:col',
  async (t) => {
    const h = file(
      '{:type :invoke, :f :read, :process 0, :time 10}\n{:type :ok, :f :read, :value 1, :process 0, :time 5}\n',
      'edn',
    );
    const res = await cli('check', h, '--model', 'register');
    t.is(res.code, 2);
    t.regex(
      res.stderr,
      /h\d+\.edn:2:1: the completion of op 0 has time 5, earlier than its invoke's time 10 \(.*h\d+\.edn:1:1\)/,
    );
  },
);

test.serial(
  '--export edn: one history is exported; several are refused with exit 2 before anything is checked',
  async (t) => {
    const one = file(ednOps(1), 'edn');
    const out = join(dir, 'export-one.edn');
    const ok1 = await cli('check', one, '--model', 'register', '--export', 'edn', out);
    t.is(ok1.code, 0, ok1.stderr);
    t.regex(
      readFileSync(out, 'utf8'),
      /^\{:type :invoke :process 0 :f :write :value 1 :time 0 :index 0\}\n/,
    );

    const two = join(dir, 'export-two.edn');
    const many = await cli(
      'check',
      one,
      file(ednOps(0), 'edn'),
      '--model',
      'register',
      '--export',
      'edn',
      two,
    );
    t.is(many.code, 2);
    t.regex(
      many.stderr,
      /^bbs-lab check: --export edn .*export-two\.edn: the paths name 2 histories, and one export file holds one history/,
    );
    t.is(many.stdout, '', 'nothing checked');
    t.throws(() => readFileSync(two), undefined, 'nothing written');

    // One path that is a directory of several histories counts as several.
    const sub = join(dir, 'export-dir');
    mkdirSync(sub);
    writeFileSync(join(sub, 'a.edn'), ednOps(1));
    writeFileSync(join(sub, 'b.jsonl'), jsonl([inv(0, 0, W(1)), ok(0, 1, null)]));
    const dirRes = await cli('check', sub, '--export', 'edn', two);
    t.is(dirRes.code, 2);
    t.regex(dirRes.stderr, /the paths name 2 histories/);

    // A file the export cannot write is bad input (2), not an internal error (70).
    const unwritable = await cli(
      'check',
      one,
      '--model',
      'register',
      '--export',
      'edn',
      join(dir, 'no-such-dir', 'x.edn'),
    );
    t.is(unwritable.code, 2);
    t.regex(unwritable.stderr, /--export edn .*no-such-dir\/x\.edn: cannot write it \(ENOENT\)/);
  },
);

test.serial(
  'ops no checker can judge are refused, not called valid: a register history without --model',
  async (t) => {
    const h = file(jsonl([inv(0, 0, W(1)), ok(0, 10, null)]));
    const res = await cli('check', h);
    t.is(res.code, 2, res.stdout + res.stderr);
    t.regex(
      res.stderr,
      /no op could be checked: key\(s\) x have no built-in model and none is a txn; give --model \(register, cas-register/,
    );
    t.is(res.stdout, '');
    const withModel = await cli('check', h, '--model', 'register');
    t.is(withModel.code, 0, withModel.stdout + withModel.stderr);
    t.regex(withModel.stdout, /VALID: Linearizability: all 1 key \(1 ops\) linearizable/);
  },
);
