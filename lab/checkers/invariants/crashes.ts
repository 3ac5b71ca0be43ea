// Crash bookkeeping of actual LRPs, checked at run time on what the ops returned (Diego's
// documented restart policy, written here from the docs rather than taken from the store's rule
// code, so that a bug shared by both still shows):
// - a crash counts: the crash count it leaves is the one before plus one (or 1 when the instance
//   had been RUNNING long enough for the count to reset, which only a RUNNING instance can);
// - the first crashes restart at once: below 3 crashes the crash leaves the instance UNCLAIMED,
//   from the 3rd on it stays CRASHED; no record is ever CRASHED with fewer than 3 crashes;
// - nothing but a crash changes the count within one incarnation.
// "The one before" is the version just before the op's own (same epoch, index − 1), when an ok
// op showed it: exact, whatever the timing.

import type { ActualLRPRecord, BbsResult } from '../../../specs/vocabulary.ts';
import type { Op } from '../../history/event.ts';
import type { Violation } from './types.ts';

/** Diego's DefaultImmediateRestarts: crashes below this count are restarted immediately. */
export const DOCUMENTED_IMMEDIATE_RESTARTS = 3;

const READS = new Set(['ActualLRPByIndex']);

export function checkCrashBookkeeping(ops: readonly Op[]): Violation[] {
  const versions = new Map<string, ActualLRPRecord>();
  const seen: { op: Op; r: ActualLRPRecord }[] = [];
  for (const o of ops) {
    if (o.complete?.type !== 'ok' || !o.key?.startsWith('actual/')) continue;
    const v = o.complete.value as BbsResult | undefined;
    const r =
      v?.error === undefined ? (v?.record as ActualLRPRecord | null | undefined) : undefined;
    if (!r?.modificationTag) continue;
    versions.set(`${o.key} ${r.modificationTag.epoch} ${r.modificationTag.index}`, r);
    seen.push({ op: o, r });
  }
  const out: Violation[] = [];
  const flag = (o: Op, ops: number[], explanation: string) =>
    out.push({ invariant: 'crash-bookkeeping-wrong', key: o.key!, ops, explanation });
  for (const { op: o, r } of seen) {
    if (r.state === 'CRASHED' && r.crashCount < DOCUMENTED_IMMEDIATE_RESTARTS) {
      flag(
        o,
        [o.op],
        `${o.f} (op ${o.op}) showed ${o.key!.slice(7)} CRASHED with ${r.crashCount} crash${r.crashCount === 1 ? '' : 'es'}: below ${DOCUMENTED_IMMEDIATE_RESTARTS} the BBS restarts it at once (UNCLAIMED)`,
      );
      continue;
    }
    if (READS.has(o.f)) continue;
    const prev =
      r.modificationTag.index > 0
        ? versions.get(`${o.key} ${r.modificationTag.epoch} ${r.modificationTag.index - 1}`)
        : undefined;
    const by = prev ? seen.find((s) => s.r === prev)!.op.op : undefined;
    if (o.f === 'CrashActualLRP') {
      const want = r.crashCount < DOCUMENTED_IMMEDIATE_RESTARTS ? 'UNCLAIMED' : 'CRASHED';
      if (r.state !== want) {
        flag(
          o,
          [o.op],
          `CrashActualLRP (op ${o.op}) left ${o.key!.slice(7)} ${r.state} with ${r.crashCount} crash${r.crashCount === 1 ? '' : 'es'}; the BBS leaves it ${want}`,
        );
        continue;
      }
      if (
        prev &&
        r.crashCount !== prev.crashCount + 1 &&
        !(r.crashCount === 1 && prev.state === 'RUNNING')
      ) {
        flag(
          o,
          [by!, o.op],
          `CrashActualLRP (op ${o.op}) left ${r.crashCount} crash${r.crashCount === 1 ? '' : 'es'} on ${o.key!.slice(7)}, which had ${prev.crashCount} (${prev.state}) just before (op ${by})`,
        );
      }
    } else if (prev && r.crashCount !== prev.crashCount) {
      flag(
        o,
        [by!, o.op],
        `${o.f} (op ${o.op}) changed the crash count of ${o.key!.slice(7)} from ${prev.crashCount} (op ${by}) to ${r.crashCount}; only a crash changes it`,
      );
    }
  }
  return out;
}
