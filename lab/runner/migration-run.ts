// Migration scenario files (scenarios/migration-*.yaml, scenarios/upgrade-dust*.yaml): `bbs-lab
// run` recognises them by their `migration:` block (validated by lab/scenario/migration.ts through
// the scenario validator), plays the story through the one story runner (play.ts) and writes a run
// directory like any run: the scenario as run, results.json with every check, and report.md
// answering the question first; with a workload also history.jsonl (every BBS API call of the
// story) and timeline.svg.
//
//   name: migration-redeploy
//   question: …
//   migration: { story: redeploy }
// Every story takes `workload: { clients, seed }` and `lock: { ttlSec, retryMs }`; a story's own
// options (upgrade-dust: `stop: graceful|kill`, `maxOutageSec`) are in its file's `takes`.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { HistoryEvent } from '../history/event.ts';
import { readHistory } from '../history/reader.ts';
import { throughputChart } from '../report/charts/throughput.ts';
import { computeStats, workloadStart, type FaultWindow } from '../report/stats.ts';
import { DEFAULT_RUNS_DIR, PROJECT_ROOT, runId } from './run-dir.ts';
import { isMigrationDoc, migrationDoc, type MigrationScenarioFile } from '../scenario/migration.ts';
import { loadScenarioYaml, validateMigrationScenario } from '../scenario/validate.ts';
import { playStory, type ScenarioResult } from '../migration/play.ts';
import { STORIES, storyNamed } from '../migration/stories/index.ts';

export type { MigrationScenarioFile } from '../scenario/migration.ts';

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

/**
 * The outage after each story step (a stop, a kill, a killed migration): from the step to the next
 * ok op. Pure.
 */
export function stepWindows(events: readonly HistoryEvent[]): FaultWindow[] {
  const t0 = workloadStart(events);
  const okTimes = events.filter((e) => e.type === 'ok').map((e) => e.time);
  const out: FaultWindow[] = [];
  let i = 0;
  for (const e of events) {
    if (e.type !== 'nemesis' || !/^(stop|kill) |killed at/.test(e.kind)) continue;
    const next = okTimes.find((t) => t > e.time);
    out.push({
      id: `step-${++i}`,
      kind: e.kind,
      target: '',
      start: (e.time - t0) / 1e9,
      end: next === undefined ? null : (next - t0) / 1e9,
    });
  }
  return out;
}

/** Where a story's checks ran, by its setup. */
function playedOn(story: string): string {
  const st = STORIES.find((x) => x.name === story);
  if (st?.setup === 'none') return '(nothing was played: every row is worked out from the code)';
  if (st?.setup === 'stores-behind-proxies')
    return `on a real etcd and a real ${st.galeraNodes ?? 1}-node Galera, each behind the lab's proxy, with the lab's Consul agent`;
  return "on a real etcd, a real Galera node and the lab's Consul agent";
}

/**
 * report.md of a migration story: the answer (checks passed, the workload's numbers) first. Pure.
 */
export function renderMigrationReport(
  s: MigrationScenarioFile,
  runId: string,
  r: ScenarioResult,
  timeline?: string,
): string {
  const failed = r.checks.filter((c) => !c.ok);
  const answer =
    failed.length === 0
      ? `All ${r.checks.length} acceptance checks passed ${playedOn(s.story)}.`
      : `${failed.length} of ${r.checks.length} acceptance checks FAILED: ${failed.map((c) => c.name).join('; ')}.`;
  const v = r.verdict;
  const workload = v
    ? ` The workload made ${v.ops.toLocaleString('en-US')} BBS API calls during the story, ${v.okOps.toLocaleString('en-US')} answered; the longest stretch without an answer was ${v.longestOutageSec.toFixed(1)} s; ${v.lostWrites.length} acknowledged writes were lost; ${v.checkers.summary.join(' ')}`
    : '';
  const lock = s.lock ?? { ttlSec: 1, retryMs: 500 };
  const timing = ` Lock timing: session TTL ${lock.ttlSec} s, retry every ${lock.retryMs} ms${s.lock ? '' : " (the lab's quick default; the 2016 BBS used 10 s and 5000 ms)"}.`;
  const said = (r.sections ?? []).map((x) => x.answer).filter((x): x is string => !!x);
  const lines = [
    `# ${s.name}: run ${runId}`,
    '',
    `**Question.** ${s.question.trim()}`,
    '',
    `**Answer from this run.** ${said.length ? `${said.join(' ')} ` : ''}${answer}${workload}${r.holders ? ` The BBS lock went ${r.holders}.` : ''}${timing}`,
    '',
  ];
  for (const x of r.sections ?? []) lines.push(`## ${x.title}`, '', x.markdown, '');
  lines.push('## Checks', '');
  for (const c of r.checks)
    lines.push(`- ${c.ok ? 'ok' : '**FAILED**'}: ${c.name}${c.detail ? ` (${c.detail})` : ''}`);
  if (v && v.lostWrites.length > 0) {
    lines.push(
      '',
      '## Lost writes (first 20)',
      '',
      '| op | call | key | acknowledged by |',
      '| --- | --- | --- | --- |',
    );
    for (const w of v.lostWrites.slice(0, 20))
      lines.push(`| ${w.op} | ${w.f} | ${w.key} | ${w.node} |`);
  }
  if (timeline)
    lines.push(
      '',
      '## Timeline',
      '',
      `![BBS API answers per second; shaded: from each step to the next answer](${timeline})`,
    );
  lines.push(
    '',
    `Story \`${s.story}\` (lab/migration/stories/${s.story}.ts); BBS nodes as modelled in bbs/node, migrations in bbs/migrations; ${v ? 'every API call in history.jsonl (`bbs-lab check` judges it again)' : "the story's steps in history.jsonl"}.`,
    '',
  );
  return lines.join('\n');
}

export async function runMigrationFile(
  s: MigrationScenarioFile,
  opts: { base: string; runsDir?: string; log: (m: string) => void },
): Promise<{ report: string; ok: boolean; dir: string; result: ScenarioResult }> {
  const id = runId(s.name);
  const dir = join(opts.runsDir ?? DEFAULT_RUNS_DIR, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'scenario.yaml'), stringify(migrationDoc(s)));
  opts.log(`migration story ${s.story}: run directory ${dir}`);
  const historyPath = join(dir, 'history.jsonl');
  const r = await playStory(storyNamed(s.story), opts.base, {
    historyPath,
    log: opts.log,
    ...(s.stop ? { stop: s.stop } : {}),
    ...(s.maxOutageSec ? { maxOutageSec: s.maxOutageSec } : {}),
    ...(s.workload ? { workload: s.workload } : {}),
    ...(s.lock ? { lock: s.lock } : {}),
    ...(s.versions ? { versions: s.versions } : {}),
    ...(s.phases ? { phases: s.phases } : {}),
  });
  const v = r.verdict;
  const results = {
    run: id,
    scenario: s.name,
    story: s.story,
    checks: r.checks,
    lockHolders: r.holders,
    ...Object.fromEntries((r.sections ?? []).map((x) => [x.key, x.data])),
    ...(v
      ? {
          history: {
            ops: v.ops,
            okOps: v.okOps,
            longestOutageSec: v.longestOutageSec,
            lostWrites: v.lostWrites,
            legacyAfterMigration: v.legacyAfterMigration.length,
            checkers: { valid: v.checkers.valid, summary: v.checkers.summary },
          },
        }
      : {}),
  };
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  let timeline: string | undefined;
  if (v) {
    const events = readHistory(historyPath).events;
    writeFileSync(
      join(dir, 'timeline.svg'),
      throughputChart(computeStats(events).perSecond, stepWindows(events)),
    );
    timeline = 'timeline.svg';
  }
  const report = join(dir, 'report.md');
  writeFileSync(report, renderMigrationReport(s, id, r, timeline));
  return { report, ok: r.checks.every((c) => c.ok), dir, result: r };
}
