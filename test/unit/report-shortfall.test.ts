// Whether a run made the ops its scenario needs (issue 27), on small reaches worked out by hand.

import test from 'ava';
import fc from 'fast-check';
import type { Reach } from '../../lab/report/reach.ts';
import { renderReachMarkdown } from '../../lab/report/reach.ts';
import { shortfallOf, shortfallSentence } from '../../lab/report/shortfall.ts';
import {
  renderTable,
  selftestPasses,
  tableRows,
  type CaseOutcome,
} from '../../lab/selftest/table.ts';

const reach = (ops: Record<string, number>): Reach => ({
  ops: Object.fromEntries(
    Object.entries(ops).map(([f, ok]) => [f, { ok, fail: 3, info: 1, unfinished: 0 }]),
  ),
  transitions: { 'StartTask PENDING → RUNNING': 1 },
  refusals: { absent: 0, exists: 0, 'not owner': 0, 'wrong state': 0 },
  missing: [],
});

test('ops run to the end against the needs: in all, and of each op made', (t) => {
  // StartTask 120 ok, TaskByGuid 30 ok, DeleteTask 4 ok: 154 (fail and info ops do not count).
  const r = reach({ StartTask: 120, TaskByGuid: 30, DeleteTask: 4 });
  t.deepEqual(shortfallOf(r, { minOps: 0, minOpsPerOp: 0 }), {
    needs: { minOps: 0, minOpsPerOp: 0 },
    okOps: 154,
    shortOps: {},
    short: false,
  });
  t.is(
    shortfallSentence(shortfallOf(r, { minOps: 0, minOpsPerOp: 0 })),
    null,
    'no need stated: nothing to say',
  );
  t.false(shortfallOf(r, { minOps: 154, minOpsPerOp: 0 }).short);
  t.true(shortfallOf(r, { minOps: 155, minOpsPerOp: 0 }).short);
  const per = shortfallOf(r, { minOps: 100, minOpsPerOp: 5 });
  t.deepEqual([per.short, per.shortOps], [true, { DeleteTask: 4 }]);
  t.is(
    shortfallSentence(per),
    'FELL SHORT: the scenario needs 100 ops run to the end and 5 of each op it makes to mean something; the run made 154 (below 5: DeleteTask 4). Its silence says less than the scenario meant: run it longer, with a lower load on the machine, or at an offered load (clients.rate) that reaches the need.',
  );
  t.is(
    shortfallSentence(shortfallOf(r, { minOps: 100, minOpsPerOp: 0 })),
    'The scenario needs 100 ops run to the end to mean something; the run made 154: enough.',
  );
  // In the report's reach section, first.
  const md = renderReachMarkdown({ ...r, shortfall: per });
  t.true(
    md.indexOf('FELL SHORT') > 0 && md.indexOf('FELL SHORT') < md.indexOf('distinct transitions'),
  );
});

test('property: short exactly when the total or some op is below its need', (t) => {
  fc.assert(
    fc.property(
      fc.dictionary(fc.constantFrom('A', 'B', 'C', 'D'), fc.nat(50)),
      fc.nat(120),
      fc.nat(30),
      (ops, minOps, minOpsPerOp) => {
        const s = shortfallOf(reach(ops), { minOps, minOpsPerOp });
        const total = Object.values(ops).reduce((a, b) => a + b, 0);
        const below = Object.entries(ops).filter(([, n]) => minOpsPerOp > 0 && n < minOpsPerOp);
        return (
          s.okOps === total &&
          s.short === ((minOps > 0 && total < minOps) || below.length > 0) &&
          Object.keys(s.shortOps).length === below.length
        );
      },
    ),
    { seed: 27, numRuns: 300 },
  );
  t.pass();
});

test('the self-test does not count a clean baseline run that fell short as clean evidence', (t) => {
  const none = { found: false, checkers: [], firstDetectionSec: null };
  const base = (seed: number, short: boolean): CaseOutcome => ({
    plant: null,
    scenario: 'scenarios/selftest-one-node.yaml',
    seed,
    detection: none,
    unknown: false,
    runDir: '',
    short,
  });
  const rows = tableRows([base(1, false), base(2, true)]);
  t.deepEqual(
    rows.map((r) => [r.hits, r.runs, r.short, r.pass]),
    [[2, 2, 1, false]],
  );
  t.false(selftestPasses(rows));
  t.true(renderTable(rows).includes('clean 2/2 (1 short)'));
  t.true(selftestPasses(tableRows([base(1, false), base(2, false)])));
});
