// One cell holds an actual LRP instance at a time. A successful ClaimActualLRP needs the instance
// unclaimed (or claimed by the same instance key), and a successful StartActualLRP needs it not
// running elsewhere, so two such successes by different cells without a release between them
// (a RemoveActualLRP or CrashActualLRP that may have happened) mean both cells held it. The 2016
// rule lets any instance start an LRP that is claimed, so "claimed by A, then started by B" is the
// BBS's own behaviour and not counted here.

import type { BbsResult } from '../../../models/bbs/ops.ts';
import type { Op } from '../../history/event.ts';
import { args, byKey, mayFallBetween, okValue, type Timed } from './timeline.ts';
import type { Violation } from './types.ts';

const RELEASES = new Set(['RemoveActualLRP', 'CrashActualLRP', 'CreateUnclaimedActualLRP']);

function succeeded(t: Timed): boolean {
  const v = okValue<BbsResult>(t);
  return v !== undefined && v.error === undefined;
}

function mayRelease(t: Timed): boolean {
  if (!RELEASES.has(t.op.f)) return false;
  const v = okValue<BbsResult>(t);
  return v === undefined || v.error === undefined;
}

export function checkActualLRPs(ops: readonly Op[]): Violation[] {
  const out: Violation[] = [];
  for (const [key, all] of byKey(ops, 'actual/')) {
    const holds = all.filter((t) => (t.op.f === 'ClaimActualLRP' || t.op.f === 'StartActualLRP') && succeeded(t));
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
