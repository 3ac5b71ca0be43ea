// Acceptance (c) of the seed's migration story: the etcd-to-SQL migration fails on one BBS node
// (it is killed, as kill -9, after copying and before the version write: its Consul session is
// abandoned and lapses). Legacy nodes still take over and serve from etcd, and a dual node later
// completes the migration, which includes what the legacy node wrote in between.

import test from 'ava';
import mysql from 'mysql2/promise';
import { seedLegacyData } from '../../lab/migration/seed.ts';
import { migrationStack } from './migration-stack.ts';
import { EtcdBbsStore } from '../../bbs/etcd/store.ts';
import { compareMigrated } from '../../bbs/migrations/compare.ts';
import { readSqlVersion } from '../../bbs/migrations/sql-version.ts';
import { ETCD_TO_SQL_VERSION, LAST_ETCD_VERSION } from '../../bbs/migrations/versions.ts';
import { callNode } from '../../bbs/node/node.ts';
import { finalRead } from '../../bbs/sql/store.ts';

const stack = migrationStack('127.0.43');

test('a migration killed on one node: legacy nodes take over and serve, another dual node completes it', async (t) => {
  t.timeout(60_000);
  const sql = stack.sql;
  const dep = await stack.deploy();
  const legacy1 = await dep.startNode('legacy');
  await dep.waitServing(10_000);
  const etcd = new EtcdBbsStore(stack.etcd.url);
  await seedLegacyData(etcd);

  // The dual node that will die mid-migration is the only other candidate when legacy-1 leaves.
  const doomed = await dep.startNode('dual', { killAt: 'after-copy' });
  await legacy1.stop();
  const exit = await doomed.exited;
  t.is(exit.code, 137);
  // A real SIGKILL: the node started the migration and wrote nothing after (not even a failure).
  t.is(dep.journal.runs(ETCD_TO_SQL_VERSION, 'migration-start').length, 1);
  t.is(dep.journal.runs(ETCD_TO_SQL_VERSION).length, 0);
  t.deepEqual(
    dep.journal.events.filter((e) => e.node === doomed.id && e.kind === 'migration-failed'),
    [],
  );
  t.deepEqual(await etcd.version(), {
    CurrentVersion: LAST_ETCD_VERSION,
    TargetVersion: ETCD_TO_SQL_VERSION,
  });
  const pool = mysql.createPool({ ...sql, connectionLimit: 2 });
  t.teardown(() => pool.end());
  t.deepEqual(
    await readSqlVersion(pool),
    { CurrentVersion: LAST_ETCD_VERSION, TargetVersion: ETCD_TO_SQL_VERSION },
    'SQL Current stays at lastETCD',
  );

  // A legacy node takes the lock once the dead node's session lapses, and serves from etcd.
  const killedAt = Date.now();
  await dep.startNode('legacy');
  const legacy = await dep.waitServing(20_000);
  t.is(legacy.mode, 'legacy');
  t.log(`legacy node serving ${Date.now() - killedAt} ms after the kill`);
  t.is(
    (await callNode(legacy.url, 'DesireTask', { taskGuid: 'after-failure', domain: 'cf-tasks' }))
      .status,
    200,
  );
  const read = await callNode(legacy.url, 'TaskByGuid', { taskGuid: 'legacy-task-1' });
  t.is(read.status, 200);
  t.is((read.body.record as { state: string }).state, 'RUNNING');

  // Another dual node later performs the migration, from scratch.
  await dep.startNode('dual');
  await legacy.stop();
  const dual = await dep.waitServing(15_000);
  t.is(dual.mode, 'dual');
  t.deepEqual(
    compareMigrated(await etcd.contents(), await finalRead(pool)),
    [],
    'SQL holds everything, including the task the legacy node wrote after the failure',
  );
  t.is(dep.journal.runs(ETCD_TO_SQL_VERSION, 'migration-start').length, 2);
  t.is(dep.journal.runs(ETCD_TO_SQL_VERSION).length, 1);
  t.deepEqual(await readSqlVersion(pool), {
    CurrentVersion: ETCD_TO_SQL_VERSION,
    TargetVersion: ETCD_TO_SQL_VERSION,
  });
  t.deepEqual(await etcd.version(), {
    CurrentVersion: LAST_ETCD_VERSION + 1,
    TargetVersion: ETCD_TO_SQL_VERSION,
  });
  t.is((await callNode(dual.url, 'TaskByGuid', { taskGuid: 'after-failure' })).status, 200);
  t.log(dep.holders.map((h) => `${h.id ?? '-'}`).join(' → '));
});
