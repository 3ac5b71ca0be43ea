// Migration scenario files (scenarios/migration-*.yaml): `bbs-lab run` recognises them by their
// `migration:` block, plays the story (scenarios.ts) and writes a run directory like any run:
// the scenario as run, results.json with every check, and report.md answering the question first.
//
//   name: migration-redeploy
//   question: …
//   migration: { story: redeploy }

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { DEFAULT_RUNS_DIR, runId } from '../runner/run-dir.ts';
import { MIGRATION_SCENARIOS, runMigrationScenario, type MigrationScenario, type ScenarioResult } from './scenarios.ts';

export interface MigrationScenarioFile {
  name: string;
  description: string;
  question: string;
  story: MigrationScenario;
}

export class MigrationScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid scenario\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/** null when the text is not a migration scenario (no `migration:` block). */
export function parseMigrationScenario(text: string, file: string): MigrationScenarioFile | null {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch {
    return null;
  }
  if (!raw || typeof raw !== 'object' || !('migration' in raw)) return null;
  const o = raw as Record<string, unknown>;
  const problems: string[] = [];
  for (const k of Object.keys(o)) if (!['name', 'description', 'question', 'migration'].includes(k)) problems.push(`${k}: unknown field in a migration scenario; allowed: name, description, question, migration`);
  for (const k of ['name', 'question']) if (typeof o[k] !== 'string' || (o[k] as string).trim() === '') problems.push(`${k}: required, a non-empty string`);
  const m = o['migration'] as Record<string, unknown> | null;
  const story = m && typeof m === 'object' ? m['story'] : undefined;
  if (!(MIGRATION_SCENARIOS as readonly unknown[]).includes(story)) problems.push(`migration.story: must be ${MIGRATION_SCENARIOS.join(', ')}, got ${JSON.stringify(story ?? null)}`);
  if (problems.length > 0) throw new MigrationScenarioError(file, problems);
  return { name: o['name'] as string, description: typeof o['description'] === 'string' ? o['description'] : '', question: o['question'] as string, story: story as MigrationScenario };
}

/** report.md of a migration story: the answer (checks passed, the lock's path) first. Pure. */
export function renderMigrationReport(s: MigrationScenarioFile, runId: string, r: ScenarioResult): string {
  const failed = r.checks.filter((c) => !c.ok);
  const answer =
    failed.length === 0
      ? `All ${r.checks.length} acceptance checks passed on a real etcd, a real Galera node and the lab's Consul agent.`
      : `${failed.length} of ${r.checks.length} acceptance checks FAILED: ${failed.map((c) => c.name).join('; ')}.`;
  const lines = [`# ${s.name}: run ${runId}`, '', `**Question.** ${s.question.trim()}`, '', `**Answer from this run.** ${answer}${r.holders ? ` The BBS lock went ${r.holders}.` : ''}`, '', '## Checks', ''];
  for (const c of r.checks) lines.push(`- ${c.ok ? 'ok' : '**FAILED**'}: ${c.name}${c.detail ? ` (${c.detail})` : ''}`);
  lines.push('', `Story \`${s.story}\` (lab/migration/scenarios.ts); BBS nodes as modelled in models/bbs/node, migrations in models/bbs/migrations.`, '');
  return lines.join('\n');
}

export async function runMigrationFile(s: MigrationScenarioFile, opts: { base: string; runsDir?: string; log: (m: string) => void }): Promise<{ report: string; ok: boolean }> {
  const id = runId(s.name);
  const dir = join(opts.runsDir ?? DEFAULT_RUNS_DIR, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'scenario.yaml'), stringify({ name: s.name, description: s.description, question: s.question, migration: { story: s.story } }));
  opts.log(`migration story ${s.story}: run directory ${dir}`);
  const r = await runMigrationScenario(s.story, opts.base, opts.log);
  writeFileSync(join(dir, 'results.json'), JSON.stringify({ run: id, scenario: s.name, story: s.story, checks: r.checks, lockHolders: r.holders }, null, 2) + '\n');
  const report = join(dir, 'report.md');
  writeFileSync(report, renderMigrationReport(s, id, r));
  return { report, ok: r.checks.every((c) => c.ok) };
}
