// The bulk reads' statements per profile, written out by hand from the Go code at each commit, and
// the pure parts of convergence: which indices an over- or under-counted LRP gets created or
// retired, the crash restart rule, and the workpool's concurrency bound.

import test from 'ava';
import fc from 'fast-check';
import { bulkStatement } from '../../bbs/sql/bulk.ts';
import {
  convergenceModel,
  instanceCountFixes,
  limiter,
  shouldRestartCrash,
} from '../../bbs/sql/convergence.ts';
import { storeOptions } from '../../bbs/sql/options.ts';
import { BBS_VERSIONS } from '../../bbs/versions/index.ts';

const at = (v: (typeof BBS_VERSIONS)[number]) => storeOptions({ version: v });

test('the rep bulk read: autocommit on db.db until 47049111, then a transaction (on db.db at 2016-11 only)', (t) => {
  const r = { f: 'ActualLRPGroupsByCellID', cellId: 'cell-1' } as const;
  const s03 = bulkStatement('2016-03', at('2016-03'), r);
  t.is(
    s03.sql,
    'SELECT process_guid, instance_index, evacuating, domain, state, instance_guid, cell_id, placement_error, since, net_info, modification_tag_epoch, modification_tag_index, crash_count, crash_reason FROM actual_lrps WHERE cell_id = ?',
  );
  t.deepEqual([s03.transactional, s03.onPool], [false, false]);
  t.deepEqual(s03.params, ['cell-1']);
  const s05 = bulkStatement('2016-05', at('2016-05'), r);
  t.is(s05.sql, s03.sql);
  t.false(s05.transactional);
  const s11 = bulkStatement('2016-11', at('2016-11'), r);
  t.true(s11.sql.startsWith('SELECT actual_lrps.process_guid, actual_lrps.instance_index, '));
  t.true(s11.sql.endsWith(' FROM actual_lrps\nWHERE cell_id = ?'));
  t.deepEqual([s11.transactional, s11.onPool], [true, true]);
  for (const v of ['2017-05', '2017-06', '2017-09', 'today'] as const) {
    const s = bulkStatement(v, at(v), r);
    t.is(s.sql, s11.sql, v);
    t.deepEqual([s.transactional, s.onPool], [true, false], v);
  }
});

test('the scheduling infos: no volume_placement at 2016-03, `desired_lrps.` columns from 2016-11', (t) => {
  const r = { f: 'DesiredLRPSchedulingInfos' } as const;
  t.is(
    bulkStatement('2016-03', at('2016-03'), r).sql,
    'SELECT process_guid, domain, log_guid, annotation, instances, memory_mb, disk_mb, rootfs, routes, modification_tag_epoch, modification_tag_index FROM desired_lrps',
  );
  t.is(
    bulkStatement('2016-05', at('2016-05'), r).sql,
    'SELECT process_guid, domain, log_guid, annotation, instances, memory_mb, disk_mb, rootfs, routes, volume_placement, modification_tag_epoch, modification_tag_index FROM desired_lrps',
  );
  t.regex(
    bulkStatement('today', at('today'), r).sql,
    /^SELECT desired_lrps\.process_guid, .*desired_lrps\.volume_placement, .* FROM desired_lrps\n$/,
  );
  t.is(
    bulkStatement('2016-03', at('2016-03'), { f: 'DesiredLRPs' }).sql,
    'SELECT * FROM desired_lrps',
  );
  t.is(
    bulkStatement('2016-03', at('2016-03'), { f: 'TasksByCellID', cellId: 'c' }).sql,
    'SELECT * FROM tasks WHERE cell_id = ?',
  );
  t.is(
    bulkStatement('today', at('today'), { f: 'TasksByDomain', domain: 'd' }).sql.split('\n')[1],
    'WHERE domain = ?',
  );
});

test('Domains: now rounded to the second', (t) => {
  const s = bulkStatement('today', at('today'), { f: 'Domains' }, 1_700_000_000_600_000_000n);
  t.deepEqual(s.params, [1_700_000_001_000_000_000n]);
});

test('convergence: none in the SQL store at 2016-03; the extras rule changes at 2017-05; today keeps CLAIMED and RUNNING on missing cells', (t) => {
  t.is(convergenceModel('2016-03'), null);
  t.is(convergenceModel('2016-05')!.orphans, 'not-in-subquery');
  t.is(convergenceModel('2016-11')!.orphans, 'left-join');
  t.is(convergenceModel('2016-11')!.extras, 'loop-counter');
  t.is(convergenceModel('2017-05')!.extras, 'existing-indices');
  t.is(convergenceModel('today')!.missingCellRows, 'claimed-or-running');
  t.is(convergenceModel('2017-09')!.missingCellRows, 'all-states');
  for (const v of BBS_VERSIONS) t.notThrows(() => convergenceModel(v));
});

const fresh = new Set(['d']);

test('instance counts: 2 desired, indices 0,1,2 → retire 2 under both rules', (t) => {
  const row = {
    processGuid: 'p',
    domain: 'd',
    instances: 2,
    actualInstances: 3,
    existingIndices: '0,1,2',
  };
  t.deepEqual(instanceCountFixes(row, 'loop-counter', fresh), { missing: [], extra: [2] });
  t.deepEqual(instanceCountFixes(row, 'existing-indices', fresh), { missing: [], extra: [2] });
});

test('instance counts: 1 desired, indices 0 and 5 → the loop counter retires 1 (none there), b4412738 retires 5', (t) => {
  const row = {
    processGuid: 'p',
    domain: 'd',
    instances: 1,
    actualInstances: 2,
    existingIndices: '0,5',
  };
  t.deepEqual(instanceCountFixes(row, 'loop-counter', fresh), { missing: [], extra: [1] });
  t.deepEqual(instanceCountFixes(row, 'existing-indices', fresh), { missing: [], extra: [5] });
});

test('instance counts: a missing index is created; nothing is retired in a stale domain', (t) => {
  t.deepEqual(
    instanceCountFixes(
      { processGuid: 'p', domain: 'd', instances: 3, actualInstances: 1, existingIndices: '1' },
      'existing-indices',
      fresh,
    ),
    { missing: [0, 2], extra: [] },
  );
  t.deepEqual(
    instanceCountFixes(
      { processGuid: 'p', domain: 'd', instances: 2, actualInstances: 0, existingIndices: null },
      'loop-counter',
      fresh,
    ),
    { missing: [0, 1], extra: [] },
  );
  t.deepEqual(
    instanceCountFixes(
      { processGuid: 'p', domain: 'old', instances: 1, actualInstances: 2, existingIndices: '0,1' },
      'existing-indices',
      fresh,
    ),
    { missing: [], extra: [] },
  );
});

test('instance counts against a reference: missing ∪ existing covers 0…n-1, extras (b4412738) are exactly the existing indices ≥ n', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 6 }),
      fc.uniqueArray(fc.integer({ min: 0, max: 9 }), { maxLength: 8 }),
      (n, idx) => {
        const f = instanceCountFixes(
          {
            processGuid: 'p',
            domain: 'd',
            instances: n,
            actualInstances: idx.length,
            existingIndices: idx.join(','),
          },
          'existing-indices',
          fresh,
        );
        const want = new Set(idx);
        for (let i = 0; i < n; i++) if (want.has(i) === f.missing.includes(i)) return false;
        return (
          JSON.stringify(f.extra) ===
          JSON.stringify(idx.filter((i) => i >= n).sort((a, b) => a - b))
        );
      },
    ),
  );
  t.pass();
});

test('crash restarts: < 3 crashes at once; then 30 s doubling up to 16 min; never from 200', (t) => {
  t.true(shouldRestartCrash(0, 0, 2));
  t.false(shouldRestartCrash(29e9, 0, 3));
  t.true(shouldRestartCrash(30e9, 0, 3));
  t.false(shouldRestartCrash(59e9, 0, 4));
  t.true(shouldRestartCrash(60e9, 0, 4));
  t.true(shouldRestartCrash(960e9, 0, 50));
  t.false(shouldRestartCrash(959e9, 0, 50));
  t.false(shouldRestartCrash(1e15, 0, 200));
});

test('the workpool never runs more than n at once and runs every task', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 5 }),
      fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 20 }),
      async (n, delays) => {
        const limit = limiter(n);
        let active = 0;
        let peak = 0;
        const done = await Promise.all(
          delays.map((d, i) =>
            limit(async () => {
              active++;
              peak = Math.max(peak, active);
              await new Promise((r) => setTimeout(r, d));
              active--;
              return i;
            }),
          ),
        );
        return peak <= n && done.length === delays.length;
      },
    ),
    { numRuns: 30 },
  );
  t.pass();
});
