// Small helpers over BbsResult that the sequential specifications share: comparing the verdict of
// an op (its BBS error and StartTask's shouldStart) and describing results for reports.

import type { BbsOp, BbsResult } from './vocabulary.ts';

/** Same BBS error (or none) and same shouldStart (or none). Records are compared by each model. */
export function sameVerdict(expected: BbsResult, actual: BbsResult): boolean {
  return (
    (expected.error ?? null) === (actual.error ?? null) &&
    (expected.shouldStart ?? null) === (actual.shouldStart ?? null)
  );
}

function describeRecord(r: BbsResult['record']): string {
  if (r === null) return 'absent';
  if (r === undefined) return '';
  const x = r as unknown as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of [
    'state',
    'cellId',
    'instanceGuid',
    'instances',
    'annotation',
    'crashCount',
    'result',
    'failed',
    'placementError',
    'ttl',
  ]) {
    const v = x[k];
    if (v !== undefined && v !== '' && v !== false) parts.push(`${k}=${String(v)}`);
  }
  const tag = x.modificationTag as { epoch: string; index: number } | undefined;
  if (tag) parts.push(`tag=${tag.epoch.slice(0, 8)}:${tag.index}`);
  return parts.join(' ');
}

export function describeResult(out: BbsResult | undefined): string {
  if (out === undefined) return '?';
  const parts: string[] = [];
  if (out.error) parts.push(out.error);
  if (out.shouldStart !== undefined) parts.push(`shouldStart=${out.shouldStart}`);
  if (out.record !== undefined) parts.push(describeRecord(out.record));
  return parts.join(' ') || 'ok';
}

export function describeBbsOp(op: BbsOp, out: BbsResult | undefined): string {
  const args = Object.entries(op.args as Record<string, unknown>)
    .filter(([k]) => k !== 'taskGuid' && k !== 'processGuid')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  return `${op.f}(${args}) → ${describeResult(out)}`;
}
