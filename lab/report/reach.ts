// Workload reach: which BBS ops a run made and with what outcome, and which state-machine
// transitions they exercised, refusals included (an op from a cell that does not own the record,
// an op on a record in the wrong state). A checker's silence about a transition the run never made
// is not evidence; this section says which ones those are. Pure: ops in, counts out.
//
// A transition is named from the state the op found and the state it left. The history records
// the state after an op, not before, so "before" is the state as last seen: the record of the
// latest ok op on the key that completed before this op began (absent before any). For LRPs, whose
// records carry a modification index, a write found the version just before its own when that
// version was seen (index 0: it found none), which is exact. For tasks, under contention, the
// state as last seen can be one another op changed in between (a few "CompleteTask PENDING →
// COMPLETED" rows in a clean run): the counts say what was exercised; the checkers judge.

import type { BbsOp, BbsOpName, BbsResult } from '../../bbs/ops.ts';
import type { Op } from '../history/event.ts';
import { SHAPES, shapeOf } from '../workload/shapes.ts';
import { shortfallSentence, type Shortfall } from './shortfall.ts';

export type Refusal = 'absent' | 'exists' | 'not owner' | 'wrong state';

/**
 * What an op found, as a reach label reads it: a task or actual LRP state, 'present' for a desired
 * LRP, 'absent', or '?' (unknown).
 */
export type Found = unknown | null | undefined;

const READS = new Set([
  'TaskByGuid',
  'DesiredLRPByProcessGuid',
  'ActualLRPByIndex',
  'DomainsList',
  'Domains',
]);

function stateName(key: string, r: Found): string {
  if (r === undefined) return '?';
  if (r === null) return 'absent';
  if (key.startsWith('desired/') || key.startsWith('domain/')) return 'present';
  return String((r as { state?: string }).state ?? 'present');
}

function refusalOf(err: string, args: Record<string, unknown>, before: Found): Refusal {
  if (err === 'ResourceNotFound') return 'absent';
  if (err === 'ResourceExists') return 'exists';
  if (err === 'RunningOnDifferentCell') return 'not owner';
  const b = before as { cellId?: string; instanceGuid?: string } | null | undefined;
  const cell = args.cellId;
  if (
    b &&
    typeof cell === 'string' &&
    b.cellId &&
    (b.cellId !== cell || (args.instanceGuid !== undefined && b.instanceGuid !== args.instanceGuid))
  )
    return 'not owner';
  return 'wrong state';
}

/**
 * The reach label of one op that ran to the end: "StartTask PENDING → RUNNING",
 * "CompleteTask refused: not owner", "TaskByGuid read".
 */
export function transitionOf(
  key: string,
  f: string,
  args: Record<string, unknown>,
  before: Found,
  result: BbsResult,
): string {
  if (READS.has(f)) return `${f} read`;
  if (result.error !== undefined) return `${f} refused: ${refusalOf(result.error, args, before)}`;
  const after = result.record === undefined ? '?' : stateName(key, result.record);
  return `${f} ${stateName(key, before)} → ${after}`;
}

/**
 * The transitions the BBS documents (FACTS.md, bbs/README.md) that a workload with hot keys should
 * reach, refusals included. A run lists those it did not reach.
 */
export const DOCUMENTED_TRANSITIONS: readonly string[] = [
  'DesireTask absent → PENDING',
  'DesireTask refused: exists',
  'StartTask PENDING → RUNNING',
  'StartTask RUNNING → RUNNING',
  'StartTask refused: not owner',
  'StartTask refused: wrong state',
  'StartTask refused: absent',
  'CompleteTask RUNNING → COMPLETED',
  'CompleteTask refused: not owner',
  'CompleteTask refused: wrong state',
  'CancelTask PENDING → COMPLETED',
  'CancelTask RUNNING → COMPLETED',
  'CancelTask refused: wrong state',
  'FailTask PENDING → COMPLETED',
  'FailTask RUNNING → COMPLETED',
  'FailTask refused: wrong state',
  'ResolvingTask COMPLETED → RESOLVING',
  'ResolvingTask refused: wrong state',
  'DeleteTask RESOLVING → absent',
  'DeleteTask refused: wrong state',
  'DesireLRP absent → present',
  'DesireLRP refused: exists',
  'UpdateDesiredLRP present → present',
  'UpdateDesiredLRP refused: absent',
  'RemoveDesiredLRP present → absent',
  'CreateUnclaimedActualLRP absent → UNCLAIMED',
  'CreateUnclaimedActualLRP refused: exists',
  'ClaimActualLRP UNCLAIMED → CLAIMED',
  'ClaimActualLRP refused: not owner',
  'ClaimActualLRP refused: absent',
  'StartActualLRP CLAIMED → RUNNING',
  'StartActualLRP UNCLAIMED → RUNNING',
  'StartActualLRP absent → RUNNING',
  'StartActualLRP refused: not owner',
  'CrashActualLRP RUNNING → UNCLAIMED',
  'CrashActualLRP RUNNING → CRASHED',
  'CrashActualLRP refused: absent',
  'FailActualLRP UNCLAIMED → UNCLAIMED',
  'FailActualLRP refused: wrong state',
  'RemoveActualLRP UNCLAIMED → absent',
  'RemoveActualLRP RUNNING → absent',
  'RemoveActualLRP refused: absent',
];

export interface OpReach {
  ok: number;
  fail: number;
  info: number;
  unfinished: number;
}

export interface Reach {
  /** Every op name the run made, with its outcomes. */
  ops: Record<string, OpReach>;
  /** Ops that ran to the end (ok), by transition label. */
  transitions: Record<string, number>;
  /**
   * Of those, the refusals by kind (absent, exists, not owner: another cell or instance holds it,
   * wrong state).
   */
  refusals: Record<Refusal, number>;
  /** Documented transitions the run did not exercise. */
  missing: string[];
  /**
   * Argument shapes (lab/workload/shapes.ts) by "op: shape": ops invoked with it, and of those
   * the ones that ran to the end (ok). Missing in results written before shapes were counted.
   */
  shapes?: Record<string, { invoked: number; ok: number }>;
  /** Shapes the generator draws for the ops the run made that no op of the run had. */
  missingShapes?: string[];
  /** Whether the run made the ops its scenario needs (shortfall.ts); set by the report writer. */
  shortfall?: Shortfall;
}

export function computeReach(ops: readonly Op[]): Reach {
  const byOp: Record<string, OpReach> = {};
  const transitions: Record<string, number> = {};
  const refusals: Record<Refusal, number> = {
    absent: 0,
    exists: 0,
    'not owner': 0,
    'wrong state': 0,
  };
  // The state as last seen per key: every ok op with a record, in completion order.
  const seen = new Map<string, { at: number; record: unknown }[]>();
  const bbs = ops.filter((o) => o.f !== 'FinalRead' && o.f !== 'txn' && o.key !== undefined);
  for (const o of bbs) {
    const v = o.complete?.type === 'ok' ? (o.complete.value as BbsResult | undefined) : undefined;
    if (v && v.error === undefined && v.record !== undefined) {
      let l = seen.get(o.key!);
      if (!l) {
        l = [];
        seen.set(o.key!, l);
      }
      l.push({ at: o.complete!.time, record: v.record });
    }
  }
  for (const l of seen.values()) l.sort((a, b) => a.at - b.at);
  // LRP records carry their version: the state a write found is the one with the index before
  // its own (index 0 is a new incarnation: it found none). Exact whenever that version was seen.
  const versions = new Map<string, { at: number; record: unknown }>();
  for (const [key, l] of seen) {
    for (const x of l) {
      const tag = (x.record as { modificationTag?: { epoch: string; index: number } } | null)
        ?.modificationTag;
      const k = tag ? `${key} ${tag.epoch} ${tag.index}` : undefined;
      if (k && !versions.has(k)) versions.set(k, x);
    }
  }
  for (const o of ops) {
    if (o.f === 'FinalRead') continue;
    const r = byOp[o.f] ?? { ok: 0, fail: 0, info: 0, unfinished: 0 };
    byOp[o.f] = r;
    r[o.complete ? o.complete.type : 'unfinished']++;
    if (o.complete?.type !== 'ok' || o.f === 'txn') continue;
    if (o.key === undefined) {
      // A read of no one key (Domains lists every fresh domain): a read all the same.
      if (READS.has(o.f)) transitions[`${o.f} read`] = (transitions[`${o.f} read`] ?? 0) + 1;
      continue;
    }
    const l = seen.get(o.key) ?? [];
    let before: unknown = null;
    for (const s of l) {
      if (s.at >= o.invoke.time) break;
      before = s.record;
    }
    const result = (o.complete.value ?? {}) as BbsResult;
    const tag =
      result.error === undefined && !READS.has(o.f)
        ? (
            result.record as
              | { modificationTag?: { epoch: string; index: number } }
              | null
              | undefined
          )?.modificationTag
        : undefined;
    if (tag) {
      // The same version already seen before this op began: the op changed nothing (a repeated
      // claim or start by the same instance) and found that version.
      const same = versions.get(`${o.key} ${tag.epoch} ${tag.index}`);
      const prev =
        same && same.at < o.invoke.time
          ? same.record
          : tag.index === 0
            ? null
            : versions.get(`${o.key} ${tag.epoch} ${tag.index - 1}`)?.record;
      if (prev !== undefined) before = prev;
    }
    const args = ((o.invoke.value as { args?: Record<string, unknown> } | undefined)?.args ??
      {}) as Record<string, unknown>;
    const label = transitionOf(o.key, o.f, args, before, result);
    transitions[label] = (transitions[label] ?? 0) + 1;
    if (result.error !== undefined && !READS.has(o.f))
      refusals[refusalOf(result.error, args, before)]++;
  }
  const shapes: Record<string, { invoked: number; ok: number }> = {};
  for (const o of bbs) {
    const v = o.invoke.value as BbsOp | undefined;
    if (!v || typeof v !== 'object' || !('args' in v)) continue;
    const label = `${o.f}: ${shapeOf(v)}`;
    const x = shapes[label] ?? { invoked: 0, ok: 0 };
    shapes[label] = x;
    x.invoked++;
    if (o.complete?.type === 'ok') x.ok++;
  }
  const madeOps = new Set(Object.keys(byOp));
  const missingShapes = [...madeOps]
    .flatMap((f) => (SHAPES[f as BbsOpName] ?? []).map((sh) => `${f}: ${sh.name}`))
    .filter((l) => !(l in shapes))
    .sort();
  // Only the documented transitions of op families the run made at all: a tasks-only run is not
  // told it missed every LRP transition.
  const missing = DOCUMENTED_TRANSITIONS.filter(
    (t) => madeOps.has(t.split(' ')[0]!) && !(t in transitions),
  );
  return { ops: byOp, transitions, refusals, missing, shapes, missingShapes };
}

/** Shapes by "op: shape", sorted. */
export function shapeTableRows(r: Reach): [string, { invoked: number; ok: number }][] {
  return Object.entries(r.shapes ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function shapeSentence(r: Reach): string {
  const miss = r.missingShapes ?? [];
  return (
    'Argument shapes: each op as its real callers send it (lab/workload/README.md), counted from the invoked arguments; ' +
    (miss.length === 0
      ? 'every shape the generator draws for the ops made was sent.'
      : `shapes drawn for the ops made but never sent (nothing here is checked): ${miss.join('; ')}.`)
  );
}

/** Transitions by label, sorted. */
export function reachTableRows(r: Reach): [string, number][] {
  return Object.entries(r.transitions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function reachSentence(r: Reach): string {
  const refused = Object.values(r.refusals).reduce((a, b) => a + b, 0);
  return (
    `${reachTableRows(r).length} distinct transitions among the ops that ran to the end; ${refused} refused by the BBS's state check ` +
    `(${(Object.entries(r.refusals) as [Refusal, number][]).map(([k, n]) => `${k} ${n}`).join(', ')}). ` +
    (r.missing.length === 0
      ? 'Every documented transition of the ops it made was reached.'
      : `Documented transitions not reached (nothing here is checked): ${r.missing.join('; ')}.`) +
    ' "Before" is the state the op found: for LRPs the version before its own, for tasks the state as last seen by an earlier completed op on the key (under contention another op may have changed it in between; the checkers, not this table, judge).'
  );
}

/** The "Workload reach" section of report.md. */
export function renderReachMarkdown(r: Reach): string {
  const rows = reachTableRows(r);
  if (rows.length === 0) return '';
  const shapes = shapeTableRows(r);
  const shapeTable =
    shapes.length === 0
      ? []
      : [
          `${shapeSentence(r)}\n`,
          `${[
            '| op: argument shape | invoked | ran to the end |',
            '| --- | --- | --- |',
            ...shapes.map(([l, x]) => `| ${l} | ${x.invoked} | ${x.ok} |`),
          ].join('\n')}\n`,
        ];
  const need = r.shortfall ? shortfallSentence(r.shortfall) : null;
  return [
    '## Workload reach\n',
    ...(need ? [`${need}\n`] : []),
    `${reachSentence(r)}\n`,
    `${['| transition | count |', '| --- | --- |', ...rows.map(([t, n]) => `| ${t} | ${n} |`)].join(
      '\n',
    )}\n`,
    ...shapeTable,
  ].join('\n');
}
