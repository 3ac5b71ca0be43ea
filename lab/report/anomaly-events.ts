// Anomalies as distinct events. One stale read can fail a key's linearizability and break an
// invariant on the same key: two checker reports, one event. Counting reports made a run with three
// events say four. Pure: the attributed causes, the ops and the fault windows in; events out.
//
// Two reports are one event when they are about the same key and share the op that identifies
// what happened (their "witness"), by cause:
// - stale read, lost write: the op that saw the older state (the same write seen stale by two
//   readers is two events; one reader seen by two checkers is one);
// - both acknowledged: the two writes;
// - failed but applied: the op answered as failed (however many later ops saw its effect);
// - single-node logic, unattributed: every op the report shows.
// Reports sharing a witness op on one key are merged transitively.
//
// An event is inside a fault when any of its ops was open (invoke → completion) during a fault's
// window: from its start to the system's recovery (else the heal, else the run's end), the same
// window the availability figures use; its aftermath belongs to it.

import type { AnomalyCause, AnomalyKind, CauseKind } from '../checkers/causes.ts';
import type { Op } from '../history/event.ts';
import { windowEnd } from './availability.ts';
import type { FaultWindow } from './stats.ts';

export type CheckerName = 'linearizability' | 'invariants' | 'failedApplied';

export interface AnomalyEvent {
  key: string;
  /** What each report called it, e.g. not-linearizable, an invariant's name, failed-but-applied. */
  kinds: AnomalyKind[];
  /** Every checker that saw it. */
  checkers: CheckerName[];
  /** The causes attributed to its reports (one, unless checkers' evidence differed). */
  causes: CauseKind[];
  /** Every op its reports rest on, ascending. */
  ops: number[];
  /** Seconds since the workload's start: first invoke and last completion of its ops. */
  from: number;
  to: number;
  /** The faults (ids) whose window it overlaps; empty when it happened outside every fault. */
  faults: string[];
}

export interface AnomalyEventSummary {
  /** Checker reports (what the older figure counted). */
  reports: number;
  events: number;
  inFault: number;
  outsideFaults: number;
}

export function checkerOf(kind: AnomalyKind): CheckerName {
  return kind === 'not-linearizable'
    ? 'linearizability'
    : kind === 'failed-but-applied'
      ? 'failedApplied'
      : 'invariants';
}

export function witnessOf(c: AnomalyCause): number[] {
  switch (c.cause) {
    case 'stale-read':
    case 'lost-write':
      return c.ops.length >= 2 ? [c.ops[c.ops.length - 1]!] : [...c.ops];
    case 'both-acknowledged':
      return c.ops.slice(0, 2);
    case 'failed-but-applied':
      return c.ops.slice(0, 1);
    default:
      return [...c.ops];
  }
}

/** Groups of report indexes that are one event (same key, a shared witness op, transitively). */
export function groupReports(causes: readonly AnomalyCause[]): number[][] {
  const parent = causes.map((_, i) => i);
  const find = (i: number): number => {
    if (parent[i] === i) return i;
    const root = find(parent[i]!);
    parent[i] = root;
    return root;
  };
  const owner = new Map<string, number>();
  causes.forEach((c, i) => {
    for (const op of witnessOf(c)) {
      const id = `${c.key}\u0000${op}`;
      const j = owner.get(id);
      if (j === undefined) owner.set(id, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, number[]>();
  causes.forEach((_, i) => {
    const r = find(i);
    groups.set(r, [...(groups.get(r) ?? []), i]);
  });
  return [...groups.values()];
}

const uniq = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

/**
 * The distinct events of a run's attributed anomalies, in order of first op. `t0` is the
 * workload's start (ns) and `end` the run's end (s since t0), for windows never healed.
 */
export function anomalyEvents(
  causes: readonly AnomalyCause[],
  ops: readonly Op[],
  faults: readonly FaultWindow[],
  t0: number,
  end: number,
): AnomalyEvent[] {
  const byId = new Map(ops.map((o) => [o.op, o]));
  const out: AnomalyEvent[] = [];
  for (const group of groupReports(causes)) {
    const reports = group.map((i) => causes[i]!);
    const opIds = uniq(reports.flatMap((c) => c.ops)).sort((a, b) => a - b);
    const spans = opIds
      .map((id) => byId.get(id))
      .filter((o): o is Op => o !== undefined)
      .map(
        (o) =>
          [(o.invoke.time - t0) / 1e9, ((o.complete?.time ?? o.invoke.time) - t0) / 1e9] as const,
      );
    const from = spans.length > 0 ? Math.min(...spans.map((s) => s[0])) : 0;
    const to = spans.length > 0 ? Math.max(...spans.map((s) => s[1])) : 0;
    const hit = faults.filter((f) =>
      spans.some(
        ([a, b]) =>
          a <= windowEnd({ healed: f.end, recovered: f.recovered ?? null }, end) && b >= f.start,
      ),
    );
    out.push({
      key: reports[0]!.key,
      kinds: uniq(reports.map((c) => c.anomaly)),
      checkers: uniq(reports.map((c) => checkerOf(c.anomaly))),
      causes: uniq(reports.map((c) => c.cause)),
      ops: opIds,
      from,
      to,
      faults: hit.map((f) => f.id),
    });
  }
  return out.sort((a, b) => a.from - b.from || a.key.localeCompare(b.key));
}

export function summarizeEvents(
  reports: number,
  events: readonly AnomalyEvent[],
): AnomalyEventSummary {
  const inFault = events.filter((e) => e.faults.length > 0).length;
  return { reports, events: events.length, inFault, outsideFaults: events.length - inFault };
}
