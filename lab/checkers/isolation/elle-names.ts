// Elle's name for a dependency cycle (elle.txn/cycle-explainer), applied to list-append, which
// has item dependencies only (no predicate rw edges, so never plain G-single, G2 or G-nonadjacent):
//
//   exactly one rw edge                     G-single-item
//   two or more, two of them adjacent       G2-item             (last→first counts as adjacent)
//   two or more, no two adjacent            G-nonadjacent-item
//   no rw edge, some wr edge                G1c
//   otherwise (ww only)                     G0
//
// then "-realtime" if any edge is real-time order, else "-process" if any is process order. The
// name says which consistency models the cycle rules out (models.ts), so it is taken from the
// cycle shown, not from the search that found it.

import { CYCLE_TYPES, type CycleClass, type CycleStep, type CycleType } from './types.ts';

export type Variant = 'data' | 'process' | 'realtime';

/** Elle's name for the cycle `steps` (in cycle order: each step's `to` is the next one's `from`). */
export function elleName(steps: readonly Pick<CycleStep, 'kind'>[]): CycleType {
  let rw = 0;
  let wr = 0;
  let process = false;
  let realtime = false;
  let adjacent = false;
  for (let i = 0; i < steps.length; i++) {
    const kind = steps[i]!.kind;
    if (kind === 'rw') {
      rw++;
      if (steps[(i + steps.length - 1) % steps.length]!.kind === 'rw') adjacent = true;
    } else if (kind === 'wr') wr++;
    else if (kind === 'process') process = true;
    else if (kind === 'realtime') realtime = true;
  }
  const data: CycleClass =
    rw === 1
      ? 'G-single-item'
      : rw > 1
        ? adjacent
          ? 'G2-item'
          : 'G-nonadjacent-item'
        : wr > 0
          ? 'G1c'
          : 'G0';
  return realtime ? `${data}-realtime` : process ? `${data}-process` : data;
}

/** A cycle name's data class and order variant: 'G2-item-realtime' → G2-item, realtime. */
export function splitName(type: CycleType): { cls: CycleClass; variant: Variant } {
  if (type.endsWith('-realtime'))
    return { cls: type.slice(0, -'-realtime'.length) as CycleClass, variant: 'realtime' };
  if (type.endsWith('-process'))
    return { cls: type.slice(0, -'-process'.length) as CycleClass, variant: 'process' };
  return { cls: type as CycleClass, variant: 'data' };
}

export const isCycleType = (type: string): type is CycleType =>
  (CYCLE_TYPES as readonly string[]).includes(type);
