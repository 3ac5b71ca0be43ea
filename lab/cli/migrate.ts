// `bbs-lab migrate [story ...] [--base 127.0.45]` (`--list`: the stories): an alias of `bbs-lab
// run` for the migration scenarios. Each story plays its shipped scenario file
// (lab/runner/migration-run.ts migrateScenarioFile) into a run directory of its own
// (findings/runs/<id>-migrate-<story>/ with history.jsonl, results.json, report.md), and prints one
// line per check. Exit 0 when every check passed, 1 otherwise, 2 on bad input.

import { addressBaseProblem } from './address-base.ts';
import { DEFAULT_RUNS_DIR } from '../runner/run-dir.ts';
import { migrateScenarioFile, runMigrationFile } from '../runner/migration-run.ts';
import { STORIES, STORY_NAMES } from '../migration/stories/index.ts';

/**
 * Where migrate runs when neither --base nor BBS_LAB_ADDRESS_BASE says: apart from run's default
 * 127.0.0.
 */
export const MIGRATE_DEFAULT_BASE = '127.0.45';

/**
 * The address base: --base, else BBS_LAB_ADDRESS_BASE, else 127.0.45. A bad value is a problem
 * naming where it came from. Pure.
 */
export function migrateBase(
  flag: string | undefined,
  env: string | undefined,
): { base: string } | { problem: string } {
  const [value, from] =
    flag !== undefined
      ? [flag, '--base']
      : env !== undefined && env !== ''
        ? [env, 'BBS_LAB_ADDRESS_BASE']
        : [MIGRATE_DEFAULT_BASE, 'default'];
  const problem = addressBaseProblem(value);
  return problem ? { problem: `${from} ${problem}` } : { base: value };
}

/**
 * `migrate --list`: one line per story, in the order `migrate` plays them: its name, options and
 * question.
 */
export function storyList(): string {
  return STORIES.map((st) => {
    const f = migrateScenarioFile(st.name);
    const takes = st.takes.length ? ` [${st.takes.join(', ')}]` : '';
    return `${st.name}${takes}\n    ${f.question.trim().replace(/\s+/g, ' ')}\n`;
  }).join('');
}

export async function cmdMigrate(argv: string[], opts: { runsDir?: string } = {}): Promise<number> {
  let flag: string | undefined;
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--list') {
      process.stdout.write(storyList());
      return 0;
    }
    if (a === '--base') flag = argv[++i] ?? '';
    else if (STORY_NAMES.includes(a)) names.push(a);
    else {
      process.stderr.write(
        `migrate: unknown story ${JSON.stringify(a)}; one of ${STORY_NAMES.join(', ')}\n`,
      );
      return 2;
    }
  }
  const b = migrateBase(flag, process.env.BBS_LAB_ADDRESS_BASE);
  if ('problem' in b) {
    process.stderr.write(`migrate: ${b.problem}\n`);
    return 2;
  }
  let failed = 0;
  for (const name of names.length ? names : STORY_NAMES) {
    process.stdout.write(`== ${name}\n`);
    try {
      const res = await runMigrationFile(migrateScenarioFile(name), {
        base: b.base,
        runsDir: opts.runsDir ?? DEFAULT_RUNS_DIR,
        log: (m) => {
          if (m.startsWith('story ') || m.includes('run directory'))
            process.stderr.write(`  … ${m}\n`);
        },
      });
      const r = res.result;
      for (const c of r.checks) {
        process.stdout.write(
          `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.detail ? ` (${c.detail})` : ''}\n`,
        );
        if (!c.ok) failed++;
      }
      if (r.holders) process.stdout.write(`  lock holders: ${r.holders}\n`);
      const v = r.verdict;
      if (v)
        process.stdout.write(
          `  workload: ${v.ops} API calls, ${v.okOps} answered, longest outage ${v.longestOutageSec.toFixed(1)} s, ${v.lostWrites.length} acknowledged writes lost\n`,
        );
      process.stdout.write(`  report: ${res.report}\n`);
    } catch (e) {
      failed++;
      process.stdout.write(`  FAIL ${(e as Error).message}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}
