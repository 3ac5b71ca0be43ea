// The isolation checker's public shapes. Anomalies are plain JSON for results.json; a transaction
// is only ever named by its history op id, and only in fields called op, from, to or txn, so a
// reader (or a test) can resolve every such number against the history.

export type AnomalyType =
  | 'G0'
  | 'G1a'
  | 'G1b'
  | 'G1c'
  | 'G-single'
  | 'G2-item'
  | 'lost-update'
  | 'incompatible-order'
  | 'duplicate-append'
  | 'garbage-read'
  | 'internal'
  | 'future-read';

/**
 * Report order: the cycle classes from the strongest to the weakest, then the per-read anomalies.
 */
export const ANOMALY_TYPES: readonly AnomalyType[] = [
  'G0',
  'G1a',
  'G1b',
  'G1c',
  'G-single',
  'G2-item',
  'lost-update',
  'incompatible-order',
  'duplicate-append',
  'garbage-read',
  'internal',
  'future-read',
];

/** A list's key as the history wrote it (see txns.ts). */
export type ListKey = number | string;

export type EdgeKind = 'ww' | 'wr' | 'rw' | 'process' | 'realtime';

/** One dependency of a cycle: `to` depends on `from`. key/value name the append that shows it. */
export interface CycleStep {
  from: number;
  to: number;
  kind: EdgeKind;
  key?: ListKey;
  value?: number;
}

export interface CycleAnomaly {
  type: 'G0' | 'G1c' | 'G-single' | 'G2-item';
  cycle: CycleStep[];
  explanation: string;
}

/** G1a: `op` read `value`, which only `txn` appended, and `txn` failed. */
export interface AbortedRead {
  type: 'G1a';
  op: number;
  txn: number;
  key: ListKey;
  value: number;
  explanation: string;
}

/** G1b: `op` saw list `key` end in `value`, but `txn` went on to append `final` to it. */
export interface IntermediateRead {
  type: 'G1b';
  op: number;
  txn: number;
  key: ListKey;
  value: number;
  final: number;
  explanation: string;
}

export interface GarbageRead {
  type: 'garbage-read';
  op: number;
  key: ListKey;
  value: number;
  explanation: string;
}

/** A value twice in one read of `op`; or, with `txn`, appended by both `txn` and `op`. */
export interface DuplicateAppend {
  type: 'duplicate-append';
  op: number;
  txn?: number;
  key: ListKey;
  value: number;
  explanation: string;
}

/**
 * `op` read list `key` as `read` (its last 10 elements) where its own earlier micro-ops imply
 * `expected`.
 */
export interface InternalInconsistency {
  type: 'internal';
  op: number;
  key: ListKey;
  /**
   * With `exact`, the whole list the read should have returned; otherwise the end it should have
   * had.
   */
  expected: number[];
  exact: boolean;
  read: number[];
  explanation: string;
}

/**
 * Transactions that read the same version of `key` (ending in `version`, null = empty) and then all
 * appended to it.
 */
export interface LostUpdate {
  type: 'lost-update';
  key: ListKey;
  version: number | null;
  txns: { txn: number; appended: number[] }[];
  explanation: string;
}

/** Two reads of `key` that disagree at position `index`; `around` is each read near there. */
export interface IncompatibleOrder {
  type: 'incompatible-order';
  key: ListKey;
  index: number;
  reads: { op: number; length: number; around: number[] }[];
  explanation: string;
}

/** `op` read list `key` holding `value` before it appended `value` itself (Elle's future read). */
export interface FutureRead {
  type: 'future-read';
  op: number;
  key: ListKey;
  value: number;
  explanation: string;
}

export type Anomaly =
  | CycleAnomaly
  | AbortedRead
  | IntermediateRead
  | GarbageRead
  | DuplicateAppend
  | InternalInconsistency
  | FutureRead
  | LostUpdate
  | IncompatibleOrder;

/**
 * The consistency models `check --consistency` can hold a history to, as Elle defines them:
 * serializable (Adya's PL-3) has cycles of ww, wr and rw dependencies only; strong session
 * serializable adds each process's order; strict serializable (PL-SS) adds real-time order.
 */
export type ConsistencyModel =
  | 'strict-serializable'
  | 'strong-session-serializable'
  | 'serializable';
export const CONSISTENCY_MODELS: readonly ConsistencyModel[] = [
  'strict-serializable',
  'strong-session-serializable',
  'serializable',
];

export interface IsolationResult {
  /** True exactly when every count is 0. */
  valid: boolean;
  /** The model the history was checked against (which order edges the graph had). */
  consistency: ConsistencyModel;
  /**
   * For each anomaly type found: the consistency models its examples rule out, weakest first
   * (Elle's hierarchy; a cycle that needs process or real-time order rules out only the session
   * or real-time variants).
   */
  rulesOut: Partial<Record<AnomalyType, string[]>>;
  /** Transactions considered: ok, info and never completed (failed ones are not). */
  txns: number;
  /** Up to maxExamples per type; every type is present. */
  anomalies: Record<AnomalyType, Anomaly[]>;
  /** Every type is present. */
  counts: Record<AnomalyType, number>;
  summary: string;
}

export interface IsolationOptions {
  /** Sets `realtime` and `process` as the model needs (overrides them). */
  consistency?: ConsistencyModel;
  /** Add real-time order: an ok txn that completed before another was invoked precedes it. */
  realtime?: boolean;
  /** Add process order: an ok txn precedes the next txn of the same process. */
  process?: boolean;
  /** Examples kept per anomaly type (default 5). */
  maxExamples?: number;
}
