// All the checkers over one history, composed from one list (CHECKERS) as Jepsen composes
// checkers: each judges the ops it applies to, and the history's verdict is the worst of theirs.
// Every checker's findings are also gathered in one list of one shape (anomaly.ts), which the
// report, the charts, `check --json` and the self-test loop over. Adding a checker is one file (a
// `Checker`, checker.ts) and one line below (docs/adding-a-checker.md). Pure: history in, verdicts,
// data and anomalies out. The one pipeline over a history is lab/report/verdicts.ts checkReport
// (these checkers, then explainFindings, then the sentences), used by run, check, the self-test
// (through the run's results.json) and the tests alike.

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
import { failedAppliedChecker } from './failed-applied.ts';
import { invariantsChecker } from './invariants/checker.ts';
import { isolationChecker } from './isolation/checker.ts';
import { linearizabilityChecker } from './linearizability/checker.ts';
import { attributeCauses, type AnomalyCause } from './causes.ts';
import { recheckCommitFails, type CommitFailRecheck } from './linearizability/commit-fails.ts';
import { bbsModelFor } from '../../specs/bbs.ts';
import type { Anomaly } from './anomaly.ts';

export type { Anomaly } from './anomaly.ts';
export type {
  CheckContext,
  CheckOptions,
  Checker,
  CheckerOutcome,
  CheckResult,
  Verdict,
} from './checker.ts';

/** The checkers every history goes through, in the order results.json and the report list them. */
export const CHECKERS = [
  linearizabilityChecker,
  invariantsChecker,
  failedAppliedChecker,
  isolationChecker,
] as const satisfies readonly Checker[];

type Registered = (typeof CHECKERS)[number];

/**
 * Each registered checker's data under its name (typed from CHECKERS, so a new one adds its field).
 */
export type CheckerData = { [C in Registered as C['name']]: C['idle'] };

/**
 * What the checkers found: the history's verdict, each checker's data under its name, and their
 * anomalies.
 */
export type CheckResults = {
  valid: Verdict;
  /**
   * Every checker's anomalies in one shape, in checker order; missing in results written before
   * they were stored: read them with anomaliesOf, which derives them from the checkers' data then.
   */
  anomalies?: Anomaly[];
  /**
   * One cause per anomaly (causes.ts); missing in results written before causes were attributed.
   */
  causes?: AnomalyCause[];
  /**
   * Per non-linearizable key with COMMIT-time failures: the verdict with them taken as unknown
   * (commit-fails.ts).
   */
  commitFailRechecks?: CommitFailRecheck[];
} & CheckerData;

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
  // The ops some checker took: looked at only when nothing was judged, so kept as lists until then.
  const taken: (readonly Op[])[] = [];
  let judged = false;
  let unjudged = 0;
  for (const c of checkers) {
    const ops = history.filter((o) => c.appliesTo(o, ctx));
    if (ops.length === 0) {
      outcomes.push({ name: c.name, ran: false, verdict: true, data: c.idle, anomalies: [] });
      continue;
    }
    const r = c.check(ops, ctx);
    taken.push(ops);
    judged ||= r.judged;
    unjudged += r.unjudged;
    const anomalies = c.anomalies(r.data);
    outcomes.push({ name: c.name, ran: true, verdict: r.verdict, data: r.data, anomalies });
  }
  // Ops that no checker judged, and nothing else judged: a VALID here would be a check that cannot
  // fail. (Ops a model covers but that constrain nothing, such as an `info` read, are a fair
  // VALID.)
  const real = history.filter((o) => o.f !== FINAL_READ);
  const outOfScope = (): boolean => {
    const inScope = new Set(taken.flat());
    return real.some((o) => !inScope.has(o));
  };
  if (!judged && (unjudged > 0 || outOfScope())) {
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
 * results.json's `check` without the sentences: the verdict, each checker's data under its name,
 * then every anomaly.
 */
export function resultsOf(run: CheckRun): CheckResults {
  return {
    valid: run.valid,
    ...Object.fromEntries(run.outcomes.map((o) => [o.name, o.data])),
    anomalies: run.outcomes.flatMap((o) => o.anomalies),
  } as CheckResults;
}

/**
 * A check's anomalies: those it stored, or, for a results.json written before they were stored,
 * those each checker (CHECKERS unless given) finds in its data there. The one list every reader of
 * findings loops over (the report's anomaly list and charts, the self-test's detection table).
 */
export function anomaliesOf(
  check: { anomalies?: readonly Anomaly[] } & Partial<Record<string, unknown>>,
  checkers: readonly Checker[] = CHECKERS,
): Anomaly[] {
  if (Array.isArray(check.anomalies)) return [...check.anomalies];
  return checkers.flatMap((c) => (c.name in check ? c.anomalies(check[c.name] ?? c.idle) : []));
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
