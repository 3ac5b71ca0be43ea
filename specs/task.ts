// The task lifecycle as a sequential specification (one task guid per model instance):
//
//   absent ─DesireTask→ PENDING ─StartTask(cell)→ RUNNING on cell ─CompleteTask(cell)→ COMPLETED
//          ─ResolvingTask→ RESOLVING ─DeleteTask→ absent
//
// CancelTask and FailTask complete a PENDING or RUNNING task as failed. Starting again on the same
// cell is a no-op that answers shouldStart=false; starting on another cell is
// InvalidStateTransition;
// completing from another cell is RunningOnDifferentCell. A second DesireTask is ResourceExists.
// The transition rules are the BBS's documented ones (transitions.ts, independent of the store's
// code); what this model adds is the single order: every op must be a legal step from the state
// all earlier ops left.

import type { BbsOp, BbsResult, TaskRecord, TaskState } from './vocabulary.ts';
import { describeBbsOp, sameVerdict } from './results.ts';
import { TASK_CANCELLED_REASON, TASK_FAILABLE_FROM, taskMayMove } from './transitions.ts';
import type { Model } from './model.ts';

export interface TaskModelTask {
  domain: string;
  state: TaskState;
  cellId: string;
  result: string;
  failed: boolean;
  failureReason: string;
}

/** null: no such task (never desired, or deleted). */
export type TaskModelState = TaskModelTask | null;

interface Outcome {
  result: BbsResult;
  next: TaskModelState;
}

const TASK_OPS = new Set([
  'DesireTask',
  'StartTask',
  'CancelTask',
  'FailTask',
  'CompleteTask',
  'ResolvingTask',
  'DeleteTask',
  'TaskByGuid',
]);

function record(guid: string, t: TaskModelTask): TaskRecord {
  return { taskGuid: guid, ...t };
}

function completed(
  t: TaskModelTask,
  failed: boolean,
  failureReason: string,
  result: string,
): TaskModelTask {
  return { ...t, state: 'COMPLETED', cellId: '', failed, failureReason, result };
}

/** What the op does from state `s`: its result and the state it leaves. */
export function taskStep(s: TaskModelState, op: BbsOp): Outcome | undefined {
  const a = op.args as { taskGuid: string } & Record<string, unknown>;
  const guid = a.taskGuid;
  const stay = (result: BbsResult): Outcome => ({ result, next: s });
  const notFound = stay({ error: 'ResourceNotFound' });
  const invalid = stay({ error: 'InvalidStateTransition' });
  switch (op.f) {
    case 'DesireTask': {
      if (s) return stay({ error: 'ResourceExists' });
      const t: TaskModelTask = {
        domain: String(a.domain),
        state: 'PENDING',
        cellId: '',
        result: '',
        failed: false,
        failureReason: '',
      };
      return { result: { record: record(guid, t) }, next: t };
    }
    case 'StartTask': {
      if (!s) return notFound;
      const cell = String(a.cellId);
      if (s.state === 'RUNNING' && s.cellId === cell)
        return stay({ shouldStart: false, record: record(guid, s) });
      if (!taskMayMove(s.state, 'RUNNING')) return invalid;
      const t: TaskModelTask = { ...s, state: 'RUNNING', cellId: cell };
      return { result: { shouldStart: true, record: record(guid, t) }, next: t };
    }
    case 'CancelTask':
    case 'FailTask': {
      if (!s) return notFound;
      if (!TASK_FAILABLE_FROM.includes(s.state)) return invalid;
      const reason = op.f === 'CancelTask' ? TASK_CANCELLED_REASON : String(a.failureReason);
      const t = completed(s, true, reason, '');
      return { result: { record: record(guid, t) }, next: t };
    }
    case 'CompleteTask': {
      if (!s) return notFound;
      if (s.state === 'RUNNING' && s.cellId !== a.cellId)
        return stay({ error: 'RunningOnDifferentCell' });
      if (!taskMayMove(s.state, 'COMPLETED')) return invalid;
      const t = completed(s, Boolean(a.failed), String(a.failureReason), String(a.result));
      return { result: { record: record(guid, t) }, next: t };
    }
    case 'ResolvingTask': {
      if (!s) return notFound;
      if (!taskMayMove(s.state, 'RESOLVING')) return invalid;
      const t: TaskModelTask = { ...s, state: 'RESOLVING' };
      return { result: { record: record(guid, t) }, next: t };
    }
    case 'DeleteTask': {
      if (!s) return notFound;
      if (s.state !== 'RESOLVING') return invalid;
      return { result: { record: null }, next: null };
    }
    case 'TaskByGuid':
      return stay({ record: s ? record(guid, s) : null });
    default:
      return undefined;
  }
}

function sameTask(a: TaskRecord, b: TaskRecord): boolean {
  return (
    a.taskGuid === b.taskGuid &&
    a.domain === b.domain &&
    a.state === b.state &&
    a.cellId === b.cellId &&
    a.result === b.result &&
    a.failed === b.failed &&
    a.failureReason === b.failureReason
  );
}

/** Does the recorded output agree with the expected one? A missing record is not checked. */
function agrees(expected: BbsResult, out: BbsResult): boolean {
  if (!sameVerdict(expected, out)) return false;
  if (out.record === undefined || expected.error !== undefined) return true;
  if (out.record === null || expected.record === null || expected.record === undefined)
    return out.record === (expected.record ?? null);
  return sameTask(expected.record as TaskRecord, out.record as TaskRecord);
}

function key(s: TaskModelState): string {
  if (!s) return 'absent';
  return JSON.stringify([s.state, s.cellId, s.domain, s.result, s.failed, s.failureReason]);
}

export const taskModel: Model<TaskModelState, BbsOp, BbsResult> = {
  name: 'bbs-task',
  init: () => null,
  step(state, input, output) {
    if (!TASK_OPS.has(input.f)) return [false, state];
    const o = taskStep(state, input);
    if (!o) return [false, state];
    if (output === undefined) return [true, o.next];
    return agrees(o.result, output) ? [true, o.next] : [false, state];
  },
  equal: (a, b) => key(a) === key(b),
  hash: key,
  describeOp: (input, output) => describeBbsOp(input, output),
  describeState(s) {
    if (!s) return 'absent';
    const cell = s.cellId ? ` on ${s.cellId}` : '';
    const res =
      s.state === 'COMPLETED' || s.state === 'RESOLVING'
        ? s.failed
          ? ` failed: ${s.failureReason}`
          : ` result ${s.result}`
        : '';
    return `${s.state}${cell}${res}`;
  },
};
