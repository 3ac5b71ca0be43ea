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
  | 'internal';

/** Report order: the cycle classes from the strongest to the weakest, then the per-read anomalies. */
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
];

export type EdgeKind = 'ww' | 'wr' | 'rw' | 'process' | 'realtime';

/** One dependency of a cycle: `to` depends on `from`. key/value name the append that shows it. */
export interface CycleStep {
  from: number;
  to: number;
  kind: EdgeKind;
  key?: number;
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
  key: number;
  value: number;
  explanation: string;
}

/** G1b: `op` saw list `key` end in `value`, but `txn` went on to append `final` to it. */
export interface IntermediateRead {
  type: 'G1b';
  op: number;
  txn: number;
  key: number;
  value: number;
  final: number;
  explanation: string;
}

export interface GarbageRead {
  type: 'garbage-read';
  op: number;
  key: number;
  value: number;
  explanation: string;
}

/** A value twice in one read of `op`; or, with `txn`, appended by both `txn` and `op`. */
export interface DuplicateAppend {
  type: 'duplicate-append';
  op: number;
  txn?: number;
  key: number;
  value: number;
  explanation: string;
}

/** `op` read list `key` as `read` (its last 10 elements) where its own earlier micro-ops imply `expected`. */
export interface InternalInconsistency {
  type: 'internal';
  op: number;
  key: number;
  /** With `exact`, the whole list the read should have returned; otherwise the end it should have had. */
  expected: number[];
  exact: boolean;
  read: number[];
  explanation: string;
}

/** Transactions that read the same version of `key` (ending in `version`, null = empty) and then all appended to it. */
export interface LostUpdate {
  type: 'lost-update';
  key: number;
  version: number | null;
  txns: { txn: number; appended: number[] }[];
  explanation: string;
}

/** Two reads of `key` that disagree at position `index`; `around` is each read near there. */
export interface IncompatibleOrder {
  type: 'incompatible-order';
  key: number;
  index: number;
  reads: { op: number; length: number; around: number[] }[];
  explanation: string;
}

export type Anomaly =
  | CycleAnomaly
  | AbortedRead
  | IntermediateRead
  | GarbageRead
  | DuplicateAppend
  | InternalInconsistency
  | LostUpdate
  | IncompatibleOrder;

export interface IsolationResult {
  /** True exactly when every count is 0. */
  valid: boolean;
  /** Transactions considered: ok, info and never completed (failed ones are not). */
  txns: number;
  /** Up to maxExamples per type; every type is present. */
  anomalies: Record<AnomalyType, Anomaly[]>;
  /** Every type is present. */
  counts: Record<AnomalyType, number>;
  summary: string;
}

export interface IsolationOptions {
  /** Add real-time order: an ok txn that completed before another was invoked precedes it. */
  realtime?: boolean;
  /** Add process order: an ok txn precedes the next txn of the same process. */
  process?: boolean;
  /** Examples kept per anomaly type (default 5). */
  maxExamples?: number;
}
