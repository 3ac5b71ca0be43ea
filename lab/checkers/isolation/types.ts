// The isolation checker's public shapes. Anomalies are plain JSON for results.json; a transaction
// is only ever named by its history op id, and only in fields called op, from, to or txn, so a
// reader (or a test) can resolve every such number against the history.

/**
 * A cycle's data-dependency class, as Elle names it for item (non-predicate) dependencies: see
 * elle-names.ts for the rule.
 */
export type CycleClass = 'G0' | 'G1c' | 'G-single-item' | 'G-nonadjacent-item' | 'G2-item';
/** Elle's cycle names: the class, then `-process` or `-realtime` when an order edge closes it. */
export type CycleType = CycleClass | `${CycleClass}-process` | `${CycleClass}-realtime`;

export const CYCLE_CLASSES: readonly CycleClass[] = [
  'G0',
  'G1c',
  'G-single-item',
  'G-nonadjacent-item',
  'G2-item',
];
/** A class, then its process and real-time variants. */
export const variantsOf = (c: CycleClass): CycleType[] => [c, `${c}-process`, `${c}-realtime`];
/** Each class, then its process and real-time variants. */
export const CYCLE_TYPES: readonly CycleType[] = CYCLE_CLASSES.flatMap(variantsOf);

export type AnomalyType =
  | CycleType
  | 'G1a'
  | 'G1b'
  | 'lost-update'
  | 'incompatible-order'
  | 'duplicate-append'
  | 'garbage-read'
  | 'internal'
  | 'future-read';

/**
 * Report order: the cycle classes from the strongest to the weakest (G1a and G1b beside G1c), then
 * the per-read anomalies.
 */
export const ANOMALY_TYPES: readonly AnomalyType[] = [
  ...variantsOf('G0'),
  'G1a',
  'G1b',
  ...variantsOf('G1c'),
  ...variantsOf('G-single-item'),
  ...variantsOf('G-nonadjacent-item'),
  ...variantsOf('G2-item'),
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
  /** Named from `cycle` by Elle's rule (elle-names.ts). */
  type: CycleType;
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
   * Which anomaly names `counts` uses: 'elle' (Elle's cycle names, this shape). Results written
   * before it had no such field and counted cycles as G0, G1c, G-single and G2-item, whatever
   * order edges closed them (see lab/investigate/metrics.ts for how those are read).
   */
  names: 'elle';
  /**
   * For each anomaly type found: the consistency models it rules out, weakest first (Elle's
   * hierarchy; a `-process` or `-realtime` cycle rules out only the session or real-time models).
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
