// The BBS's own state rules as pure functions: the checks the real BBS runs in Go between its
// `SELECT … FOR UPDATE` and its `UPDATE` (models/task.go ValidateTransitionTo, models/actual_lrp.go
// AllowsTransitionTo, the crash bookkeeping of db/sqldb CrashActualLRP). The SQL store runs them
// on the row it locked. The sequential specifications do NOT use these: specs/transitions.ts
// states the same rules from the BBS's documentation, and test/unit/specs-rules-agree.test.ts holds
// both to one hand-written table, so a bug here is not hidden by a checker that shares it.

import type { ActualLRPState, TaskState } from './ops.ts';

/** models/task.go ValidateTransitionTo: the only state each target may be reached from. */
export function taskTransitionAllowed(from: TaskState, to: TaskState): boolean {
  switch (to) {
    case 'RUNNING':
      return from === 'PENDING';
    case 'COMPLETED':
      return from === 'RUNNING';
    case 'RESOLVING':
      return from === 'COMPLETED';
    case 'PENDING':
      return false;
  }
}

/**
 * Which AllowsTransitionTo the BBS runs (bbs/versions/types.ts: 'per-state' is real, 'permissive'
 * hypothetical).
 */
export type { ActualLRPRules } from './versions/types.ts';
import type { ActualLRPRules } from './versions/types.ts';

export interface InstanceKey {
  instanceGuid: string;
  cellId: string;
}

export interface ActualLRPPosition extends InstanceKey {
  state: ActualLRPState;
}

function sameKey(a: InstanceKey, b: InstanceKey): boolean {
  return a.instanceGuid === b.instanceGuid && a.cellId === b.cellId;
}

function isEmptyKey(k: InstanceKey): boolean {
  return k.instanceGuid === '' && k.cellId === '';
}

/**
 * models/actual_lrp.go AllowsTransitionTo. `lrpKeyMatches` is the comparison of the stored
 * ActualLRPKey (process guid, index, domain) with the request's.
 */
export function allowsTransitionTo(
  rules: ActualLRPRules,
  before: ActualLRPPosition,
  lrpKeyMatches: boolean,
  key: InstanceKey,
  to: ActualLRPState,
): boolean {
  if (!lrpKeyMatches) return false;
  if (rules === 'permissive') {
    if (before.state === 'CLAIMED' && to === 'RUNNING') return true;
    const active = (s: ActualLRPState) => s === 'CLAIMED' || s === 'RUNNING';
    if (active(before.state) && active(to) && !sameKey(before, key)) return false;
    return true;
  }
  const same = sameKey(before, key);
  switch (before.state) {
    case 'UNCLAIMED':
      return to === 'UNCLAIMED' || to === 'CLAIMED' || to === 'RUNNING';
    case 'CLAIMED':
      return (
        (to === 'UNCLAIMED' && isEmptyKey(key)) ||
        (to === 'CLAIMED' && same) ||
        to === 'RUNNING' ||
        (to === 'CRASHED' && same)
      );
    case 'RUNNING':
      return (
        (to === 'UNCLAIMED' && isEmptyKey(key)) ||
        (to === 'CLAIMED' && same) ||
        (to === 'RUNNING' && same) ||
        (to === 'CRASHED' && same)
      );
    case 'CRASHED':
      return (
        (to === 'UNCLAIMED' && isEmptyKey(key)) ||
        (to === 'CLAIMED' && same) ||
        (to === 'RUNNING' && same)
      );
  }
}

/** models.CrashResetTimeout: a crash of an LRP that ran longer than this starts counting again. */
export const CRASH_RESET_TIMEOUT_MS = 5 * 60 * 1000;

/** models.DefaultImmediateRestarts: below this crash count a crashed LRP is unclaimed at once. */
export const IMMEDIATE_RESTARTS = 3;

/**
 * The crash count CrashActualLRP writes. `ranLongEnough` is "now − since > CrashResetTimeout",
 * which only the store can know (it reads `since`); a model that cannot must consider both.
 */
export function nextCrashCount(
  before: { state: ActualLRPState; crashCount: number },
  ranLongEnough: boolean,
): number {
  return ranLongEnough && before.state === 'RUNNING' ? 1 : before.crashCount + 1;
}

/**
 * The state a crash leaves: ShouldRestartImmediately with the default RestartCalculator is
 * "crash count below ImmediateRestarts", and then the BBS writes UNCLAIMED instead of CRASHED.
 */
export function stateAfterCrash(crashCount: number): ActualLRPState {
  return crashCount < IMMEDIATE_RESTARTS ? 'UNCLAIMED' : 'CRASHED';
}

/** CancelTask and FailTask complete a task that is RUNNING, and also one still PENDING. */
export function taskCanBeFailed(state: TaskState): boolean {
  return state === 'PENDING' || taskTransitionAllowed(state, 'COMPLETED');
}

/** The failure reason CancelTask writes. */
export const CANCELLED_REASON = 'task was cancelled';
