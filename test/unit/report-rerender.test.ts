// `bbs-lab report <run-dir>` re-renders from the history but keeps what only the run knew: the
// runner's start (warm or cold) and phase times, and the interruption (issue 24's rename of the
// isolation anomalies re-rendered the charter's runs; before this they lost their phases).
import test from 'ava';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rerenderRun } from '../../lab/report/write.ts';
import { fixtureScenario, renderFixtureRun } from '../browser/report-fixture.ts';

test('a re-render recomputes the checks and keeps start, phases and the interruption', (t) => {
  const dir = renderFixtureRun();
  t.teardown(() => rmSync(dir.path, { recursive: true, force: true }));
  const first = JSON.parse(readFileSync(dir.results, 'utf8'));
  const start = { warm: true, reason: 'reused the previous run cluster' };
  const phases = { workload: 5, checks: 0.2, wallSec: 6 };
  writeFileSync(
    dir.results,
    JSON.stringify({
      ...first,
      interrupted: 'SIGINT at 3.1 s',
      start,
      phases,
      stats: { ops: -1 },
    }),
  );
  rerenderRun(dir, fixtureScenario(), 7);
  const after = JSON.parse(readFileSync(dir.results, 'utf8'));
  t.deepEqual(after.start, start);
  t.deepEqual(after.phases, phases);
  t.is(after.interrupted, 'SIGINT at 3.1 s');
  // Recomputed from the history, not carried over.
  t.deepEqual(after.stats, first.stats);
  t.regex(readFileSync(dir.report, 'utf8'), /SIGINT at 3\.1 s/);
});

test('a run without runner fields gets none', (t) => {
  const dir = renderFixtureRun();
  t.teardown(() => rmSync(dir.path, { recursive: true, force: true }));
  rerenderRun(dir, fixtureScenario(), 7);
  const after = JSON.parse(readFileSync(dir.results, 'utf8'));
  t.false('start' in after);
  t.false('phases' in after);
  t.is(after.interrupted, null);
});
