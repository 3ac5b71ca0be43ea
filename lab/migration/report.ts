// A migration story's report: report.md answering the question first (its checks, the workload's
// numbers), the results.json figures, and the timeline's windows (from each story step to the next
// answer). Pure; lab/runner/migration-run.ts writes them into the run directory.

import type { HistoryEvent } from '../history/event.ts';
import { workloadStart, type FaultWindow } from '../report/stats.ts';
import type { MigrationScenarioFile } from '../scenario/migration.ts';
import { STORIES } from './stories/index.ts';
import type { ScenarioResult } from './story.ts';

/** The outage after each story step (a stop, a kill, a killed migration): from the step to the next ok op. Pure. */
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

/** report.md of a migration story: the answer (checks passed, the workload's numbers) first. Pure. */
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

/** results.json of a migration story: its checks, the lock's holders, its sections' data, the workload's figures. */
export function migrationResults(s: MigrationScenarioFile, runId: string, r: ScenarioResult) {
  const v = r.verdict;
  return {
    run: runId,
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
}
