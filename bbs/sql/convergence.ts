// LRP convergence of the BBS's SQL store (ConvergeLRPs), per profile: the gather (the queries of
// db/sqldb/lrp_convergence.go and queries.go) and the fixes those findings lead to, as the BBS
// wrote them: missing actual LRPs created UNCLAIMED, extra and orphaned ones retired (removed when
// UNCLAIMED or CRASHED or their cell is gone, else stopped by their cell, which then removes them),
// actual LRPs on a cell that is gone made UNCLAIMED, restartable CRASHED ones made UNCLAIMED.
// Start requests go to the auctioneer, which the lab has not: they are counted only.
//
// Per profile (docs/bbs-versions.md, "Bulk reads and convergence"):
// - 2016-03 (2a8d20a0): the SQL store has no ConvergeLRPs yet (lrp_convergence.go came with
//   30d1276c, 2016-03-31): `convergenceEra` is null and the scale runs say so.
// - 2016-05 … 2017-09 (db3234a7 … fd3b8213): ConvergeLRPs in the DB creates the missing LRPs and
//   unclaims the crashed ones in its own workpool (convergenceWorkers, 20); the handler (controller
//   from 2016-11) retires the extras and orphans and unclaims the LRPs on missing cells through a
//   throttler of the same size. 2016-05's orphan query is `NOT IN (SELECT …)`, 47049111's a LEFT
//   JOIN … IS NULL. Until b4412738 (2017-04-20) the extras were indices instances … count-1 (the
//   loop counter), not the indices that exist: an LRP with indices 0 and 5 of 1 desired retired a
//   non-existent index 1 and kept 5.
// - today (b2385bea): the controller does every write; the missing-cell query keeps only CLAIMED and
//   RUNNING rows, and such an LRP is made Suspect (presence column, fccfa05d 2018-07-20) with a new
//   UNCLAIMED one beside it; the suspect queries remove, promote or hold Suspects (bbs/sql/suspect.ts).
//   This needs the presence column (`applyPresenceMigration`, `ConvergeOptions.presence`); on the
//   lab's older schema the lab unclaims as 2017-09 did, a hypothetical labelled in
//   `ConvergenceReport.notes`. The internal routes and metric tags checks are not modelled.

import type { ConnectionSource } from '../db/connection.ts';
import type { OpError } from '../db/error.ts';
import type { BbsVersion } from '../versions/index.ts';
import type { StoreOptions } from './options.ts';
import { nowNs } from './schema.ts';
import { SqlBbsStore } from './store.ts';
import {
  makeSuspect,
  PRESENCE,
  promoteSuspect,
  removeSuspect,
  retireOrdinary,
  unclaimOrdinary,
} from './suspect.ts';
import { RolledBack, runUnit } from './transact.ts';

export type ConvergenceEra = 'workpool-2016-05' | 'helpers-2016-11' | 'controller-today';

export interface ConvergenceModel {
  era: ConvergenceEra;
  /** How the orphan query finds actual LRPs without a desired LRP. */
  orphans: 'not-in-subquery' | 'left-join';
  /** Which indices of an over-counted LRP are retired (b4412738 changed it). */
  extras: 'loop-counter' | 'existing-indices';
  /** Which rows the missing-cell query keeps. */
  missingCellRows: 'all-states' | 'claimed-or-running';
  /**
   * What is done with an LRP on a missing cell: unclaimed, or (today) made Suspect with an UNCLAIMED
   * replacement beside it; on a schema without the presence column the lab unclaims it instead.
   */
  missingCellFix: 'unclaim' | 'suspect';
  /** The evacuating-row prune: by expiry, or by missing cell (from fd3b8213's era). */
  pruneEvacuating: 'expired' | 'missing-cells';
  /**
   * Domains prune: one DELETE on db.db, or today's transaction reading every domain then deleting
   * each expired one.
   */
  pruneDomains: 'delete' | 'read-then-delete';
}

/** The convergence of a profile, or null where its commit had none in the SQL store. */
export function convergenceModel(version: BbsVersion): ConvergenceModel | null {
  switch (version) {
    case '2016-03':
      return null;
    case '2016-05':
      return {
        era: 'workpool-2016-05',
        orphans: 'not-in-subquery',
        extras: 'loop-counter',
        missingCellRows: 'all-states',
        missingCellFix: 'unclaim',
        pruneEvacuating: 'expired',
        pruneDomains: 'delete',
      };
    case '2016-11':
      return {
        era: 'helpers-2016-11',
        orphans: 'left-join',
        extras: 'loop-counter',
        missingCellRows: 'all-states',
        missingCellFix: 'unclaim',
        pruneEvacuating: 'expired',
        pruneDomains: 'delete',
      };
    case '2017-05':
    case '2017-06':
      return {
        era: 'helpers-2016-11',
        orphans: 'left-join',
        extras: 'existing-indices',
        missingCellRows: 'all-states',
        missingCellFix: 'unclaim',
        pruneEvacuating: 'expired',
        pruneDomains: 'delete',
      };
    case '2017-09':
      return {
        era: 'helpers-2016-11',
        orphans: 'left-join',
        extras: 'existing-indices',
        missingCellRows: 'all-states',
        missingCellFix: 'unclaim',
        pruneEvacuating: 'missing-cells',
        pruneDomains: 'delete',
      };
    case 'today':
      return {
        era: 'controller-today',
        orphans: 'left-join',
        extras: 'existing-indices',
        missingCellRows: 'claimed-or-running',
        missingCellFix: 'suspect',
        pruneEvacuating: 'missing-cells',
        pruneDomains: 'read-then-delete',
      };
    default:
      throw new Error(
        `no convergence model for BBS version ${JSON.stringify(version)}: add it to bbs/sql/convergence.ts`,
      );
  }
}

export interface LrpKey {
  processGuid: string;
  index: number;
  domain: string;
}

/**
 * One row of the instance-count query: a desired LRP whose actual count differs from its instances.
 */
export interface InstanceCountRow {
  processGuid: string;
  domain: string;
  instances: number;
  actualInstances: number;
  /** GROUP_CONCAT(instance_index): '' or null when there is none. */
  existingIndices: string | null;
}

/**
 * lrpInstanceCounts: the indices to create (0 … instances-1 that do not exist) and to retire
 * (only for fresh domains: "only take destructive actions for fresh domains"). Pure.
 */
export function instanceCountFixes(
  row: InstanceCountRow,
  extras: ConvergenceModel['extras'],
  freshDomains: ReadonlySet<string>,
): { missing: number[]; extra: number[] } {
  const existing = new Set(
    (row.existingIndices ?? '')
      .split(',')
      .filter((s) => s !== '')
      .map(Number),
  );
  const missing: number[] = [];
  for (let i = 0; i < row.instances; i++) if (!existing.has(i)) missing.push(i);
  const extra: number[] = [];
  if (freshDomains.has(row.domain)) {
    if (extras === 'loop-counter') {
      for (let i = row.instances; i < row.actualInstances; i++) extra.push(i);
    } else {
      for (const i of [...existing].sort((a, b) => a - b)) if (i >= row.instances) extra.push(i);
    }
  }
  return { missing, extra };
}

/**
 * models.RestartCalculator (DefaultImmediateRestarts 3, 30 s doubling up to 16 min, 200 attempts).
 */
export function shouldRestartCrash(
  nowNsNumber: number,
  sinceNs: number,
  crashCount: number,
): boolean {
  if (crashCount < 3) return true;
  if (crashCount >= 200) return false;
  const backoffNs = 30e9 * 2 ** Math.min(crashCount - 3, 5);
  return nowNsNumber - sinceNs >= backoffNs;
}

const STALE_UNCLAIMED_NS = 30e9; // models.StaleUnclaimedActualLRPDuration

export interface ConvergenceGather {
  /** Today with presence: Suspects to remove (orphaned, or their replacement RUNNING). */
  suspectToRetire?: LrpKey[];
  /** Today with presence: Suspects whose cell is present again (promoted). */
  suspectWithExistingCells?: LrpKey[];
  /** Today with presence: Suspects RUNNING or CLAIMED (their replacement on a missing cell is unclaimed). */
  suspectRunningOrClaimed?: LrpKey[];
  freshDomains: number;
  staleUnclaimed: number;
  missing: LrpKey[];
  extra: LrpKey[];
  orphaned: LrpKey[];
  onMissingCells: LrpKey[];
  crashedToRestart: LrpKey[];
  /** Rows the gather queries returned in all. */
  rows: number;
}

export interface ConvergenceFixes {
  created: number;
  removed: number;
  /**
   * Retired LRPs that a live cell was asked to stop (the lab's simulated cell removes them, as a
   * rep does).
   */
  stoppedByCell: number;
  unclaimed: number;
  /** Today with presence: LRPs on missing cells made Suspect (each with a replacement, counted in created). */
  madeSuspect?: number;
  promoted?: number;
  suspectRemoved?: number;
  /** Start requests the auctioneer would get (missing, stale unclaimed, unclaimed). */
  startRequests: number;
  /** Fixes that ended in an error (database or BBS refusal), by message. */
  errors: Record<string, number>;
}

export interface ConvergenceReport {
  version: BbsVersion;
  modelled: boolean;
  notes: string[];
  gather: ConvergenceGather;
  fixes: ConvergenceFixes;
  gatherMs: number;
  fixMs: number;
  /**
   * The first database error of the gather (its query then found nothing, as the BBS logged and
   * went on).
   */
  gatherErrors: OpError[];
}

export interface ConvergeOptions {
  /**
   * The actual_lrps table has the presence column (migration 1529530809, `applyPresenceMigration`):
   * at today the gather filters on presence and LRPs on missing cells are made Suspect.
   */
  presence?: boolean;
  /** convergenceWorkers (20 at every profile, cmd/bbs/main.go). */
  workers?: number;
}

/** At most n of the returned function's tasks run at once (the BBS's workpool / throttler). */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    // A finishing task hands its slot to the next waiting one, so at most n ever run.
    if (active >= n) await new Promise<void>((res) => queue.push(res));
    else active++;
    try {
      return await task();
    } finally {
      const next = queue.shift();
      if (next) next();
      else active--;
    }
  };
}

const qMarks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

const SCHED = 'desired_lrps.process_guid, desired_lrps.domain, desired_lrps.instances';

type ConvergenceModelOf = NonNullable<ReturnType<typeof convergenceModel>>;
type KeyRow = { process_guid: string; instance_index: number; domain: string };

/** What every step of one convergence reads and adds to: the gather's findings and its errors. */
interface Gathering {
  source: ConnectionSource;
  opts: StoreOptions;
  cells: readonly string[];
  model: ConvergenceModelOf;
  /** Today's Suspect flow (the presence column) rather than the evacuating flag. */
  P: boolean;
  /** The clause and value that pick ordinary (not evacuating) instances. */
  ord: string;
  ordV: unknown;
  now: number;
  g: ConvergenceGather;
  gatherErrors: OpError[];
  /** A gather statement: bare on db.db as at every profile; a failure is logged, its finding empty. */
  run<T>(sql: string, params?: unknown[], transactional?: boolean): Promise<T[]>;
  bare(sql: string, params?: unknown[]): Promise<unknown>;
}

/** A gather that found nothing yet (every store's convergence starts from it). */
export const emptyGather = (): ConvergenceGather => ({
  freshDomains: 0,
  staleUnclaimed: 0,
  missing: [],
  extra: [],
  orphaned: [],
  onMissingCells: [],
  crashedToRestart: [],
  rows: 0,
});

const keysOf = (rows: KeyRow[]): LrpKey[] =>
  rows.map((r) => ({
    processGuid: r.process_guid,
    index: Number(r.instance_index),
    domain: r.domain,
  }));

/** Runs one convergence at the store's profile against the live cells, gather then fixes. */
export async function convergeLRPs(
  source: ConnectionSource,
  opts: StoreOptions,
  cells: readonly string[],
  co: ConvergeOptions = {},
): Promise<ConvergenceReport> {
  const model = convergenceModel(opts.version);
  const fixes: ConvergenceFixes = {
    created: 0,
    removed: 0,
    stoppedByCell: 0,
    unclaimed: 0,
    startRequests: 0,
    errors: {},
  };
  if (!model) {
    return {
      version: opts.version,
      modelled: false,
      notes: [
        'no ConvergeLRPs in the SQL store at 2a8d20a0 (lrp_convergence.go came with 30d1276c, 2016-03-31)',
      ],
      gather: emptyGather(),
      fixes,
      gatherMs: 0,
      fixMs: 0,
      gatherErrors: [],
    };
  }
  const notes: string[] = [];
  const cx = gathering(source, opts, cells, model, co);
  if (model.missingCellFix === 'suspect' && !cx.P)
    notes.push(
      'hypothetical at today: an LRP on a missing cell is unclaimed as 2017-09 did; b2385bea makes it Suspect and creates an UNCLAIMED one beside it (presence column not in the lab schema)',
    );
  const t0 = performance.now();
  await prune(cx);
  const fresh = await freshDomains(cx);
  if (!fresh) {
    return {
      version: opts.version,
      modelled: true,
      notes: [
        ...notes,
        'the domain read failed: convergence returned with nothing done, as the BBS does',
      ],
      gather: cx.g,
      fixes,
      gatherMs: performance.now() - t0,
      fixMs: 0,
      gatherErrors: cx.gatherErrors,
    };
  }
  await gatherInstances(cx, fresh);
  if (cx.P) await gatherSuspects(cx);
  await emitLRPMetrics(cx);
  const gatherMs = performance.now() - t0;
  const t1 = performance.now();
  await applyFixes(cx, fixes, co.workers ?? 20);
  return {
    version: opts.version,
    modelled: true,
    notes,
    gather: cx.g,
    fixes,
    gatherMs,
    fixMs: performance.now() - t1,
    gatherErrors: cx.gatherErrors,
  };
}

function gathering(
  source: ConnectionSource,
  opts: StoreOptions,
  cells: readonly string[],
  model: ConvergenceModelOf,
  co: ConvergeOptions,
): Gathering {
  // Today's Suspect flow needs the presence column; without it the lab unclaims as 2017-09 did.
  const P = model.missingCellFix === 'suspect' && co.presence === true;
  const g = emptyGather();
  const gatherErrors: OpError[] = [];
  return {
    source,
    opts,
    cells,
    model,
    P,
    ord: P ? 'actual_lrps.presence = ?' : 'actual_lrps.evacuating = ?',
    ordV: P ? PRESENCE.ordinary : false,
    now: Number(nowNs()),
    g,
    gatherErrors,
    async run<T>(sql: string, params: unknown[] = [], transactional = false): Promise<T[]> {
      const r = await runUnit(source, opts, transactional, ({ q }) => q<T[]>(sql, params));
      if (r.error) {
        gatherErrors.push(r.error);
        return [];
      }
      const rows = r.value ?? [];
      if (Array.isArray(rows)) g.rows += rows.length;
      return rows;
    },
    bare: (sql: string, params: unknown[] = []): Promise<unknown> =>
      runUnit(source, opts, false, ({ q }) => q(sql, params)).then(
        (r) => r.error && gatherErrors.push(r.error),
      ),
  };
}

/** pruneDomains, pruneEvacuatingActualLRPs. */
async function prune(cx: Gathering): Promise<void> {
  const { model, now, cells, source, opts } = cx;
  if (model.pruneDomains === 'delete')
    await cx.bare('DELETE FROM domains WHERE expire_time <= ?', [now]);
  else {
    const r = await runUnit(source, opts, true, async ({ q }) => {
      const ds = await q<{ domain: string; expire_time: number }[]>(
        'SELECT domain, expire_time FROM domains\n',
        [],
      );
      for (const d of ds)
        if (Number(d.expire_time) <= now)
          await q('DELETE FROM domains WHERE domain = ? ', [d.domain]);
      return ds.length;
    });
    if (r.error) cx.gatherErrors.push(r.error);
  }
  const notInCells =
    cells.length > 0 ? ` AND actual_lrps.cell_id NOT IN (${qMarks(cells.length)})` : '';
  if (cx.P)
    await cx.bare(`DELETE FROM actual_lrps WHERE presence = ?${notInCells}`, [
      PRESENCE.evacuating,
      ...cells,
    ]);
  else if (model.pruneEvacuating === 'expired')
    await cx.bare('DELETE FROM actual_lrps WHERE evacuating = ? AND expire_time <= ?', [true, now]);
  else await cx.bare(`DELETE FROM actual_lrps WHERE evacuating = ?${notInCells}`, [true, ...cells]);
}

/** domainSet: Domains (FreshDomains today); null when it failed (convergence then does nothing). */
async function freshDomains(cx: Gathering): Promise<Set<string> | null> {
  const ds = await runUnit(cx.source, cx.opts, cx.opts.transactionalReads, async ({ q }) =>
    q<{ domain: string }[]>('SELECT domain FROM domains WHERE expire_time > ?', [cx.now]),
  );
  if (ds.error) {
    cx.gatherErrors.push(ds.error);
    return null;
  }
  const fresh = new Set((ds.value ?? []).map((d) => d.domain));
  cx.g.freshDomains = fresh.size;
  return fresh;
}

/** The gather's reads of instances, in the BBS's order. */
async function gatherInstances(cx: Gathering, fresh: ReadonlySet<string>): Promise<void> {
  await staleUnclaimed(cx);
  await onMissingCells(cx);
  await instanceCounts(cx, fresh);
  await orphaned(cx);
  await crashedToRestart(cx);
}

/** staleUnclaimedActualLRPs */
async function staleUnclaimed(cx: Gathering): Promise<void> {
  const stale = await cx.run<{ instance_index: number }>(
    `SELECT ${SCHED}, actual_lrps.instance_index FROM desired_lrps JOIN actual_lrps ON desired_lrps.process_guid = actual_lrps.process_guid WHERE actual_lrps.state = ? AND actual_lrps.since < ? AND ${cx.ord}`,
    ['UNCLAIMED', cx.now - STALE_UNCLAIMED_NS, cx.ordV],
  );
  cx.g.staleUnclaimed = stale.length;
}

/** actualLRPsWithMissingCells. Today's query has no presence filter: it reads every row's presence and keeps the ordinary ones. */
async function onMissingCells(cx: Gathering): Promise<void> {
  const { P, cells } = cx;
  const wheres = P ? [] : ['actual_lrps.evacuating = ?'];
  const params: unknown[] = P ? [] : [false];
  if (cx.model.missingCellRows === 'claimed-or-running') {
    wheres.push('(actual_lrps.state = ? OR actual_lrps.state = ?)');
    params.push('RUNNING', 'CLAIMED');
  }
  if (cells.length > 0) {
    wheres.push(
      `actual_lrps.cell_id NOT IN (${qMarks(cells.length)})`,
      "actual_lrps.cell_id <> ''",
    );
    params.push(...cells);
  }
  const mcRows = await cx.run<KeyRow & { presence?: number }>(
    `SELECT ${SCHED}, actual_lrps.instance_index, actual_lrps.cell_id${P ? ', actual_lrps.presence' : ''} FROM desired_lrps JOIN actual_lrps ON desired_lrps.process_guid = actual_lrps.process_guid WHERE ${wheres.join(' AND ')}`,
    params,
  );
  const mc = P ? mcRows.filter((r) => Number(r.presence) === PRESENCE.ordinary) : mcRows;
  cx.g.onMissingCells = keysOf(mc);
}

/** lrpInstanceCounts */
async function instanceCounts(cx: Gathering, fresh: ReadonlySet<string>): Promise<void> {
  const counts = await cx.run<{
    process_guid: string;
    domain: string;
    instances: number;
    actual_instances: number;
    existing_indices: string | Buffer | null;
  }>(
    `SELECT ${SCHED}, COUNT(actual_lrps.instance_index) AS actual_instances, GROUP_CONCAT(actual_lrps.instance_index) AS existing_indices FROM desired_lrps LEFT OUTER JOIN actual_lrps ON desired_lrps.process_guid = actual_lrps.process_guid AND ${cx.P ? `actual_lrps.presence = ${PRESENCE.ordinary}` : 'actual_lrps.evacuating = false'} GROUP BY desired_lrps.process_guid HAVING COUNT(actual_lrps.instance_index) <> desired_lrps.instances`,
  );
  for (const r of counts) {
    const row: InstanceCountRow = {
      processGuid: r.process_guid,
      domain: r.domain,
      instances: Number(r.instances),
      actualInstances: Number(r.actual_instances),
      existingIndices: r.existing_indices === null ? null : String(r.existing_indices),
    };
    const f = instanceCountFixes(row, cx.model.extras, fresh);
    for (const i of f.missing)
      cx.g.missing.push({ processGuid: row.processGuid, index: i, domain: row.domain });
    for (const i of f.extra)
      cx.g.extra.push({ processGuid: row.processGuid, index: i, domain: row.domain });
  }
}

/** orphanedActualLRPs */
async function orphaned(cx: Gathering): Promise<void> {
  const orphanSql =
    cx.model.orphans === 'not-in-subquery'
      ? 'SELECT actual_lrps.process_guid, actual_lrps.instance_index, actual_lrps.domain FROM actual_lrps JOIN domains ON actual_lrps.domain = domains.domain WHERE actual_lrps.evacuating = ? AND actual_lrps.process_guid NOT IN (SELECT process_guid FROM desired_lrps)'
      : 'SELECT actual_lrps.process_guid, actual_lrps.instance_index, actual_lrps.domain FROM actual_lrps JOIN domains ON actual_lrps.domain = domains.domain LEFT JOIN desired_lrps ON actual_lrps.process_guid = desired_lrps.process_guid WHERE actual_lrps.evacuating = ? AND desired_lrps.process_guid IS NULL';
  const orphans = await cx.run<KeyRow>(
    cx.P ? orphanSql.replace('actual_lrps.evacuating = ?', 'actual_lrps.presence = ?') : orphanSql,
    [cx.ordV],
  );
  cx.g.orphaned = keysOf(orphans);
}

/** crashedActualLRPs */
async function crashedToRestart(cx: Gathering): Promise<void> {
  const crashed = await cx.run<KeyRow & { since: number; crash_count: number }>(
    `SELECT ${SCHED}, actual_lrps.instance_index, actual_lrps.since, actual_lrps.crash_count FROM desired_lrps JOIN actual_lrps ON desired_lrps.process_guid = actual_lrps.process_guid WHERE actual_lrps.state = ? AND ${cx.ord}`,
    ['CRASHED', cx.ordV],
  );
  cx.g.crashedToRestart = keysOf(
    crashed.filter((r) => shouldRestartCrash(cx.now, Number(r.since), Number(r.crash_count))),
  );
}

/** b2385bea's suspect queries (db/sqldb/queries.go), in its order. */
async function gatherSuspects(cx: Gathering): Promise<void> {
  const { cells, g } = cx;
  const orphanedSuspects = await cx.run<KeyRow>(
    'SELECT actual_lrps.process_guid, actual_lrps.instance_index, actual_lrps.domain FROM actual_lrps JOIN domains ON actual_lrps.domain = domains.domain LEFT JOIN desired_lrps ON actual_lrps.process_guid = desired_lrps.process_guid WHERE actual_lrps.presence = ? AND desired_lrps.process_guid IS NULL',
    [PRESENCE.suspect],
  );
  const extraSuspects = await cx.run<KeyRow>(
    'SELECT process_guid, instance_index, domain FROM actual_lrps WHERE actual_lrps.presence IN (?, ?) AND actual_lrps.state = ? GROUP BY process_guid, instance_index, domain HAVING count(*) >= 2',
    [PRESENCE.ordinary, PRESENCE.suspect, 'RUNNING'],
  );
  g.suspectToRetire = [...keysOf(orphanedSuspects), ...keysOf(extraSuspects)];
  g.suspectWithExistingCells =
    cells.length > 0
      ? keysOf(
          await cx.run<KeyRow>(
            `SELECT process_guid, instance_index, domain FROM actual_lrps WHERE actual_lrps.presence = ? AND actual_lrps.cell_id IN (${qMarks(cells.length)})`,
            [PRESENCE.suspect, ...cells],
          ),
        )
      : [];
  const suspectRunning = await cx.run<KeyRow>(
    'SELECT process_guid, instance_index, domain FROM actual_lrps WHERE actual_lrps.presence = ? AND actual_lrps.state = ?',
    [PRESENCE.suspect, 'RUNNING'],
  );
  const suspectClaimed = await cx.run<KeyRow>(
    'SELECT process_guid, instance_index, domain FROM actual_lrps WHERE actual_lrps.presence = ? AND actual_lrps.state = ?',
    [PRESENCE.suspect, 'CLAIMED'],
  );
  g.suspectRunningOrClaimed = [...keysOf(suspectRunning), ...keysOf(suspectClaimed)];
}

/** emitLRPMetrics (the DB at 2016-05 … 2017-09; the controller's deferred counts today): two counts. */
async function emitLRPMetrics(cx: Gathering): Promise<void> {
  await cx.run(
    `SELECT COUNT(IF(actual_lrps.state = ?, 1, NULL)) AS claimed_instances, COUNT(IF(actual_lrps.state = ?, 1, NULL)) AS unclaimed_instances, COUNT(IF(actual_lrps.state = ?, 1, NULL)) AS running_instances, COUNT(IF(actual_lrps.state = ?, 1, NULL)) AS crashed_instances, COUNT(DISTINCT IF(state = ?, process_guid, NULL)) AS crashing_desireds FROM actual_lrps WHERE ${cx.P ? 'presence' : 'evacuating'} = ?`,
    ['CLAIMED', 'UNCLAIMED', 'RUNNING', 'CRASHED', 'CRASHED', cx.ordV],
  );
  await cx.run(
    'SELECT COALESCE(SUM(desired_lrps.instances), 0) AS desired_instances FROM desired_lrps',
  );
}

/** The fixes, `workers` at a time (the DB's workpool and the handler's throttler; today one throttler). */
async function applyFixes(cx: Gathering, fixes: ConvergenceFixes, workers: number): Promise<void> {
  const { source, opts, g, P } = cx;
  const store = new SqlBbsStore(source, opts);
  const limit = limiter(workers);
  const cellSet = new Set(cx.cells);
  const fail = (what: string): void => {
    fixes.errors[what] = (fixes.errors[what] ?? 0) + 1;
  };
  const create = async (k: LrpKey, what: string): Promise<void> => {
    const r = await store.execute({ f: 'CreateUnclaimedActualLRP', args: k });
    if (r.error || r.value?.error) fail(`${what}: ${r.error?.message ?? r.value?.error}`);
    else {
      fixes.created++;
      fixes.startRequests++;
    }
  };
  const unclaim = async (k: LrpKey, what: string): Promise<void> => {
    const r = await (P ? unclaimOrdinary : unclaimActualLRP)(source, opts, k);
    if (r.error) fail(`${what}: ${r.error.message}`);
    else if (r.value === 'unclaimed') {
      fixes.unclaimed++;
      fixes.startRequests++;
    } else fail(`${what}: ${r.value}`);
  };
  const work: Promise<void>[] = [];
  for (const k of g.missing) work.push(limit(() => create(k, 'create')));
  for (const k of g.crashedToRestart) work.push(limit(() => unclaim(k, 'unclaim crashed')));
  if (!P)
    for (const k of g.onMissingCells) work.push(limit(() => unclaim(k, 'unclaim on missing cell')));
  else work.push(...suspectFixes(cx, fixes, limit, { create, unclaim, fail }));
  for (const k of [...g.extra, ...g.orphaned]) {
    work.push(
      limit(async () => {
        const r = P
          ? await retireOrdinary(source, opts, k, cellSet)
          : await retireActualLRP(store, k, cellSet);
        if (r === 'removed') fixes.removed++;
        else if (r === 'stopped-by-cell') fixes.stoppedByCell++;
        else fail(`retire: ${r}`);
      }),
    );
  }
  await Promise.all(work);
  fixes.startRequests += g.staleUnclaimed;
}

/**
 * The controller's Suspect fixes (b2385bea controllers/lrp_convergence_controller.go): a key whose
 * Suspect is already RUNNING or CLAIMED has its replacement (on a missing cell too) unclaimed; any
 * other becomes Suspect and gets an UNCLAIMED replacement; Suspects on cells that came back are
 * promoted, and those with a running replacement or no desired LRP are removed.
 */
function suspectFixes(
  cx: Gathering,
  fixes: ConvergenceFixes,
  limit: <T>(task: () => Promise<T>) => Promise<T>,
  act: {
    create(k: LrpKey, what: string): Promise<void>;
    unclaim(k: LrpKey, what: string): Promise<void>;
    fail(what: string): void;
  },
): Promise<void>[] {
  const { source, opts, g } = cx;
  const suspectHeld = new Set(
    (g.suspectRunningOrClaimed ?? []).map((k) => `${k.processGuid}\u0000${k.index}`),
  );
  fixes.madeSuspect = 0;
  fixes.promoted = 0;
  fixes.suspectRemoved = 0;
  const work: Promise<void>[] = [];
  for (const k of g.onMissingCells)
    work.push(
      limit(async () => {
        if (suspectHeld.has(`${k.processGuid}\u0000${k.index}`))
          return act.unclaim(k, 'unclaim replacement on missing cell');
        const m = await makeSuspect(source, opts, k);
        if (m.error || m.value !== 'suspect') {
          act.fail(`make suspect: ${m.error?.message ?? m.value}`);
          return;
        }
        fixes.madeSuspect = (fixes.madeSuspect ?? 0) + 1;
        await act.create(k, 'create replacement');
      }),
    );
  for (const k of g.suspectWithExistingCells ?? [])
    work.push(
      limit(async () => {
        const r = await promoteSuspect(source, opts, k);
        if (r.error || typeof r.value !== 'string' || !r.value.startsWith('promoted'))
          act.fail(`promote suspect: ${r.error?.message ?? r.value}`);
        else fixes.promoted = (fixes.promoted ?? 0) + 1;
      }),
    );
  for (const k of g.suspectToRetire ?? [])
    work.push(
      limit(async () => {
        const r = await removeSuspect(source, opts, k);
        if (r.error) act.fail(`remove suspect: ${r.error.message}`);
        else if (r.value === 'removed') fixes.suspectRemoved = (fixes.suspectRemoved ?? 0) + 1;
      }),
    );
  return work;
}

/**
 * UnclaimActualLRP (db/sqldb/actual_lrp_db.go, the same at db3234a7 and fd3b8213): lock the row
 * FOR UPDATE; an UNCLAIMED one cannot be unclaimed (ErrActualLRPCannotBeUnclaimed, rolled back);
 * else UNCLAIMED, no cell or instance, the tag's index raised, since = now, net info emptied.
 */
export async function unclaimActualLRP(source: ConnectionSource, opts: StoreOptions, k: LrpKey) {
  return runUnit(source, opts, true, async ({ q }) => {
    const rows = await q<{ state: string; modification_tag_index: number }[]>(
      `SELECT state, modification_tag_index FROM actual_lrps WHERE process_guid = ? AND instance_index = ? AND evacuating = ? LIMIT 1 FOR UPDATE`,
      [k.processGuid, k.index, false],
    );
    const row = rows[0];
    if (!row) throw new RolledBack('ResourceNotFound' as const);
    if (row.state === 'UNCLAIMED') throw new RolledBack('ActualLRPCannotBeUnclaimed' as const);
    await q(
      'UPDATE actual_lrps SET state = ?, instance_guid = ?, cell_id = ?, modification_tag_index = ?, since = ?, net_info = ? WHERE process_guid = ? AND instance_index = ? AND evacuating = ?',
      [
        'UNCLAIMED',
        '',
        '',
        Number(row.modification_tag_index ?? 0) + 1,
        nowNs(),
        Buffer.from('{}'),
        k.processGuid,
        k.index,
        false,
      ],
    );
    return 'unclaimed' as const;
  });
}

/**
 * RetireActualLRP (handlers/actual_lrp_retirer.go at db3234a7; controllers/actual_lrp_lifecycle_
 * controller.go today): read the instance; UNCLAIMED or CRASHED → RemoveActualLRP; CLAIMED or
 * RUNNING → the cell is asked to stop it, or, when the cell is gone, RemoveActualLRP. The lab's
 * cells are simulated: a live one stops the instance and removes it with its instance key, as a
 * rep does after stopping a container.
 */
export async function retireActualLRP(
  store: SqlBbsStore,
  k: LrpKey,
  cells: ReadonlySet<string>,
): Promise<'removed' | 'stopped-by-cell' | string> {
  const read = await store.execute({
    f: 'ActualLRPByIndex',
    args: { processGuid: k.processGuid, index: k.index },
  });
  if (read.error) return read.error.message;
  const rec = read.value?.record as
    | { state: string; cellId: string; instanceGuid: string }
    | null
    | undefined;
  if (!rec) return 'ResourceNotFound';
  const remove = async (withKey: boolean): Promise<string | null> => {
    const r = await store.execute({
      f: 'RemoveActualLRP',
      args: {
        processGuid: k.processGuid,
        index: k.index,
        ...(withKey ? { instanceGuid: rec.instanceGuid, cellId: rec.cellId } : {}),
      },
    });
    return r.error?.message ?? r.value?.error ?? null;
  };
  if (rec.state === 'UNCLAIMED' || rec.state === 'CRASHED' || !cells.has(rec.cellId)) {
    const e = await remove(false);
    return e ?? 'removed';
  }
  const e = await remove(true);
  return e ?? 'stopped-by-cell';
}
