// `bbs-lab migrate [scenario ...] [--base 127.0.45]`: runs the migration scenarios (scenarios.ts)
// and prints one line per check. Exit 0 when every check passed, 1 otherwise, 2 on bad input.
// Hook into lab/cli/main.ts with: case 'migrate': return cmdMigrate(rest);

import { addressBaseProblem } from '../cli/address-base.ts';
import { MIGRATION_SCENARIOS, runMigrationScenario, type MigrationScenario } from './scenarios.ts';

export async function cmdMigrate(argv: string[]): Promise<number> {
  let base = '127.0.45';
  const names: MigrationScenario[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--base') {
      base = argv[++i] ?? '';
      const problem = addressBaseProblem(base);
      if (problem) {
        process.stderr.write(`migrate: --base ${problem}\n`);
        return 2;
      }
    } else if ((MIGRATION_SCENARIOS as readonly string[]).includes(a)) names.push(a as MigrationScenario);
    else {
      process.stderr.write(`migrate: unknown scenario ${JSON.stringify(a)}; one of ${MIGRATION_SCENARIOS.join(', ')}\n`);
      return 2;
    }
  }
  let failed = 0;
  for (const name of names.length ? names : MIGRATION_SCENARIOS) {
    process.stdout.write(`== ${name}\n`);
    try {
      const r = await runMigrationScenario(name, base, (m) => {
        if (m.startsWith('story ')) process.stderr.write(`  … ${m}\n`);
      });
      for (const c of r.checks) {
        process.stdout.write(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.detail ? ` (${c.detail})` : ''}\n`);
        if (!c.ok) failed++;
      }
      if (r.holders) process.stdout.write(`  lock holders: ${r.holders}\n`);
      const v = r.verdict;
      if (v) process.stdout.write(`  workload: ${v.ops} API calls, ${v.okOps} answered, longest outage ${v.longestOutageSec.toFixed(1)} s, ${v.lostWrites.length} acknowledged writes lost\n`);
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
