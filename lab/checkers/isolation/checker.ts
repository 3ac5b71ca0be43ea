// Transactional isolation (Elle-style) as one of the composed checkers: every list-append txn.

import type { Checker } from '../checker.ts';
import { checkIsolation, type IsolationResult } from './index.ts';

export const isolationChecker: Checker<IsolationResult | null> = {
  name: 'isolation',
  appliesTo: (o) => o.f === 'txn',
  check(ops, ctx) {
    const iso = checkIsolation(ops, {
      consistency: ctx.options.consistency ?? 'strict-serializable',
    });
    return { verdict: iso.valid, data: iso, judged: true, unjudged: 0 };
  },
  idle: null,
};
