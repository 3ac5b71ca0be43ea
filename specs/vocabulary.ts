// The BBS API's vocabulary as the specifications read it: op names and arguments, results, record
// shapes, states and errors, as the BBS API documents them (cloudfoundry/bbs models/*.proto,
// models/errors.go). This is a copy of the shapes in bbs/ops.ts on purpose: the specifications
// must not depend on the store's code, so that a change there cannot silently change what the
// checker expects. test/unit/specs-independent.test.ts checks both that specs/ imports nothing from
// bbs/ or lab/ and that these types and bbs/ops.ts still describe the same values.

export type TaskState = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'RESOLVING';
export type ActualLRPState = 'UNCLAIMED' | 'CLAIMED' | 'RUNNING' | 'CRASHED';

export const TASK_STATES: readonly TaskState[] = ['PENDING', 'RUNNING', 'COMPLETED', 'RESOLVING'];
export const ACTUAL_LRP_STATES: readonly ActualLRPState[] = [
  'UNCLAIMED',
  'CLAIMED',
  'RUNNING',
  'CRASHED',
];

/** Errors the BBS returns from its state checks (models/errors.go). */
export type BbsErrorType =
  | 'ResourceNotFound'
  | 'ResourceExists'
  | 'InvalidStateTransition'
  | 'RunningOnDifferentCell'
  | 'ActualLRPCannotBeClaimed'
  | 'ActualLRPCannotBeStarted'
  | 'ActualLRPCannotBeCrashed'
  | 'ActualLRPCannotBeFailed'
  | 'ActualLRPCannotBeRemoved'
  | 'TaskCannotBeResolved'
  | 'TaskNotResolvable';

export interface ModificationTag {
  epoch: string;
  index: number;
}

export interface TaskRecord {
  taskGuid: string;
  domain: string;
  state: TaskState;
  cellId: string;
  result: string;
  failed: boolean;
  failureReason: string;
}

export interface DesiredLRPRecord {
  processGuid: string;
  domain: string;
  instances: number;
  annotation: string;
  modificationTag: ModificationTag;
}

export interface ActualLRPRecord {
  processGuid: string;
  index: number;
  domain: string;
  state: ActualLRPState;
  instanceGuid: string;
  cellId: string;
  placementError: string;
  crashCount: number;
  crashReason: string;
  modificationTag: ModificationTag;
}

export interface DomainRecord {
  domain: string;
  ttl: number;
}

/** Every op's arguments, by API name. */
export interface BbsOpArgs {
  UpsertDomain: { domain: string; ttl: number };
  /** The names of the fresh domains (expire_time after now). */
  Domains: Record<string, never>;

  DesireLRP: { processGuid: string; domain: string; instances: number; annotation: string };
  UpdateDesiredLRP: { processGuid: string; instances?: number; annotation?: string };
  RemoveDesiredLRP: { processGuid: string };
  DesiredLRPByProcessGuid: { processGuid: string };

  CreateUnclaimedActualLRP: { processGuid: string; index: number; domain: string };
  ClaimActualLRP: { processGuid: string; index: number; instanceGuid: string; cellId: string };
  StartActualLRP: {
    processGuid: string;
    index: number;
    instanceGuid: string;
    cellId: string;
    domain?: string;
  };
  CrashActualLRP: {
    processGuid: string;
    index: number;
    instanceGuid: string;
    cellId: string;
    reason: string;
  };
  FailActualLRP: { processGuid: string; index: number; placementError: string };
  RemoveActualLRP: { processGuid: string; index: number; instanceGuid?: string; cellId?: string };
  ActualLRPByIndex: { processGuid: string; index: number };

  DesireTask: { taskGuid: string; domain: string };
  StartTask: { taskGuid: string; cellId: string };
  CancelTask: { taskGuid: string };
  FailTask: { taskGuid: string; failureReason: string };
  CompleteTask: {
    taskGuid: string;
    cellId: string;
    failed: boolean;
    failureReason: string;
    result: string;
  };
  ResolvingTask: { taskGuid: string };
  DeleteTask: { taskGuid: string };
  TaskByGuid: { taskGuid: string };
}

export type BbsOpName = keyof BbsOpArgs;

export interface BbsOp<F extends BbsOpName = BbsOpName> {
  f: F;
  args: BbsOpArgs[F];
}

/**
 * What an op answered: a state-check error, the record after (or as read), StartTask's shouldStart.
 */
export interface BbsResult {
  error?: BbsErrorType;
  record?: TaskRecord | DesiredLRPRecord | ActualLRPRecord | DomainRecord | null;
  shouldStart?: boolean;
  domains?: string[];
}

/** The API's reads: they never change a record. */
export const READ_OPS: ReadonlySet<BbsOpName> = new Set<BbsOpName>([
  'DesiredLRPByProcessGuid',
  'ActualLRPByIndex',
  'TaskByGuid',
  'Domains',
]);
