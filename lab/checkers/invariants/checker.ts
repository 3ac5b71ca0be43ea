// The BBS invariants as one of the composed checkers. They apply when the history has BBS ops (and
// no --model replaces the BBS specifications), and read the whole history: the final read too.

import { bbsModelFor } from '../../../specs/bbs.ts';
import { FINAL_READ } from '../../history/event.ts';
import { rulesOf, type Checker } from '../checker.ts';
import { checkInvariants, type InvariantResult } from './index.ts';

export const invariantsChecker: Checker<InvariantResult | null, 'invariants'> = {
  name: 'invariants',
  // Domains reads have no key (they read every domain): the invariants are what judge them.
  appliesTo: (o, ctx) =>
    !ctx.forced &&
    (o.f === 'Domains' ||
      (o.key !== undefined &&
        o.f !== FINAL_READ &&
        o.f !== 'txn' &&
        bbsModelFor(o.key, rulesOf(ctx.options)) !== undefined)),
  check(_ops, ctx) {
    const inv = checkInvariants(ctx.history, 10, ctx.options.causeSettings);
    return { verdict: inv.valid, data: inv, judged: true, unjudged: 0 };
  },
  idle: null,
  // One per violation kept as an example (up to 10 per invariant; `counts` has them all).
  anomalies: (inv) =>
    (inv?.violations ?? []).map((v) => ({
      checker: 'invariants',
      type: v.invariant,
      ops: [...v.ops],
      keys: [v.key],
      ruledOut: [],
      data: {},
    })),
};
