// What the linearizability checker says, per key and overall.

export type Verdict = 'linearizable' | 'not-linearizable' | 'unknown';

/** What ran out: steps, memory, configurations at a cut, the wall clock; 'stopped': not searched to the end because another key was found not linearizable first (stopAtFirstFailure). */
export type Exhausted = 'steps' | 'memory' | 'configurations' | 'time' | 'stopped';

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
   * A witness, in invoke order: from any of `startStates`, no order of these ops is a legal run of
   * the model (every `ok` op taking effect between its invoke and completion, every `info` op at
   * any time after its invoke or never), and therefore the key's whole history cannot be
   * linearized either. Only ops that cannot change the state were left out of the window, and
   * ops invoked after it.
   */
  ops: FailureOp[];
  /**
   * The states the history before the window can leave (as the search found them), described by
   * the model; the window is checked from each. ["<initial state>"] when the window starts at the
   * beginning of the history. Missing in results written before evidence carried start states.
   */
  startStates?: string[];
  /**
   * Ops before the window that created, started or removed the row it starts from (context.ts):
   * not part of the proof, shown so that the start state has its cause on the page.
   */
  context?: FailureOp[];
  /** The first completion by which the key's history already cannot be linearized (context.ts). */
  earliest?: { at: number; op: number };
  /** Said when the witness is larger than one reads at a glance, and why it cannot be smaller. */
  note?: string;
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
  /** Calls of the model's step the verdict's search asked for, cached or not (Porcupine's unit). */
  modelSteps?: number;
  /** The budget (in model steps) that ran out, for an 'unknown' verdict. */
  budget?: number;
  /**
   * What ran out, for an 'unknown' verdict: model steps, the memo's memory, configurations carried
   * across a cut, or the wall-clock time (--timeout).
   */
  exhausted?: Exhausted;
  /** The wall-clock limit in ms, for an 'unknown' verdict that ran out of time. */
  timeoutMs?: number;
  /**
   * Quiescent segments the key's history was cut into (1: no cut; the fast path splits the rest).
   */
  segments?: number;
  failure?: LinFailure;
}

export interface LinResult {
  valid: boolean | 'unknown';
  keys: KeyResult[];
  /** Ops searched over all keys. */
  opsChecked: number;
  /** Keyed ops no model covers (not checked). */
  skipped: number;
  /** Ops of unknown outcome that can never change the state (reads; a cas from a value to itself), dropped because they constrain nothing. */
  droppedReads: number;
}

export interface LinOptions {
  /** Model steps per key before the verdict is 'unknown'. */
  budget?: number;
  /** Bytes the search's memo may hold per key before the verdict is 'unknown' (default 1 GiB). */
  memoryBytes?: number;
  /**
   * Wall-clock ms for the whole check (every key, witnesses included) before what is left is
   * 'unknown'.
   */
  timeoutMs?: number;
  /** Search for the smallest failing sub-history (default true). */
  shrink?: boolean;
  /** Stop at the first non-linearizable key, as Porcupine does (the keys left undecided are 'unknown', exhausted 'stopped'). */
  stopAtFirstFailure?: boolean;
}

export const DEFAULT_BUDGET = 5_000_000;
