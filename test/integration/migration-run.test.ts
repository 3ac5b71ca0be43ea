// Migration scenario files run as runs: a run directory with the scenario, every check in
// results.json, the workload's history, and a report that answers first; and the known gap of the
// 2016 migration, which the lab must find every time.

import test from 'ava';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPath } from '../../lab/cli/check.ts';
import { parseMigrationScenario, runMigrationFile } from '../../lab/runner/migration-run.ts';
import { runMigrationScenario } from '../../lab/migration/play.ts';

test('scenarios/migration-no-sql.yaml runs into a run directory with its checks and report', async (t) => {
  const runsDir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-runs-'));
  t.teardown(() => rmSync(runsDir, { recursive: true, force: true }));
  const s = parseMigrationScenario(
    readFileSync('scenarios/migration-no-sql.yaml', 'utf8'),
    'migration-no-sql.yaml',
  )!;
  const res = await runMigrationFile(s, { base: '127.0.46', runsDir, log: (m) => t.log(m) });
  t.true(res.ok);
  const [dir] = readdirSync(runsDir);
  const results = JSON.parse(readFileSync(join(runsDir, dir!, 'results.json'), 'utf8')) as {
    checks: { name: string; ok: boolean }[];
  };
  t.deepEqual(
    results.checks.map((c) => [c.name, c.ok]),
    [
      ['the dual node fails to start', true],
      ['it never tried the lock', true],
      ['a legacy node still serves', true],
    ],
  );
  t.regex(
    readFileSync(res.report, 'utf8'),
    /\*\*Answer from this run\.\*\* All 3 acceptance checks passed/,
  );
  t.regex(readFileSync(join(runsDir, dir!, 'scenario.yaml'), 'utf8'), /story: no-sql/);
});

test('scenarios/upgrade-dust.yaml: a rolling upgrade under load keeps every write, migrates once, and answers 503 while migrating', async (t) => {
  t.timeout(240_000);
  const runsDir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-runs-'));
  t.teardown(() => rmSync(runsDir, { recursive: true, force: true }));
  const s = parseMigrationScenario(
    readFileSync('scenarios/upgrade-dust.yaml', 'utf8'),
    'upgrade-dust.yaml',
  )!;
  const res = await runMigrationFile(s, { base: '127.0.47', runsDir, log: (m) => t.log(m) });
  const [dir] = readdirSync(runsDir);
  const results = JSON.parse(readFileSync(join(runsDir, dir!, 'results.json'), 'utf8')) as {
    checks: { name: string; ok: boolean; detail: string }[];
    history: { ops: number; okOps: number; lostWrites: unknown[]; checkers: { valid: boolean } };
  };
  for (const c of results.checks) t.true(c.ok, `${c.name}: ${c.detail}`);
  t.true(res.ok);
  t.deepEqual(
    results.checks.map((c) => c.name),
    [
      'every legacy record is in SQL, record by record',
      'the migrating node answered 503 while it migrated',
      'one migration run, also after other dual nodes took the lock',
      'the BBS answered again within 10 s of every step',
      'the checkers find the history valid (linearizable per key, invariants hold)',
      'no acknowledged write is lost',
      'no client was answered by a legacy node once a dual node had served',
    ],
  );
  t.true(results.history.okOps > 100, `${results.history.okOps} ok calls`);
  // The history in the run directory is judged again from the file alone.
  const again = checkPath(join(runsDir, dir!), {});
  t.is(again.report.valid, true);
  t.regex(
    readFileSync(res.report, 'utf8'),
    /The workload made [\d,]+ BBS API calls during the story, [\d,]+ answered; the longest stretch without an answer was [\d.]+ s; 0 acknowledged writes were lost/,
  );
  t.regex(readFileSync(join(runsDir, dir!, 'timeline.svg'), 'utf8'), /^<svg/);
});

test('the 2016 gap is found every time: writes a legacy node acknowledges after the SQL version write are lost', async (t) => {
  t.timeout(180_000);
  const r = await runMigrationScenario('gap', '127.0.48', (m) => t.log(m));
  for (const c of r.checks) t.true(c.ok, `${c.name}: ${c.detail}`);
  t.true(r.verdict!.lostWrites.length > 0);
  t.true(
    r.verdict!.lostWrites.every((w) => w.node.startsWith('legacy')),
    'every lost write was acknowledged by a legacy node',
  );
  t.is(r.verdict!.checkers.valid, false, 'the linearizability checker rejects the history too');
});
