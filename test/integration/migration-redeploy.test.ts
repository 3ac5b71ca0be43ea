// Acceptance (a) of the seed's migration story, on real etcd, a real 1-node Galera and the lab's
// Consul agent: a multi-instance legacy (etcd-only) BBS deployment fills etcd, then is redeployed
// one node at a time with SQL configured; the data is in SQL record by record and the migration
// ran exactly once, also after another dual node takes the lock later.

import test from 'ava';
import { seedLegacyData } from '../../lab/migration/seed.ts';
import { migrationStack } from './migration-stack.ts';
import { EtcdBbsStore } from '../../bbs/etcd/store.ts';
import { compareMigrated } from '../../bbs/migrations/compare.ts';
import { ETCD_TO_SQL_VERSION } from '../../bbs/migrations/versions.ts';
import { callNode } from '../../bbs/node/node.ts';
import { finalRead } from '../../bbs/sql/store.ts';
import mysql from 'mysql2/promise';

const stack = migrationStack('127.0.41');

test('redeploying legacy BBSes one by one with SQL: every record migrated, exactly one migration run', async (t) => {
  t.timeout(60_000);
  const sql = stack.sql;
  const dep = await stack.deploy();
  const legacy = [
    await dep.startNode('legacy'),
    await dep.startNode('legacy'),
    await dep.startNode('legacy'),
  ];
  const first = await dep.waitServing(10_000);
  t.is(first.mode, 'legacy');
  // Data through the legacy API, and the shapes only cells write
  // (claimed/running/crashed/evacuating).
  for (let i = 0; i < 5; i++) {
    t.is(
      (
        await callNode(first.url, 'DesireLRP', {
          processGuid: `api-lrp-${i}`,
          domain: 'cf-apps',
          instances: 1,
          annotation: `a${i}`,
        })
      ).status,
      200,
    );
    t.is(
      (
        await callNode(first.url, 'CreateUnclaimedActualLRP', {
          processGuid: `api-lrp-${i}`,
          index: 0,
          domain: 'cf-apps',
        })
      ).status,
      200,
    );
    t.is(
      (await callNode(first.url, 'DesireTask', { taskGuid: `api-task-${i}`, domain: 'cf-tasks' }))
        .status,
      200,
    );
  }
  t.is((await callNode(first.url, 'UpsertDomain', { domain: 'cf-api', ttl: 300 })).status, 200);
  const etcd = new EtcdBbsStore(stack.etcd.url);
  await seedLegacyData(etcd);

  // The redeploy: each legacy node is stopped and a dual (etcd + SQL) node takes its place.
  for (const old of legacy) {
    await old.stop();
    await dep.startNode('dual');
    await dep.waitServing(15_000);
  }
  const server = await dep.waitServing(15_000);
  t.is(server.mode, 'dual');
  t.deepEqual(
    dep.nodes.filter((x) => x.mode === 'legacy' && x.state === 'serving'),
    [],
  );

  const pool = mysql.createPool({ ...sql, connectionLimit: 2 });
  t.teardown(() => pool.end());
  // Against etcd as it is now (nothing writes it after the redeploy began): a domain's TTL runs
  // down in etcd while its expire_time approaches in SQL, so the two agree at the same moment.
  t.deepEqual(
    compareMigrated(await etcd.contents(), await finalRead(pool)),
    [],
    'every domain, desired LRP, non-evacuating actual LRP and task is in SQL',
  );
  t.is(dep.journal.runs(ETCD_TO_SQL_VERSION, 'migration-start').length, 1);
  t.is(dep.journal.runs(ETCD_TO_SQL_VERSION).length, 1);
  const got = await callNode(server.url, 'TaskByGuid', { taskGuid: 'api-task-3' });
  t.is(got.status, 200);
  t.is((got.body.record as { state: string }).state, 'PENDING');

  // Another dual node takes the lock later: it serves without migrating again.
  await server.stop();
  const next = await dep.waitServing(15_000);
  t.not(next.id, server.id);
  t.is(dep.journal.runs(ETCD_TO_SQL_VERSION, 'migration-start').length, 1);
  t.deepEqual(compareMigrated(await etcd.contents(), await finalRead(pool)), []);
  t.log(dep.holders.map((h) => `${h.id ?? '-'}`).join(' → '));
});
