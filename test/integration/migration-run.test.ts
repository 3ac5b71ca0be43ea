// A migration scenario file run as a run: a run directory with the scenario, every check in
// results.json, and a report that answers first.

import test from 'ava';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMigrationScenario, runMigrationFile } from '../../lab/migration/run.ts';

test('scenarios/migration-no-sql.yaml runs into a run directory with its checks and report', async (t) => {
  const runsDir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-runs-'));
  t.teardown(() => rmSync(runsDir, { recursive: true, force: true }));
  const s = parseMigrationScenario(readFileSync('scenarios/migration-no-sql.yaml', 'utf8'), 'migration-no-sql.yaml')!;
  const res = await runMigrationFile(s, { base: '127.0.46', runsDir, log: (m) => t.log(m) });
  t.true(res.ok);
  const [dir] = readdirSync(runsDir);
  const results = JSON.parse(readFileSync(join(runsDir, dir!, 'results.json'), 'utf8')) as { checks: { name: string; ok: boolean }[] };
  t.deepEqual(results.checks.map((c) => [c.name, c.ok]), [
    ['the dual node fails to start', true],
    ['it never tried the lock', true],
    ['a legacy node still serves', true],
  ]);
  t.regex(readFileSync(res.report, 'utf8'), /\*\*Answer from this run\.\*\* All 3 acceptance checks passed/);
  t.regex(readFileSync(join(runsDir, dir!, 'scenario.yaml'), 'utf8'), /story: no-sql/);
});
