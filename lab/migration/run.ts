// Migration scenario files (scenarios/migration-*.yaml): `bbs-lab run` recognises them by their
// `migration:` block, plays the story (scenarios.ts) and writes a run directory like any run:
// the scenario as run, results.json with every check, and report.md answering the question first.
//
//   name: migration-redeploy
//   question: …
//   migration: { story: redeploy }
// upgrade-dust also takes `stop: graceful|kill` and `maxOutageSec`; every story `workload:
// { clients, seed }` and `lock: { ttlSec, retryMs }`. The run directory also holds history.jsonl (every BBS API call of the
// story's workload) and timeline.svg.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { HistoryEvent } from '../history/event.ts';
import { readHistory } from '../history/reader.ts';
import { throughputChart } from '../report/charts/throughput.ts';
import { computeStats, workloadStart, type FaultWindow } from '../report/stats.ts';
import { DEFAULT_RUNS_DIR, runId } from '../runner/run-dir.ts';
import { MIGRATION_SCENARIOS, runMigrationScenario, type MigrationScenario, type ScenarioResult } from './scenarios.ts';

export interface MigrationScenarioFile {
  name: string;
  description: string;
  question: string;
  story: MigrationScenario;
  /** upgrade-dust: how each old node goes (graceful stop, as BOSH does it, or kill). */
  stop?: 'graceful' | 'kill';
  /** upgrade-dust: the longest outage (seconds) its check allows. */
  maxOutageSec?: number;
  workload?: { clients?: number; seed?: number };
  /** The lock's timing: session TTL (whole seconds) and retry interval (ms); default 1 s / 500 ms. */
  lock?: { ttlSec: number; retryMs: number };
}

export class MigrationScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid scenario\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

const MIGRATION_FIELDS = ['story', 'stop', 'maxOutageSec', 'workload', 'lock'];

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
  const m = (o['migration'] && typeof o['migration'] === 'object' ? o['migration'] : {}) as Record<string, unknown>;
  for (const k of Object.keys(m)) if (!MIGRATION_FIELDS.includes(k)) problems.push(`migration.${k}: unknown field; allowed: ${MIGRATION_FIELDS.join(', ')}`);
  const story = m['story'];
  if (!(MIGRATION_SCENARIOS as readonly unknown[]).includes(story)) problems.push(`migration.story: must be ${MIGRATION_SCENARIOS.join(', ')}, got ${JSON.stringify(story ?? null)}`);
  const out: MigrationScenarioFile = { name: o['name'] as string, description: typeof o['description'] === 'string' ? o['description'] : '', question: o['question'] as string, story: story as MigrationScenario };
  if (m['stop'] !== undefined) {
    if (m['stop'] !== 'graceful' && m['stop'] !== 'kill') problems.push(`migration.stop: must be graceful or kill, got ${JSON.stringify(m['stop'])}`);
    else if (story !== 'upgrade-dust') problems.push('migration.stop: only used by story upgrade-dust; remove it');
    else out.stop = m['stop'];
  }
  if (m['maxOutageSec'] !== undefined) {
    const v = m['maxOutageSec'];
    if (typeof v !== 'number' || !(v > 0)) problems.push(`migration.maxOutageSec: a number of seconds above 0, got ${JSON.stringify(v)}`);
    else if (story !== 'upgrade-dust') problems.push('migration.maxOutageSec: only used by story upgrade-dust; remove it');
    else out.maxOutageSec = v;
  }
  if (m['workload'] !== undefined) {
    const w = m['workload'] as Record<string, unknown> | null;
    if (!w || typeof w !== 'object') problems.push('migration.workload: a map with clients and/or seed');
    else {
      for (const k of Object.keys(w)) if (k !== 'clients' && k !== 'seed') problems.push(`migration.workload.${k}: unknown field; allowed: clients, seed`);
      const c = w['clients'];
      if (c !== undefined && (!Number.isInteger(c) || (c as number) < 1 || (c as number) > 32)) problems.push(`migration.workload.clients: an integer from 1 to 32, got ${JSON.stringify(c)}`);
      const sd = w['seed'];
      if (sd !== undefined && !Number.isInteger(sd)) problems.push(`migration.workload.seed: an integer, got ${JSON.stringify(sd)}`);
      out.workload = { ...(c !== undefined ? { clients: c as number } : {}), ...(sd !== undefined ? { seed: sd as number } : {}) };
    }
  }
  if (m['lock'] !== undefined) {
    const l = m['lock'] as Record<string, unknown> | null;
    if (!l || typeof l !== 'object') problems.push('migration.lock: a map { ttlSec, retryMs }, e.g. { ttlSec: 10, retryMs: 5000 } for the 2016 BBS');
    else {
      for (const k of Object.keys(l)) if (k !== 'ttlSec' && k !== 'retryMs') problems.push(`migration.lock.${k}: unknown field; allowed: ttlSec, retryMs`);
      const ttl = l['ttlSec'];
      const retry = l['retryMs'];
      if (!Number.isInteger(ttl) || (ttl as number) < 1 || (ttl as number) > 86400) problems.push(`migration.lock.ttlSec: whole seconds from 1 to 86400 (the BBS used 10, then 15), got ${JSON.stringify(ttl ?? null)}`);
      if (!Number.isInteger(retry) || (retry as number) < 10) problems.push(`migration.lock.retryMs: milliseconds, at least 10 (the BBS retried every 5000), got ${JSON.stringify(retry ?? null)}`);
      out.lock = { ttlSec: ttl as number, retryMs: retry as number };
    }
  }
  if (problems.length > 0) throw new MigrationScenarioError(file, problems);
  return out;
}

/** The outage after each story step (a stop, a kill, a killed migration): from the step to the next ok op. Pure. */
export function stepWindows(events: readonly HistoryEvent[]): FaultWindow[] {
  const t0 = workloadStart(events);
  const okTimes = events.filter((e) => e.type === 'ok').map((e) => e.time);
  const out: FaultWindow[] = [];
  let i = 0;
  for (const e of events) {
    if (e.type !== 'nemesis' || !/^(stop|kill) |killed at/.test(e.kind)) continue;
    const next = okTimes.find((t) => t > e.time);
    out.push({ id: `step-${++i}`, kind: e.kind, target: '', start: (e.time - t0) / 1e9, end: next === undefined ? null : (next - t0) / 1e9 });
  }
  return out;
}

/** report.md of a migration story: the answer (checks passed, the workload's numbers) first. Pure. */
export function renderMigrationReport(s: MigrationScenarioFile, runId: string, r: ScenarioResult, timeline?: string): string {
  const failed = r.checks.filter((c) => !c.ok);
  const answer =
    failed.length === 0
      ? `All ${r.checks.length} acceptance checks passed on a real etcd, a real Galera node and the lab's Consul agent.`
      : `${failed.length} of ${r.checks.length} acceptance checks FAILED: ${failed.map((c) => c.name).join('; ')}.`;
  const v = r.verdict;
  const workload = v
    ? ` The workload made ${v.ops.toLocaleString('en-US')} BBS API calls during the story, ${v.okOps.toLocaleString('en-US')} answered; the longest stretch without an answer was ${v.longestOutageSec.toFixed(1)} s; ${v.lostWrites.length} acknowledged writes were lost; ${v.checkers.summary.join(' ')}`
    : '';
  const lock = s.lock ?? { ttlSec: 1, retryMs: 500 };
  const timing = ` Lock timing: session TTL ${lock.ttlSec} s, retry every ${lock.retryMs} ms${s.lock ? '' : " (the lab's quick default; the 2016 BBS used 10 s and 5000 ms)"}.`;
  const lines = [`# ${s.name}: run ${runId}`, '', `**Question.** ${s.question.trim()}`, '', `**Answer from this run.** ${answer}${workload}${r.holders ? ` The BBS lock went ${r.holders}.` : ''}${timing}`, '', '## Checks', ''];
  for (const c of r.checks) lines.push(`- ${c.ok ? 'ok' : '**FAILED**'}: ${c.name}${c.detail ? ` (${c.detail})` : ''}`);
  if (v && v.lostWrites.length > 0) {
    lines.push('', '## Lost writes (first 20)', '', '| op | call | key | acknowledged by |', '| --- | --- | --- | --- |');
    for (const w of v.lostWrites.slice(0, 20)) lines.push(`| ${w.op} | ${w.f} | ${w.key} | ${w.node} |`);
  }
  if (timeline) lines.push('', '## Timeline', '', `![BBS API answers per second; shaded: from each step to the next answer](${timeline})`);
  lines.push('', `Story \`${s.story}\` (lab/migration/scenarios.ts); BBS nodes as modelled in bbs/node, migrations in bbs/migrations; every API call in history.jsonl (\`bbs-lab check\` judges it again).`, '');
  return lines.join('\n');
}

export async function runMigrationFile(s: MigrationScenarioFile, opts: { base: string; runsDir?: string; log: (m: string) => void }): Promise<{ report: string; ok: boolean; dir: string; result: ScenarioResult }> {
  const id = runId(s.name);
  const dir = join(opts.runsDir ?? DEFAULT_RUNS_DIR, id);
  mkdirSync(dir, { recursive: true });
  const migration = { story: s.story, ...(s.stop ? { stop: s.stop } : {}), ...(s.maxOutageSec ? { maxOutageSec: s.maxOutageSec } : {}), ...(s.workload ? { workload: s.workload } : {}), ...(s.lock ? { lock: s.lock } : {}) };
  writeFileSync(join(dir, 'scenario.yaml'), stringify({ name: s.name, description: s.description, question: s.question, migration }));
  opts.log(`migration story ${s.story}: run directory ${dir}`);
  const historyPath = join(dir, 'history.jsonl');
  const r = await runMigrationScenario(s.story, opts.base, {
    historyPath,
    log: opts.log,
    ...(s.stop ? { stop: s.stop } : {}),
    ...(s.maxOutageSec ? { maxOutageSec: s.maxOutageSec } : {}),
    ...(s.workload ? { workload: s.workload } : {}),
    ...(s.lock ? { lock: s.lock } : {}),
  });
  const v = r.verdict;
  const results = {
    run: id,
    scenario: s.name,
    story: s.story,
    checks: r.checks,
    lockHolders: r.holders,
    ...(v ? { history: { ops: v.ops, okOps: v.okOps, longestOutageSec: v.longestOutageSec, lostWrites: v.lostWrites, legacyAfterMigration: v.legacyAfterMigration.length, checkers: { valid: v.checkers.valid, summary: v.checkers.summary } } } : {}),
  };
  writeFileSync(join(dir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  let timeline: string | undefined;
  if (v) {
    const events = readHistory(historyPath).events;
    writeFileSync(join(dir, 'timeline.svg'), throughputChart(computeStats(events).perSecond, stepWindows(events)));
    timeline = 'timeline.svg';
  }
  const report = join(dir, 'report.md');
  writeFileSync(report, renderMigrationReport(s, id, r, timeline));
  return { report, ok: r.checks.every((c) => c.ok), dir, result: r };
}
