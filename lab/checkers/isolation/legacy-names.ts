// Results written before the checker used Elle's cycle names (results.json without
// `check.isolation.names`) counted each cycle under the search that found it, whatever order edges
// closed it: G0 (ww only), G1c (ww and wr), G-single (exactly one rw edge) and G2-item (two or
// more rw edges, adjacent or not). Readers of results of either age (campaign metrics, the
// isolation notebook) keep those four names in that meaning: on newer results each is the sum of
// the Elle names it covers, every -process and -realtime variant included, which is what the old
// count was (the searches are the same; only the naming of what they find changed).

import { splitName } from './elle-names.ts';
import { type CycleClass, type CycleType, variantsOf } from './types.ts';

export const LEGACY_NAMES = ['G0', 'G1c', 'G-single', 'G2-item'] as const;
export type LegacyName = (typeof LEGACY_NAMES)[number];

/** The Elle classes each legacy name covers. */
export const LEGACY_CLASSES: Record<LegacyName, readonly CycleClass[]> = {
  G0: ['G0'],
  G1c: ['G1c'],
  'G-single': ['G-single-item'],
  'G2-item': ['G-nonadjacent-item', 'G2-item'],
};

/** The Elle names a legacy name sums on newer results. */
export const legacyMembers = (name: LegacyName): CycleType[] =>
  LEGACY_CLASSES[name].flatMap(variantsOf);

/** The legacy name that covers an Elle cycle name: G2-item-realtime → G2-item. */
export const legacyOf = (type: CycleType): LegacyName =>
  LEGACY_NAMES.find((n) => LEGACY_CLASSES[n].includes(splitName(type).cls))!;

export const isLegacyName = (name: string): name is LegacyName =>
  (LEGACY_NAMES as readonly string[]).includes(name);

/** An isolation result of any age, read loosely (results.json). */
export interface LooseIsolation {
  names?: unknown;
  counts?: Record<string, unknown> | null;
}

/** Whether the counts are keyed by Elle's cycle names (results written since `names`). */
export const hasElleNames = (iso: LooseIsolation): boolean => iso.names === 'elle';

const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** What a legacy name counted, from results of either age. */
export function legacyCount(iso: LooseIsolation, name: LegacyName): number {
  const counts = iso.counts ?? {};
  if (!hasElleNames(iso)) return count(counts[name]);
  return legacyMembers(name).reduce((a, t) => a + count(counts[t]), 0);
}
