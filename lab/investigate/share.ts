// Identical configurations across questions run once. Two variants whose scenarios differ only in
// their name (the campaign names each `<question>-<variant>`) are the same experiment; on the same
// seed they are one run, referenced by both (q1's every-node and q2's commit-only retry in the
// charter are the same scenario). The first in campaign order runs; the others point at it.

import { createHash } from 'node:crypto';
import type { Scenario } from '../scenario/types.ts';

/** JSON with object keys sorted, so equal values give equal text whatever the key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as Record<string, unknown>)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A short id of a scenario's effective configuration: everything but its name. */
export function configId(s: Scenario): string {
  // The words (name, question, description) are not the configuration: two questions asking with
  // the same scenario and seed share one run.
  const { name: _name, question: _question, description: _description, ...rest } = s;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex').slice(0, 12);
}

/**
 * For runs in campaign order, the key of the run each one shares (same config and seed as an
 * earlier one), or nothing when it runs itself.
 */
export function sharing<T extends { key: string; config: string; seed: number }>(
  runs: readonly T[],
): Map<string, string> {
  const first = new Map<string, string>();
  const out = new Map<string, string>();
  for (const r of runs) {
    const id = `${r.config}#${r.seed}`;
    const owner = first.get(id);
    if (owner === undefined) first.set(id, r.key);
    else out.set(r.key, owner);
  }
  return out;
}
