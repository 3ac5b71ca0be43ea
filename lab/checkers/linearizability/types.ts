// What the linearizability checker says, per key and overall.

export type Verdict = 'linearizable' | 'not-linearizable' | 'unknown';

/** One op as the failure report shows it. */
export interface FailureOp {
  op: number;
  process: number;
  outcome: 'ok' | 'info';
  /** The model's description of the op, e.g. "StartTask on cell-b → shouldStart". */
  description: string;
  /** Nanoseconds, as in the history. `complete` is missing for an op that never completed. */
  invoke: number;
  complete?: number;
}

export interface LinFailure {
  /**
   * The smallest sub-history found that still cannot be ordered (ops removed one by one while it
   * stayed non-linearizable), in invoke order. Every `ok` op in it had to take effect between its
   * invoke and completion; no order of them is a legal run of the model.
   */
  ops: FailureOp[];
  /** How many ops of the key's history the shrinking started from. */
  shrunkFrom: number;
  /** The longest legal order found for the sub-history, and where it got stuck. */
  longestPrefix: number[];
  stateAfterPrefix: string;
  /** The op that had to take effect next (its completion came) but could not. */
  blockedOp: number | null;
  explanation: string;
}

export interface KeyResult {
  key: string;
  model: string;
  verdict: Verdict;
  /** Ops of this key that were searched (ok and info; fail ops never took effect). */
  ops: number;
  /** Model steps tried. */
  steps: number;
  /** The budget (in model steps) that ran out, for an 'unknown' verdict. */
  budget?: number;
  failure?: LinFailure;
}

export interface LinResult {
  valid: boolean | 'unknown';
  keys: KeyResult[];
  /** Ops searched over all keys. */
  opsChecked: number;
  /** Keyed ops no model covers (not checked). */
  skipped: number;
  /** info ops of read-only calls, dropped because they constrain nothing. */
  droppedReads: number;
}

export interface LinOptions {
  /** Model steps per key before the verdict is 'unknown'. */
  budget?: number;
  /** Search for the smallest failing sub-history (default true). */
  shrink?: boolean;
}

export const DEFAULT_BUDGET = 5_000_000;
