// Checker-side plants: a specification that accepts too much. A correct store never shows such a
// weakening (it never sends what the weakened spec wrongly lets through), so no run can catch
// it; a test of the spec must (test/unit/specs-must-reject.test.ts runs the spec's must-reject
// cases against each weakening here and shows at least one case it now accepts). Pure.

import type { BbsOp, BbsResult } from '../../bbs/ops.ts';
import type { BbsModel } from '../../specs/bbs.ts';

export interface SpecPlant {
  name: string;
  /** The model key prefix (keyOf) whose spec it weakens. */
  key: 'task/' | 'desired/' | 'actual/' | 'domain/';
  description: string;
  /** The step the weakened spec accepts although the real one does not. */
  accepts(input: BbsOp, output: BbsResult | undefined): boolean;
}

export const SPEC_PLANTS: readonly SpecPlant[] = [
  {
    name: 'task-spec-accepts-restart',
    key: 'task/',
    description: 'the task spec lets a StartTask start a task another cell runs',
    accepts: (i, o) => i.f === 'StartTask' && o?.shouldStart === true,
  },
  {
    name: 'desired-lrp-spec-accepts-redesire',
    key: 'desired/',
    description: 'the desired LRP spec lets DesireLRP succeed on an existing desired LRP',
    accepts: (i, o) => i.f === 'DesireLRP' && o?.error === undefined,
  },
  {
    name: 'actual-lrp-spec-accepts-foreign-claim',
    key: 'actual/',
    description: 'the actual LRP spec lets another instance claim a CLAIMED or RUNNING instance',
    accepts: (i, o) => i.f === 'ClaimActualLRP' && o?.error === undefined,
  },
  {
    name: 'domain-spec-accepts-any-refusal',
    key: 'domain/',
    description: 'the domain spec accepts a refused UpsertDomain at any time',
    accepts: (i, o) => i.f === 'UpsertDomain' && o?.error === 'ResourceExists',
  },
];

/**
 * The model with the plant: a step the real model refuses is accepted, the state left as it was.
 */
export function weaken(model: BbsModel, plant: SpecPlant): BbsModel {
  return {
    ...model,
    name: `${model.name} (weakened: ${plant.name})`,
    step(state, input, output) {
      const r = model.step(state, input, output);
      if (r[0] || !plant.accepts(input, output)) return r;
      return [true, state];
    },
  };
}
