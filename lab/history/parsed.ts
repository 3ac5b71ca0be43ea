// The contract between a format reader (JSONL and JSON in jsonl.ts and reader.ts, Jepsen EDN in
// edn.ts) and toHistory (reader.ts), which checks, pairs and orders what a format reader found.

export class HistoryFormatError extends Error {}

/** What a format reader gives back: the raw events in file order, and where each came from. */
export interface ParsedEvents {
  source: string;
  /** The raw events (decoded but not checked), in file order. */
  values: unknown[];
  /**
   * Where values[i] came from: "line 12" of a JSONL file, "event 3" of a JSON array,
   * "history.edn:12:1". Asked for a message only, so a reader keeps a number per event, not a
   * string.
   */
  whereOf(i: number): string;
  warnings: string[];
  /**
   * The `where`s already name the file (EDN's "history.edn:12:1"), so messages print them as they
   * are.
   */
  whereNamesSource?: boolean;
  /**
   * The values are this read's own (fresh from its parse, held by no one else): toHistory numbers
   * them in place instead of copying each event.
   */
  owned?: boolean;
  /**
   * A bound on every value's nesting depth that the reader found while parsing (the deepest
   * bracket of its text): within MAX_VALUE_DEPTH, toHistory need not walk each value to measure
   * it.
   */
  maxDepth?: number;
}

/** Values nested deeper than this are refused: checkers and reports walk values recursively. */
export const MAX_VALUE_DEPTH = 100;

/**
 * Nesting depth of a JSON value. Recursion stops past `limit` (so a hostile file that nests a
 * million levels costs `limit` frames); without a limit, an explicit stack.
 */
export function depthOf(value: unknown, limit = Infinity): number {
  if (limit !== Infinity) return depthUpTo(value, 0, limit);
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d + 1 > max) max = d + 1;
    for (const child of Array.isArray(v) ? v : Object.values(v))
      if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
  }
  return max;
}

/** Depth of v below depth d (d + its own nesting), stopping as soon as it passes limit. */
function depthUpTo(v: unknown, d: number, limit: number): number {
  if (typeof v !== 'object' || v === null) return d;
  const here = d + 1;
  if (here > limit) return here;
  let max = here;
  if (Array.isArray(v)) {
    for (const c of v)
      if (typeof c === 'object' && c !== null) {
        const x = depthUpTo(c, here, limit);
        if (x > max) max = x;
        if (max > limit) return max;
      }
  } else {
    for (const k in v) {
      const c = (v as Record<string, unknown>)[k];
      if (typeof c === 'object' && c !== null) {
        const x = depthUpTo(c, here, limit);
        if (x > max) max = x;
        if (max > limit) return max;
      }
    }
  }
  return max;
}
