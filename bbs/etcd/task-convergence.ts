// Task convergence of the legacy etcd store (db3234a7 2016-05-03 db/etcd/task_convergence.go, the
// same steps at 47049111): one recursive GET of /v1/task, every task judged in memory, then the
// changes written key by key, 20 at a time (convergenceWorkers): compare-and-swaps on the index the
// GET read, deletes. Per task, by state (durations as the SQL store's):
//   PENDING   created ≥ expirePending ago → failed ("not started within time limit", COMPLETED);
//             else updated ≥ kick ago → a start request;
//   RUNNING   its cell not present → failed ("cell disappeared before completion");
//   COMPLETED first completed ≥ expireCompleted ago → deleted; else updated ≥ kick ago → its
//             completion callback (only when it has a callback URL: the lab's tasks have none);
//   RESOLVING first completed ≥ expireCompleted ago → deleted; else updated ≥ kick ago → demoted
//             to COMPLETED (CAS) and its callback.
// A task never completed has a first-completed age of 0 (durationSinceTaskFirstCompleted).

import {
  DEFAULT_TASK_DURATIONS,
  TASK_STEPS,
  type TaskConvergenceDurations,
  type TaskConvergenceReport,
} from '../sql/task-convergence.ts';
import { limiter } from '../sql/convergence.ts';
import type { BbsVersion } from '../versions/index.ts';
import type { EtcdTaskValue } from './bulk.ts';
import { type EtcdClient, EtcdError, leaves } from './client.ts';
import { TASK_ROOT } from './store.ts';

export interface EtcdTask {
  value: EtcdTaskValue & { completionCallbackUrl?: string };
  key: string;
  modifiedIndex: number;
}

export interface EtcdTaskChanges {
  /** Tasks to compare-and-swap to their new value (failed or demoted). */
  cas: { task: EtcdTask; next: EtcdTaskValue; why: 'expired' | 'cell' | 'demoted' }[];
  deletes: string[];
  startRequests: string[];
  completions: string[];
}

/** The in-memory judgement of ConvergeTasks on etcd. Pure. */
export function calculateEtcdTaskConvergence(
  tasks: readonly EtcdTask[],
  nowNs: number,
  cells: ReadonlySet<string>,
  d: TaskConvergenceDurations = DEFAULT_TASK_DURATIONS,
): EtcdTaskChanges {
  const ch: EtcdTaskChanges = { cas: [], deletes: [], startRequests: [], completions: [] };
  const failed = (t: EtcdTaskValue, reason: string): EtcdTaskValue => ({
    ...t,
    state: 'COMPLETED',
    failed: true,
    failureReason: reason,
    result: '',
    firstCompletedAt: nowNs,
    updatedAt: nowNs,
  });
  for (const task of tasks) {
    const t = task.value;
    const kick = nowNs - (t.updatedAt ?? 0) >= d.kickNs;
    const doneAge = t.firstCompletedAt ? nowNs - t.firstCompletedAt : 0;
    const callback = (): void => {
      if (t.completionCallbackUrl) ch.completions.push(t.taskGuid);
    };
    switch (t.state) {
      case 'PENDING':
        if (nowNs - (t.createdAt ?? 0) >= d.expirePendingNs)
          ch.cas.push({ task, next: failed(t, 'not started within time limit'), why: 'expired' });
        else if (kick) ch.startRequests.push(t.taskGuid);
        break;
      case 'RUNNING':
        if (!cells.has(t.cellId))
          ch.cas.push({ task, next: failed(t, 'cell disappeared before completion'), why: 'cell' });
        break;
      case 'COMPLETED':
        if (doneAge >= d.expireCompletedNs) ch.deletes.push(task.key);
        else if (kick) callback();
        break;
      case 'RESOLVING':
        if (doneAge >= d.expireCompletedNs) ch.deletes.push(task.key);
        else if (kick) {
          ch.cas.push({
            task,
            next: { ...t, state: 'COMPLETED', updatedAt: nowNs },
            why: 'demoted',
          });
          callback();
        }
        break;
    }
  }
  return ch;
}

/** One ConvergeTasks of the etcd store, in the SQL report's shape (steps' `changed` = writes that succeeded). */
export async function convergeEtcdTasks(
  client: EtcdClient,
  version: BbsVersion,
  cells: readonly string[],
  o: { workers?: number; durations?: TaskConvergenceDurations } = {},
): Promise<TaskConvergenceReport> {
  const steps = Object.fromEntries(
    TASK_STEPS.map((s) => [s, { selected: null, changed: null }]),
  ) as TaskConvergenceReport['steps'];
  const out: TaskConvergenceReport = {
    version,
    modelled: true,
    notes: ['the legacy etcd store (db3234a7 db/etcd/task_convergence.go)'],
    steps,
    startRequests: 0,
    completionCallbacks: 0,
    counts: null,
    rows: 0,
    statements: 1,
    ms: 0,
    errors: [],
  };
  const t0 = performance.now();
  let tasks: EtcdTask[];
  try {
    tasks = leaves(await client.get(TASK_ROOT, true)).map((n) => ({
      value: JSON.parse(n.value ?? '{}') as EtcdTask['value'],
      key: n.key,
      modifiedIndex: n.modifiedIndex,
    }));
  } catch (e) {
    out.errors.push({ message: (e as Error).message.split('\n')[0]! });
    out.ms = performance.now() - t0;
    return out;
  }
  out.rows = tasks.length;
  const count = (s: string) => tasks.filter((t) => t.value.state === s).length;
  out.counts = {
    pending: count('PENDING'),
    running: count('RUNNING'),
    completed: count('COMPLETED'),
    resolving: count('RESOLVING'),
  };
  const ch = calculateEtcdTaskConvergence(
    tasks,
    Date.now() * 1e6,
    new Set(cells),
    o.durations ?? DEFAULT_TASK_DURATIONS,
  );
  steps.kickPending.selected = ch.startRequests.length;
  steps.kickCompleted.selected = ch.completions.length;
  out.startRequests = ch.startRequests.length;
  out.completionCallbacks = ch.completions.length;
  const stepOf = {
    expired: 'failExpiredPending',
    cell: 'failOnMissingCells',
    demoted: 'demoteResolving',
  } as const;
  for (const c of ch.cas) steps[stepOf[c.why]].changed = 0;
  if (ch.deletes.length > 0) steps.deleteExpiredCompleted.changed = 0;
  const limit = limiter(o.workers ?? 20);
  const failed = (e: unknown): void => {
    out.errors.push({
      message: e instanceof EtcdError ? `etcd ${e.errorCode ?? e.status}` : (e as Error).message,
    });
  };
  // batchCompareAndSwapTasks, then batchDeleteTasks.
  await Promise.all(
    ch.cas.map((c) =>
      limit(async () => {
        out.statements++;
        try {
          await client.set(c.task.key, JSON.stringify(c.next), { prevIndex: c.task.modifiedIndex });
          steps[stepOf[c.why]].changed! += 1;
        } catch (e) {
          failed(e);
        }
      }),
    ),
  );
  await Promise.all(
    ch.deletes.map((key) =>
      limit(async () => {
        out.statements++;
        try {
          await client.delete(key, true);
          steps.deleteExpiredCompleted.changed! += 1;
        } catch (e) {
          failed(e);
        }
      }),
    ),
  );
  out.ms = performance.now() - t0;
  return out;
}
