// The sequential specifications of the BBS entities, routed by the per-key partition of ops.ts.
//
// What the runner must record for a BBS op, so these models can judge it:
//   invoke.value          = the BbsOp, `{ f, args }` (specs/vocabulary.ts), exactly as executed
//   invoke.key            = keyOf(op): 'task/<guid>', 'desired/<guid>', 'actual/<guid>/<index>',
//                           'domain/<name>'
//   ok completion .value  = the op's BbsResult (`{ error?, record?, shouldStart? }`); a BBS
//                           state-check rejection is an ok op whose result carries `error`
//   fail completion       = the op did not happen (the model never sees it)
//   info / no completion  = unknown: the checker gives the model `undefined` as output, and the
//                           model applies the op's effect if it is legal (the checker also tries
//                           "it never happened")
// The checker passes `invoke.value` as the model's input and the ok completion's `value` as its
// output. Records are compared field by field on what the model can know: states, cells, instance
// guids, results, crash counts, modification indexes, and epochs once an output has shown them;
// never timestamps.

import { READ_OPS, type BbsOp, type BbsResult } from './vocabulary.ts';
import type { ActualLRPForm, ActualLRPRules } from './transitions.ts';
import { actualLRPModel, actualLRPModelPerState } from './actual-lrp.ts';
import { desiredLRPModel } from './desired-lrp.ts';
import { domainModel } from './domain.ts';
import type { Model } from './model.ts';
import { taskModel } from './task.ts';

export type BbsModel = Model<unknown, BbsOp, BbsResult>;

/** A BBS read never changes the store, so a read of unknown outcome constrains nothing. */
const withReads = (m: BbsModel): BbsModel =>
  ({ ...m, readOnly: (input: BbsOp) => READ_OPS.has(input.f) }) as BbsModel;

/** A refusal by the op's own state check (`error`) leaves the record as it was. */
const refused = (output: BbsResult | undefined): boolean =>
  output !== undefined && output.error !== undefined;

// Which ops the evidence may leave out (Model.changesState). A task read leaves the task as it
// was; a desired LRP read may teach the model the record's epoch, which narrows its state, so it
// stays. Actual LRP states are sets of possibilities that any output may narrow, refusals
// included, so every actual LRP op stays (no method: the conservative default).
const task: BbsModel = {
  ...withReads(taskModel),
  changesState: (input: BbsOp, output: BbsResult | undefined) =>
    !READ_OPS.has(input.f) && !refused(output),
};
const desired: BbsModel = {
  ...withReads(desiredLRPModel),
  changesState: (_input: BbsOp, output: BbsResult | undefined) => !refused(output),
};
const actualPerState = withReads(actualLRPModelPerState);
const actualPermissive = withReads(actualLRPModel('permissive'));
/** The actual LRP models of the earlier forms (transitions.ts ActualLRPForm), made on first use. */
const actualByForm = new Map<string, BbsModel>();
function actualModel(rules: ActualLRPRules, form: ActualLRPForm): BbsModel {
  if (form === 'instance-key-2016-06')
    return rules === 'permissive' ? actualPermissive : actualPerState;
  const k = `${rules}/${form}`;
  let m = actualByForm.get(k);
  if (!m) {
    m = withReads(actualLRPModel(rules, form));
    actualByForm.set(k, m);
  }
  return m;
}
const domain = withReads(domainModel);

/**
 * The models by name (`--model`), with the real actual LRP rule and the hypothetical permissive
 * one.
 */
export const bbsModels: Record<string, BbsModel> = Object.fromEntries(
  [task, desired, actualPerState, actualPermissive, domain].map((m) => [m.name, m]),
);

/** The model for a history key from keyOf(); undefined for a key no BBS model covers. */
export function bbsModelFor(
  key: string,
  opts: { actualLRPRules?: ActualLRPRules; actualLRPForm?: ActualLRPForm } = {},
): BbsModel | undefined {
  const prefix = key.slice(0, key.indexOf('/') + 1);
  switch (prefix) {
    case 'task/':
      return task;
    case 'desired/':
      return desired;
    case 'actual/':
      return actualModel(
        opts.actualLRPRules ?? 'per-state',
        opts.actualLRPForm ?? 'instance-key-2016-06',
      );
    case 'domain/':
      return domain;
    default:
      return undefined;
  }
}
