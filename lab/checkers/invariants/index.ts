// The BBS domain invariants, checked on a history alone.

import type { Op } from '../../history/event.ts';
import { checkActualLRPs } from './actual-lrps.ts';
import { checkCrashBookkeeping } from './crashes.ts';
import { checkDomainsReads } from './domains-read.ts';
import { checkDomainUpserts } from './domain-upserts.ts';
import type { CauseSettings } from '../causal-wait.ts';
import { checkFinalRead } from './final-read.ts';
import { checkModificationIndexes } from './modification.ts';
import { checkTasks } from './tasks.ts';
import type { InvariantName, Violation } from './types.ts';

export type { InvariantName, Violation };

export const INVARIANTS: Record<InvariantName, string> = {
  'task-started-on-two-cells': 'a task never runs on two cells',
  'completed-task-result-changed': "a completed task's result never changes",
  'instance-held-by-two-cells': 'one cell holds an actual LRP instance at a time',
  'modification-index-went-back': 'modification indexes only grow',
  'acknowledged-write-lost': 'acknowledged writes are in the final read',
  'crash-bookkeeping-wrong':
    'a crash counts once, and an instance stays CRASHED only from its 3rd crash',
  'domains-read-wrong':
    'a Domains read lists every domain surely fresh and none surely expired or never upserted',
  'domain-upsert-refused-wrongly':
    'an upsert is refused only when it raced the first insert of its domain',
};

export interface InvariantResult {
  valid: boolean;
  counts: Record<InvariantName, number>;
  /** Up to `examples` violations per invariant. */
  violations: Violation[];
}

export function checkInvariants(
  ops: readonly Op[],
  examples = 10,
  settings?: CauseSettings,
): InvariantResult {
  const all = [
    ...checkTasks(ops),
    ...checkActualLRPs(ops),
    ...checkModificationIndexes(ops),
    ...checkFinalRead(ops),
    ...checkCrashBookkeeping(ops),
    ...checkDomainsReads(ops),
    ...checkDomainUpserts(ops, settings),
  ];
  const counts = Object.fromEntries(Object.keys(INVARIANTS).map((k) => [k, 0])) as Record<
    InvariantName,
    number
  >;
  const violations: Violation[] = [];
  for (const v of all) {
    if (counts[v.invariant]++ < examples) violations.push(v);
  }
  return { valid: all.length === 0, counts, violations };
}
