// Adding a checker is one file and one registry line: a checker the lab does not have
// (never-written-checker.ts, the example of docs/adding-a-checker.md), given through the registry
// parameter, reaches the check's verdict and anomaly list, the report's anomaly list and evidence,
// the anomaly charts, the self-test's detection table and `check --json`, with no edit of any of
// them. On one register history worked out by hand.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { CHECKERS } from '../../lab/checkers/index.ts';
import { checkPaths, EXIT, renderJson } from '../../lab/cli/check.ts';
import { pairOps, workloadStart } from '../../lab/history/event.ts';
import { renderCharts } from '../../lab/report/charts/index.ts';
import { renderEvidence } from '../../lab/report/evidence.ts';
import { computeStats } from '../../lab/report/stats.ts';
import { checkReport } from '../../lab/report/verdicts.ts';
import { detectionOf } from '../../lab/selftest/detection.ts';
import { renderTable, tableRows } from '../../lab/selftest/table.ts';
import { eventsOf, type TestOp } from './lin-history.ts';
import { neverWrittenChecker } from './never-written-checker.ts';

// The one registry line, as a test gives it.
const registry = [...CHECKERS, neverWrittenChecker];

const w = (value: number, at: [number, number]): TestOp => ({
  input: { f: 'write', value },
  at,
});
const r = (output: unknown, at: [number, number]): TestOp => ({ input: { f: 'read' }, output, at });

// Op 0 writes 1 (0–1 s), op 1 reads 1 (2–3 s), op 2 reads 7 (4–5 s): nobody wrote 7. The times
// are seconds in the history's nanoseconds.
const S = 1e9;
const events = eventsOf([w(1, [0, 1 * S]), r(1, [2 * S, 3 * S]), r(7, [4 * S, 5 * S])]);
const opts = { model: 'register' };

const mine = {
  checker: 'neverWritten',
  type: 'never-written',
  ops: [2],
  keys: ['x'],
  ruledOut: ['linearizable'],
  data: { value: 7 },
};

test('the check: its verdict counts, its data sits under its name, its anomaly is in the one list', (t) => {
  const report = checkReport(events, opts, registry);
  t.is(report.valid, false);
  t.deepEqual((report as unknown as Record<string, unknown>).neverWritten, {
    reads: 2,
    found: [{ op: 2, key: 'x', value: 7 }],
  });
  // Linearizability finds the same read (its witness: the write of 1, then the read of 7), then
  // ours.
  // As docs/adding-a-checker.md shows them.
  t.deepEqual(report.anomalies, [
    {
      checker: 'linearizability',
      type: 'not-linearizable',
      ops: [0, 2],
      keys: ['x'],
      ruledOut: ['linearizable'],
      data: { model: 'register' },
    },
    mine,
  ]);
  t.true(report.summary.includes('neverWritten: anomalies found.'));
  // Without the registry line, nothing of it: it is the line that brings it.
  const without = checkReport(events, opts);
  t.false('neverWritten' in without);
  t.deepEqual(
    without.anomalies!.map((a) => a.checker),
    ['linearizability'],
  );
});

test("the report: an item of the anomaly list with its chart, and the evidence's plain list", (t) => {
  const report = checkReport(events, opts, registry);
  const charts = renderCharts(events, computeStats(events), report);
  t.deepEqual(
    charts.anomalies.map((a) => [a.item.id, a.item.checker]),
    [
      ['anomaly-1', 'linearizability'],
      ['anomaly-2', 'neverWritten'],
    ],
  );
  const { item, svg } = charts.anomalies[1]!;
  t.is(item.title, 'neverWritten: never-written on x');
  t.is(
    item.explanation,
    'neverWritten found never-written on x, shown by op 2 (value 7). It rules out linearizable.',
  );
  t.deepEqual(
    item.ops.map((o) => [o.op, o.invoke, o.complete]),
    [[2, 4 * S, 5 * S]],
  );
  t.regex(svg, /neverWritten: never-written on x/);
  t.regex(svg, /class="op-label"[^>]*>#2 read x → ok: 7</);
  t.regex(
    renderEvidence(report, workloadStart(events)),
    /### Other checkers' anomalies \(1\)\n\n- \*\*neverWritten: never-written on x\*\*: neverWritten found never-written on x, shown by op 2 \(value 7\)\. It rules out linearizable\./,
  );
});

test("the self-test's detection table names it among the checkers that found something", (t) => {
  const report = checkReport(events, opts, registry);
  const doneAt = new Map(pairOps(events).map((o) => [o.op, (o.complete ?? o.invoke).time]));
  const detection = detectionOf(report, doneAt, workloadStart(events));
  // Linearizability's evidence (ops 0, 2) and ours (op 2) are whole when op 2 completes, at 5 s.
  t.deepEqual(detection, {
    found: true,
    checkers: ['linearizability', 'neverWritten'],
    firstDetectionSec: 5,
  });
  const rows = tableRows([
    { plant: null, scenario: 'scenarios/x.yaml', seed: 1, detection, unknown: false, runDir: 'r' },
  ]);
  t.regex(renderTable(rows), /linearizability, neverWritten {2}FAIL/);
});

test('check --json: its data and its anomaly are in the output', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-add-one-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'history.jsonl');
  writeFileSync(file, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
  const { files, exitCode } = checkPaths([file], opts, { checkers: registry });
  t.is(exitCode, EXIT.anomaly);
  const json = JSON.parse(renderJson(files, exitCode));
  t.deepEqual(json.neverWritten.found, [{ op: 2, key: 'x', value: 7 }]);
  t.deepEqual(
    json.anomalies.filter((a: { checker: string }) => a.checker === 'neverWritten'),
    [mine],
  );
});

test('docs/adding-a-checker.md shows this very checker, as it would sit in lab/checkers', (t) => {
  const doc = readFileSync('docs/adding-a-checker.md', 'utf8');
  const block = doc.split('```ts\n// lab/checkers/never-written.ts\n')[1]?.split('```')[0];
  t.truthy(block, 'the doc has the file as a ts block headed by its path');
  const source = readFileSync(new URL('./never-written-checker.ts', import.meta.url), 'utf8');
  // The file below its header comment, with the imports as lab/checkers/ would write them.
  const body = source
    .slice(source.indexOf('import '))
    .replaceAll("'../../lab/checkers/", "'./")
    .replaceAll("'../../lab/", "'../");
  t.is(block, body);
  // And the registry line it tells.
  t.true(doc.includes('  neverWrittenChecker,\n] as const satisfies readonly Checker[];'));
});
