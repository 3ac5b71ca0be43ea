// The task operations of db/sqldb/task_db.go: each mutation locks the task's row (LOCK IN SHARE
// MODE at 2a8d20a0, FOR UPDATE from ad910341), checks the transition in TypeScript as the BBS does
// in Go, and updates the row by its primary key. docs/bbs-versions.md has the statements by commit.

import type { TaskRecord } from '../ops.ts';
import { CANCELLED_REASON, taskCanBeFailed, taskTransitionAllowed } from '../rules.ts';
import { nowNs, TASK_COLUMNS, TASK_STATE_CODE, taskFromRow, type TaskRow } from './schema.ts';
import { limitOne } from './forms.ts';
import { planted } from './plants.ts';
import {
  always,
  isDuplicateKey,
  lockClause,
  readRows,
  whenNotFound,
  whenTransactionalReads,
  type OpContext,
  type SqlOps,
} from './sql-op.ts';

/** The task definition blob: the lab never reads it back, but the row must carry one. */
const TASK_DEFINITION = Buffer.from(
  JSON.stringify({ rootfs: 'docker:///busybox', action: { run: { path: 'true' } } }),
);

/**
 * fetchTaskForUpdate / fetchTaskForShare (locked) or the read of TaskByGuid (unlocked); both masked
 * in 2016.
 */
async function fetchTask(ctx: OpContext, guid: string, lock: boolean): Promise<TaskRecord | null> {
  const clause = lock ? lockClause(ctx.opts, 'task', ctx.opts.taskAndDesiredLRPLock) : '';
  const rows = await readRows<TaskRow>(
    ctx,
    `SELECT ${TASK_COLUMNS} FROM tasks WHERE guid = ?${limitOne(ctx.opts.version)}${clause}`,
    [guid],
    true,
  );
  return rows[0] ? taskFromRow(rows[0]) : null;
}

/** completeTask: the one UPDATE that CancelTask, FailTask and CompleteTask share. */
async function completeTask(
  ctx: OpContext,
  task: TaskRecord,
  failed: boolean,
  failureReason: string,
  result: string,
): Promise<TaskRecord> {
  const now = nowNs();
  await ctx.q(
    'UPDATE tasks SET state = ?, updated_at = ?, first_completed_at = ?, failed = ?, failure_reason = ?, result = ?, cell_id = ? WHERE guid = ?',
    [TASK_STATE_CODE.COMPLETED, now, now, failed, failureReason, result, '', task.taskGuid],
  );
  return { ...task, state: 'COMPLETED', cellId: '', failed, failureReason, result };
}

export const taskOps: Pick<
  SqlOps,
  | 'DesireTask'
  | 'StartTask'
  | 'CancelTask'
  | 'FailTask'
  | 'CompleteTask'
  | 'ResolvingTask'
  | 'DeleteTask'
  | 'TaskByGuid'
> = {
  DesireTask: {
    // Until 47049111 DesireTask was a single INSERT on the database handle, no transaction.
    transactional: whenTransactionalReads,
    async run(ctx, a) {
      const now = nowNs();
      try {
        // PLANTED BUG (task-blind-desire): REPLACE overwrites an existing task instead of failing
        // on its key.
        const verb = planted(ctx.opts, 'task-blind-desire') ? 'REPLACE' : 'INSERT';
        await ctx.q(
          `${verb} INTO tasks (guid, domain, created_at, updated_at, first_completed_at, state, task_definition) VALUES (?, ?, ?, ?, ?, ?, ?)`,
          [a.taskGuid, a.domain, now, now, 0, TASK_STATE_CODE.PENDING, TASK_DEFINITION],
        );
      } catch (e) {
        // The BBS's own existence check is the primary key: 1062 becomes ErrResourceExists.
        if (isDuplicateKey(e)) return { error: 'ResourceExists' };
        throw e;
      }
      return {
        record: {
          taskGuid: a.taskGuid,
          domain: a.domain,
          state: 'PENDING',
          cellId: '',
          result: '',
          failed: false,
          failureReason: '',
        },
      };
    },
  },

  StartTask: {
    transactional: always,
    async run(ctx, a) {
      const task = await fetchTask(ctx, a.taskGuid, true);
      if (!task) return { error: 'ResourceNotFound' };
      if (task.state === 'RUNNING' && task.cellId === a.cellId)
        return { shouldStart: false, record: task };
      // PLANTED BUG (task-permissive-rule): the rule also lets a RUNNING task be started (by
      // another cell).
      const permissive = planted(ctx.opts, 'task-permissive-rule') && task.state === 'RUNNING';
      if (!permissive && !taskTransitionAllowed(task.state, 'RUNNING'))
        return { error: 'InvalidStateTransition' };
      if (planted(ctx.opts, 'task-split-start')) {
        // PLANTED BUG (task-split-start): the check's transaction ends here, releasing the row
        // lock, and the write runs in a second one.
        await ctx.q('COMMIT');
        await ctx.q('BEGIN');
      }
      await ctx.q('UPDATE tasks SET state = ?, updated_at = ?, cell_id = ? WHERE guid = ?', [
        TASK_STATE_CODE.RUNNING,
        nowNs(),
        a.cellId,
        a.taskGuid,
      ]);
      return { shouldStart: true, record: { ...task, state: 'RUNNING', cellId: a.cellId } };
    },
  },

  CancelTask: {
    transactional: always,
    async run(ctx, a) {
      const task = await fetchTask(ctx, a.taskGuid, true);
      if (!task) return { error: 'ResourceNotFound' };
      if (!taskCanBeFailed(task.state)) return { error: 'InvalidStateTransition' };
      return { record: await completeTask(ctx, task, true, CANCELLED_REASON, '') };
    },
  },

  FailTask: {
    transactional: always,
    async run(ctx, a) {
      const task = await fetchTask(ctx, a.taskGuid, true);
      if (!task) return { error: 'ResourceNotFound' };
      if (!taskCanBeFailed(task.state)) return { error: 'InvalidStateTransition' };
      return { record: await completeTask(ctx, task, true, a.failureReason, '') };
    },
  },

  CompleteTask: {
    transactional: always,
    async run(ctx, a) {
      const task = await fetchTask(ctx, a.taskGuid, true);
      if (!task) return { error: 'ResourceNotFound' };
      // PLANTED BUG (task-complete-any-cell): the cell check is skipped.
      const checkCell = !planted(ctx.opts, 'task-complete-any-cell');
      if (checkCell && task.state === 'RUNNING' && task.cellId !== a.cellId)
        return { error: 'RunningOnDifferentCell' };
      if (!taskTransitionAllowed(task.state, 'COMPLETED'))
        return { error: 'InvalidStateTransition' };
      return { record: await completeTask(ctx, task, a.failed, a.failureReason, a.result) };
    },
  },

  ResolvingTask: {
    transactional: always,
    async run(ctx, a) {
      const task = await fetchTask(ctx, a.taskGuid, true);
      if (!task) return { error: 'ResourceNotFound' };
      // PLANTED BUG (task-resolve-any-state): the state check is skipped.
      const checkState = !planted(ctx.opts, 'task-resolve-any-state');
      if (checkState && !taskTransitionAllowed(task.state, 'RESOLVING'))
        return { error: 'InvalidStateTransition' };
      // Only the state and updated_at, at every commit (a COMPLETED task's cell_id is already '').
      await ctx.q('UPDATE tasks SET state = ?, updated_at = ? WHERE guid = ?', [
        TASK_STATE_CODE.RESOLVING,
        nowNs(),
        a.taskGuid,
      ]);
      return { record: { ...task, state: 'RESOLVING' } };
    },
  },

  DeleteTask: {
    transactional: always,
    async run(ctx, a) {
      const task = await fetchTask(ctx, a.taskGuid, true);
      if (!task) return { error: 'ResourceNotFound' };
      if (task.state !== 'RESOLVING') return { error: 'InvalidStateTransition' };
      await ctx.q('DELETE FROM tasks WHERE guid = ?', [a.taskGuid]);
      return { record: null };
    },
  },

  TaskByGuid: {
    transactional: whenTransactionalReads,
    rollsBack: whenNotFound,
    async run(ctx, a) {
      return { record: await fetchTask(ctx, a.taskGuid, false) };
    },
  },
};
