// Which consistency models an anomaly rules out, after Elle's model hierarchy
// (elle.consistency-model: `direct-proscribed-anomalies`, `implied-anomalies`, and `models`, which
// says which model implies which). Only the models a reader of this lab's reports meets are
// named, weakest first.
//
// Per Elle name: its data class gives the plain models (DATA below). Every "strong session" and
// "strong" (real-time) variant implies its plain model, so a data-only anomaly rules those out too.
// A cycle that needs a process edge (`-process`) rules out only the session and real-time variants
// (Elle: G0-process implies G0-realtime, as processes are single-threaded); one that needs a
// real-time edge (`-realtime`) only the real-time variants: the same data cycle without those
// edges would be allowed by the plain models.

import { isCycleType, splitName, type Variant } from './elle-names.ts';
import type { AnomalyType, ConsistencyModel, CycleClass, CycleType } from './types.ts';

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

/** Anomalies that are not cycles, and the data class of each cycle name. */
type DataAnomaly = Exclude<AnomalyType, CycleType> | CycleClass;

/** The plain models (and the serializable ones above them) each data anomaly rules out. */
const DATA: Record<DataAnomaly, readonly string[]> = {
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
  // Elle: G-single-item implies G-single (consistent view, stronger than cursor stability and
  // below SI), G-nonadjacent-item; G-nonadjacent-item implies G-nonadjacent (proscribed by SI) and
  // G2-item (proscribed by repeatable read). Of the models named here both rule out the same ones.
  'G-single-item': ['repeatable-read', 'snapshot-isolation', ...ABOVE_SERIALIZABLE],
  'G-nonadjacent-item': ['repeatable-read', 'snapshot-isolation', ...ABOVE_SERIALIZABLE],
  // G2-item (adjacent rw edges: write skew) is allowed by snapshot isolation (Elle's SI proscribes
  // G1, G-SI, G-nonadjacent and internal only).
  'G2-item': ['repeatable-read', ...ABOVE_SERIALIZABLE],
};

/** The strong session variant of each plain model that has one. */
const SESSION: Record<string, string> = {
  'read-uncommitted': 'strong-session-read-uncommitted',
  'read-committed': 'strong-session-read-committed',
  'snapshot-isolation': 'strong-session-snapshot-isolation',
  serializable: 'strong-session-serializable',
  'strong-session-serializable': 'strong-session-serializable',
  'strict-serializable': 'strict-serializable',
};
/** The strong (real-time) variant of each plain model that has one. */
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

/** The consistency models `type` rules out, weakest first. */
export function rulesOut(type: AnomalyType): string[] {
  const { cls, variant }: { cls: DataAnomaly; variant: Variant } = isCycleType(type)
    ? splitName(type)
    : { cls: type, variant: 'data' };
  const base = DATA[cls];
  const via = (map: Record<string, string>) => base.flatMap((m) => (map[m] ? [map[m]] : []));
  if (variant === 'realtime') return ordered(via(REALTIME));
  if (variant === 'process') return ordered([...via(SESSION), ...via(REALTIME)]);
  return ordered([...base, ...via(SESSION), ...via(REALTIME)]);
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
