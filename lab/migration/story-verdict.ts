// What a migration story's history says, beyond the lab's general checkers (which it also runs):
//   - writes lost across the stores: an acknowledged create whose key's final read saw nothing;
//   - legacy service after migration: an op a legacy (etcd-only) node served after the first op a
//     dual node served, i.e. a client was answered from etcd once SQL was the store of record;
//   - the outage: the longest stretch with no successful op while the story's steps ran.
// Pure: history in, verdict out. The final reads are the ops after the 'final-reads' story event.

import { pairOps, type HistoryEvent, type Op } from '../history/event.ts';
import { checkReport, type CheckReport } from '../report/verdicts.ts';
import type { BbsResult } from '../../bbs/ops.ts';

export const FINAL_READS = 'final-reads';
const CREATES = new Set(['DesireTask', 'DesireLRP', 'CreateUnclaimedActualLRP']);

export interface LostWrite {
  key: string;
  f: string;
  /** The node that acknowledged the create. */
  node: string;
  op: number;
}

export interface StoryVerdict {
  checkers: CheckReport;
  lostWrites: LostWrite[];
  /** Ok ops served by a legacy node after the first ok op served by a dual or SQL node. */
  legacyAfterMigration: { op: number; f: string; node: string }[];
  longestOutageSec: number;
  /** Seconds (since the first op) at which the longest outage began. */
  outageStartSec: number;
  ops: number;
  okOps: number;
}

const isLegacy = (node: string | undefined) => node?.startsWith('legacy');

/** The time (ns) of the story event `kind`, or null. */
export function storyEventTime(events: readonly HistoryEvent[], kind: string): number | null {
  const e = events.find((x) => x.type === 'nemesis' && x.kind === kind);
  return e ? e.time : null;
}

export function storyVerdict(events: readonly HistoryEvent[]): StoryVerdict {
  const ops = pairOps(events);
  const finalAt = storyEventTime(events, FINAL_READS) ?? Infinity;
  const ok = (o: Op) => o.complete?.type === 'ok';
  // Lost writes: an ok create without a BBS error, and the last ok final read of its key saw null.
  const lastFinal = new Map<string, BbsResult>();
  for (const o of ops)
    if (ok(o) && o.invoke.time >= finalAt && o.key)
      lastFinal.set(o.key, o.complete!.value as BbsResult);
  const lostWrites: LostWrite[] = [];
  const reported = new Set<string>();
  for (const o of ops) {
    if (!ok(o) || o.invoke.time >= finalAt || !CREATES.has(o.f) || !o.key) continue;
    const r = o.complete!.value as BbsResult;
    if (r?.error) continue;
    const seen = lastFinal.get(o.key);
    if (seen && seen.record == null && !reported.has(o.key)) {
      reported.add(o.key);
      lostWrites.push({ key: o.key, f: o.f, node: o.complete!.node ?? '?', op: o.op });
    }
  }
  const story = ops.filter((o) => o.invoke.time < finalAt);
  const firstNew = story.find(
    (o) => ok(o) && o.complete!.node !== undefined && !isLegacy(o.complete!.node),
  );
  const legacyAfterMigration = firstNew
    ? story
        .filter(
          (o) => ok(o) && isLegacy(o.complete!.node) && o.complete!.time > firstNew.complete!.time,
        )
        .map((o) => ({ op: o.op, f: o.f, node: o.complete!.node! }))
    : [];
  // The outage: the longest gap between consecutive ok completions of the story phase, also
  // counting the stretch before the first one.
  const t0 = story[0]?.invoke.time ?? 0;
  const okTimes = story
    .filter(ok)
    .map((o) => o.complete!.time)
    .sort((a, b) => a - b);
  let longest = 0;
  let start = 0;
  let prev = t0;
  for (const t of okTimes) {
    if (t - prev > longest) {
      longest = t - prev;
      start = prev;
    }
    prev = t;
  }
  return {
    checkers: checkReport(events),
    lostWrites,
    legacyAfterMigration,
    longestOutageSec: longest / 1e9,
    outageStartSec: (start - t0) / 1e9,
    ops: story.length,
    okOps: okTimes.length,
  };
}
