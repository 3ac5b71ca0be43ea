// Shared by the BBS specification tests: replaying a sequence of (op, output) steps through a
// model.

import type { ActualLRPRecord, BbsOp, BbsOpArgs, BbsOpName, BbsResult } from '../../bbs/ops.ts';
import type { Model } from '../../specs/model.ts';

export type Step = [op: BbsOp, output: BbsResult | undefined];

export interface Replay<S> {
  legal: boolean;
  /** Index of the first illegal step, or null. */
  failedAt: number | null;
  state: S;
}

export function replay<S>(model: Model<S, BbsOp, BbsResult>, steps: readonly Step[]): Replay<S> {
  let state = model.init();
  for (let i = 0; i < steps.length; i++) {
    const [op, out] = steps[i]!;
    const [ok, next] = model.step(state, op, out);
    if (!ok) return { legal: false, failedAt: i, state };
    state = next;
  }
  return { legal: true, failedAt: null, state };
}

export function op<F extends BbsOpName>(f: F, args: BbsOpArgs[F]): BbsOp {
  return { f, args } as BbsOp;
}

/** The actual LRP tests' process guid: one instance (index 0) of it. */
export const LRP_GUID = 'lrp-1';

/**
 * LRP_GUID's instance 0 as the store returns it, UNCLAIMED in cf-apps at modification index
 * `index`, with `over` applied.
 */
export function actualRecord(index: number, over: Partial<ActualLRPRecord>): ActualLRPRecord {
  return {
    processGuid: LRP_GUID,
    index: 0,
    domain: 'cf-apps',
    state: 'UNCLAIMED',
    instanceGuid: '',
    cellId: '',
    placementError: '',
    crashCount: 0,
    crashReason: '',
    modificationTag: { epoch: 'E1', index },
    ...over,
  };
}

/** CreateUnclaimedActualLRP of LRP_GUID's instance 0, answered with the fresh record. */
export const createActual: Step = [
  op('CreateUnclaimedActualLRP', { processGuid: LRP_GUID, index: 0, domain: 'cf-apps' }),
  { record: actualRecord(0, {}) },
];
