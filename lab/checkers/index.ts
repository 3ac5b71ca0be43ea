// All the checkers over one history, composed from one list (CHECKERS) as Jepsen composes
// checkers: each judges the ops it applies to, and the history's verdict is the worst of theirs.
// Adding a checker is one file (a `Checker`, checker.ts) and one line below. Pure: history in,
// verdicts and their data out; the sentences about them are the report's (lab/report/verdicts.ts).

import { bbsModels } from '../../specs/bbs.ts';
import { genericModels, REGISTER_MODELS, withInitialValue } from '../../specs/generic.ts';
import type { Model } from '../../specs/model.ts';
import { FINAL_READ, pairOps, type HistoryEvent, type Op } from '../history/event.ts';
import {
  rulesOf,
  type CheckContext,
  type CheckOptions,
  type Checker,
  type CheckerOutcome,
  type Verdict,
} from './checker.ts';
import { failedAppliedChecker, type FailedButApplied } from './failed-applied.ts';
import { invariantsChecker } from './invariants/checker.ts';
import type { InvariantResult } from './invariants/index.ts';
import { isolationChecker } from './isolation/checker.ts';
import type { IsolationResult } from './isolation/index.ts';
import { linearizabilityChecker } from './linearizability/checker.ts';
import type { LinResult } from './linearizability/index.ts';
import { attributeCauses, type AnomalyCause } from './causes.ts';
import { recheckCommitFails, type CommitFailRecheck } from './linearizability/commit-fails.ts';
import { bbsModelFor } from '../../specs/bbs.ts';

export type {
  CheckContext,
  CheckOptions,
  Checker,
  CheckerOutcome,
  CheckResult,
  Verdict,
} from './checker.ts';

/** The checkers every history goes through, in the order results.json and the report list them. */
export const CHECKERS: readonly Checker[] = [
  linearizabilityChecker,
  invariantsChecker,
  failedAppliedChecker,
  isolationChecker,
];

/** What the checkers found: the history's verdict and each checker's data under its name. */
export interface CheckResults {
  valid: Verdict;
  linearizability: LinResult | null;
  invariants: InvariantResult | null;
  failedApplied: FailedButApplied[];
  isolation: IsolationResult | null;
  /**
   * One cause per anomaly (causes.ts); missing in results written before causes were attributed.
   */
  causes?: AnomalyCause[];
  /**
   * Per non-linearizable key with COMMIT-time failures: the verdict with them taken as unknown
   * (commit-fails.ts).
   */
  commitFailRechecks?: CommitFailRecheck[];
}

export interface CheckRun {
  valid: Verdict;
  outcomes: CheckerOutcome[];
}

export class UnknownModelError extends Error {}
/**
 * Ops there were, but no checker could judge any of them: a verdict would be a check that cannot
 * fail.
 */
export class NothingCheckedError extends UnknownModelError {}

export function modelNames(): string[] {
  return [...Object.keys(genericModels), ...Object.keys(bbsModels)];
}

function modelByName(name: string, opts: CheckOptions = {}): Model {
  const m =
    (genericModels as Record<string, Model>)[name] ?? (bbsModels as Record<string, Model>)[name];
  if (!m)
    throw new UnknownModelError(
      `--model: unknown model ${JSON.stringify(name)}; known: ${modelNames().join(', ')}`,
    );
  if (opts.initialValue === undefined) return m;
  const started = withInitialValue(name, opts.initialValue);
  if (!started)
    throw new UnknownModelError(
      `--initial-value: applies to --model ${REGISTER_MODELS.join(' or ')}, not ${name}; leave it out for ${name}`,
    );
  return started;
}

/** The worst verdict: any anomaly is false; else any undecided is 'unknown'. */
export function combineVerdicts(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes(false)) return false;
  return verdicts.includes('unknown') ? 'unknown' : true;
}

export function runCheckers(
  events: readonly HistoryEvent[],
  opts: CheckOptions = {},
  checkers: readonly Checker[] = CHECKERS,
): CheckRun {
  if (opts.initialValue !== undefined && opts.model === undefined)
    throw new UnknownModelError(
      `--initial-value: give it with --model ${REGISTER_MODELS.join(' or ')}`,
    );
  const history = pairOps(events);
  const ctx: CheckContext = {
    history,
    options: opts,
    forced: opts.model !== undefined ? modelByName(opts.model, opts) : undefined,
  };
  const outcomes: CheckerOutcome[] = [];
  const inScope = new Set<Op>();
  let judged = false;
  let unjudged = 0;
  for (const c of checkers) {
    const ops = history.filter((o) => c.appliesTo(o, ctx));
    if (ops.length === 0) {
      outcomes.push({ name: c.name, ran: false, verdict: true, data: c.idle });
      continue;
    }
    const r = c.check(ops, ctx);
    for (const o of ops) inScope.add(o);
    judged ||= r.judged;
    unjudged += r.unjudged;
    outcomes.push({ name: c.name, ran: true, verdict: r.verdict, data: r.data });
  }
  // Ops that no checker judged, and nothing else judged: a VALID here would be a check that cannot
  // fail. (Ops a model covers but that constrain nothing, such as an `info` read, are a fair
  // VALID.)
  const real = history.filter((o) => o.f !== FINAL_READ);
  if (!judged && (unjudged > 0 || real.some((o) => !inScope.has(o)))) {
    const keys = [...new Set(real.map((o) => o.key).filter((k): k is string => k !== undefined))];
    throw new NothingCheckedError(
      `no op could be checked: ${keys.length > 0 ? `key(s) ${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ', …' : ''} have no built-in model` : 'no op has a key'} and none is a txn; ` +
        `give --model (${modelNames()
          .filter((n) => n in genericModels)
          .join(', ')}) for a generic history`,
    );
  }
  return { valid: combineVerdicts(outcomes.map((o) => o.verdict)), outcomes };
}

/**
 * results.json's `check` without the sentences: the verdict, then each checker's data under its
 * name.
 */
export function resultsOf(run: CheckRun): CheckResults {
  return {
    valid: run.valid,
    ...Object.fromEntries(run.outcomes.map((o) => [o.name, o.data])),
  } as CheckResults;
}

/**
 * What the checkers' findings say together, after they ran: each non-linearizable key re-checked
 * with its COMMIT-time failures taken as unknown (commit-fails.ts), and one cause per anomaly
 * (causes.ts), which reads several checkers' results at once.
 */
export function explainFindings(
  events: readonly HistoryEvent[],
  results: CheckResults,
  opts: CheckOptions = {},
): Required<Pick<CheckResults, 'causes' | 'commitFailRechecks'>> {
  const ops = pairOps(events);
  const forced = opts.model !== undefined ? modelByName(opts.model, opts) : undefined;
  const commitFailRechecks: CommitFailRecheck[] = [];
  for (const k of results.linearizability?.keys ?? []) {
    if (k.verdict !== 'not-linearizable') continue;
    const model = forced ?? bbsModelFor(k.key, rulesOf(opts));
    const keyOps = ops.filter((o) => o.key === k.key && o.f !== FINAL_READ && o.f !== 'txn');
    const r = model ? recheckCommitFails(k.key, keyOps, model, opts.budget ?? 1_000_000) : null;
    if (r) commitFailRechecks.push(r);
  }
  const causes = attributeCauses(ops, {
    linearizability: results.linearizability,
    invariants: results.invariants,
    failedApplied: results.failedApplied,
    commitFailRechecks,
    ...(opts.causeSettings ? { settings: opts.causeSettings } : {}),
  });
  return { causes, commitFailRechecks };
}

export function checkHistory(
  events: readonly HistoryEvent[],
  opts: CheckOptions = {},
  checkers: readonly Checker[] = CHECKERS,
): CheckResults {
  const results = resultsOf(runCheckers(events, opts, checkers));
  return { ...results, ...explainFindings(events, results, opts) };
}
