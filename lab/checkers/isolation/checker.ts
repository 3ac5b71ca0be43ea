// Transactional isolation (Elle-style) as one of the composed checkers: every list-append txn.

import type { Anomaly as Finding } from '../anomaly.ts';
import type { Checker } from '../checker.ts';
import { checkIsolation, type IsolationResult } from './index.ts';
import { rulesOut } from './models.ts';
import { ANOMALY_TYPES, type Anomaly } from './types.ts';

/**
 * The history ops an isolation anomaly names: a cycle's txns, a read and the txn it read from, …
 */
export function opsOfIsolation(a: Anomaly): number[] {
  // Every cycle, whatever Elle name it has.
  if ('cycle' in a) return a.cycle.flatMap((s) => [s.from, s.to]);
  switch (a.type) {
    case 'G1a':
    case 'G1b':
      return [a.op, a.txn];
    case 'duplicate-append':
      return a.txn !== undefined ? [a.op, a.txn] : [a.op];
    case 'garbage-read':
    case 'internal':
    case 'future-read':
      return [a.op];
    case 'lost-update':
      return a.txns.map((t) => t.txn);
    case 'incompatible-order':
      return a.reads.map((r) => r.op);
  }
}

function keysOf(a: Anomaly): string[] {
  const keys = 'cycle' in a ? a.cycle.map((s) => s.key) : [a.key];
  return [...new Set(keys.filter((k) => k !== undefined).map(String))];
}

/** One isolation example in the one shape: its facts (all but the sentence) as its data. */
function findingOf(a: Anomaly): Finding {
  const { type, explanation: _sentence, ...facts } = a;
  return {
    checker: 'isolation',
    type,
    // A cycle names each txn twice (as one step's `to` and the next one's `from`): once here.
    ops: [...new Set(opsOfIsolation(a))],
    keys: keysOf(a),
    ruledOut: rulesOut(type),
    data: facts,
  };
}

export const isolationChecker: Checker<IsolationResult | null, 'isolation'> = {
  name: 'isolation',
  appliesTo: (o) => o.f === 'txn',
  check(ops, ctx) {
    const iso = checkIsolation(ops, {
      consistency: ctx.options.consistency ?? 'strict-serializable',
    });
    return { verdict: iso.valid, data: iso, judged: true, unjudged: 0 };
  },
  idle: null,
  // The examples kept per type (up to 5; `counts` has them all), in the report's type order.
  anomalies: (iso) =>
    iso ? ANOMALY_TYPES.flatMap((t) => (iso.anomalies[t] ?? []).map(findingOf)) : [],
};
