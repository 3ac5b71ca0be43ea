// `bbs-lab migrate [story ...] [--base 127.0.45]`: plays the migration stories (scenarios.ts), each
// into a run directory of its own as `bbs-lab run scenarios/migration-<story>.yaml` writes one
// (findings/runs/<id>-migrate-<story>/ with history.jsonl, results.json, report.md), and prints one
// line per check. Exit 0 when every check passed, 1 otherwise, 2 on bad input.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addressBaseProblem } from '../cli/address-base.ts';
import { DEFAULT_RUNS_DIR, PROJECT_ROOT } from '../runner/run-dir.ts';
import { parseMigrationScenario, runMigrationFile, type MigrationScenarioFile } from './run.ts';
import { MIGRATION_SCENARIOS, type MigrationScenario } from './scenarios.ts';

/** Where migrate runs when neither --base nor BBS_LAB_ADDRESS_BASE says: apart from run's default 127.0.0. */
export const MIGRATE_DEFAULT_BASE = '127.0.45';

/**
 * The address base: --base, else BBS_LAB_ADDRESS_BASE, else 127.0.45. A bad value is a problem
 * naming where it came from. Pure.
 */
export function migrateBase(flag: string | undefined, env: string | undefined): { base: string } | { problem: string } {
  const [value, from] = flag !== undefined ? [flag, '--base'] : env !== undefined && env !== '' ? [env, 'BBS_LAB_ADDRESS_BASE'] : [MIGRATE_DEFAULT_BASE, 'default'];
  const problem = addressBaseProblem(value);
  return problem ? { problem: `${from} ${problem}` } : { base: value };
}

/**
 * The scenario file a story runs as: the shipped one (scenarios/migration-<story>.yaml, or
 * scenarios/<story>.yaml for upgrade-dust) with its question and options, named migrate-<story>
 * so its run directory says which command made it.
 */
export function migrateScenarioFile(story: MigrationScenario, root = PROJECT_ROOT): MigrationScenarioFile {
  for (const file of [join(root, 'scenarios', `migration-${story}.yaml`), join(root, 'scenarios', `${story}.yaml`)]) {
    if (!existsSync(file)) continue;
    const s = parseMigrationScenario(readFileSync(file, 'utf8'), file);
    if (s && s.story === story) return { ...s, name: `migrate-${story}` };
  }
  return { name: `migrate-${story}`, description: '', question: `Does the ${story} migration story pass its acceptance checks?`, story };
}

export async function cmdMigrate(argv: string[], opts: { runsDir?: string } = {}): Promise<number> {
  let flag: string | undefined;
  const names: MigrationScenario[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--base') flag = argv[++i] ?? '';
    else if ((MIGRATION_SCENARIOS as readonly string[]).includes(a)) names.push(a as MigrationScenario);
    else {
      process.stderr.write(`migrate: unknown story ${JSON.stringify(a)}; one of ${MIGRATION_SCENARIOS.join(', ')}\n`);
      return 2;
    }
  }
  const b = migrateBase(flag, process.env['BBS_LAB_ADDRESS_BASE']);
  if ('problem' in b) {
    process.stderr.write(`migrate: ${b.problem}\n`);
    return 2;
  }
  let failed = 0;
  for (const name of names.length ? names : MIGRATION_SCENARIOS) {
    process.stdout.write(`== ${name}\n`);
    try {
      const res = await runMigrationFile(migrateScenarioFile(name), {
        base: b.base,
        runsDir: opts.runsDir ?? DEFAULT_RUNS_DIR,
        log: (m) => {
          if (m.startsWith('story ') || m.includes('run directory')) process.stderr.write(`  … ${m}\n`);
        },
      });
      const r = res.result;
      for (const c of r.checks) {
        process.stdout.write(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.detail ? ` (${c.detail})` : ''}\n`);
        if (!c.ok) failed++;
      }
      if (r.holders) process.stdout.write(`  lock holders: ${r.holders}\n`);
      const v = r.verdict;
      if (v) process.stdout.write(`  workload: ${v.ops} API calls, ${v.okOps} answered, longest outage ${v.longestOutageSec.toFixed(1)} s, ${v.lostWrites.length} acknowledged writes lost\n`);
      process.stdout.write(`  report: ${res.report}\n`);
    } catch (e) {
      failed++;
      process.stdout.write(`  FAIL ${(e as Error).message}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  cmdMigrate(process.argv.slice(2)).then((code) => process.exit(code));
}
