// The legacy etcd store at scale, its pure parts: what each bulk read returns from the leaves of its
// tree (the BBS's in-memory filter), the gather's input, and CalculateConvergence (db3234a7
// db/etcd/lrp_convergence.go) on cases worked by hand and against a simple reference.

import test from 'ava';
import fc from 'fast-check';
import { etcdBulkAnswer, etcdBulkRoot } from '../../bbs/etcd/bulk.ts';
import type { EtcdNode } from '../../bbs/etcd/client.ts';
import {
  calculateEtcdConvergence,
  type EtcdActual,
  etcdConvergenceInput,
} from '../../bbs/etcd/convergence.ts';
import { calculateEtcdTaskConvergence, type EtcdTask } from '../../bbs/etcd/task-convergence.ts';

let idx = 0;
const node = (key: string, value: unknown): EtcdNode => ({
  key,
  value: typeof value === 'string' ? value : JSON.stringify(value),
  modifiedIndex: ++idx,
  createdIndex: idx,
});
const actual = (guid: string, index: number, cellId: string, state = 'RUNNING', extra = {}) => ({
  processGuid: guid,
  index,
  domain: 'd',
  state,
  instanceGuid: `${guid}-${index}`,
  cellId,
  placementError: '',
  crashCount: 0,
  crashReason: '',
  modificationTag: { epoch: 'e', index: 1 },
  since: 0,
  ...extra,
});

// Three actual LRP keys (lrp-a/0 on cell-1, lrp-a/1 on cell-2, and lrp-b/0 on cell-1 with an
// evacuating twin on cell-2), two tasks.
const ACTUALS = [
  node('/v1/actual/lrp-a/0/instance', actual('lrp-a', 0, 'cell-1')),
  node('/v1/actual/lrp-a/1/instance', actual('lrp-a', 1, 'cell-2')),
  node('/v1/actual/lrp-b/0/instance', actual('lrp-b', 0, 'cell-1')),
  node('/v1/actual/lrp-b/0/evacuating', actual('lrp-b', 0, 'cell-2')),
];
const TASKS = [
  node('/v1/task/t1', { taskGuid: 't1', domain: 'd', cellId: 'cell-1', state: 'RUNNING' }),
  node('/v1/task/t2', { taskGuid: 't2', domain: 'e', cellId: 'cell-2', state: 'RUNNING' }),
];

test('bulk reads: one tree each; by cell every key is fetched and filtered in memory', (t) => {
  t.is(etcdBulkRoot({ f: 'ActualLRPGroupsByCellID', cellId: 'cell-1' }), '/v1/actual');
  t.is(etcdBulkRoot({ f: 'DesiredLRPs' }), '/v1/desired_lrp');
  t.is(etcdBulkRoot({ f: 'TasksByDomain', domain: 'd' }), '/v1/task');
  t.deepEqual(etcdBulkAnswer({ f: 'ActualLRPGroups' }, ACTUALS), {
    rows: 4,
    groups: 3,
    fetched: 4,
  });
  t.deepEqual(etcdBulkAnswer({ f: 'ActualLRPGroupsByCellID', cellId: 'cell-1' }, ACTUALS), {
    rows: 2,
    groups: 2,
    fetched: 4,
  });
  // cell-2 holds lrp-a/1 and lrp-b/0's evacuating copy: two groups.
  t.deepEqual(etcdBulkAnswer({ f: 'ActualLRPGroupsByCellID', cellId: 'cell-2' }, ACTUALS), {
    rows: 2,
    groups: 2,
    fetched: 4,
  });
  t.deepEqual(etcdBulkAnswer({ f: 'TasksByCellID', cellId: 'cell-2' }, TASKS), {
    rows: 1,
    fetched: 2,
  });
  t.deepEqual(etcdBulkAnswer({ f: 'TasksByDomain', domain: 'd' }, TASKS), { rows: 1, fetched: 2 });
  const desired = [
    node('/v1/desired_lrp/schedule/lrp-a', { processGuid: 'lrp-a' }),
    node('/v1/desired_lrp/schedule/lrp-b', { processGuid: 'lrp-b' }),
    node('/v1/desired_lrp/run/lrp-a', { processGuid: 'lrp-a' }),
  ];
  t.deepEqual(etcdBulkAnswer({ f: 'DesiredLRPs' }, desired), { rows: 1, fetched: 3 });
});

const NOW = 1_000e9;

test('convergence: missing, extra, orphan, missing cell, crash and stale unclaimed, as CalculateConvergence sorts them', (t) => {
  const { input, fetched } = etcdConvergenceInput(
    [
      // lrp-a: 3 desired, has 0 (fine), 1 on a gone cell, 3 extra; 2 missing.
      node('/v1/actual/lrp-a/0/instance', actual('lrp-a', 0, 'cell-1')),
      node('/v1/actual/lrp-a/1/instance', actual('lrp-a', 1, 'cell-gone')),
      node('/v1/actual/lrp-a/3/instance', actual('lrp-a', 3, 'cell-1')),
      // lrp-b: 2 desired; 0 crashed once (restart now), 1 unclaimed for 31 s (stale).
      node('/v1/actual/lrp-b/0/instance', actual('lrp-b', 0, '', 'CRASHED', { crashCount: 1 })),
      node(
        '/v1/actual/lrp-b/1/instance',
        actual('lrp-b', 1, '', 'UNCLAIMED', { since: NOW - 31e9 }),
      ),
      // lrp-x: no desired LRP: an orphan. Its evacuating twin is not an instance.
      node('/v1/actual/lrp-x/0/instance', actual('lrp-x', 0, 'cell-1')),
      node('/v1/actual/lrp-x/0/evacuating', actual('lrp-x', 0, 'cell-2')),
    ],
    [
      node('/v1/desired_lrp/schedule/lrp-a', { processGuid: 'lrp-a', domain: 'd', instances: 3 }),
      node('/v1/desired_lrp/run/lrp-a', { processGuid: 'lrp-a' }),
      node('/v1/desired_lrp/schedule/lrp-b', { processGuid: 'lrp-b', domain: 'd', instances: 2 }),
      node('/v1/desired_lrp/run/lrp-b', { processGuid: 'lrp-b' }),
    ],
    [node('/v1/domain/d', '')],
    ['cell-1', 'cell-2'],
  );
  t.is(fetched, 7 + 4 + 1);
  const ch = calculateEtcdConvergence(input, NOW);
  const k = (processGuid: string, index: number) => ({ processGuid, index, domain: 'd' });
  t.deepEqual(ch.missing, [k('lrp-a', 2)]);
  t.deepEqual(ch.onMissingCells, [k('lrp-a', 1)]);
  t.deepEqual(ch.toRetire, [k('lrp-a', 3), k('lrp-x', 0)]);
  t.deepEqual(ch.crashedToRestart, [k('lrp-b', 0)]);
  t.deepEqual(ch.staleUnclaimed, [k('lrp-b', 1)]);
});

test('convergence: nothing destructive in a stale domain; a missing cell wins over extra', (t) => {
  const { input } = etcdConvergenceInput(
    [
      node('/v1/actual/lrp-a/1/instance', actual('lrp-a', 1, 'cell-1')),
      node('/v1/actual/lrp-a/2/instance', actual('lrp-a', 2, 'cell-gone')),
      node('/v1/actual/lrp-x/0/instance', actual('lrp-x', 0, 'cell-1')),
    ],
    [
      node('/v1/desired_lrp/schedule/lrp-a', { processGuid: 'lrp-a', domain: 'd', instances: 1 }),
      node('/v1/desired_lrp/run/lrp-a', { processGuid: 'lrp-a' }),
    ],
    [],
    ['cell-1'],
  );
  const ch = calculateEtcdConvergence(input, NOW);
  t.deepEqual(ch.toRetire, []);
  t.deepEqual(ch.onMissingCells, [{ processGuid: 'lrp-a', index: 2, domain: 'd' }]);
  t.deepEqual(ch.missing, [{ processGuid: 'lrp-a', index: 0, domain: 'd' }]);
});

test('convergence against a reference: every index below instances is either present or missing, and each actual lands in at most one list', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 5 }),
      fc.array(
        fc.record({
          index: fc.integer({ min: 0, max: 7 }),
          state: fc.constantFrom('UNCLAIMED', 'CLAIMED', 'RUNNING', 'CRASHED'),
          cell: fc.constantFrom('cell-1', 'cell-gone', ''),
        }),
        { maxLength: 8 },
      ),
      fc.boolean(),
      (instances, rows, fresh) => {
        const byIndex = new Map<number, EtcdActual>();
        for (const r of rows)
          byIndex.set(r.index, {
            value: actual('g', r.index, r.cell, r.state) as EtcdActual['value'],
            modifiedIndex: 1,
          });
        const ch = calculateEtcdConvergence(
          {
            allGuids: ['g'],
            desired: new Map([['g', { domain: 'd', instances }]]),
            actuals: new Map([['g', byIndex]]),
            freshDomains: new Set(fresh ? ['d'] : []),
            cells: new Set(['cell-1']),
          },
          NOW,
        );
        const missing = ch.missing.map((k) => k.index);
        for (let i = 0; i < instances; i++) t.is(missing.includes(i), !byIndex.has(i));
        const lists = [
          ch.onMissingCells,
          ch.toRetire,
          ch.crashedToRestart,
          ch.staleUnclaimed,
        ].flat();
        t.is(new Set(lists.map((k) => k.index)).size, lists.length);
        // Reference for extras: present, ≥ instances, fresh domain, and not on a missing cell.
        const ref = [...byIndex.values()]
          .map((a) => a.value)
          .filter(
            (a) =>
              fresh &&
              a.index >= instances &&
              !(a.state !== 'UNCLAIMED' && a.state !== 'CRASHED' && a.cellId !== 'cell-1'),
          )
          .map((a) => a.index)
          .sort((a, b) => a - b);
        t.deepEqual(
          ch.toRetire.map((k) => k.index),
          ref,
        );
      },
    ),
    { numRuns: 200 },
  );
});

test('task convergence on etcd: each state judged in memory as db3234a7 did', (t) => {
  const s = 1e9;
  const task = (guid: string, state: string, o: Record<string, unknown>) => ({
    key: `/v1/task/${guid}`,
    modifiedIndex: 7,
    value: {
      taskGuid: guid,
      domain: 'd',
      state,
      cellId: '',
      result: '',
      failed: false,
      failureReason: '',
      createdAt: NOW - 60 * s,
      updatedAt: NOW,
      firstCompletedAt: 0,
      ...o,
    } as EtcdTask['value'],
  });
  const ch = calculateEtcdTaskConvergence(
    [
      task('p-expired', 'PENDING', { createdAt: NOW - 31 * 60 * s }),
      task('p-kick', 'PENDING', { updatedAt: NOW - 30 * s }),
      task('p-fresh', 'PENDING', {}),
      task('r-gone', 'RUNNING', { cellId: 'cell-gone' }),
      task('r-ok', 'RUNNING', { cellId: 'cell-1' }),
      task('c-old', 'COMPLETED', { firstCompletedAt: NOW - 2 * 60 * s }),
      task('c-kick', 'COMPLETED', {
        firstCompletedAt: NOW - 40 * s,
        updatedAt: NOW - 40 * s,
        completionCallbackUrl: 'http://cb',
      }),
      task('c-nocb', 'COMPLETED', { firstCompletedAt: NOW - 40 * s, updatedAt: NOW - 40 * s }),
      task('v-kick', 'RESOLVING', { firstCompletedAt: NOW - 40 * s, updatedAt: NOW - 40 * s }),
      task('v-old', 'RESOLVING', { firstCompletedAt: NOW - 3 * 60 * s }),
    ],
    NOW,
    new Set(['cell-1']),
  );
  t.deepEqual(
    ch.cas.map((c) => [c.task.value.taskGuid, c.why, c.next.state, c.next.failureReason]),
    [
      ['p-expired', 'expired', 'COMPLETED', 'not started within time limit'],
      ['r-gone', 'cell', 'COMPLETED', 'cell disappeared before completion'],
      ['v-kick', 'demoted', 'COMPLETED', ''],
    ],
  );
  t.deepEqual(ch.deletes, ['/v1/task/c-old', '/v1/task/v-old']);
  t.deepEqual(ch.startRequests, ['p-kick']);
  t.deepEqual(ch.completions, ['c-kick'], 'only tasks with a callback URL');
});
