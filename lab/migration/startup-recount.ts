// What a start-up fault story saw, recounted from its run, and how that compares with the outcome
// worked out from the code (startup-outcomes.ts). Pure: the story (startup-story.ts) gathers the
// evidence of each play — the journal of the play's nodes and a final comparison of etcd with SQL
// — and this file turns it into the figures its report prints (test/unit/migration-startup-
// recount.test.ts holds them to small runs worked out by hand).
//
// The recount never reads the prediction: "exactly once" is the number of etcd-to-SQL migration
// starts in the journal, "lost" what the final comparison finds missing from SQL. Only then are
// the two set side by side, and every field that differs is reported.

import type { JournalEvent } from '../../bbs/migrations/journal.ts';
import { ETCD_TO_SQL_VERSION } from '../../bbs/migrations/versions.ts';
import type { FaultPhase, StartupFault, StartupOutcome } from './startup-outcomes.ts';

export type LossKind = StartupOutcome['lost'];

export interface RecordCounts {
  domains: number;
  desiredLRPs: number;
  actualLRPs: number;
  tasks: number;
}

export const NO_RECORDS: RecordCounts = { domains: 0, desiredLRPs: 0, actualLRPs: 0, tasks: 0 };

/** What one play left, as the lab gathered it after its last node stopped. */
export interface PlayEvidence {
  /** The journal events of the play's nodes, in order. */
  events: readonly JournalEvent[];
  /** The node the fault hit. */
  faulted: string;
  phase: FaultPhase;
  /**
   * The legacy records in etcd at the end (what the migration was to copy), by kind (actual LRPs:
   * not evacuating).
   */
  inEtcd: RecordCounts;
  /** Of those, the ones SQL lacks (or holds differently) at the end. */
  missing: RecordCounts;
  /**
   * Writes the BBS API acknowledged after the migration, and how many of them SQL lacks at the end.
   */
  acknowledged: number;
  acknowledgedMissing: number;
}

export interface Recount {
  /** Whether the fault reached the BBS where it was meant to (else the play shows nothing). */
  hit: boolean;
  /** How it showed: the error of the version read, the INSERTs or etcd reads that failed. */
  hitHow: string;
  /** The faulted node exited (its manager returned an error). */
  exits: boolean;
  /** Starts of migration 1461790966 over the play (every node). */
  migrationRuns: number;
  exactlyOnce: boolean;
  /** 'other' when what is missing fits none of the outcomes the code gives. */
  lost: LossKind | 'other';
  /** Records SQL lacks at the end: legacy ones and acknowledged ones. */
  lostRecords: number;
  lostDetail: string;
}

const sum = (c: RecordCounts) => c.domains + c.desiredLRPs + c.actualLRPs + c.tasks;

/**
 * The kind of loss: none; every SQL record (every legacy record and every acknowledged write
 * gone, as after the tables are dropped); the domains and desired LRPs exactly (all of them, and
 * nothing else); else 'other'.
 */
export function lossKind(
  inEtcd: RecordCounts,
  missing: RecordCounts,
  acknowledged: number,
  acknowledgedMissing: number,
): LossKind | 'other' {
  const gone = sum(missing) + acknowledgedMissing;
  if (gone === 0) return 'none';
  const all = sum(inEtcd) + acknowledged;
  if (
    gone === all &&
    missing.domains === inEtcd.domains &&
    missing.desiredLRPs === inEtcd.desiredLRPs &&
    missing.actualLRPs === inEtcd.actualLRPs &&
    missing.tasks === inEtcd.tasks
  )
    return 'every SQL record';
  const dd =
    missing.domains === inEtcd.domains &&
    missing.desiredLRPs === inEtcd.desiredLRPs &&
    inEtcd.domains + inEtcd.desiredLRPs > 0;
  if (dd && missing.actualLRPs === 0 && missing.tasks === 0 && acknowledgedMissing === 0)
    return 'domains and desired LRPs';
  return 'other';
}

function parse(detail: string | undefined): Record<string, unknown> {
  try {
    const v = JSON.parse(detail ?? '') as unknown;
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** How the fault showed in the faulted node's journal, or null when it did not. */
export function faultSeen(
  events: readonly JournalEvent[],
  faulted: string,
  phase: FaultPhase,
): string | null {
  const own = events.filter((e) => e.node === faulted);
  if (phase === 'version-read') {
    const read = own.find(
      (e) =>
        e.kind === 'version-read' && e.store === 'sql' && typeof parse(e.detail).error === 'string',
    );
    return read ? `the SQL version read failed: ${String(parse(read.detail).error)}` : null;
  }
  const failed = own.find(
    (e) => e.kind === 'migration-failed' && e.version === ETCD_TO_SQL_VERSION,
  );
  if (failed) return `the migration failed: ${failed.detail ?? ''}`;
  const done = own.find((e) => e.kind === 'migration-done' && e.version === ETCD_TO_SQL_VERSION);
  if (!done) return null;
  const report = parse(done.detail) as {
    skipped?: { failedInserts?: number };
    failedReads?: string[];
  };
  if (phase === 'copy-sql') {
    const n = report.skipped?.failedInserts ?? 0;
    return n > 0 ? `${n} INSERTs failed, logged and skipped` : null;
  }
  const reads = report.failedReads ?? [];
  return reads.length > 0
    ? `etcd reads failed, logged, nothing of them copied: ${reads.join(', ')}`
    : null;
}

export function recount(e: PlayEvidence): Recount {
  const how = faultSeen(e.events, e.faulted, e.phase);
  const exits = e.events.some((x) => x.node === e.faulted && x.kind === 'exit' && x.version !== 0);
  const migrationRuns = e.events.filter(
    (x) => x.kind === 'migration-start' && x.version === ETCD_TO_SQL_VERSION,
  ).length;
  const lostRecords = sum(e.missing) + e.acknowledgedMissing;
  const kinds = (['domains', 'desiredLRPs', 'actualLRPs', 'tasks'] as const)
    .filter((k) => e.missing[k] > 0)
    .map((k) => `${e.missing[k]} of ${e.inEtcd[k]} ${k}`);
  if (e.acknowledgedMissing > 0)
    kinds.push(`${e.acknowledgedMissing} of ${e.acknowledged} acknowledged writes`);
  return {
    hit: how !== null,
    hitHow: how ?? 'the fault did not show in the journal',
    exits,
    migrationRuns,
    exactlyOnce: migrationRuns === 1,
    lost: lossKind(e.inEtcd, e.missing, e.acknowledged, e.acknowledgedMissing),
    lostRecords,
    lostDetail: kinds.length ? kinds.join(', ') : 'nothing',
  };
}

/** Where the recount and the code's outcome differ, one line each; [] when they agree. */
export function disagreements(r: Recount, p: StartupOutcome): string[] {
  const out: string[] = [];
  if (r.exits !== p.exits)
    out.push(
      `the BBS ${r.exits ? 'exited' : 'did not exit'}; the code says it ${p.exits ? 'exits' : 'goes on'}`,
    );
  if (r.migrationRuns - 1 !== p.reruns)
    out.push(`the migration ran ${r.migrationRuns} times; the code says ${1 + p.reruns}`);
  if (r.lost !== p.lost) out.push(`lost: ${r.lost} (${r.lostDetail}); the code says ${p.lost}`);
  return out;
}

export interface StartupRow {
  version: string;
  /** "BBS 2016-05 (db3234a7, 2016-05-03)" */
  label: string;
  phase: FaultPhase;
  fault: StartupFault;
  /** Played on the real stores, or given from the code only (then `why`). */
  source: 'played' | 'from the code';
  predicted: StartupOutcome;
  recount?: Recount;
  /** Played rows: where the recount and the code differ. */
  differences?: string[];
  /** Rows from the code: why this was not played. */
  why?: string;
}

export function playedRow(
  base: Omit<StartupRow, 'source' | 'recount' | 'differences' | 'why'>,
  r: Recount,
): StartupRow {
  return {
    ...base,
    source: 'played',
    recount: r,
    differences: r.hit
      ? disagreements(r, base.predicted)
      : ['the fault did not reach the BBS: nothing to compare'],
  };
}

export function fromCodeRow(
  base: Omit<StartupRow, 'source' | 'recount' | 'differences' | 'why'>,
  why: string,
): StartupRow {
  return { ...base, source: 'from the code', why };
}

const PHASE_TEXT: Record<FaultPhase, string> = {
  'version-read': 'version read',
  'copy-sql': 'first copy (SQL)',
  'copy-etcd': 'first copy (etcd)',
};

function outcomeCells(o: {
  exactlyOnce: boolean;
  runs: number;
  lost: string;
  exits: boolean;
}): [string, string] {
  return [
    `${o.exactlyOnce ? 'yes' : '**no**'} (${o.runs} run${o.runs === 1 ? '' : 's'})${o.exits ? ', the BBS exited first' : ''}`,
    o.lost === 'none' ? 'none' : `**${o.lost}**`,
  ];
}

/**
 * The per-profile table of report.md: one row per profile and phase, played or from the code;
 * why a row was not played is a numbered note under the table (one note per distinct reason). Pure.
 */
export function startupTable(rows: readonly StartupRow[]): string {
  const lines = [
    '| BBS | phase | source | migration exactly once | records lost | the code says (startup-outcomes.ts) | agrees |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  const notes: string[] = [];
  for (const r of rows) {
    const p = r.predicted;
    const said = p.applies
      ? outcomeCells({
          exactlyOnce: p.exactlyOnce,
          runs: 1 + p.reruns,
          lost: p.lost,
          exits: p.exits,
        }).join('; lost: ')
      : 'does not apply';
    if (r.source === 'played' && r.recount) {
      const x = r.recount;
      const [once, lost] = outcomeCells({
        exactlyOnce: x.exactlyOnce,
        runs: x.migrationRuns,
        lost: x.lost === 'none' ? 'none' : `${x.lost}: ${x.lostDetail}`,
        exits: x.exits,
      });
      const agrees = r.differences!.length === 0 ? 'yes' : `**NO**: ${r.differences!.join('; ')}`;
      lines.push(
        `| ${r.label} | ${PHASE_TEXT[r.phase]} | played (${x.hitHow}) | ${once} | ${lost} | ${said} | ${agrees} |`,
      );
    } else {
      const why = r.why ?? '';
      if (!notes.includes(why)) notes.push(why);
      const [once, lost] = p.applies
        ? outcomeCells({
            exactlyOnce: p.exactlyOnce,
            runs: 1 + p.reruns,
            lost: p.lost,
            exits: p.exits,
          })
        : ['—', '—'];
      lines.push(
        `| ${r.label} | ${PHASE_TEXT[r.phase]} | from the code only (${notes.indexOf(why) + 1}) | ${once} | ${lost} | ${said} | — |`,
      );
    }
  }
  if (notes.length) lines.push('', 'Not played:', '', ...notes.map((n, i) => `${i + 1}. ${n}.`));
  return lines.join('\n');
}

/**
 * The report's answer in one sentence, from the recounts (played) and the code (the rest). Pure.
 */
export function startupAnswer(rows: readonly StartupRow[]): string {
  const played = rows.filter((r) => r.source === 'played' && r.recount);
  const once = played.filter((r) => r.recount!.exactlyOnce).length;
  const lossy = played.filter((r) => r.recount!.lost !== 'none');
  const disagree = played.filter((r) => r.differences!.length > 0);
  const fromCode = rows.length - played.length;
  const parts: string[] = [];
  if (played.length > 0) {
    parts.push(
      `Played ${played.length} profile run${played.length === 1 ? '' : 's'}: the migration ran exactly once in ${once}, and records were lost in ${lossy.length}${lossy.length ? ` (${lossy.map((r) => `${r.version} ${PHASE_TEXT[r.phase]}: ${r.recount!.lostDetail}`).join('; ')})` : ''}.`,
    );
    parts.push(
      disagree.length === 0
        ? 'Every played run agrees with the outcome worked out from the code.'
        : `${disagree.length} played run${disagree.length === 1 ? ' DISAGREES' : 's DISAGREE'} with the code's outcome: ${disagree.map((r) => `${r.version} ${PHASE_TEXT[r.phase]} (${r.differences!.join('; ')})`).join('; ')}.`,
    );
  }
  if (fromCode > 0)
    parts.push(
      `${fromCode} row${fromCode === 1 ? ' is' : 's are'} from the code only (not played; each says why).`,
    );
  return parts.join(' ');
}
