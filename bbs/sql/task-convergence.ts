// Task convergence of the BBS's SQL store (ConvergeTasks), per profile: six steps, every statement a
// bare one on db.db (autocommit) at every profile, run one after another; the converger runs it
// beside ConvergeLRPs each cycle (converger/converger.go). The steps (db/sqldb/task_convergence.go):
//   1. fail PENDING tasks created longer ago than expirePendingTaskDuration ("not started within time limit");
//   2. kick PENDING ones: select them for the auctioneer (start requests, counted only);
//   3. fail RUNNING tasks whose cell is gone ("cell disappeared before completion");
//   4. demote RESOLVING ones not updated within kickTasksDuration back to COMPLETED;
//   5. delete COMPLETED ones first completed longer ago than expireCompletedTaskDuration;
//   6. kick COMPLETED ones not updated within kickTasksDuration: select them for their completion
//      callbacks (the task completion client; counted only);
// then one count by state for the metrics.
//
// Per profile (docs/bbs-versions.md, "Task convergence"):
// - 2016-03 (2a8d20a0): no ConvergeTasks in the SQL store (080850a1, 2016-03-30, added it);
// - 2016-05 (db3234a7): statements written out; failing tasks marks them COMPLETED (3fd1ed34);
// - 2016-11, 2017-05, 2017-06 (47049111 … 18ba2854): the same through the helpers (`db.update`,
//   `db.all`, `db.delete`: `UPDATE tasks SET\n…\nWHERE …`; the SET order is Go's map order, random:
//   the lab writes it in one fixed order);
// - 2017-09 (fd3b8213): steps 1, 3, 4 and 5 first SELECT the rows they change (for task events,
//   d1412db4 2017-07-05), then run the same UPDATE or DELETE;
// - today (b2385bea): the UPDATE or DELETE is narrowed to `guid IN (<the guids selected>)` (14bc0870
//   2018-06-06) and skipped when none was selected (5c859c19 2018-06-13); step 2 kicks every
//   PENDING task not expired, whatever its updated_at (c20742fa 2018-04-04).
// Not modelled: the rows' decoding and the deletion of undecodable ones, events, the callbacks.

import type { ConnectionSource } from '../db/connection.ts';
import type { OpError } from '../db/error.ts';
import type { BbsVersion } from '../versions/index.ts';
import type { StoreOptions } from './options.ts';
import { TASK_COLUMNS, TASK_STATE_CODE } from './schema.ts';
import { runUnit } from './transact.ts';

export type TaskConvergenceEra =
  | 'raw-2016-05'
  | 'helpers-2016-11'
  | 'select-first-2017-09'
  | 'guid-scoped-today';

/** The way a profile's commit converges tasks, or null where its SQL store had none. */
export function taskConvergenceEra(version: BbsVersion): TaskConvergenceEra | null {
  switch (version) {
    case '2016-03':
      return null;
    case '2016-05':
      return 'raw-2016-05';
    case '2016-11':
    case '2017-05':
    case '2017-06':
      return 'helpers-2016-11';
    case '2017-09':
      return 'select-first-2017-09';
    case 'today':
      return 'guid-scoped-today';
    default:
      throw new Error(
        `no task convergence for BBS version ${JSON.stringify(version)}: add it to bbs/sql/task-convergence.ts`,
      );
  }
}

export interface TaskConvergenceDurations {
  /** kick_task_duration: 30 s in the BBS's configuration (cmd/bbs/config). */
  kickNs: number;
  /** expire_pending_task_duration: 30 min. */
  expirePendingNs: number;
  /** expire_completed_task_duration: 2 min. */
  expireCompletedNs: number;
}

export const DEFAULT_TASK_DURATIONS: TaskConvergenceDurations = {
  kickNs: 30e9,
  expirePendingNs: 30 * 60e9,
  expireCompletedNs: 2 * 60e9,
};

export type TaskStepName =
  | 'failExpiredPending'
  | 'kickPending'
  | 'failOnMissingCells'
  | 'demoteResolving'
  | 'deleteExpiredCompleted'
  | 'kickCompleted';

export const TASK_STEPS: readonly TaskStepName[] = [
  'failExpiredPending',
  'kickPending',
  'failOnMissingCells',
  'demoteResolving',
  'deleteExpiredCompleted',
  'kickCompleted',
];

export interface TaskStatement {
  sql: string;
  params: unknown[];
}

export interface TaskStep {
  name: TaskStepName;
  /** The SELECT of the rows the step handles (kicks; and before each write from 2017-09). */
  select: TaskStatement | null;
  /**
   * The UPDATE or DELETE, given the guids the SELECT returned (null when it has no SELECT); null
   * when the step writes nothing (a kick) or, today, when no guid was selected.
   */
  write: ((guids: readonly string[] | null) => TaskStatement | null) | null;
}

const PENDING = TASK_STATE_CODE.PENDING;
const RUNNING = TASK_STATE_CODE.RUNNING;
const COMPLETED = TASK_STATE_CODE.COMPLETED;
const RESOLVING = TASK_STATE_CODE.RESOLVING;
const qMarks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** The six steps' statements at an era, at `now` (Unix ns) against the live cells. Pure. */
export function taskConvergenceSteps(
  era: TaskConvergenceEra,
  nowNs: number,
  cells: readonly string[],
  d: TaskConvergenceDurations = DEFAULT_TASK_DURATIONS,
): TaskStep[] {
  const raw = era === 'raw-2016-05';
  const selectFirst = era === 'select-first-2017-09' || era === 'guid-scoped-today';
  const scoped = era === 'guid-scoped-today';
  const cols = raw
    ? TASK_COLUMNS
    : TASK_COLUMNS.split(', ')
        .map((c) => `tasks.${c}`)
        .join(', ');
  const select = (where: string, params: unknown[]): TaskStatement => ({
    sql: raw
      ? `SELECT ${cols} FROM tasks WHERE ${where}`
      : `SELECT ${cols} FROM tasks\nWHERE ${where}`,
    params,
  });
  const narrow = (
    where: string,
    params: unknown[],
    guids: readonly string[] | null,
  ): { where: string; params: unknown[] } | null => {
    if (!scoped) return { where, params };
    if (!guids || guids.length === 0) return null;
    return {
      where: `${where} AND guid IN (${qMarks(guids.length)})`,
      params: [...params, ...guids],
    };
  };
  const update =
    (sets: [string, unknown][], where: string, params: unknown[]) =>
    (guids: readonly string[] | null): TaskStatement | null => {
      const w = narrow(where, params, guids);
      if (!w) return null;
      const set = sets.map(([c]) => `${c} = ?`).join(', ');
      return {
        sql: raw
          ? `UPDATE tasks SET ${set} WHERE ${w.where}`
          : `UPDATE tasks SET\n${set}\nWHERE ${w.where}`,
        params: [...sets.map(([, v]) => v), ...w.params],
      };
    };
  const del =
    (where: string, params: unknown[]) =>
    (guids: readonly string[] | null): TaskStatement | null => {
      const w = narrow(where, params, guids);
      if (!w) return null;
      return {
        sql: raw ? `DELETE FROM tasks WHERE ${w.where}` : `DELETE FROM tasks\nWHERE ${w.where}`,
        params: w.params,
      };
    };
  const fail = (reason: string): [string, unknown][] => [
    ['failed', true],
    ['failure_reason', reason],
    ['result', ''],
    ['state', COMPLETED],
    ['first_completed_at', nowNs],
    ['updated_at', nowNs],
  ];

  const expiredWhere = 'state = ? AND created_at < ?';
  const expiredParams = [PENDING, nowNs - d.expirePendingNs];
  const cellsWhere =
    cells.length > 0 ? `state = ? AND cell_id NOT IN (${qMarks(cells.length)})` : 'state = ?';
  const cellsParams = [RUNNING, ...cells];
  const resolvingWhere = 'state = ? AND updated_at < ?';
  const resolvingParams = [RESOLVING, nowNs - d.kickNs];
  const doneWhere = 'state = ? AND first_completed_at < ?';
  const doneParams = [COMPLETED, nowNs - d.expireCompletedNs];
  return [
    {
      name: 'failExpiredPending',
      select: selectFirst ? select(expiredWhere, expiredParams) : null,
      write: update(fail('not started within time limit'), expiredWhere, expiredParams),
    },
    {
      name: 'kickPending',
      select: scoped
        ? select('state = ? AND created_at > ?', [PENDING, nowNs - d.expirePendingNs])
        : select('state = ? AND updated_at < ? AND created_at > ?', [
            PENDING,
            nowNs - d.kickNs,
            nowNs - d.expirePendingNs,
          ]),
      write: null,
    },
    {
      name: 'failOnMissingCells',
      select: selectFirst ? select(cellsWhere, cellsParams) : null,
      write: update(fail('cell disappeared before completion'), cellsWhere, cellsParams),
    },
    {
      name: 'demoteResolving',
      select: selectFirst ? select(resolvingWhere, resolvingParams) : null,
      write: update([['state', COMPLETED]], resolvingWhere, resolvingParams),
    },
    {
      name: 'deleteExpiredCompleted',
      select: selectFirst ? select(doneWhere, doneParams) : null,
      write: del(doneWhere, doneParams),
    },
    {
      name: 'kickCompleted',
      select: select('state = ? AND updated_at < ?', [COMPLETED, nowNs - d.kickNs]),
      write: null,
    },
  ];
}

export const COUNT_TASKS_SQL =
  'SELECT COUNT(IF(state = ?, 1, NULL)) AS pending_tasks, COUNT(IF(state = ?, 1, NULL)) AS running_tasks, COUNT(IF(state = ?, 1, NULL)) AS completed_tasks, COUNT(IF(state = ?, 1, NULL)) AS resolving_tasks FROM tasks';

export interface TaskConvergenceReport {
  version: BbsVersion;
  modelled: boolean;
  notes: string[];
  /** Per step: rows selected (null: no SELECT) and rows the write changed (null: no write). */
  steps: Record<TaskStepName, { selected: number | null; changed: number | null }>;
  /** Start requests for the auctioneer (step 2) and completion callbacks (step 6): counted only. */
  startRequests: number;
  completionCallbacks: number;
  counts: { pending: number; running: number; completed: number; resolving: number } | null;
  /** Rows the SELECTs returned, and statements sent. */
  rows: number;
  statements: number;
  ms: number;
  errors: OpError[];
}

/** Runs one ConvergeTasks at the store's profile against the live cells. */
export async function convergeTasks(
  source: ConnectionSource,
  opts: StoreOptions,
  cells: readonly string[],
  d: TaskConvergenceDurations = DEFAULT_TASK_DURATIONS,
): Promise<TaskConvergenceReport> {
  const era = taskConvergenceEra(opts.version);
  const steps = Object.fromEntries(
    TASK_STEPS.map((s) => [s, { selected: null, changed: null }]),
  ) as TaskConvergenceReport['steps'];
  const out: TaskConvergenceReport = {
    version: opts.version,
    modelled: era !== null,
    notes: [],
    steps,
    startRequests: 0,
    completionCallbacks: 0,
    counts: null,
    rows: 0,
    statements: 0,
    ms: 0,
    errors: [],
  };
  if (!era) {
    out.notes.push(
      'no ConvergeTasks in the SQL store at 2a8d20a0 (task_convergence.go came with 080850a1, 2016-03-30)',
    );
    return out;
  }
  const t0 = performance.now();
  // Every statement bare on db.db; a failed one is logged and the step finds nothing.
  const run = async <T>(st: TaskStatement): Promise<T | null> => {
    out.statements++;
    const r = await runUnit(source, opts, false, ({ q }) => q<T>(st.sql, st.params));
    if (r.error) {
      out.errors.push(r.error);
      return null;
    }
    return r.value ?? null;
  };
  for (const step of taskConvergenceSteps(era, Date.now() * 1e6, cells, d)) {
    let guids: string[] | null = null;
    if (step.select) {
      const rows = await run<{ guid: string }[]>(step.select);
      // A failed SELECT ends its step (from 2017-09 the write waits on it; a kick has no write).
      if (rows === null) continue;
      guids = rows.map((r) => r.guid);
      steps[step.name].selected = guids.length;
      out.rows += guids.length;
    }
    const w = step.write?.(guids) ?? null;
    if (w) {
      const res = await run<{ affectedRows?: number }>(w);
      steps[step.name].changed = res ? Number(res.affectedRows ?? 0) : 0;
    }
  }
  out.startRequests = steps.kickPending.selected ?? 0;
  out.completionCallbacks = steps.kickCompleted.selected ?? 0;
  const c = await run<Record<string, number>[]>({
    sql: COUNT_TASKS_SQL,
    params: [PENDING, RUNNING, COMPLETED, RESOLVING],
  });
  if (c?.[0])
    out.counts = {
      pending: Number(c[0].pending_tasks),
      running: Number(c[0].running_tasks),
      completed: Number(c[0].completed_tasks),
      resolving: Number(c[0].resolving_tasks),
    };
  out.ms = performance.now() - t0;
  return out;
}
