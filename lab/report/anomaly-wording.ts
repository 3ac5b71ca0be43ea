// The words for one anomaly (lab/checkers/anomaly.ts) in the report's anomaly list and chart
// titles: a wording per checker name that knows its checker's data, and for any other checker a
// plain wording from the anomaly alone, so a new checker's findings are listed before anyone
// writes words for them. Pure: the anomaly and the check in, a title and an explanation out.

import type { Anomaly } from '../checkers/anomaly.ts';
import { opsOfIsolation } from '../checkers/isolation/checker.ts';
import type { Anomaly as IsolationAnomaly } from '../checkers/isolation/types.ts';
import type { CheckReport } from './verdicts.ts';
import { witnessContextSentences } from './witness-context.ts';

export interface AnomalyWords {
  title: string;
  explanation: string;
}

export interface WordingContext {
  /** The workload's start (ns), the report's one time origin. */
  t0: number;
}

type Wording = (a: Anomaly, check: CheckReport, ctx: WordingContext) => AnomalyWords | null;

const sameOps = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Per checker name: its words for one of its anomalies, from its own data in the check (where the
 * checker keeps the longer story), or null to fall back on the plain wording.
 */
const WORDING: Record<string, Wording> = {
  linearizability(a, check, { t0 }) {
    const k = check.linearizability?.keys.find((x) => x.key === a.keys[0]);
    if (!k?.failure) return null;
    return {
      title: `Not linearizable: ${k.key} (${k.model})`,
      explanation: [k.failure.explanation, ...witnessContextSentences(k.failure, t0)].join(' '),
    };
  },
  invariants(a, check) {
    const v = check.invariants?.violations.find(
      (x) => x.invariant === a.type && x.key === a.keys[0] && sameOps(x.ops, a.ops),
    );
    return v
      ? { title: `Invariant broken: ${v.invariant} on ${v.key}`, explanation: v.explanation }
      : null;
  },
  failedApplied(a, check) {
    const fa = check.failedApplied?.find((x) => x.op === a.ops[0]);
    return fa
      ? {
          title: `Failed but applied: op ${fa.op} (${fa.f} ${fa.key}, ${fa.error})`,
          explanation: fa.explanation,
        }
      : null;
  },
  isolation(a, check) {
    const list = (check.isolation?.anomalies[a.type as IsolationAnomaly['type']] ??
      []) as IsolationAnomaly[];
    const found = list.find((x) => sameOps(opsOfIsolation(x), a.ops));
    return found ? { title: `Isolation anomaly ${a.type}`, explanation: found.explanation } : null;
  },
};

/** A fact of an anomaly's data as a phrase: "seenBy 4", "cycle [{…}]". */
const fact = ([k, v]: [string, unknown]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`;

/** The words any anomaly gets from its own fields. */
export function plainWords(a: Anomaly): AnomalyWords {
  const on = a.keys.length > 0 ? ` on ${a.keys.join(', ')}` : '';
  const facts = Object.entries(a.data);
  return {
    title: `${a.checker}: ${a.type}${on}`,
    explanation:
      `${a.checker} found ${a.type}${on}` +
      (a.ops.length > 0
        ? `, shown by op${a.ops.length === 1 ? '' : 's'} ${a.ops.join(', ')}`
        : '') +
      (facts.length > 0 ? ` (${facts.map(fact).join('; ')})` : '') +
      '.' +
      (a.ruledOut.length > 0 ? ` It rules out ${a.ruledOut.join(', ')}.` : ''),
  };
}

export function anomalyWords(a: Anomaly, check: CheckReport, ctx: WordingContext): AnomalyWords {
  return WORDING[a.checker]?.(a, check, ctx) ?? plainWords(a);
}
