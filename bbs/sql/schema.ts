// The BBS's relational schema, as migration 1461790966 (db/migrations/1461790966_etcd_to_sql.go)
// creates it, plus the `configurations` table of sqldb.go: the same tables, columns, types and
// indexes, so the database sees the same rows, locks and writesets as under the real BBS. Also the
// mapping between rows and the records of ops.ts.

import type {
  ActualLRPRecord,
  ActualLRPState,
  DesiredLRPRecord,
  DomainRecord,
  TaskRecord,
  TaskState,
} from '../ops.ts';

/** Anything that runs a statement: a mysql2/promise Connection, PoolConnection or Pool. */
export interface Queryable {
  query(sql: string, values?: unknown): Promise<[unknown, unknown]>;
}

export const CREATE_DOMAINS = `CREATE TABLE IF NOT EXISTS domains(
  domain VARCHAR(255) PRIMARY KEY,
  expire_time BIGINT DEFAULT 0,

  INDEX(expire_time)
)`;

export const CREATE_DESIRED_LRPS = `CREATE TABLE IF NOT EXISTS desired_lrps(
  process_guid VARCHAR(255) PRIMARY KEY,
  domain VARCHAR(255) NOT NULL,
  log_guid VARCHAR(255) NOT NULL,
  annotation TEXT,
  instances INT NOT NULL,
  memory_mb INT NOT NULL,
  disk_mb INT NOT NULL,
  rootfs VARCHAR(255) NOT NULL,
  routes BLOB NOT NULL,
  volume_placement BLOB NOT NULL,
  modification_tag_epoch VARCHAR(255) NOT NULL,
  modification_tag_index INT,
  run_info BLOB NOT NULL,

  INDEX(domain)
)`;

export const CREATE_ACTUAL_LRPS = `CREATE TABLE IF NOT EXISTS actual_lrps(
  process_guid VARCHAR(255),
  instance_index INT,
  evacuating BOOL DEFAULT false,
  domain VARCHAR(255) NOT NULL,
  state VARCHAR(255) NOT NULL,
  instance_guid VARCHAR(255) NOT NULL DEFAULT '',
  cell_id VARCHAR(255) NOT NULL DEFAULT '',
  placement_error VARCHAR(255) NOT NULL DEFAULT '',
  since BIGINT DEFAULT 0,
  net_info BLOB NOT NULL,
  modification_tag_epoch VARCHAR(255) NOT NULL,
  modification_tag_index INT,
  crash_count INT NOT NULL DEFAULT 0,
  crash_reason VARCHAR(255) NOT NULL DEFAULT '',
  expire_time BIGINT DEFAULT 0,

  PRIMARY KEY(process_guid, instance_index, evacuating),
  INDEX(domain),
  INDEX(cell_id),
  INDEX(since),
  INDEX(state),
  INDEX(expire_time)
)`;

export const CREATE_TASKS = `CREATE TABLE IF NOT EXISTS tasks(
  guid VARCHAR(255) PRIMARY KEY,
  domain VARCHAR(255) NOT NULL,
  updated_at BIGINT DEFAULT 0,
  created_at BIGINT DEFAULT 0,
  first_completed_at BIGINT DEFAULT 0,
  state INT,
  cell_id VARCHAR(255) NOT NULL DEFAULT '',
  result TEXT,
  failed BOOL DEFAULT false,
  failure_reason VARCHAR(255) NOT NULL DEFAULT '',
  task_definition BLOB NOT NULL,

  INDEX(domain),
  INDEX(state),
  INDEX(cell_id),
  INDEX(updated_at),
  INDEX(created_at),
  INDEX(first_completed_at)
)`;

/** sqldb.go CreateConfigurationsTable: holds the BBS version as JSON under id 'version'. */
export const CREATE_CONFIGURATIONS = `CREATE TABLE IF NOT EXISTS configurations(
  id VARCHAR(255) PRIMARY KEY,
  value VARCHAR(255)
)`;

export const BBS_TABLES = [
  'domains',
  'desired_lrps',
  'actual_lrps',
  'tasks',
  'configurations',
] as const;

/** Creates the four BBS tables and `configurations` if they do not exist. Idempotent. */
export async function createSchema(conn: Queryable): Promise<void> {
  for (const ddl of [
    CREATE_DOMAINS,
    CREATE_DESIRED_LRPS,
    CREATE_ACTUAL_LRPS,
    CREATE_TASKS,
    CREATE_CONFIGURATIONS,
  ]) {
    await conn.query(ddl);
  }
}

// --- tasks -----------------------------------------------------------------------------------

/** models.Task_State: the INT the tasks table stores (0 is Task_Invalid). */
export const TASK_STATE_CODE: Record<TaskState, number> = {
  PENDING: 1,
  RUNNING: 2,
  COMPLETED: 3,
  RESOLVING: 4,
};

export function taskStateOf(code: unknown): TaskState {
  const n = Number(code);
  for (const [name, c] of Object.entries(TASK_STATE_CODE)) if (c === n) return name as TaskState;
  throw new Error(`tasks.state holds ${String(code)}, which is no task state`);
}

export const TASK_COLUMNS =
  'guid, domain, updated_at, created_at, first_completed_at, state, cell_id, result, failed, failure_reason, task_definition';

export interface TaskRow {
  guid: string;
  domain: string;
  state: number;
  cell_id: string;
  result: string | null;
  failed: number;
  failure_reason: string;
}

export function taskFromRow(r: TaskRow): TaskRecord {
  return {
    taskGuid: r.guid,
    domain: r.domain,
    state: taskStateOf(r.state),
    cellId: r.cell_id,
    result: r.result ?? '',
    failed: Boolean(r.failed),
    failureReason: r.failure_reason,
  };
}

// --- desired LRPs --------------------------------------------------------------------------

export const DESIRED_LRP_COLUMNS =
  'process_guid, domain, log_guid, annotation, instances, memory_mb, disk_mb, rootfs, routes, modification_tag_epoch, modification_tag_index, run_info';

export interface DesiredLRPRow {
  process_guid: string;
  domain: string;
  annotation: string | null;
  instances: number;
  modification_tag_epoch: string;
  modification_tag_index: number | null;
}

export function desiredLRPFromRow(r: DesiredLRPRow): DesiredLRPRecord {
  return {
    processGuid: r.process_guid,
    domain: r.domain,
    instances: Number(r.instances),
    annotation: r.annotation ?? '',
    modificationTag: {
      epoch: r.modification_tag_epoch,
      index: Number(r.modification_tag_index ?? 0),
    },
  };
}

// --- actual LRPs ---------------------------------------------------------------------------

export const ACTUAL_LRP_COLUMNS =
  'process_guid, instance_index, evacuating, domain, state, instance_guid, cell_id, placement_error, since, net_info, modification_tag_epoch, modification_tag_index, crash_count, crash_reason';

export interface ActualLRPRow {
  process_guid: string;
  instance_index: number;
  domain: string;
  state: string;
  instance_guid: string;
  cell_id: string;
  placement_error: string;
  /** Unix nanoseconds, read as a double: exact enough to compare with a 5 minute timeout. */
  since: number;
  modification_tag_epoch: string;
  modification_tag_index: number | null;
  crash_count: number;
  crash_reason: string;
}

const ACTUAL_STATES: readonly ActualLRPState[] = ['UNCLAIMED', 'CLAIMED', 'RUNNING', 'CRASHED'];

export function actualLRPFromRow(r: ActualLRPRow): ActualLRPRecord {
  if (!ACTUAL_STATES.includes(r.state as ActualLRPState))
    throw new Error(`actual_lrps.state holds ${r.state}, which is no actual LRP state`);
  return {
    processGuid: r.process_guid,
    index: Number(r.instance_index),
    domain: r.domain,
    state: r.state as ActualLRPState,
    instanceGuid: r.instance_guid,
    cellId: r.cell_id,
    placementError: r.placement_error,
    crashCount: Number(r.crash_count),
    crashReason: r.crash_reason,
    modificationTag: {
      epoch: r.modification_tag_epoch,
      index: Number(r.modification_tag_index ?? 0),
    },
  };
}

// --- domains -------------------------------------------------------------------------------

export interface DomainRow {
  domain: string;
  expire_time: number;
}

/** The BBS stores an absolute expiry; the record carries what is left of it, in whole seconds. */
export function domainFromRow(r: DomainRow, nowNs: bigint): DomainRecord {
  // An expiry of math.MaxInt64 is how a ttl of 0 ("never expires") is stored.
  if (Number(r.expire_time) >= 9.2e18) return { domain: r.domain, ttl: 0 };
  const left = (Number(r.expire_time) - Number(nowNs)) / 1e9;
  return { domain: r.domain, ttl: Math.max(0, Math.round(left)) };
}

/**
 * The wall clock at start-up, in ns, less the monotonic clock then: nowNs adds the monotonic clock.
 */
const WALL_MINUS_MONOTONIC_NS = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/**
 * Unix time in nanoseconds, as the BBS stores every time column (clock.Now().UnixNano()). Go's
 * clock has nanoseconds, so two writes of "now" practically never store the same value; the
 * helpers' UPDATE-then-INSERT upsert relies on that (an UPDATE that changes nothing inserts).
 */
export function nowNs(): bigint {
  return WALL_MINUS_MONOTONIC_NS + process.hrtime.bigint();
}

/** time.Duration(ttl) * time.Second added to now; ttl 0 means "never expires" (math.MaxInt64). */
export function expireTimeFor(ttlSeconds: number, now: bigint): bigint {
  return ttlSeconds === 0 ? 9_223_372_036_854_775_807n : now + BigInt(ttlSeconds) * 1_000_000_000n;
}
