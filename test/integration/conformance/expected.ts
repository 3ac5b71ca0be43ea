// The statements the real BBS sent for each task, desired LRP and domain op, written out by hand
// from cloudfoundry/bbs at each profile's commit (git show <commit>:db/sqldb/<file>), never
// produced by the store. Go's whitespace is kept loosely; the comparison is by statement shape
// (shape.ts). BEGIN / COMMIT / ROLLBACK are what database/sql sends for db.Begin(), tx.Commit()
// and the deferred tx.Rollback() after the op's function returned an error (a deferred Rollback
// after a successful Commit sends nothing). An op run on db.db (no transact) sends its statement
// alone, in autocommit.

import type { BbsVersion } from '../../../bbs/versions/index.ts';

/** How a profile's commit wrote these ops: four eras, each read from the code. */
export type Era = '2a8d20a0' | 'db3234a7' | '47049111' | 'b08a6ca0';

export interface ProfileCode {
  version: BbsVersion;
  /** The profile's own commit, whose files the expected statements are read from. */
  commit: string;
  era: Era;
}

/**
 * Each profile and the era its commit belongs to. The statements of these ops did not change from
 * b08a6ca0 to today (18ba2854, fd3b8213 and b2385bea change returned values, logging, context
 * arguments and columns the lab does not model), so those profiles share the b08a6ca0 sequences;
 * 47049111 differs from them only in UpsertDomain.
 */
export const PROFILE_CODE: readonly ProfileCode[] = [
  { version: '2016-03', commit: '2a8d20a0', era: '2a8d20a0' },
  { version: '2016-05', commit: 'db3234a7', era: 'db3234a7' },
  { version: '2016-11', commit: '47049111', era: '47049111' },
  { version: '2017-05', commit: 'b08a6ca0', era: 'b08a6ca0' },
  { version: '2017-06', commit: '18ba2854', era: 'b08a6ca0' },
  { version: '2017-09', commit: 'fd3b8213', era: 'b08a6ca0' },
  { version: 'today', commit: 'b2385bea', era: 'b08a6ca0' },
];

const isEarly = (e: Era): boolean => e === '2a8d20a0' || e === 'db3234a7';
/** Wraps an op's statements in the transaction the era's code opened (none for db.db calls). */
const tx = (inTx: boolean, body: string[], end: 'COMMIT' | 'ROLLBACK' = 'COMMIT'): string[] =>
  inTx ? ['BEGIN', ...body, end] : body;

// --- tasks: db/sqldb/task_db.go -----------------------------------------------------------------

/** DesireTask: db.db.Exec (2a8d20a0, db3234a7), db.insert in db.transact (47049111 on). */
export function desireTask(e: Era, outcome: 'inserted' | 'exists'): string[] {
  const insert = isEarly(e)
    ? 'INSERT INTO tasks (guid, domain, created_at, updated_at, first_completed_at, state, task_definition) VALUES (?, ?, ?, ?, ?, ?, ?)'
    : 'INSERT INTO tasks\n(guid, domain, created_at, updated_at, first_completed_at, state, task_definition)VALUES (?, ?, ?, ?, ?, ?, ?)';
  return tx(!isEarly(e), [insert], outcome === 'inserted' ? 'COMMIT' : 'ROLLBACK');
}

/**
 * fetchTaskForShare (2a8d20a0), fetchTaskForUpdate (db3234a7), db.one(…, LockRow) (47049111 on).
 */
export function lockTask(e: Era): string {
  switch (e) {
    case '2a8d20a0':
      return 'SELECT * FROM tasks WHERE guid = ? LOCK IN SHARE MODE';
    case 'db3234a7':
      return 'SELECT tasks.guid, tasks.domain, tasks.updated_at, tasks.created_at, tasks.first_completed_at, tasks.state, tasks.cell_id, tasks.result, tasks.failed, tasks.failure_reason, tasks.task_definition FROM tasks WHERE guid = ? FOR UPDATE';
    default:
      return 'SELECT tasks.guid, tasks.domain, tasks.updated_at, tasks.created_at, tasks.first_completed_at, tasks.state, tasks.cell_id, tasks.result, tasks.failed, tasks.failure_reason, tasks.task_definition FROM tasks\nWHERE guid = ?\nLIMIT 1\nFOR UPDATE';
  }
}

export const START_TASK_UPDATE =
  'UPDATE tasks SET state = ?, updated_at = ?, cell_id = ? WHERE guid = ?';
/** completeTask, shared by CancelTask, FailTask and CompleteTask. */
export const COMPLETE_TASK_UPDATE =
  'UPDATE tasks SET state = ?, updated_at = ?, first_completed_at = ?, failed = ?, failure_reason = ?, result = ?, cell_id = ? WHERE guid = ?';
/** ResolvingTask: state and updated_at only, at every commit. */
export const RESOLVING_TASK_UPDATE = 'UPDATE tasks SET state = ?, updated_at = ? WHERE guid = ?';
export const DELETE_TASK = 'DELETE FROM tasks WHERE guid = ?';

/** A task mutation: lock the row, and either write and commit, or (refused) roll back. */
export function taskMutation(e: Era, write: string | null): string[] {
  return write === null ? tx(true, [lockTask(e)], 'ROLLBACK') : tx(true, [lockTask(e), write]);
}

/**
 * StartTask of a task already RUNNING on the same cell: nothing written, the function returns nil,
 * so COMMIT.
 */
export function startTaskAgain(e: Era): string[] {
  return tx(true, [lockTask(e)]);
}

/**
 * TaskByGuid: db.db.QueryRow (2a8d20a0, db3234a7), db.one in db.transact (47049111 on; ErrNoRows
 * rolls back).
 */
export function taskByGuid(e: Era, found: boolean): string[] {
  const select =
    e === '2a8d20a0'
      ? 'SELECT * FROM tasks WHERE guid = ?'
      : e === 'db3234a7'
        ? 'SELECT tasks.guid, tasks.domain, tasks.state FROM tasks WHERE guid = ?'
        : 'SELECT tasks.guid, tasks.domain, tasks.state FROM tasks\nWHERE guid = ?\nLIMIT 1';
  return tx(!isEarly(e), [select], found ? 'COMMIT' : 'ROLLBACK');
}

// --- desired LRPs: db/sqldb/desired_lrp_db.go
// -----------------------------------------------------

/** DesireLRP in db.transact at every commit; 2a8d20a0's table had no volume_placement. */
export function desireLRP(e: Era, outcome: 'inserted' | 'exists'): string[] {
  const insert =
    e === '2a8d20a0'
      ? 'INSERT INTO desired_lrps (process_guid, domain, log_guid, annotation, instances, memory_mb, disk_mb, rootfs, modification_tag_epoch, modification_tag_index, routes, run_info) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
      : e === 'db3234a7'
        ? 'INSERT INTO desired_lrps (process_guid, domain, log_guid, annotation, instances, memory_mb, disk_mb, rootfs, volume_placement, modification_tag_epoch, modification_tag_index, routes, run_info) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
        : 'INSERT INTO desired_lrps\n(process_guid, domain, log_guid, annotation, instances, memory_mb, disk_mb, rootfs, volume_placement, modification_tag_epoch, modification_tag_index, routes, run_info, placement_tags)VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  return tx(true, [insert], outcome === 'inserted' ? 'COMMIT' : 'ROLLBACK');
}

/** Columns 2a8d20a0's desired_lrps did not have, which the lab's schema has. */
export function desiredIgnore(e: Era): string[] {
  return e === '2a8d20a0' ? ['volume_placement'] : [];
}

/**
 * UpdateDesiredLRP of instances. 2a8d20a0: lockDesiredLRPByGuidForShare (a count) and an UPDATE of
 * the given fields only, the modification tag untouched. db3234a7: selectDesiredLRPByGuid(…,
 * LockForUpdate) and an UPDATE that raises modification_tag_index. 47049111 on: db.one(…, LockRow).
 */
export function updateDesiredLRP(e: Era, found: boolean): string[] {
  switch (e) {
    case '2a8d20a0':
      return found
        ? tx(true, [
            'SELECT count(*) FROM desired_lrps WHERE process_guid = ? LOCK IN SHARE MODE',
            'UPDATE desired_lrps SET instances = ? WHERE process_guid = ?',
          ])
        : tx(
            true,
            ['SELECT count(*) FROM desired_lrps WHERE process_guid = ? LOCK IN SHARE MODE'],
            'ROLLBACK',
          );
    case 'db3234a7': {
      const lock =
        'SELECT process_guid, domain, log_guid, annotation, instances, memory_mb, disk_mb, rootfs, routes, modification_tag_epoch, modification_tag_index, run_info FROM desired_lrps WHERE process_guid = ? FOR UPDATE';
      return found
        ? tx(true, [
            lock,
            'UPDATE desired_lrps SET modification_tag_index = ?, instances = ? WHERE process_guid = ?',
          ])
        : tx(true, [lock], 'ROLLBACK');
    }
    default: {
      const lock =
        'SELECT desired_lrps.process_guid, desired_lrps.domain, desired_lrps.run_info FROM desired_lrps\nWHERE process_guid = ?\nLIMIT 1\nFOR UPDATE';
      return found
        ? tx(true, [
            lock,
            'UPDATE desired_lrps SET\ninstances = ?, modification_tag_index = ?\nWHERE process_guid = ?',
          ])
        : tx(true, [lock], 'ROLLBACK');
    }
  }
}

/** RemoveDesiredLRP: lockDesiredLRPByGuidFor{Share,Update}, then DELETE. */
export function removeDesiredLRP(e: Era, found: boolean): string[] {
  const probe =
    e === '2a8d20a0'
      ? 'SELECT count(*) FROM desired_lrps WHERE process_guid = ? LOCK IN SHARE MODE'
      : e === 'db3234a7'
        ? 'SELECT COUNT(*) FROM desired_lrps WHERE process_guid = ? FOR UPDATE'
        : 'SELECT 1 FROM desired_lrps\nWHERE process_guid = ?\nLIMIT 1\nFOR UPDATE';
  return found
    ? tx(true, [probe, 'DELETE FROM desired_lrps WHERE process_guid = ?'])
    : tx(true, [probe], 'ROLLBACK');
}

/**
 * DesiredLRPByProcessGuid: db.db.QueryRow (2a8d20a0, db3234a7), db.one in db.transact (47049111
 * on).
 */
export function desiredLRPByProcessGuid(e: Era, found: boolean): string[] {
  const select =
    e === '2a8d20a0'
      ? 'SELECT * FROM desired_lrps WHERE process_guid = ?'
      : e === 'db3234a7'
        ? 'SELECT process_guid, domain, run_info FROM desired_lrps WHERE process_guid = ?'
        : 'SELECT desired_lrps.process_guid, desired_lrps.run_info FROM desired_lrps\nWHERE process_guid = ?\nLIMIT 1';
  return tx(!isEarly(e), [select], found ? 'COMMIT' : 'ROLLBACK');
}

// --- domains: db/sqldb/domain_db.go ------------------------------------------------------------

/**
 * UpsertDomain. 2a8d20a0, db3234a7: db.db.Exec of INSERT … ON DUPLICATE KEY UPDATE. 47049111: the
 * same statement from db.upsert (queries.go), in db.transact. b08a6ca0 on: helpers.Upsert, an
 * UPDATE and, when RowsAffected is 0, an INSERT. `changed`: whether the UPDATE changes the row;
 * false for a missing domain, and for an existing one whose expiry stays the same (ttl 0 again:
 * MaxInt64).
 */
export function upsertDomain(e: Era, row: 'missing' | 'changed' | 'unchanged'): string[] {
  const odku =
    'INSERT INTO domains (domain, expire_time) VALUES (?, ?) ON DUPLICATE KEY UPDATE expire_time = ?';
  if (isEarly(e)) return [odku];
  if (e === '47049111')
    return tx(true, [
      'INSERT INTO domains\n(domain, expire_time)\nVALUES (?, ?)\nON DUPLICATE KEY UPDATE\nexpire_time = ?',
    ]);
  const update = 'UPDATE domains SET\nexpire_time = ?, domain = ?\nWHERE domain = ?';
  const insert = 'INSERT INTO domains\n(domain, expire_time)VALUES (?, ?)';
  if (row === 'changed') return tx(true, [update]);
  // A missing domain is inserted; an unchanged one's INSERT fails with 1062 and the function
  // returns the error: the deferred Rollback.
  return tx(true, [update, insert], row === 'missing' ? 'COMMIT' : 'ROLLBACK');
}

/** Domains: db.db.Query (2a8d20a0, db3234a7), db.all in db.transact (47049111 on). */
export function domains(e: Era): string[] {
  return isEarly(e)
    ? ['SELECT domain FROM domains WHERE expire_time > ?']
    : tx(true, ['SELECT domains.domain FROM domains\nWHERE expire_time > ?']);
}
