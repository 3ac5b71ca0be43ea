// What a checker is, so the composition in index.ts can run a list of them (as Jepsen composes
// checkers): a name, the ops it judges, a pure check from those ops to a verdict and its data, and
// its anomalies in the one shape every reader loops over (anomaly.ts). Sentences about verdicts
// and anomalies are the report's (lab/report/verdicts.ts, anomaly-wording.ts), not a checker's.

import type { Model } from '../../specs/model.ts';
import type { Op } from '../history/event.ts';
import type { ConsistencyModel } from './isolation/types.ts';
import type { ActualLRPForm, ActualLRPRules } from '../../specs/transitions.ts';
import type { CauseSettings } from './causal-wait.ts';
import type { Anomaly } from './anomaly.ts';

/** true: no anomaly; false: an anomaly; 'unknown': the checker could not decide (e.g. budget). */
export type Verdict = boolean | 'unknown';

export interface CheckOptions {
  /** Check every keyed op against this model (a generic or a BBS one) instead of routing by key. */
  model?: string;
  /** WGL search steps per key before the verdict is 'unknown'. */
  budget?: number;
  /**
   * Wall-clock ms for the linearizability search of the whole history before what is left is
   * 'unknown'.
   */
  timeoutMs?: number;
  /**
   * End the linearizability search at the first key found not linearizable, as Porcupine does:
   * the keys left undecided are 'unknown' (exhausted 'stopped').
   */
  stopAtFirstFailure?: boolean;
  /**
   * The register's initial value for --model register / cas-register (default null; Knossos's tests
   * start at 0).
   */
  initialValue?: unknown;
  /** The model list-append transactions are checked against (default strict-serializable). */
  consistency?: ConsistencyModel;
  /**
   * Which AllowsTransitionTo the actual LRP model holds the store to: the run's (default the real
   * 'per-state').
   */
  actualLRPRules?: ActualLRPRules;
  /**
   * What the run's BBS commit wrote around the rule (specs/transitions.ts; default the 2016-06-on
   * form).
   */
  actualLRPForm?: ActualLRPForm;
  /**
   * The run's wsrep_sync_wait and BBS form, which decide whether a node could lag (causes.ts); the
   * server's defaults when missing.
   */
  causeSettings?: CauseSettings;
}

export interface CheckContext {
  /**
   * Every op of the history, the final read included, for checkers that read beyond their own ops.
   */
  history: readonly Op[];
  options: CheckOptions;
  /** The model given by --model, resolved; undefined routes each key to its BBS model. */
  forced: Model | undefined;
}

export interface CheckResult<D> {
  verdict: Verdict;
  data: D;
  /**
   * Whether some op was really judged. A history where no checker judged anything, yet some op
   * went unjudged, has no verdict (NothingCheckedError): VALID there would be a check that cannot
   * fail.
   */
  judged: boolean;
  /** Ops it applies to that it could not judge (e.g. keys no model covers). */
  unjudged: number;
}

export interface Checker<D = unknown, N extends string = string> {
  /**
   * Also the field of results.json's `check` its data is written under, and its anomalies'
   * `checker`.
   */
  readonly name: N;
  /** The ops it judges; with none in the history it does not run, and its data is `idle`. */
  appliesTo(op: Op, ctx: CheckContext): boolean;
  check(ops: readonly Op[], ctx: CheckContext): CheckResult<D>;
  /** Its data when it did not run (results.json keeps every checker's field). */
  readonly idle: D;
  /**
   * Its anomalies, from its data alone: also from the data of a results.json written before
   * anomalies were stored, so it tolerates fields such older data lacks.
   */
  anomalies(data: D): Anomaly[];
}

/** One checker's part of a composed check. */
export interface CheckerOutcome<D = unknown> {
  name: string;
  /** False when no op of the history was one it applies to. */
  ran: boolean;
  verdict: Verdict;
  data: D;
  /** Its anomalies (none when it did not run). */
  anomalies: Anomaly[];
}

/** The options bbsModelFor takes, from a check's options. */
export function rulesOf(o: CheckOptions): {
  actualLRPRules?: ActualLRPRules;
  actualLRPForm?: ActualLRPForm;
} {
  return {
    ...(o.actualLRPRules !== undefined ? { actualLRPRules: o.actualLRPRules } : {}),
    ...(o.actualLRPForm !== undefined ? { actualLRPForm: o.actualLRPForm } : {}),
  };
}
