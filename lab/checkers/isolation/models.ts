// Which consistency models an anomaly rules out, after Elle's model hierarchy
// (elle.consistency-model: the anomalies each model proscribes, and which anomalies imply which).
// Only the models a reader of this lab's reports meets are named, weakest first.
//
// A cycle that needs a process edge rules out only the "strong session" variants, one that needs
// a real-time edge only the "strong" (real-time) variants: the same data cycle without those edges
// would be allowed by the plain models.

import type { AnomalyType, CycleAnomaly, ConsistencyModel } from './types.ts';

/** Weakest first; a model later in the list is not always stronger than an earlier one. */
export const MODEL_ORDER = [
  'read-uncommitted',
  'read-committed',
  'cursor-stability',
  'read-atomic',
  'repeatable-read',
  'snapshot-isolation',
  'serializable',
  'strong-session-read-uncommitted',
  'strong-session-read-committed',
  'strong-session-snapshot-isolation',
  'strong-session-serializable',
  'strong-read-uncommitted',
  'strong-read-committed',
  'strong-snapshot-isolation',
  'strict-serializable',
] as const;

const ABOVE_SERIALIZABLE = ['serializable', 'strong-session-serializable', 'strict-serializable'];

/** Anomalies found from data dependencies (and single reads) alone. */
const DATA: Record<AnomalyType, readonly string[]> = {
  // Elle: G0 is proscribed by PL-1; duplicates break a total version order (PL-1 too).
  G0: [
    'read-uncommitted',
    'read-committed',
    'cursor-stability',
    'read-atomic',
    'repeatable-read',
    'snapshot-isolation',
    ...ABOVE_SERIALIZABLE,
  ],
  'duplicate-append': [
    'read-uncommitted',
    'read-committed',
    'cursor-stability',
    'read-atomic',
    'repeatable-read',
    'snapshot-isolation',
    ...ABOVE_SERIALIZABLE,
  ],
  // A value nobody wrote: no model allows it.
  'garbage-read': [
    'read-uncommitted',
    'read-committed',
    'cursor-stability',
    'read-atomic',
    'repeatable-read',
    'snapshot-isolation',
    ...ABOVE_SERIALIZABLE,
  ],
  // G1 (a, b, c) is proscribed by PL-2; an incompatible order implies G1a.
  G1a: [
    'read-committed',
    'cursor-stability',
    'read-atomic',
    'repeatable-read',
    'snapshot-isolation',
    ...ABOVE_SERIALIZABLE,
  ],
  G1b: [
    'read-committed',
    'cursor-stability',
    'read-atomic',
    'repeatable-read',
    'snapshot-isolation',
    ...ABOVE_SERIALIZABLE,
  ],
  G1c: [
    'read-committed',
    'cursor-stability',
    'read-atomic',
    'repeatable-read',
    'snapshot-isolation',
    ...ABOVE_SERIALIZABLE,
  ],
  'incompatible-order': [
    'read-committed',
    'cursor-stability',
    'read-atomic',
    'repeatable-read',
    'snapshot-isolation',
    ...ABOVE_SERIALIZABLE,
  ],
  // Lost update: proscribed by cursor stability (Adya), so by repeatable read and SI too.
  'lost-update': [
    'cursor-stability',
    'repeatable-read',
    'snapshot-isolation',
    ...ABOVE_SERIALIZABLE,
  ],
  // A future read implies G1c (Elle: a txn observing its own later write is circular information
  // flow).
  'future-read': [
    'read-committed',
    'cursor-stability',
    'read-atomic',
    'repeatable-read',
    'snapshot-isolation',
    ...ABOVE_SERIALIZABLE,
  ],
  // Internal inconsistency: Cerone's INT axiom (read atomic, SI, serializable).
  internal: ['read-atomic', 'snapshot-isolation', ...ABOVE_SERIALIZABLE],
  // An item G-single is G-nonadjacent (SI) and G2-item (repeatable read).
  'G-single': ['repeatable-read', 'snapshot-isolation', ...ABOVE_SERIALIZABLE],
  'G2-item': ['repeatable-read', ...ABOVE_SERIALIZABLE],
};

const SESSION: Record<string, string> = {
  'read-uncommitted': 'strong-session-read-uncommitted',
  'read-committed': 'strong-session-read-committed',
  'snapshot-isolation': 'strong-session-snapshot-isolation',
  serializable: 'strong-session-serializable',
  'strong-session-serializable': 'strong-session-serializable',
  'strict-serializable': 'strict-serializable',
};
const REALTIME: Record<string, string> = {
  'read-uncommitted': 'strong-read-uncommitted',
  'read-committed': 'strong-read-committed',
  'snapshot-isolation': 'strong-snapshot-isolation',
  'strict-serializable': 'strict-serializable',
};

const ordered = (names: Iterable<string>): string[] => {
  const set = new Set(names);
  return MODEL_ORDER.filter((m) => set.has(m));
};

export type Variant = 'data' | 'process' | 'realtime';

export function rulesOut(type: AnomalyType, variant: Variant = 'data'): string[] {
  const base = DATA[type];
  if (variant === 'data') return ordered(base);
  const map = variant === 'process' ? SESSION : REALTIME;
  return ordered(base.flatMap((m) => (map[m] ? [map[m]] : [])));
}

/** The weakest variant among the examples of a cycle type: what the history surely rules out. */
export function variantOf(examples: readonly CycleAnomaly[]): Variant {
  let best: Variant = 'realtime';
  for (const a of examples) {
    const kinds = new Set(a.cycle.map((s) => s.kind));
    if (!kinds.has('process') && !kinds.has('realtime')) return 'data';
    if (!kinds.has('realtime')) best = 'process';
  }
  return best;
}

export function orderEdgesOf(model: ConsistencyModel): { realtime: boolean; process: boolean } {
  return {
    realtime: model === 'strict-serializable',
    process: model === 'strong-session-serializable',
  };
}

export function modelOf(opts: { realtime?: boolean; process?: boolean }): ConsistencyModel {
  return opts.realtime
    ? 'strict-serializable'
    : opts.process
      ? 'strong-session-serializable'
      : 'serializable';
}

export const MODEL_NOTE: Record<ConsistencyModel, string> = {
  'strict-serializable': 'strict serializability (dependencies plus real-time order)',
  'strong-session-serializable':
    "strong session serializability (dependencies plus each process's order)",
  serializable: 'serializability (ww, wr and rw dependencies only)',
};
