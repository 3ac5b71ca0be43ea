// The scale run's pieces on one real Galera node (127.0.225.x) and one real etcd (127.0.226.31),
// at a small size worked by hand:
// 20 desired LRPs × 2 instances on 3 cells, 2 domains, 0.5 tasks per LRP (10 tasks).
// - populate writes 20 desired LRPs, 40 actual LRPs, 10 tasks, 2 domains;
// - each bulk read returns: all actual LRPs 40 (40 groups), by cell the populated count (summing to
//   40), scheduling infos 20, desired LRPs 20, tasks by domain-0 5 (tasks 0, 2, 4, 6, 8), tasks by
//   cell summing to 10, Domains 2; at 2016-03 (autocommit) and 2016-11 (on another connection) too;
// - convergence on planted inconsistencies (a missing actual LRP, an extra one, an orphan, one on
//   a cell that is gone) creates 1, removes 2, unclaims 1, and a second pass finds nothing;
// - the 2016-05 extras rule (the loop counter) retires a non-existent index where 2017-09 retires
//   the real extra one; 2016-03 has no SQL convergence at all;
// - ConvergeTasks on planted tasks (expired PENDING, kickable PENDING, RUNNING on a gone cell,
//   stale RESOLVING, expired and kickable COMPLETED) at 2017-06 and today: each step's rows;
// - one trial with the ordinary workload: every sample ok, the rows as above;
// - today's Suspect LRPs on the presence column: two LRPs on a gone cell become Suspect with an
//   UNCLAIMED replacement each; a second pass holds them; one replacement RUNNING removes its
//   Suspect, the other's cell coming back promotes it and deletes its replacement;
// - the legacy etcd store populated alike: 20 + 20 desired halves, 40 actual keys, 10 tasks, 2
//   domains; every bulk read returns the SQL counts (by cell: the plan's), each fetching its whole
//   tree (40 keys for a cell's 13 or so); its convergence fixes the same planted cases (1 created,
//   2 removed, 1 unclaimed), then finds nothing; its ConvergeTasks fails an expired PENDING task and
//   one on a gone cell and deletes an expired COMPLETED one; one trial on etcd: every sample ok.

import test from 'ava';
import { bulkRead, type BulkRead } from '../../bbs/sql/bulk.ts';
import { convergeLRPs } from '../../bbs/sql/convergence.ts';
import { convergeTasks } from '../../bbs/sql/task-convergence.ts';
import { applyPresenceMigration } from '../../bbs/sql/suspect.ts';
import { storeOptions } from '../../bbs/sql/options.ts';
import type { BbsVersion } from '../../bbs/versions/index.ts';
import { cellName, cellOfInstance, populate, populationCounts } from '../../lab/scale/populate.ts';
import { validateScaleScenario } from '../../lab/scale/scenario.ts';
import { startScaleTarget, type ScaleTarget } from '../../lab/scale/topology.ts';
import { runTrial, startWorkload } from '../../lab/scale/trials.ts';
import { etcdBulkRead } from '../../bbs/etcd/bulk.ts';
import { leaves } from '../../bbs/etcd/client.ts';
import { convergeEtcdLRPs } from '../../bbs/etcd/convergence.ts';
import { convergeEtcdTasks } from '../../bbs/etcd/task-convergence.ts';
import { populateEtcd } from '../../lab/scale/etcd-target.ts';

const SHAPE = { instances: 2, cells: 3, domains: 2, tasksPerLrp: 0.5 };
const SEED = 11;
const CELLS = [0, 1, 2].map(cellName);
let target: ScaleTarget | undefined;

test.before(async (t) => {
  target = await startScaleTarget('one-node', { addressBase: '127.0.225', log: (m) => t.log(m) });
  await populate(target.pool('admin'), SEED, SHAPE, 0, 20);
});

test.after.always(async () => {
  await target?.stop();
});

const count = async (sql: string): Promise<number> => {
  const [rows] = await target!.pool('admin').query(sql);
  return Number((rows as { n: number }[])[0]!.n);
};

const rows = async (version: BbsVersion, r: BulkRead): Promise<number> => {
  const a = await bulkRead(target!.pool('reader'), storeOptions({ version }), r);
  if (a.error) throw new Error(a.error.message);
  return a.value!.rows;
};

test.serial(
  'populate writes 20 desired LRPs, 40 actual LRPs, 10 tasks and 2 domains',
  async (t) => {
    t.is(await count('SELECT COUNT(*) AS n FROM desired_lrps'), 20);
    t.is(await count('SELECT COUNT(*) AS n FROM actual_lrps'), 40);
    t.is(await count("SELECT COUNT(*) AS n FROM actual_lrps WHERE state = 'RUNNING'"), 40);
    t.is(await count('SELECT COUNT(*) AS n FROM tasks'), 10);
    t.is(await count('SELECT COUNT(*) AS n FROM domains'), 2);
    t.is(await count("SELECT COUNT(*) AS n FROM desired_lrps WHERE domain = 'domain-1'"), 10);
  },
);

test.serial(
  'each bulk read returns the populated rows, at today, 2016-11 (db.db inside a transaction) and 2016-03 (autocommit)',
  async (t) => {
    const plan = populationCounts(SEED, 20, SHAPE);
    for (const v of ['today', '2016-11', '2016-03'] as const) {
      t.is(await rows(v, { f: 'ActualLRPGroups' }), 40, v);
      t.is(await rows(v, { f: 'DesiredLRPSchedulingInfos' }), 20, v);
      t.is(await rows(v, { f: 'DesiredLRPs' }), 20, v);
      t.is(await rows(v, { f: 'TasksByDomain', domain: 'domain-0' }), 5, v);
      t.is(await rows(v, { f: 'Domains' }), 2, v);
      let actual = 0;
      let tasks = 0;
      for (const c of CELLS) {
        const a = await rows(v, { f: 'ActualLRPGroupsByCellID', cellId: c });
        t.is(
          a,
          await count(`SELECT COUNT(*) AS n FROM actual_lrps WHERE cell_id = '${c}'`),
          `${v} ${c}`,
        );
        t.is(a, plan.actualPerCell[c]!, `${v} ${c}: the plan's count`);
        actual += a;
        tasks += await rows(v, { f: 'TasksByCellID', cellId: c });
      }
      t.is(actual, 40, v);
      t.is(tasks, 10, v);
    }
    const groups = await bulkRead(target!.pool('reader'), storeOptions(), { f: 'ActualLRPGroups' });
    t.is(groups.value?.groups, 40);
  },
);

test.serial(
  'convergence fixes planted inconsistencies: a missing LRP created, an extra and an orphan removed, one on a gone cell unclaimed',
  async (t) => {
    const admin = target!.pool('admin');
    await admin.query(
      "DELETE FROM actual_lrps WHERE process_guid = 'lrp-0000003' AND instance_index = 1",
    );
    await admin.query(
      "INSERT INTO actual_lrps (process_guid, instance_index, evacuating, domain, state, net_info, modification_tag_epoch, modification_tag_index) VALUES ('lrp-0000004', 2, false, 'domain-0', 'UNCLAIMED', '{}', 'e', 0), ('lrp-orphan', 0, false, 'domain-0', 'UNCLAIMED', '{}', 'e', 0)",
    );
    await admin.query(
      "UPDATE actual_lrps SET cell_id = 'cell-gone' WHERE process_guid = 'lrp-0000005' AND instance_index = 0",
    );
    t.is(await count('SELECT COUNT(*) AS n FROM actual_lrps'), 41);

    const r = await convergeLRPs(
      target!.pool('convergence'),
      storeOptions({ version: '2017-09' }),
      CELLS,
    );
    t.true(r.modelled);
    t.deepEqual(r.gatherErrors, []);
    t.deepEqual(r.gather.missing, [{ processGuid: 'lrp-0000003', index: 1, domain: 'domain-1' }]);
    t.deepEqual(r.gather.extra, [{ processGuid: 'lrp-0000004', index: 2, domain: 'domain-0' }]);
    t.deepEqual(r.gather.orphaned, [{ processGuid: 'lrp-orphan', index: 0, domain: 'domain-0' }]);
    t.deepEqual(r.gather.onMissingCells, [
      { processGuid: 'lrp-0000005', index: 0, domain: 'domain-1' },
    ]);
    t.deepEqual(
      [r.fixes.created, r.fixes.removed, r.fixes.unclaimed, r.fixes.stoppedByCell],
      [1, 2, 1, 0],
    );
    t.deepEqual(r.fixes.errors, {});

    t.is(await count('SELECT COUNT(*) AS n FROM actual_lrps'), 40);
    t.is(
      await count(
        "SELECT COUNT(*) AS n FROM actual_lrps WHERE process_guid = 'lrp-0000003' AND instance_index = 1 AND state = 'UNCLAIMED'",
      ),
      1,
    );
    t.is(
      await count(
        "SELECT COUNT(*) AS n FROM actual_lrps WHERE process_guid = 'lrp-0000005' AND instance_index = 0 AND state = 'UNCLAIMED' AND cell_id = ''",
      ),
      1,
    );
    t.is(
      await count(
        "SELECT COUNT(*) AS n FROM actual_lrps WHERE process_guid IN ('lrp-orphan') OR instance_index = 2",
      ),
      0,
    );

    const again = await convergeLRPs(
      target!.pool('convergence'),
      storeOptions({ version: '2017-09' }),
      CELLS,
    );
    t.deepEqual(
      [
        again.gather.missing.length,
        again.gather.extra.length,
        again.gather.orphaned.length,
        again.gather.onMissingCells.length,
      ],
      [0, 0, 0, 0],
    );
  },
);

test.serial(
  'extras: 2016-05 retires the loop counter (index 2, not there), 2017-09 the real extra index 5; 2016-03 has no convergence',
  async (t) => {
    const admin = target!.pool('admin');
    await admin.query(
      "INSERT INTO actual_lrps (process_guid, instance_index, evacuating, domain, state, net_info, modification_tag_epoch, modification_tag_index) VALUES ('lrp-0000006', 5, false, 'domain-0', 'UNCLAIMED', '{}', 'e', 0)",
    );
    const old = await convergeLRPs(
      target!.pool('convergence'),
      storeOptions({ version: '2016-05' }),
      CELLS,
    );
    t.deepEqual(old.gather.extra, [{ processGuid: 'lrp-0000006', index: 2, domain: 'domain-0' }]);
    t.is(old.fixes.removed, 0);
    t.deepEqual(old.fixes.errors, { 'retire: ResourceNotFound': 1 });
    t.is(
      await count("SELECT COUNT(*) AS n FROM actual_lrps WHERE process_guid = 'lrp-0000006'"),
      3,
    );
    const now = await convergeLRPs(
      target!.pool('convergence'),
      storeOptions({ version: '2017-09' }),
      CELLS,
    );
    t.deepEqual(now.gather.extra, [{ processGuid: 'lrp-0000006', index: 5, domain: 'domain-0' }]);
    t.is(now.fixes.removed, 1);
    t.is(
      await count("SELECT COUNT(*) AS n FROM actual_lrps WHERE process_guid = 'lrp-0000006'"),
      2,
    );
    const none = await convergeLRPs(
      target!.pool('convergence'),
      storeOptions({ version: '2016-03' }),
      CELLS,
    );
    t.false(none.modelled);
  },
);

// Planted tasks (now − age): tc-p1 PENDING created 31 min ago (expires), tc-p2 PENDING updated
// 31 s ago (kicked), tc-p3 PENDING updated now (kicked today only), tc-r1 RUNNING on a gone cell
// (fails), tc-v1 RESOLVING updated 31 s ago, first completed 40 s ago (demoted, then kicked for its
// callback), tc-c1 COMPLETED first completed 3 min ago (deleted), tc-c2 COMPLETED updated 31 s ago
// (kicked for its callback). The 10 populated RUNNING tasks sit on live cells: untouched.
const plantTasks = async (): Promise<void> => {
  const admin = target!.pool('admin');
  await admin.query("DELETE FROM tasks WHERE guid LIKE 'tc-%'");
  const now = Date.now() * 1e6;
  const s = 1e9;
  const rows: [string, number, string, number, number, number][] = [
    // guid, state, cell, created_at, updated_at, first_completed_at
    ['tc-p1', 1, '', now - 31 * 60 * s, now - 31 * 60 * s, 0],
    ['tc-p2', 1, '', now - 60 * s, now - 31 * s, 0],
    ['tc-p3', 1, '', now - 60 * s, now, 0],
    ['tc-r1', 2, 'cell-gone', now - 60 * s, now - 60 * s, 0],
    ['tc-v1', 4, 'cell-0', now - 60 * s, now - 31 * s, now - 40 * s],
    ['tc-c1', 3, 'cell-0', now - 5 * 60 * s, now - 3 * 60 * s, now - 3 * 60 * s],
    ['tc-c2', 3, 'cell-0', now - 60 * s, now - 31 * s, now - 31 * s],
  ];
  for (const [guid, state, cell, created, updated, done] of rows)
    await admin.query(
      "INSERT INTO tasks (guid, domain, updated_at, created_at, first_completed_at, state, cell_id, result, failed, failure_reason, task_definition) VALUES (?, 'domain-0', ?, ?, ?, ?, ?, '', false, '', '{}')",
      [guid, updated, created, done, state, cell],
    );
};

const taskRow = async (guid: string) => {
  const [r] = await target!
    .pool('admin')
    .query('SELECT state, failed, failure_reason FROM tasks WHERE guid = ?', [guid]);
  return (r as { state: number; failed: number; failure_reason: string }[])[0] ?? null;
};

test.serial(
  'ConvergeTasks on planted tasks: 2017-06 and today fail, demote, delete and kick the hand-worked rows; 2016-03 has none',
  async (t) => {
    const steps = (r: Awaited<ReturnType<typeof convergeTasks>>) =>
      Object.fromEntries(Object.entries(r.steps).map(([k, v]) => [k, [v.selected, v.changed]]));
    await plantTasks();
    const old = await convergeTasks(
      target!.pool('tasks'),
      storeOptions({ version: '2017-06' }),
      CELLS,
    );
    t.deepEqual(old.errors, []);
    t.deepEqual(steps(old), {
      failExpiredPending: [null, 1],
      kickPending: [1, null],
      failOnMissingCells: [null, 1],
      demoteResolving: [null, 1],
      deleteExpiredCompleted: [null, 1],
      kickCompleted: [2, null],
    });
    t.deepEqual([old.startRequests, old.completionCallbacks], [1, 2]);
    // tc-p1 and tc-r1 failed now, tc-v1 demoted, tc-c2 left: 4 COMPLETED; tc-c1 gone.
    t.deepEqual(old.counts, { pending: 2, running: 10, completed: 4, resolving: 0 });
    t.like(await taskRow('tc-p1'), {
      state: 3,
      failed: 1,
      failure_reason: 'not started within time limit',
    });
    t.like(await taskRow('tc-r1'), {
      state: 3,
      failed: 1,
      failure_reason: 'cell disappeared before completion',
    });
    t.like(await taskRow('tc-v1'), { state: 3, failed: 0 });
    t.is(await taskRow('tc-c1'), null);

    await plantTasks();
    const now = await convergeTasks(
      target!.pool('tasks'),
      storeOptions({ version: 'today' }),
      CELLS,
    );
    t.deepEqual(now.errors, []);
    t.deepEqual(steps(now), {
      failExpiredPending: [1, 1],
      kickPending: [2, null],
      failOnMissingCells: [1, 1],
      demoteResolving: [1, 1],
      deleteExpiredCompleted: [1, 1],
      kickCompleted: [2, null],
    });
    t.deepEqual(now.counts, { pending: 2, running: 10, completed: 4, resolving: 0 });
    // A second pass: the failed ones are fresh COMPLETED, nothing more to change.
    const again = await convergeTasks(
      target!.pool('tasks'),
      storeOptions({ version: 'today' }),
      CELLS,
    );
    t.deepEqual(
      [
        again.steps.failExpiredPending.changed,
        again.steps.failOnMissingCells.changed,
        again.steps.deleteExpiredCompleted.changed,
      ],
      [null, null, null],
      'nothing selected, so no write at all today',
    );
    const none = await convergeTasks(
      target!.pool('tasks'),
      storeOptions({ version: '2016-03' }),
      CELLS,
    );
    t.false(none.modelled);
    await target!.pool('admin').query("DELETE FROM tasks WHERE guid LIKE 'tc-%'");
  },
);

test.serial(
  'one trial while the ordinary workload writes: every sample ok, the cells read their rows, convergence finds nothing',
  async (t) => {
    const sc = validateScaleScenario({
      sizes: [20],
      population: SHAPE,
      seed: SEED,
      trials: 1,
      clients: { count: 2, rate: 10 },
    });
    const opts = storeOptions({ version: 'today' });
    const wl = startWorkload(target!, sc, opts, 20);
    const tr = await runTrial(target!, sc, opts, 20, 1);
    const writes = await wl.stop();
    t.deepEqual(
      tr.samples.filter((s) => s.error),
      [],
    );
    // The plan's counts, less the two instances the convergence test took off their cells
    // (lrp-0000003/1 deleted then created UNCLAIMED, lrp-0000005/0 unclaimed).
    const want = { ...populationCounts(SEED, 20, SHAPE).actualPerCell };
    want[cellName(cellOfInstance(SEED, 3, 1, 3))]!--;
    want[cellName(cellOfInstance(SEED, 5, 0, 3))]!--;
    const byCell = tr.samples
      .filter((s) => s.op === 'actual-lrps-by-cell' && !s.alone)
      .map((s) => s.rows);
    t.deepEqual(
      byCell,
      CELLS.map((c) => want[c]),
    );
    t.is(tr.samples.find((s) => s.op === 'route-emitter')?.rows, 60);
    t.is(tr.samples.find((s) => s.op === 'nsync-bulker')?.rows, 20);
    t.is(tr.samples.find((s) => s.op === 'convergence')?.rows, 0);
    t.true((tr.status.Rows_read ?? 0) >= 60 + 20 + 40);
    t.true(writes.every((w) => !w.error));
  },
);

test.serial(
  "today's Suspect LRPs (presence, migration 1529530809): a missing cell makes a Suspect and its replacement; the replacement running removes the Suspect; a cell back promotes it",
  async (t) => {
    const admin = target!.pool('admin');
    await applyPresenceMigration(admin);
    const today = storeOptions({ version: 'today' });
    const conv = (cells: readonly string[]) =>
      convergeLRPs(target!.pool('convergence'), today, cells, { presence: true });
    const rowsOf = async (guid: string) => {
      const [r] = await admin.query(
        'SELECT instance_index AS i, presence AS p, state AS s, cell_id AS c FROM actual_lrps WHERE process_guid = ? ORDER BY instance_index, presence',
        [guid],
      );
      return (r as { i: number; p: number; s: string; c: string }[]).map(
        (x) => `${x.i}/${x.p} ${x.s} ${x.c}`,
      );
    };
    // lrp-0000007/0 and lrp-0000008/0 lose their cells (RUNNING on cell-y and cell-x, not in the cell set).
    await admin.query(
      "UPDATE actual_lrps SET cell_id = IF(process_guid = 'lrp-0000007', 'cell-y', 'cell-x') WHERE process_guid IN ('lrp-0000007', 'lrp-0000008') AND instance_index = 0",
    );
    const first = await conv(CELLS);
    t.deepEqual(first.gatherErrors, []);
    t.deepEqual(first.notes, []);
    t.deepEqual(first.gather.onMissingCells.map((k) => k.processGuid).sort(), [
      'lrp-0000007',
      'lrp-0000008',
    ]);
    t.like(first.fixes, { madeSuspect: 2, created: 2, unclaimed: 0, errors: {} });
    const cell7 = cellName(cellOfInstance(SEED, 7, 1, 3));
    t.deepEqual(await rowsOf('lrp-0000007'), [
      '0/0 UNCLAIMED ',
      '0/2 RUNNING cell-y',
      `1/0 RUNNING ${cell7}`,
    ]);

    // Again with the same cells: the Suspects are held (RUNNING), the replacements UNCLAIMED: no change.
    const second = await conv(CELLS);
    t.deepEqual(second.gather.onMissingCells, []);
    t.is(second.gather.suspectRunningOrClaimed?.length, 2);
    t.deepEqual(second.gather.suspectToRetire, []);
    t.like(second.fixes, { madeSuspect: 0, created: 0, promoted: 0, suspectRemoved: 0 });

    // lrp-0000007's replacement runs on cell-0: two RUNNING rows, the Suspect is removed.
    await admin.query(
      "UPDATE actual_lrps SET state = 'RUNNING', cell_id = 'cell-0' WHERE process_guid = 'lrp-0000007' AND instance_index = 0 AND presence = 0",
    );
    // cell-x comes back: lrp-0000008's Suspect is promoted and its replacement deleted.
    const third = await conv([...CELLS, 'cell-x']);
    t.deepEqual(
      third.gather.suspectToRetire?.map((k) => k.processGuid),
      ['lrp-0000007'],
    );
    t.deepEqual(
      third.gather.suspectWithExistingCells?.map((k) => k.processGuid),
      ['lrp-0000008'],
    );
    t.like(third.fixes, { suspectRemoved: 1, promoted: 1, errors: {} });
    t.deepEqual(await rowsOf('lrp-0000007'), ['0/0 RUNNING cell-0', `1/0 RUNNING ${cell7}`]);
    t.is((await rowsOf('lrp-0000008'))[0], '0/0 RUNNING cell-x');
    t.is((await rowsOf('lrp-0000008')).length, 2);
  },
);

test.serial(
  'the legacy etcd store at the same size: keys populated, each bulk read, convergence on planted cases, one trial',
  async (t) => {
    const et = await startScaleTarget('etcd', { addressBase: '127.0.226', log: (m) => t.log(m) });
    t.teardown(() => et.stop());
    const c = et.etcd!;
    await populateEtcd(c, SEED, SHAPE, 0, 20);
    const keys = async (root: string) => leaves(await c.get(root, true)).length;
    t.is(await keys('/v1/desired_lrp/schedule'), 20);
    t.is(await keys('/v1/desired_lrp/run'), 20);
    t.is(await keys('/v1/actual'), 40);
    t.is(await keys('/v1/task'), 10);
    t.is(await keys('/v1/domain'), 2);

    const plan = populationCounts(SEED, 20, SHAPE);
    t.like(await etcdBulkRead(c, { f: 'ActualLRPGroups' }), { rows: 40, groups: 40, fetched: 40 });
    t.like(await etcdBulkRead(c, { f: 'DesiredLRPSchedulingInfos' }), { rows: 20, fetched: 20 });
    t.like(await etcdBulkRead(c, { f: 'DesiredLRPs' }), { rows: 20, fetched: 40 });
    t.like(await etcdBulkRead(c, { f: 'TasksByDomain', domain: 'domain-0' }), { rows: 5 });
    t.like(await etcdBulkRead(c, { f: 'Domains' }), { rows: 2 });
    let tasks = 0;
    for (const cell of CELLS) {
      // A cell's bulk loop fetches all 40 actual LRPs to keep its own.
      t.like(await etcdBulkRead(c, { f: 'ActualLRPGroupsByCellID', cellId: cell }), {
        rows: plan.actualPerCell[cell]!,
        fetched: 40,
      });
      const tk = await etcdBulkRead(c, { f: 'TasksByCellID', cellId: cell });
      t.is(tk.rows, plan.tasksPerCell[cell]!);
      tasks += tk.rows;
    }
    t.is(tasks, 10);

    // The planted cases of the SQL test: lrp-0000003/1 missing, lrp-0000004/2 extra, an orphan,
    // lrp-0000005/0 on a cell that is gone.
    await c.delete('/v1/actual/lrp-0000003/1/instance');
    const unclaimed = (guid: string, index: number, domain: string) =>
      JSON.stringify({
        processGuid: guid,
        index,
        domain,
        state: 'UNCLAIMED',
        instanceGuid: '',
        cellId: '',
        placementError: '',
        crashCount: 0,
        crashReason: '',
        modificationTag: { epoch: 'e', index: 0 },
        since: Date.now() * 1e6,
      });
    await c.set('/v1/actual/lrp-0000004/2/instance', unclaimed('lrp-0000004', 2, 'domain-0'));
    await c.set('/v1/actual/lrp-orphan/0/instance', unclaimed('lrp-orphan', 0, 'domain-0'));
    const five = await c.get('/v1/actual/lrp-0000005/0/instance');
    await c.set(
      '/v1/actual/lrp-0000005/0/instance',
      JSON.stringify({ ...JSON.parse(five!.value!), cellId: 'cell-gone' }),
    );
    t.is(await keys('/v1/actual'), 41);
    const r = await convergeEtcdLRPs(c, 'today', CELLS);
    t.deepEqual(r.gatherErrors, []);
    t.deepEqual(r.gather.missing, [{ processGuid: 'lrp-0000003', index: 1, domain: 'domain-1' }]);
    t.deepEqual(r.gather.extra, [{ processGuid: 'lrp-0000004', index: 2, domain: 'domain-0' }]);
    t.deepEqual(r.gather.orphaned, [{ processGuid: 'lrp-orphan', index: 0, domain: 'domain-0' }]);
    t.deepEqual(r.gather.onMissingCells, [
      { processGuid: 'lrp-0000005', index: 0, domain: 'domain-1' },
    ]);
    t.is(r.gather.rows, 41 + 40 + 2, 'keys the three GETs fetched');
    t.deepEqual(
      [r.fixes.created, r.fixes.removed, r.fixes.unclaimed, r.fixes.stoppedByCell],
      [1, 2, 1, 0],
    );
    t.deepEqual(r.fixes.errors, {});
    t.is(await keys('/v1/actual'), 40);
    const made = JSON.parse((await c.get('/v1/actual/lrp-0000003/1/instance'))!.value!);
    t.is(made.state, 'UNCLAIMED');
    const moved = JSON.parse((await c.get('/v1/actual/lrp-0000005/0/instance'))!.value!);
    t.deepEqual([moved.state, moved.cellId], ['UNCLAIMED', '']);
    const again = await convergeEtcdLRPs(c, 'today', CELLS);
    t.deepEqual(
      [
        again.gather.missing.length,
        again.gather.extra.length,
        again.gather.orphaned.length,
        again.gather.onMissingCells.length,
      ],
      [0, 0, 0, 0],
    );

    // ConvergeTasks on etcd: an expired PENDING task, one RUNNING on a gone cell, an expired
    // COMPLETED one, beside the 10 populated RUNNING tasks on live cells.
    const nowNs = Date.now() * 1e6;
    const sec = 1e9;
    const put = (guid: string, state: string, o: Record<string, unknown>) =>
      c.set(
        `/v1/task/${guid}`,
        JSON.stringify({
          taskGuid: guid,
          domain: 'domain-0',
          state,
          cellId: '',
          result: '',
          failed: false,
          failureReason: '',
          createdAt: nowNs - 60 * sec,
          updatedAt: nowNs,
          firstCompletedAt: 0,
          ...o,
        }),
      );
    await put('tc-p1', 'PENDING', { createdAt: nowNs - 31 * 60 * sec });
    await put('tc-r1', 'RUNNING', { cellId: 'cell-gone' });
    await put('tc-c1', 'COMPLETED', { firstCompletedAt: nowNs - 3 * 60 * sec });
    const tc = await convergeEtcdTasks(c, 'today', CELLS);
    t.deepEqual(tc.errors, []);
    t.is(tc.rows, 13);
    t.deepEqual(tc.counts, { pending: 1, running: 11, completed: 1, resolving: 0 });
    t.like(tc.steps, {
      failExpiredPending: { changed: 1 },
      failOnMissingCells: { changed: 1 },
      deleteExpiredCompleted: { changed: 1 },
    });
    t.is(await keys('/v1/task'), 12);
    const p1 = JSON.parse((await c.get('/v1/task/tc-p1'))!.value!);
    t.deepEqual(
      [p1.state, p1.failed, p1.failureReason],
      ['COMPLETED', true, 'not started within time limit'],
    );

    const sc = validateScaleScenario({
      sizes: [20],
      topologies: ['etcd'],
      population: SHAPE,
      seed: SEED,
      trials: 1,
      clients: { count: 2, rate: 10 },
    });
    const opts = storeOptions({ version: 'today' });
    const wl = startWorkload(et, sc, opts, 20);
    const tr = await runTrial(et, sc, opts, 20, 1);
    const writes = await wl.stop();
    t.deepEqual(
      tr.samples.filter((s) => s.error),
      [],
    );
    t.is(tr.samples.find((s) => s.op === 'route-emitter')?.rows, 60);
    t.is(tr.samples.find((s) => s.op === 'convergence')?.rows, 0);
    t.true(writes.length > 0 && writes.every((w) => !w.error));
  },
);
