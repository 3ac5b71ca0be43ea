// The BBS's state-transition rules as its documentation and models state them, written here as
// tables so that the specification does not share code with the store (bbs/rules.ts implements the
// same rules for the store; test/unit/specs-rules-agree.test.ts holds both to a hand-written table
// of every documented transition, so a bug in either shows).
//
// Sources (cloudfoundry/bbs):
// - models/task.go ValidateTransitionTo: RUNNING only from PENDING, COMPLETED only from RUNNING,
//   RESOLVING only from COMPLETED; nothing returns to PENDING. db/sqldb/task_db.go: StartTask of
//   a task RUNNING on the same cell answers shouldStart=false and changes nothing; CompleteTask of
//   a task RUNNING on another cell is RunningOnDifferentCell; CancelTask and FailTask complete a
//   PENDING or RUNNING task as failed; DeleteTask needs RESOLVING.
// - models/actual_lrp.go AllowsTransitionTo: the per-state switch ('per-state') the SQL store ran
//   from 3940fad4 (2016-02-29) to today. 'permissive' (a claimed LRP may be started by anyone;
//   claimed or running → claimed or running needs the same instance key; anything else is allowed,
//   so a crash from any state by any instance) is a rule no BBS commit had: the lab once read the
//   2016 code that way, and keeps it only for hypothetical runs (bbs.actualLRPRules).
// - models.CrashResetTimeout (5 min), models.DefaultImmediateRestarts (3) and db/sqldb
//   CrashActualLRP's crash count.

import type { ActualLRPState, TaskState } from './vocabulary.ts';

/** Which AllowsTransitionTo the BBS under test runs. */
export type ActualLRPRules = 'per-state' | 'permissive';

/**
 * What the actual LRP mutations write around the rule, by the BBS's history
 * (db/sqldb/actual_lrp_db.go):
 * - 'instance-key-2016-06' (1f4fe8c6, 2016-06-17, to today): the forms below; RemoveActualLRP with
 *   an instance key removes only that instance.
 * - 'no-instance-key-2016-03-24' (31b2b5a2 and 660efc68, the first shipped store): a claim by the
 *   claiming instance and a start by the running instance change nothing; a start of a missing LRP
 *   creates it RUNNING by the starter; a crash below DefaultImmediateRestarts (counted after the
 *   crash) puts it back to UNCLAIMED; RemoveActualLRP has no instance key (one in the request is
 *   ignored).
 * - 'prerelease-2016-03' (2a8d20a0): claim and start always write (the index moves); a start of a
 *   missing LRP creates it RUNNING with no instance key; a start keeps the placement error; the
 *   crash count before the crash decides UNCLAIMED or CRASHED, and a crash clears the placement
 *   error;
 *   RemoveActualLRP has no instance key.
 */
export type ActualLRPForm =
  | 'prerelease-2016-03'
  | 'no-instance-key-2016-03-24'
  | 'instance-key-2016-06';

/** From each task state, the states ValidateTransitionTo lets it move to. */
export const TASK_TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  PENDING: ['RUNNING'],
  RUNNING: ['COMPLETED'],
  COMPLETED: ['RESOLVING'],
  RESOLVING: [],
};

export function taskMayMove(from: TaskState, to: TaskState): boolean {
  return TASK_TRANSITIONS[from].includes(to);
}

/** CancelTask and FailTask: the states a task can be completed as failed from. */
export const TASK_FAILABLE_FROM: readonly TaskState[] = ['PENDING', 'RUNNING'];

/** The failure reason CancelTask writes. */
export const TASK_CANCELLED_REASON = 'task was cancelled';

export interface InstanceKey {
  instanceGuid: string;
  cellId: string;
}

/**
 * Who may make an actual LRP move: 'anyone'; 'owner', a request whose instance key (instance guid
 * and cell) equals the stored one; 'nobody-in-particular', a request with an empty instance key
 * (the BBS's own unclaiming).
 */
export type Who = 'anyone' | 'owner' | 'empty-key';

type LRPTable = Readonly<Record<ActualLRPState, Readonly<Partial<Record<ActualLRPState, Who>>>>>;

/**
 * The permissive rule (hypothetical: no BBS commit had it): only claimed/running → claimed/running
 * is the owner's, except claimed → running.
 */
const LRP_PERMISSIVE: LRPTable = {
  UNCLAIMED: { UNCLAIMED: 'anyone', CLAIMED: 'anyone', RUNNING: 'anyone', CRASHED: 'anyone' },
  CLAIMED: { UNCLAIMED: 'anyone', CLAIMED: 'owner', RUNNING: 'anyone', CRASHED: 'anyone' },
  RUNNING: { UNCLAIMED: 'anyone', CLAIMED: 'owner', RUNNING: 'owner', CRASHED: 'anyone' },
  CRASHED: { UNCLAIMED: 'anyone', CLAIMED: 'anyone', RUNNING: 'anyone', CRASHED: 'anyone' },
};

/**
 * The per-state switch of models/actual_lrp.go (3940fad4, 2016-02-29, to today); a missing entry is
 * a move nobody may make.
 */
const LRP_PER_STATE: LRPTable = {
  UNCLAIMED: { UNCLAIMED: 'anyone', CLAIMED: 'anyone', RUNNING: 'anyone' },
  CLAIMED: { UNCLAIMED: 'empty-key', CLAIMED: 'owner', RUNNING: 'anyone', CRASHED: 'owner' },
  RUNNING: { UNCLAIMED: 'empty-key', CLAIMED: 'owner', RUNNING: 'owner', CRASHED: 'owner' },
  CRASHED: { UNCLAIMED: 'empty-key', CLAIMED: 'owner', RUNNING: 'owner' },
};

export const ACTUAL_LRP_TRANSITIONS: Readonly<Record<ActualLRPRules, LRPTable>> = {
  permissive: LRP_PERMISSIVE,
  'per-state': LRP_PER_STATE,
};

/**
 * May a request with instance key `by` move an actual LRP from `from` (held by `holder`) to `to`?
 * `sameLRP` is whether the request's ActualLRPKey (process guid, index, domain) is the stored one;
 * a request for another LRP is always refused.
 */
export function actualLRPMayMove(
  rules: ActualLRPRules,
  from: ActualLRPState,
  holder: InstanceKey,
  sameLRP: boolean,
  by: InstanceKey,
  to: ActualLRPState,
): boolean {
  if (!sameLRP) return false;
  const who = ACTUAL_LRP_TRANSITIONS[rules][from][to];
  switch (who) {
    case undefined:
      return false;
    case 'anyone':
      return true;
    case 'owner':
      return holder.instanceGuid === by.instanceGuid && holder.cellId === by.cellId;
    case 'empty-key':
      return by.instanceGuid === '' && by.cellId === '';
  }
}

/** models.CrashResetTimeout. */
export const CRASH_RESET_MS = 300_000;

/** models.DefaultImmediateRestarts: crashes below this count restart at once (UNCLAIMED). */
export const DEFAULT_IMMEDIATE_RESTARTS = 3;

/**
 * The crash count and state CrashActualLRP leaves: the count starts again at 1 when a RUNNING LRP
 * ran longer than CrashResetTimeout (`ranLong`), else it grows by one; below the immediate
 * restarts the LRP is put back to UNCLAIMED, else it stays CRASHED.
 */
export function afterCrash(
  from: ActualLRPState,
  crashCount: number,
  ranLong: boolean,
  form: ActualLRPForm = 'instance-key-2016-06',
): { crashCount: number; state: ActualLRPState } {
  const n = from === 'RUNNING' && ranLong ? 1 : crashCount + 1;
  // The pre-release store asked before it stored the new count.
  const decides = form === 'prerelease-2016-03' ? crashCount : n;
  return { crashCount: n, state: decides >= DEFAULT_IMMEDIATE_RESTARTS ? 'CRASHED' : 'UNCLAIMED' };
}
