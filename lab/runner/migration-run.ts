// Migration scenario files (scenarios/migration-*.yaml, scenarios/upgrade-dust*.yaml): `bbs-lab run`
// recognises them by their `migration:` block (validated by lab/scenario/migration.ts through the
// scenario validator), plays the story through the one story runner (play.ts) and writes a run
// directory as every run does (run-dir.ts): the scenario as run, results.json with every check,
// report.md answering the question first (lab/migration/report.ts), the Galera nodes' logs in
// logs/; with a workload also history.jsonl (every BBS API call of the story) and timeline.svg.
//
//   name: migration-redeploy
//   question: …
//   migration: { story: redeploy }
// Every story takes `workload: { clients, seed }` and `lock: { ttlSec, retryMs }`; a story's own
// options (upgrade-dust: `stop: graceful|kill`, `maxOutageSec`) are in its file's `takes`.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readHistory } from '../history/reader.ts';
import { playStory, type ScenarioResult } from '../migration/play.ts';
import { migrationResults, renderMigrationReport, stepWindows } from '../migration/report.ts';
import { STORIES, storyNamed } from '../migration/stories/index.ts';
import { throughputChart } from '../report/charts/throughput.ts';
import { computeStats } from '../report/stats.ts';
import { isMigrationDoc, migrationDoc, type MigrationScenarioFile } from '../scenario/migration.ts';
import { loadScenarioYaml, validateMigrationScenario } from '../scenario/validate.ts';
import { openRunDir, PROJECT_ROOT, writeResults } from './run-dir.ts';

export type { MigrationScenarioFile } from '../scenario/migration.ts';
export { renderMigrationReport, stepWindows } from '../migration/report.ts';

/**
 * The migration scenario in a scenario file's text, or null when it has no `migration:` block.
 * Loaded as every scenario file is; a bad field throws ScenarioError naming it and the fix.
 */
export function parseMigrationScenario(text: string, file: string): MigrationScenarioFile | null {
  const doc = loadScenarioYaml(text, file);
  return isMigrationDoc(doc) ? validateMigrationScenario(doc, file, STORIES) : null;
}

/**
 * The scenario file a story runs as under `bbs-lab migrate`: the shipped one (scenarios/migration-
 * <story>.yaml, or scenarios/<story>.yaml for upgrade-dust) with its question and options, named
 * migrate-<story> so its run directory says which command made it.
 */
export function migrateScenarioFile(story: string, root = PROJECT_ROOT): MigrationScenarioFile {
  for (const file of [
    join(root, 'scenarios', `migration-${story}.yaml`),
    join(root, 'scenarios', `${story}.yaml`),
  ]) {
    if (!existsSync(file)) continue;
    const s = parseMigrationScenario(readFileSync(file, 'utf8'), file);
    if (s && s.story === story) return { ...s, name: `migrate-${story}` };
  }
  return {
    name: `migrate-${story}`,
    description: '',
    question: `Does the ${story} migration story pass its acceptance checks?`,
    story,
  };
}

export async function runMigrationFile(
  s: MigrationScenarioFile,
  opts: { base: string; runsDir?: string; log: (m: string) => void },
): Promise<{ report: string; ok: boolean; dir: string; result: ScenarioResult }> {
  const dir = openRunDir(s.name, migrationDoc(s), opts.runsDir);
  opts.log(`migration story ${s.story}: run directory ${dir.path}`);
  const r = await playStory(storyNamed(s.story), opts.base, {
    historyPath: dir.history,
    logDir: dir.logs,
    log: opts.log,
    ...(s.stop ? { stop: s.stop } : {}),
    ...(s.maxOutageSec ? { maxOutageSec: s.maxOutageSec } : {}),
    ...(s.workload ? { workload: s.workload } : {}),
    ...(s.lock ? { lock: s.lock } : {}),
    ...(s.versions ? { versions: s.versions } : {}),
    ...(s.phases ? { phases: s.phases } : {}),
  });
  writeResults(dir, migrationResults(s, dir.id, r));
  let timeline: string | undefined;
  if (r.verdict) {
    const events = readHistory(dir.history).events;
    writeFileSync(
      join(dir.path, 'timeline.svg'),
      throughputChart(computeStats(events).perSecond, stepWindows(events)),
    );
    timeline = 'timeline.svg';
  }
  writeFileSync(dir.report, renderMigrationReport(s, dir.id, r, timeline));
  return { report: dir.report, ok: r.checks.every((c) => c.ok), dir: dir.path, result: r };
}
