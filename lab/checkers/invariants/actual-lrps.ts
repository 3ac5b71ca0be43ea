// One cell holds an actual LRP instance at a time. A successful ClaimActualLRP needs the instance
// unclaimed (or claimed by the same instance key), and a successful StartActualLRP needs it not
// running elsewhere, so two such successes by different cells without a release between them
// (a RemoveActualLRP or CrashActualLRP that may have happened) mean both cells held it. The 2016
// rule lets any instance start an LRP that is claimed, so "claimed by A, then started by B" is the
// BBS's own behaviour and not counted here.

import type { BbsResult } from '../../../specs/vocabulary.ts';
import type { Op } from '../../history/event.ts';
import { args, byKey, mayFallBetween, okValue, type Timed } from './timeline.ts';
import type { Violation } from './types.ts';

const RELEASES = new Set(['RemoveActualLRP', 'CrashActualLRP', 'CreateUnclaimedActualLRP']);

function succeeded(t: Timed): boolean {
  const v = okValue<BbsResult>(t);
  return v !== undefined && v.error === undefined;
}

function tagOf(t: Timed): { epoch: string; index: number } | undefined {
  const r = okValue<BbsResult>(t)?.record as
    | { modificationTag?: { epoch: string; index: number } }
    | null
    | undefined;
  return r?.modificationTag;
}

/**
 * Holds in the order they took effect. Completion order is not that order for concurrent ops (a
 * claim that committed first can answer last); the modification index each answer carries is, so
 * within one epoch an out-of-order neighbour pair is put back in index order.
 */
function inEffectOrder(holds: Timed[]): Timed[] {
  const out = [...holds];
  for (let moved = true; moved; ) {
    moved = false;
    for (let i = 1; i < out.length; i++) {
      const a = tagOf(out[i - 1]!);
      const b = tagOf(out[i]!);
      if (a && b && a.epoch === b.epoch && a.index > b.index) {
        [out[i - 1], out[i]] = [out[i]!, out[i - 1]!];
        moved = true;
      }
    }
  }
  return out;
}

function mayRelease(t: Timed): boolean {
  if (!RELEASES.has(t.op.f)) return false;
  const v = okValue<BbsResult>(t);
  return v === undefined || v.error === undefined;
}

export function checkActualLRPs(ops: readonly Op[]): Violation[] {
  const out: Violation[] = [];
  for (const [key, all] of byKey(ops, 'actual/')) {
    const holds = inEffectOrder(
      all.filter(
        (t) => (t.op.f === 'ClaimActualLRP' || t.op.f === 'StartActualLRP') && succeeded(t),
      ),
    );
    for (let i = 1; i < holds.length; i++) {
      const a = holds[i - 1]!;
      const b = holds[i]!;
      const ka = args<{ cellId: string; instanceGuid: string }>(a);
      const kb = args<{ cellId: string; instanceGuid: string }>(b);
      if (ka.cellId === kb.cellId) continue;
      if (a.op.f === 'ClaimActualLRP' && b.op.f === 'StartActualLRP') continue;
      if (all.some((x) => mayRelease(x) && mayFallBetween(x, a, b))) continue;
      out.push({
        invariant: 'instance-held-by-two-cells',
        key,
        ops: [a.op.op, b.op.op],
        explanation: `${a.op.f} by ${ka.cellId} and then ${b.op.f} by ${kb.cellId} both succeeded on ${key.slice(7)} with no remove or crash that could have released it in between`,
      });
    }
  }
  return out;
}
