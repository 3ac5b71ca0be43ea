// The BBS operations the lab drives, named as the BBS API names them. The workload generates these,
// the SQL store executes them, and the sequential specifications (specs) judge them.
//
// Result convention: an op that ran to the end (its transaction committed, or it was rolled back by
// the BBS's own state check) completes `ok` with a BbsResult. A state-check rejection is still
// `ok`: the op observed the state and that observation is evidence for the checker. Only database
// failures (rollback by deadlock, non-Primary node, lost connection) end an op `fail` or `info`.

export type TaskState = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'RESOLVING';
export type ActualLRPState = 'UNCLAIMED' | 'CLAIMED' | 'RUNNING' | 'CRASHED';

/** Errors the BBS returns from its state checks (models/errors.go of cloudfoundry/bbs). */
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

/** A freshly created actual LRP: unclaimed, never crashed, index 0 of a new epoch. */
export function unclaimedActualLRP(
  a: { processGuid: string; index: number; domain: string },
  epoch: string,
): ActualLRPRecord {
  return {
    processGuid: a.processGuid,
    index: a.index,
    domain: a.domain,
    state: 'UNCLAIMED',
    instanceGuid: '',
    cellId: '',
    placementError: '',
    crashCount: 0,
    crashReason: '',
    modificationTag: { epoch, index: 0 },
  };
}

export interface DomainRecord {
  domain: string;
  /** Seconds from now the domain stays fresh (the BBS stores an absolute expire_time). */
  ttl: number;
}

/** Every op's arguments, by API name. */
export interface BbsOpArgs {
  UpsertDomain: { domain: string; ttl: number };
  /** The names of the fresh domains (expire_time after now), across every domain: no key. */
  Domains: Record<string, never>;

  DesireLRP: { processGuid: string; domain: string; instances: number; annotation: string };
  UpdateDesiredLRP: { processGuid: string; instances?: number; annotation?: string };
  RemoveDesiredLRP: { processGuid: string };
  DesiredLRPByProcessGuid: { processGuid: string };

  CreateUnclaimedActualLRP: { processGuid: string; index: number; domain: string };
  ClaimActualLRP: { processGuid: string; index: number; instanceGuid: string; cellId: string };
  /**
   * `domain` is the domain of the request's ActualLRPKey; when absent the stored one is assumed.
   */
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
  /**
   * With `instanceGuid` (and `cellId`) only that instance is removed (the later API's instance
   * key).
   */
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
 * What an op returned. `error` is the BBS error of a state check; `record` is the entity after the
 * op (for writes) or as read (for reads; null when absent); `shouldStart` is StartTask's answer.
 */
export interface BbsResult {
  error?: BbsErrorType;
  record?: TaskRecord | DesiredLRPRecord | ActualLRPRecord | DomainRecord | null;
  shouldStart?: boolean;
  /** Domains' answer: the fresh domains' names. */
  domains?: string[];
}

export const READ_OPS: ReadonlySet<BbsOpName> = new Set<BbsOpName>([
  'DesiredLRPByProcessGuid',
  'ActualLRPByIndex',
  'TaskByGuid',
  'Domains',
]);

/**
 * The per-key partition an op belongs to: ops on different keys never interact in the BBS.
 * Domains reads every domain at once and so has no key: no per-key model judges it; the
 * invariants checker does (lab/checkers/invariants/domains-read.ts).
 */
export function keyOf(op: BbsOp): string | undefined {
  const a = op.args as Record<string, unknown>;
  if (op.f === 'Domains') return undefined;
  if (op.f === 'UpsertDomain') return `domain/${String(a.domain)}`;
  if ('taskGuid' in a) return `task/${String(a.taskGuid)}`;
  if ('index' in a) return `actual/${String(a.processGuid)}/${String(a.index)}`;
  return `desired/${String(a.processGuid)}`;
}
