// Porcupine beside the lab (issue 24): the Go harness's output read back, its offline build
// settings, and every figure the side-by-side row prints (medians, totals, ratios, verdicts that
// disagree, the goal's answer), on small rows worked out by hand. Go itself is never run here.

import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  benchPorcupine,
  benchPorcupineApart,
  bestOf,
  buildHarness,
  dataProblem,
  goEnv,
  goMod,
  headerLine,
  labHistories,
  parseGoOutput,
  quotedKv,
} from '../../lab/bench/porcupine-go.ts';
import {
  rowLine,
  type SideRow,
  sideBySide,
  sideBySideLines,
} from '../../lab/bench/porcupine-side.ts';

test('parseGoOutput: one row per JSON line, Porcupine’s CheckResult as the lab’s verdict', (t) => {
  const out = [
    '{"name":"etcd_000","kind":"etcd","ops":12,"verdict":"Illegal","ms":0.5,"modelSteps":40}',
    '',
    '{"name":"c50-ok","kind":"kv","ops":3,"verdict":"Ok","ms":7,"modelSteps":3}',
    '{"name":"etcd_001","kind":"etcd","ops":1,"verdict":"Unknown","ms":60000,"modelSteps":0}',
  ].join('\n');
  t.deepEqual(parseGoOutput(out), [
    {
      name: 'etcd_000',
      kind: 'etcd',
      ops: 12,
      verdict: 'not-linearizable',
      ms: 0.5,
      modelSteps: 40,
    },
    { name: 'c50-ok', kind: 'kv', ops: 3, verdict: 'linearizable', ms: 7, modelSteps: 3 },
    { name: 'etcd_001', kind: 'etcd', ops: 1, verdict: 'unknown', ms: 60000, modelSteps: 0 },
  ]);
  t.deepEqual(parseGoOutput('\n'), []);
});

test('parseGoOutput: anything else names the line and the field', (t) => {
  const row = { name: 'a', kind: 'etcd', ops: 1, verdict: 'Ok', ms: 1, modelSteps: 1 };
  const line = (o: object) => `${JSON.stringify(row)}\n${JSON.stringify({ ...row, ...o })}`;
  t.throws(() => parseGoOutput('panic: oops'), {
    message: /line 1: not a JSON object: panic: oops/,
  });
  t.throws(() => parseGoOutput(line({ verdict: 'Maybe' })), {
    message: /line 2: "verdict" must be Ok, Illegal or Unknown.*got "Maybe"/,
  });
  t.throws(() => parseGoOutput(line({ ms: -1 })), {
    message: /line 2: "ms" must be a number ≥ 0, got -1/,
  });
  t.throws(() => parseGoOutput(line({ modelSteps: '3' })), {
    message: /"modelSteps" must be a number/,
  });
  t.throws(() => parseGoOutput(line({ kind: 'register' })), {
    message: /"kind" must be "etcd" or "kv"/,
  });
  t.throws(() => parseGoOutput(line({ name: '' })), { message: /"name" must be a history name/ });
});

test('goMod and goEnv: Porcupine from the checkout, nothing from the network', (t) => {
  const mod = goMod('/tmp/porcupine src');
  t.regex(mod, /^module bbslab\/porcupinebench$/m);
  t.regex(
    mod,
    /^require github\.com\/anishathalye\/porcupine v0\.0\.0-00010101000000-000000000000$/m,
  );
  t.regex(mod, /^replace github\.com\/anishathalye\/porcupine => "\/tmp\/porcupine src"$/m);
  const env = goEnv({ PATH: '/usr/bin' }, '/cache');
  t.like(env, {
    PATH: '/usr/bin',
    GOFLAGS: '-mod=mod',
    GOPROXY: 'off',
    GOSUMDB: 'off',
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
    GOCACHE: '/cache',
  });
  t.is(goEnv({ GOCACHE: '/mine' }, '/cache').GOCACHE, '/mine', "the user's GOCACHE is kept");
});

// Three histories: Porcupine 1, 4, 2 ms (median 2, total 7); the lab's search 2, 1, 3 (median 2,
// total 6); its full check 3, 8, 1 (median 3, total 12). The full check is slower than
// Porcupine's search on A (3 > 1) and B (8 > 4), not on C (1 < 2).
const rows: SideRow[] = [
  {
    name: 'A',
    ops: 10,
    porcupine: { verdict: 'linearizable', ms: 1, modelSteps: 100, ops: 10 },
    search: { verdict: 'linearizable', ms: 2, modelSteps: 50 },
    full: { verdict: 'linearizable', ms: 3 },
  },
  {
    name: 'B',
    ops: 20,
    porcupine: { verdict: 'not-linearizable', ms: 4, modelSteps: 400, ops: 20 },
    search: { verdict: 'not-linearizable', ms: 1, modelSteps: 30 },
    full: { verdict: 'not-linearizable', ms: 8 },
  },
  {
    name: 'C',
    ops: 30,
    porcupine: { verdict: 'linearizable', ms: 2, modelSteps: 200, ops: 30 },
    search: { verdict: 'linearizable', ms: 3, modelSteps: 70 },
    full: { verdict: 'linearizable', ms: 1 },
  },
];

test('sideBySide: medians, totals, model steps and ratios of each column, by hand', (t) => {
  const s = sideBySide(rows);
  t.is(s.histories, 3);
  t.is(s.ops, 60);
  t.deepEqual(s.porcupine, { median: 2, total: 7, modelSteps: 700 });
  t.deepEqual(s.search, { median: 2, total: 6, modelSteps: 150 });
  t.deepEqual(s.full, { median: 3, total: 12 });
  t.is(s.ratio!.searchMedian, 1);
  t.is(s.ratio!.searchTotal, 6 / 7);
  t.is(s.ratio!.fullMedian, 1.5);
  t.is(s.ratio!.fullTotal, 12 / 7);
  t.is(s.fullSlower, 2);
  t.false(s.fullNoSlowerAtMedian);
  t.deepEqual(s.disagreements, []);
});

test('sideBySide: a verdict that differs, ops read differently and a missing Porcupine figure are listed', (t) => {
  const changed: SideRow[] = [
    rows[0]!,
    { ...rows[1]!, search: { ...rows[1]!.search, verdict: 'unknown' } },
    { ...rows[2]!, porcupine: { ...rows[2]!.porcupine!, ops: 31 } },
    { name: 'D', ops: 5, search: rows[0]!.search, full: rows[0]!.full },
  ];
  const s = sideBySide(changed);
  t.deepEqual(s.disagreements, [
    "B: Porcupine not-linearizable, the lab's search unknown",
    'C: Porcupine read 31 ops, the lab 30',
    'D: no figure from Porcupine',
  ]);
  // Porcupine's column from the three it ran; the lab's from all four (search 2, 1, 3, 2).
  t.deepEqual(s.porcupine, { median: 2, total: 7, modelSteps: 700 });
  t.deepEqual(s.search, { median: 2, total: 8, modelSteps: 200 });
});

test('sideBySide with quoted figures: ratios to them, nothing compared history by history', (t) => {
  const lab = rows.map(({ porcupine: _, ...r }) => r);
  const s = sideBySide(lab, { median: 4, total: 10, source: 'quoted' });
  t.deepEqual(s.ratio, { searchMedian: 0.5, searchTotal: 0.6, fullMedian: 0.75, fullTotal: 1.2 });
  t.true(s.fullNoSlowerAtMedian);
  t.is(s.fullSlower, undefined);
  t.deepEqual(s.disagreements, []);
  const none = sideBySide(lab);
  t.is(none.porcupine, undefined);
  t.is(none.ratio, undefined);
});

test('sideBySideLines: the table, the verdicts and the goal’s answer as printed', (t) => {
  const lines = sideBySideLines('etcd', sideBySide(rows), 're-run here');
  t.deepEqual(lines, [
    'etcd: 3 histories, 60 ops; Porcupine re-run here',
    '                     median ms   total ms   model steps   ÷ Porcupine (median, total)',
    "  Porcupine's search      2.00          7           700",
    "  lab's search            2.00          6           150   1.00×, 0.86×",
    "  lab's full check        3.00         12             -   1.50×, 1.71×",
    '  verdicts: Porcupine and the lab agree on all 3',
    "  the full check no slower than Porcupine's search at the median: does not hold (3.00 ms against 2.00 ms, 1.50×); the full check is slower than Porcupine's search on 2 of 3 histories",
  ]);
  const bad = sideBySideLines(
    'etcd',
    sideBySide([rows[0]!, { ...rows[1]!, full: { ms: 8, verdict: 'linearizable' } }]),
    'x',
  );
  t.is(bad[5], "  DISAGREE on 1: B: Porcupine not-linearizable, the lab's full check linearizable");
  const quoted = sideBySideLines(
    'etcd',
    sideBySide(
      rows.map(({ porcupine: _, ...r }) => r),
      { median: 4, total: 10, source: 'q' },
    ),
    'quoted',
  );
  t.is(quoted[5], '  verdicts: not compared (Porcupine not re-run)');
  t.is(
    quoted[6],
    "  the full check no slower than Porcupine's search at the median: holds (3.00 ms against 4.00 ms, 0.75×)",
  );
  t.is(sideBySideLines('x', sideBySide(rows.map(({ porcupine: _, ...r }) => r)), 'none').length, 4);
});

test('rowLine: one history, re-run or quoted, with its ratios', (t) => {
  t.is(
    rowLine('kv', rows[1]!),
    'kv B (20 ops): Porcupine 4.0 ms, not-linearizable, 400 model steps; lab search 1.0 ms (0.25×), not-linearizable, 30 model steps; lab full check 8.0 ms (2.00×)',
  );
  const { porcupine: _, ...lab } = rows[1]!;
  t.is(
    rowLine('kv', lab, 16),
    'kv B (20 ops): Porcupine 16.0 ms (quoted); lab search 1.0 ms (0.06×), not-linearizable, 30 model steps; lab full check 8.0 ms (0.50×)',
  );
  t.regex(rowLine('kv', lab), /Porcupine: no figure; lab search 1\.0 ms, not-linearizable/);
});

test('headerLine, bestOf and the quoted kv column', (t) => {
  t.is(
    headerLine('go version go1.19.8 linux/amd64', 3, [1.5, 2.25]),
    "porcupine side by side (issue 24): Porcupine re-run here (go version go1.19.8 linux/amd64); the lab's checker warmed up first (each history checked 10 times untimed, the kv logs once: V8 compiles it as it runs, Go ahead of time); 3 rounds, Porcupine and the lab interleaved, each history's best time; load average 1.50 before, 2.25 after",
  );
  t.regex(headerLine(undefined, 1, [0, 0]), /Porcupine quoted, not re-run; the lab's .*; 1 rounds/);
  const a = { ms: 3, tag: 'a' };
  const b = { ms: 2, tag: 'b' };
  t.is(bestOf(undefined, a), a);
  t.is(bestOf(a, b), b);
  t.is(bestOf(b, a), b);
  t.is(bestOf(b, { ms: 2, tag: 'c' }), b, 'a tie keeps the first');
  t.like(quotedKv(), { median: 106, total: 212 });
});

// Process 0 writes 1 and reads 2, which nobody wrote: not linearizable. etcd_001 is empty, as
// Porcupine's etcd_095 (left out). Kv: c50-ok linearizable; c50-bad reads "z" nobody wrote.
function testData(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-porcupine-go-'));
  mkdirSync(join(dir, 'jepsen'));
  mkdirSync(join(dir, 'kv'));
  const etcd = [
    '0\t:invoke\t:write\t1',
    '0\t:ok\t:write\t1',
    '0\t:invoke\t:read\tnil',
    '0\t:ok\t:read\t2',
  ];
  writeFileSync(
    join(dir, 'jepsen', 'etcd_000.log'),
    etcd.map((r) => `INFO  jepsen.util - ${r}`).join('\n'),
  );
  writeFileSync(join(dir, 'jepsen', 'etcd_001.log'), '');
  const kv = (v: string) =>
    [
      '{:process 0, :type :invoke, :f :put, :key "1", :value "a"}',
      '{:process 0, :type :ok, :f :put, :key "1", :value "a"}',
      '{:process 1, :type :invoke, :f :get, :key "1", :value nil}',
      `{:process 1, :type :ok, :f :get, :key "1", :value "${v}"}`,
    ].join('\n');
  writeFileSync(join(dir, 'kv', 'c50-ok.txt'), kv('a'));
  writeFileSync(join(dir, 'kv', 'c50-bad.txt'), kv('z'));
  return dir;
}

test('labHistories: every etcd log but the empty ones, and the kv logs stopping at the first failing key', (t) => {
  const dir = testData();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const h = labHistories(dir, ['c50-ok', 'c50-bad']);
  t.deepEqual(
    h.etcd.map((x) => [x.name, x.ops.length]),
    [['etcd_000', 2]],
  );
  t.deepEqual(h.empty, ['etcd_001']);
  t.deepEqual(
    h.kv.map((x) => [x.name, x.ops.length, x.options.stopAtFirstFailure]),
    [
      ['c50-ok', 2, true],
      ['c50-bad', 2, true],
    ],
  );
});

test('benchPorcupine: without data it says how to add it; without Go it says how to get it and uses the quoted figures', (t) => {
  const lines: string[] = [];
  t.is(
    benchPorcupine(undefined, (l) => lines.push(l)),
    undefined,
  );
  t.deepEqual(lines, [
    "porcupine: skipped (set PORCUPINE_DATA to a Porcupine checkout's test_data)",
  ]);
  const dir = testData();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  lines.length = 0;
  const path = process.env.PATH;
  process.env.PATH = dir; // no `go` there
  let r: ReturnType<typeof benchPorcupine>;
  try {
    r = benchPorcupine(dir, (l) => lines.push(l), 1);
  } finally {
    process.env.PATH = path;
  }
  t.regex(lines[0]!, /^porcupine: `go` is not on PATH.*`apt-get install golang-go`/);
  t.regex(
    lines[1]!,
    /Porcupine quoted, not re-run; the lab's checker warmed up first .*; 1 rounds/,
  );
  t.regex(
    lines[2]!,
    /^porcupine etcd cas-register \(etcd_001 left out: an empty log\): 1 histories, 2 ops; Porcupine quoted/,
  );
  t.is(r!.etcd.histories, 1);
  t.deepEqual(r!.etcd.porcupine, { median: 0.12, total: 785, modelSteps: 3_301_844 });
  t.is(r!.kv.histories, 2);
  t.deepEqual(r!.kv.porcupine, { median: 106, total: 212, modelSteps: undefined });
  t.true(
    lines.some((l) =>
      /^porcupine kv c50-bad \(2 ops\): Porcupine 8\.0 ms \(quoted\); lab search .*not-linearizable/.test(
        l,
      ),
    ),
  );
  t.true(
    lines.some((l) => /^porcupine kv c50-ok \(2 ops\): .*lab search .*, linearizable/.test(l)),
  );
});

test('dataProblem and buildHarness: a wrong PORCUPINE_DATA is named with the fix, before Go runs', (t) => {
  const dir = testData();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.is(dataProblem(dir, ['c50-ok', 'c50-bad']), undefined);
  t.is(
    dataProblem(dir, ['c50-ok', 'c99-x']),
    `PORCUPINE_DATA=${dir} has no ${join(dir, 'kv', 'c99-x.txt')}; set it to a Porcupine checkout's test_data`,
  );
  const lines: string[] = [];
  t.is(
    benchPorcupine(join(dir, 'kv'), (l) => lines.push(l)),
    undefined,
  );
  t.regex(lines[0]!, /^porcupine: skipped: PORCUPINE_DATA=.*\/kv has no .*jepsen, /);
  // The data's parent has no go.mod naming Porcupine: said before any `go build`.
  const built = buildHarness(dir, dir);
  t.true('error' in built);
  t.regex(
    (built as { error: string }).error,
    /is not a Porcupine checkout \(no go\.mod naming github\.com\/anishathalye\/porcupine\); set PORCUPINE_DATA to <checkout>\/test_data/,
  );
});

test('benchPorcupineApart: the row runs in a process of its own and its lines come back', (t) => {
  const lines: string[] = [];
  benchPorcupineApart(join(tmpdir(), 'no-such-porcupine-data'), (l) => lines.push(l));
  // The child checked the data before anything else, as the row does in-process.
  t.is(lines.length, 1, lines.join('\n'));
  t.regex(lines[0]!, /^porcupine: skipped: /);
  const none: string[] = [];
  benchPorcupineApart(undefined, (l) => none.push(l));
  t.deepEqual(none, [
    "porcupine: skipped (set PORCUPINE_DATA to a Porcupine checkout's test_data)",
  ]);
});
