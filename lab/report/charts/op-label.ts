// Readable one-line labels for an op in a timeline: its name, short arguments and its result in
// words ("StartTask t1 cell-2 → failed: 1213 deadlock"), never raw JSON. Pure.

import type { Op } from '../../history/event.ts';
import { errorLabel } from '../stats.ts';

const MAX_ARG = 14;

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function scalar(v: unknown): string | null {
  if (typeof v === 'string') return clip(v, MAX_ARG);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/**
 * A list-append micro-op list ([['append', k, v] | ['r', k, list|null]]), or null when it is not
 * one.
 */
function microOps(v: unknown): [string, unknown, unknown][] | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  return v.every((m) => Array.isArray(m) && (m[0] === 'append' || m[0] === 'r'))
    ? (v as [string, unknown, unknown][])
    : null;
}

/** A list read, its last few elements only: [1 2 3] or […5 6 7] (n items). */
function listText(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (!Array.isArray(v)) return clip(String(v), MAX_ARG);
  if (v.length <= 3) return `[${v.join(' ')}]`;
  return `[…${v.slice(-3).join(' ')}] (${v.length})`;
}

/** The op's arguments, short: "t1 cell-2" for a BBS op, "append 3:17, read 2" for a transaction. */
export function argsText(value: unknown): string {
  const txn = microOps(value);
  if (txn)
    return txn
      .map(([f, k, v]) =>
        f === 'append' ? `append ${String(k)}:${String(v)}` : `read ${String(k)}`,
      )
      .join(', ');
  const args = (value as { args?: unknown } | null | undefined)?.args;
  if (!args || typeof args !== 'object') return '';
  return Object.values(args as Record<string, unknown>)
    .map(scalar)
    .filter((s): s is string => s !== null && s !== '')
    .slice(0, 3)
    .join(' ');
}

/**
 * How the op ended, in words: "ok: RUNNING", "refused: InvalidStateTransition", "failed: 1213
 * deadlock", "unknown: connection-lost".
 */
export function resultText(o: Op): string {
  const c = o.complete;
  if (!c) return 'never completed';
  if (c.type !== 'ok') {
    const why = c.error ? errorLabel(c.error) : 'no error recorded';
    return `${c.type === 'fail' ? 'failed' : 'unknown'}: ${why}`;
  }
  const txn = microOps(c.value);
  if (txn) {
    const reads = txn.filter(([f]) => f === 'r').map(([, k, v]) => `${String(k)}=${listText(v)}`);
    return reads.length > 0 ? `ok, read ${reads.join(', ')}` : 'ok';
  }
  const v = c.value as
    | { error?: unknown; record?: unknown; shouldStart?: unknown }
    | null
    | undefined;
  if (v && typeof v.error === 'string') return `refused: ${v.error}`;
  if (v && 'record' in v) {
    if (v.record === null) return 'ok: not found';
    const state = (v.record as { state?: unknown } | undefined)?.state;
    return typeof state === 'string' ? `ok: ${state}` : 'ok: found';
  }
  if (v && typeof v.shouldStart === 'boolean')
    return v.shouldStart ? 'ok: start it' : 'ok: do not start';
  return 'ok';
}

/** "StartTask t1 cell-2 → failed: 1213 deadlock". */
export function opLabel(o: Op): string {
  const args = argsText(o.invoke.value);
  return `${o.f}${args ? ` ${args}` : o.key ? ` ${o.key}` : ''} → ${resultText(o)}`;
}
