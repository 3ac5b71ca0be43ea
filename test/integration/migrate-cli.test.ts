// `bbs-lab migrate <story>` writes a run directory as `bbs-lab run` does, on the address base it is
// given.

import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cmdMigrate } from '../../lab/cli/migrate.ts';

test('migrate no-sql --base 127.0.70: findings/runs/<id>-migrate-no-sql/ with history, results and report', async (t) => {
  t.timeout(180_000);
  const runsDir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-runs-'));
  t.teardown(() => rmSync(runsDir, { recursive: true, force: true }));
  t.is(await cmdMigrate(['no-sql', '--base', '127.0.70'], { runsDir }), 0);
  const dirs = readdirSync(runsDir);
  t.is(dirs.length, 1);
  t.regex(dirs[0]!, /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-migrate-no-sql$/);
  const dir = join(runsDir, dirs[0]!);
  for (const f of ['history.jsonl', 'results.json', 'report.md', 'scenario.yaml'])
    t.true(existsSync(join(dir, f)), f);
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
    scenario: string;
    checks: { ok: boolean; detail?: string }[];
  };
  t.is(results.scenario, 'migrate-no-sql');
  t.is(results.checks.length, 3);
  t.true(results.checks.every((c) => c.ok));
  // The story ran on the base it was given: the dual node tried SQL at <base>.11.
  t.regex(results.checks[0]!.detail ?? '', /127\.0\.70\.11:3306/);
  t.regex(
    readFileSync(join(dir, 'report.md'), 'utf8'),
    /\*\*Answer from this run\.\*\* All 3 acceptance checks passed/,
  );
  // no-sql's workload has nothing to call (no node serves SQL): the history is there and empty.
  t.is(readFileSync(join(dir, 'history.jsonl'), 'utf8').trim(), '');
});
