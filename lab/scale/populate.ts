// The population of a scale run, as benchmarkbbs builds it (generator/desired_lrp_generator.go:
// N desired LRPs, each instance started RUNNING on a random cell `cell-<k>`), plus domains and
// tasks RUNNING on cells. The plan is pure and row by row: row i's cell is a function of (seed, i,
// instance), so the population at a larger size extends the smaller one without changing a row,
// and the expected per-cell counts are known without the database.
//
// The rows are the ones DesireLRP, StartActualLRP, UpsertDomain and DesireTask + StartTask write
// (bbs/sql/), inserted many rows per INSERT: populating 20 000 LRPs through single BBS ops would
// take longer than the measurement. benchmarkbbs populates through the BBS API; the rows are the
// same.

import { deriveSeed } from '../random/seeded-rng.ts';
import type { Queryable } from '../../bbs/sql/schema.ts';

export interface PopulationShape {
  instances: number;
  cells: number;
  domains: number;
  tasksPerLrp: number;
}

export const cellName = (k: number): string => `cell-${k}`;
export const domainName = (k: number): string => `domain-${k}`;
export const lrpGuid = (i: number): string => `lrp-${String(i).padStart(7, '0')}`;
export const taskGuid = (j: number): string => `task-${String(j).padStart(7, '0')}`;

/** The cell instance k of LRP i runs on. */
export function cellOfInstance(seed: number, i: number, k: number, cells: number): number {
  return (deriveSeed(seed, 1 + k, i) >>> 0) % cells;
}

/** The cell task j runs on. */
export function cellOfTask(seed: number, j: number, cells: number): number {
  return (deriveSeed(seed, 1_000_003, j) >>> 0) % cells;
}

/** Tasks at a size: round(size × tasksPerLrp). */
export const tasksAt = (size: number, shape: PopulationShape): number =>
  Math.round(size * shape.tasksPerLrp);

export interface PopulationCounts {
  desiredLRPs: number;
  actualLRPs: number;
  tasks: number;
  domains: number;
  /** Actual LRPs per cell name (what each rep's bulk read must return). */
  actualPerCell: Record<string, number>;
  tasksPerCell: Record<string, number>;
  /** Desired LRPs per domain name. */
  desiredPerDomain: Record<string, number>;
  /** Tasks per domain name. */
  tasksPerDomain: Record<string, number>;
}

/** What a population of `size` desired LRPs holds. Pure. */
export function populationCounts(
  seed: number,
  size: number,
  shape: PopulationShape,
): PopulationCounts {
  const actualPerCell: Record<string, number> = {};
  const tasksPerCell: Record<string, number> = {};
  const desiredPerDomain: Record<string, number> = {};
  const tasksPerDomain: Record<string, number> = {};
  for (let c = 0; c < shape.cells; c++) {
    actualPerCell[cellName(c)] = 0;
    tasksPerCell[cellName(c)] = 0;
  }
  for (let d = 0; d < shape.domains; d++) {
    desiredPerDomain[domainName(d)] = 0;
    tasksPerDomain[domainName(d)] = 0;
  }
  for (let i = 0; i < size; i++) {
    desiredPerDomain[domainName(i % shape.domains)]!++;
    for (let k = 0; k < shape.instances; k++)
      actualPerCell[cellName(cellOfInstance(seed, i, k, shape.cells))]!++;
  }
  const tasks = tasksAt(size, shape);
  for (let j = 0; j < tasks; j++) {
    tasksPerCell[cellName(cellOfTask(seed, j, shape.cells))]!++;
    tasksPerDomain[domainName(j % shape.domains)]!++;
  }
  return {
    desiredLRPs: size,
    actualLRPs: size * shape.instances,
    tasks,
    domains: shape.domains,
    actualPerCell,
    tasksPerCell,
    desiredPerDomain,
    tasksPerDomain,
  };
}

const BATCH = 500;
const EMPTY = Buffer.from('{}');
const RUN_INFO = Buffer.from('{"action":"run"}');
const TASK_DEF = Buffer.from('{"action":"run"}');

async function insertBatches(
  conn: Queryable,
  head: string,
  rows: unknown[][],
  onBatch: (done: number) => void,
): Promise<void> {
  for (let at = 0; at < rows.length; at += BATCH) {
    const part = rows.slice(at, at + BATCH);
    const ph = `(${part[0]!.map(() => '?').join(', ')})`;
    await conn.query(`${head} VALUES ${part.map(() => ph).join(', ')}`, part.flat());
    onBatch(Math.min(rows.length, at + BATCH));
  }
}

/**
 * Grows the population from `from` to `to` desired LRPs (rows from..to-1, their actual LRPs and
 * tasks; the domains on first call). `progress` gets a line every 5 000 rows.
 */
export async function populate(
  conn: Queryable,
  seed: number,
  shape: PopulationShape,
  from: number,
  to: number,
  progress: (line: string) => void = () => {},
): Promise<void> {
  const now = BigInt(Date.now()) * 1_000_000n;
  if (from === 0) {
    const dayNs = 86_400n * 1_000_000_000n;
    await conn.query(
      `INSERT INTO domains (domain, expire_time) VALUES ${Array.from({ length: shape.domains }, () => '(?, ?)').join(', ')} ON DUPLICATE KEY UPDATE expire_time = VALUES(expire_time)`,
      Array.from({ length: shape.domains }, (_, d) => [domainName(d), now + dayNs]).flat(),
    );
  }
  let lastLine = 0;
  const say = (what: string, done: number, total: number): void => {
    if (done - lastLine >= 5000 || done === total) {
      lastLine = done === total ? 0 : done;
      progress(`populate: ${what} ${done}/${total}`);
    }
  };
  const desired: unknown[][] = [];
  const actual: unknown[][] = [];
  for (let i = from; i < to; i++) {
    const guid = lrpGuid(i);
    const domain = domainName(i % shape.domains);
    desired.push([
      guid,
      domain,
      `log-${guid}`,
      '',
      shape.instances,
      128,
      256,
      'preloaded:cflinuxfs4',
      EMPTY,
      EMPTY,
      `epoch-${guid}`,
      0,
      RUN_INFO,
    ]);
    for (let k = 0; k < shape.instances; k++) {
      const cell = cellName(cellOfInstance(seed, i, k, shape.cells));
      actual.push([
        guid,
        k,
        false,
        domain,
        'RUNNING',
        `${guid}-${k}-i`,
        cell,
        '',
        now,
        EMPTY,
        `epoch-${guid}-${k}`,
        1,
        0,
        '',
      ]);
    }
  }
  await insertBatches(
    conn,
    'INSERT INTO desired_lrps (process_guid, domain, log_guid, annotation, instances, memory_mb, disk_mb, rootfs, routes, volume_placement, modification_tag_epoch, modification_tag_index, run_info)',
    desired,
    (d) => say('desired LRPs', d, desired.length),
  );
  await insertBatches(
    conn,
    'INSERT INTO actual_lrps (process_guid, instance_index, evacuating, domain, state, instance_guid, cell_id, placement_error, since, net_info, modification_tag_epoch, modification_tag_index, crash_count, crash_reason)',
    actual,
    (d) => say('actual LRPs', d, actual.length),
  );
  const tasks: unknown[][] = [];
  for (let j = tasksAt(from, shape); j < tasksAt(to, shape); j++) {
    tasks.push([
      taskGuid(j),
      domainName(j % shape.domains),
      now,
      now,
      0,
      2,
      cellName(cellOfTask(seed, j, shape.cells)),
      '',
      false,
      '',
      TASK_DEF,
    ]);
  }
  await insertBatches(
    conn,
    'INSERT INTO tasks (guid, domain, updated_at, created_at, first_completed_at, state, cell_id, result, failed, failure_reason, task_definition)',
    tasks,
    (d) => say('tasks', d, tasks.length),
  );
}
