// Linearizability as one of the composed checkers: every keyed op (not a txn, not the final read),
// each key against its BBS specification or the model --model forces.

import { bbsModelFor } from '../../../specs/bbs.ts';
import { FINAL_READ } from '../../history/event.ts';
import { rulesOf, type Checker } from '../checker.ts';
import { checkLinearizable, type LinResult } from './index.ts';

export const linearizabilityChecker: Checker<LinResult | null, 'linearizability'> = {
  name: 'linearizability',
  appliesTo: (o) => o.key !== undefined && o.f !== FINAL_READ && o.f !== 'txn',
  check(ops, ctx) {
    const forced = ctx.forced;
    const { budget, timeoutMs, stopAtFirstFailure } = ctx.options;
    const lin = checkLinearizable(
      ops,
      forced ? () => forced : (k) => bbsModelFor(k, rulesOf(ctx.options)),
      {
        ...(budget !== undefined ? { budget } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...(stopAtFirstFailure ? { stopAtFirstFailure } : {}),
      },
    );
    return { verdict: lin.valid, data: lin, judged: lin.opsChecked > 0, unjudged: lin.skipped };
  },
  idle: null,
  // One per key that is not linearizable: the ops of its shrunk witness (none when the search
  // kept no witness), the key's model as the data an explanation needs.
  anomalies: (lin) =>
    (lin?.keys ?? [])
      .filter((k) => k.verdict === 'not-linearizable')
      .map((k) => ({
        checker: 'linearizability',
        type: 'not-linearizable',
        ops: k.failure?.ops.map((o) => o.op) ?? [],
        keys: [k.key],
        ruledOut: ['linearizable'],
        data: { model: k.model },
      })),
};
