// The legacy etcd store and the migration manager against a real etcd (v2 API) and a real 1-node
// Galera: the etcd-to-SQL migration copies every record but evacuating actual LRPs, writes the
// version to SQL then to etcd capped at lastETCD+1, never reruns, stops a legacy BBS; a crash
// mid-copy leaves both versions at lastETCD (a legacy BBS keeps serving, a dual one reruns); and
// the known gap: a crash between the two version writes leaves etcd at lastETCD, so a legacy BBS
// serves again.

import test from 'ava';
import mysql from 'mysql2/promise';
import { startEtcd, type EtcdServer } from '../../lab/providers/etcd/server.ts';
import { startLocalCluster, type LocalGalera } from '../../lab/providers/local/cluster.ts';
import { seedLegacyData } from '../../lab/migration/seed.ts';
import { EtcdBbsStore } from '../../bbs/etcd/store.ts';
import { compareMigrated } from '../../bbs/migrations/compare.ts';
import { Journal } from '../../bbs/migrations/journal.ts';
import {
  DUAL_MIGRATIONS,
  LEGACY_MIGRATIONS,
  MigrationManager,
} from '../../bbs/migrations/manager.ts';
import { readSqlVersion } from '../../bbs/migrations/sql-version.ts';
import {
  ETCD_TO_SQL_VERSION,
  LAST_ETCD_VERSION,
  VersionTooNewError,
} from '../../bbs/migrations/versions.ts';
import { CREATE_CONFIGURATIONS } from '../../bbs/sql/schema.ts';
import { finalRead } from '../../bbs/sql/store.ts';

let cluster: LocalGalera | undefined;
let etcdServer: EtcdServer | undefined;
let pool: mysql.Pool | undefined;

test.before(async (t) => {
  [cluster, etcdServer] = await Promise.all([
    startLocalCluster({ nodes: 1, addressBase: '127.0.40', firstHost: 11, log: (m) => t.log(m) }),
    startEtcd({ host: '127.0.40.1' }),
  ]);
  const n = cluster.nodes[0]!;
  pool = mysql.createPool({
    host: n.host,
    port: n.port,
    user: cluster.user,
    password: cluster.password,
    database: cluster.database,
    connectionLimit: 4,
  });
});

test.after.always(async () => {
  await pool?.end().catch(() => {});
  await etcdServer?.stop();
  await cluster?.stop();
});

async function fresh(): Promise<EtcdBbsStore> {
  const etcd = new EtcdBbsStore(etcdServer!.url);
  await etcd.wipe();
  for (const tbl of ['domains', 'desired_lrps', 'actual_lrps', 'tasks', 'configurations'])
    await pool!.query(`DROP TABLE IF EXISTS ${tbl}`);
  await pool!.query(CREATE_CONFIGURATIONS);
  return etcd;
}

const mgr = (
  node: string,
  etcd: EtcdBbsStore | undefined,
  sql: boolean,
  journal: Journal,
  hooks = {},
) =>
  new MigrationManager({
    node,
    migrations: sql ? DUAL_MIGRATIONS : LEGACY_MIGRATIONS,
    ...(etcd ? { etcd } : {}),
    ...(sql ? { sql: pool! } : {}),
    journal,
    hooks,
  });

test('etcd to SQL: every record but evacuating ones, version to SQL then capped to etcd, exactly once, legacy stopped', async (t) => {
  const etcd = await fresh();
  const journal = new Journal();
  t.is((await mgr('legacy-1', etcd, false, journal).run()).decision, 'init');
  t.deepEqual(await etcd.version(), {
    CurrentVersion: LAST_ETCD_VERSION,
    TargetVersion: LAST_ETCD_VERSION,
  });
  const seeded = await seedLegacyData(etcd);
  t.true(seeded.evacuating > 0);
  const before = await etcd.contents();
  t.deepEqual(before.incompleteDesiredLRPs, ['legacy-torn']);

  const r = await mgr('dual-1', etcd, true, journal).run();
  t.is(r.decision, 'migrate');
  t.is(r.ran.length, 1);
  t.is(r.ran[0]!.report.skipped.evacuating, seeded.evacuating);
  t.is(r.ran[0]!.report.skipped.failedInserts, 0);
  const sql = await finalRead(pool!);
  t.deepEqual(compareMigrated(before, sql), []);
  t.is(sql.tasks.length, seeded.tasks);
  t.is(sql.actualLRPs.length, seeded.actualLRPs);
  const [evac] = (await pool!.query(
    'SELECT COUNT(*) AS n FROM actual_lrps WHERE evacuating = true',
  )) as [{ n: number }[], unknown];
  t.is(Number(evac[0]!.n), 0);
  t.deepEqual(await readSqlVersion(pool!), {
    CurrentVersion: ETCD_TO_SQL_VERSION,
    TargetVersion: ETCD_TO_SQL_VERSION,
  });
  t.deepEqual(await etcd.version(), {
    CurrentVersion: LAST_ETCD_VERSION + 1,
    TargetVersion: ETCD_TO_SQL_VERSION,
  });
  // The version writes went SQL first, then etcd.
  const writes = journal.events
    .filter((e) => e.kind === 'version-write' && e.node === 'dual-1')
    .map((e) => `${e.store}:${e.version}`);
  t.deepEqual(writes, [
    `sql:${LAST_ETCD_VERSION}`,
    `etcd:${LAST_ETCD_VERSION}`,
    `sql:${ETCD_TO_SQL_VERSION}`,
    `etcd:${LAST_ETCD_VERSION + 1}`,
  ]);

  // A second dual BBS serves without rerunning; a legacy BBS refuses.
  t.is((await mgr('dual-2', etcd, true, journal).run()).decision, 'serve');
  t.is(journal.runs(ETCD_TO_SQL_VERSION).length, 1);
  const err = await t.throwsAsync(mgr('legacy-2', etcd, false, journal).run(), {
    instanceOf: VersionTooNewError,
  });
  t.is(
    err?.message,
    `Existing DB version (${LAST_ETCD_VERSION + 1}) exceeds bbs version (${LAST_ETCD_VERSION})`,
  );
});

test('a crash mid-copy leaves both versions at lastETCD: legacy serves, another dual BBS reruns from scratch', async (t) => {
  const etcd = await fresh();
  const journal = new Journal();
  await mgr('legacy-1', etcd, false, journal).run();
  await seedLegacyData(etcd);
  const crash = new Error('killed mid-copy');
  await t.throwsAsync(
    mgr('dual-1', etcd, true, journal, { 'mid-copy': async () => Promise.reject(crash) }).run(),
    { is: crash },
  );
  t.deepEqual(await etcd.version(), {
    CurrentVersion: LAST_ETCD_VERSION,
    TargetVersion: ETCD_TO_SQL_VERSION,
  });
  t.deepEqual(await readSqlVersion(pool!), {
    CurrentVersion: LAST_ETCD_VERSION,
    TargetVersion: ETCD_TO_SQL_VERSION,
  });
  t.is((await mgr('legacy-2', etcd, false, journal).run()).decision, 'serve');
  // The legacy BBS keeps writing to etcd meanwhile; the rerun copies that too.
  await etcd.desireTask({ taskGuid: 'written-after-failure', domain: 'cf-tasks' });
  const r = await mgr('dual-2', etcd, true, journal).run();
  t.is(r.decision, 'migrate');
  t.deepEqual(compareMigrated(await etcd.contents(), await finalRead(pool!)), []);
  t.is(journal.runs(ETCD_TO_SQL_VERSION).length, 1);
  t.is(journal.runs(ETCD_TO_SQL_VERSION, 'migration-failed').length, 1);
});

test('known gap: a crash between the SQL and the etcd version write lets a legacy BBS serve stale etcd data', async (t) => {
  const etcd = await fresh();
  const journal = new Journal();
  await mgr('legacy-1', etcd, false, journal).run();
  await seedLegacyData(etcd);
  let writes = 0;
  const crash = new Error('killed between the version writes');
  const hooks = {
    'between-version-writes': async () => {
      if (++writes === 2) throw crash; // the first is the pre-migration {lastETCD, target}
    },
  };
  await t.throwsAsync(mgr('dual-1', etcd, true, journal, hooks).run(), { is: crash });
  t.deepEqual(await readSqlVersion(pool!), {
    CurrentVersion: ETCD_TO_SQL_VERSION,
    TargetVersion: ETCD_TO_SQL_VERSION,
  });
  t.deepEqual(await etcd.version(), {
    CurrentVersion: LAST_ETCD_VERSION,
    TargetVersion: ETCD_TO_SQL_VERSION,
  });
  t.is(
    (await mgr('legacy-2', etcd, false, journal).run()).decision,
    'serve',
    'the legacy BBS believes it is current',
  );
  t.is(
    (await mgr('dual-2', etcd, true, journal).run()).decision,
    'serve',
    'the dual BBS is current in SQL and never rewrites etcd',
  );
  // The legacy BBS rewrote Target down to its own newest (2a8d20a0 migration/manager.go: Target ≠
  // max → writeVersion(Current, max)); the dual BBS left it so.
  t.deepEqual(await etcd.version(), {
    CurrentVersion: LAST_ETCD_VERSION,
    TargetVersion: LAST_ETCD_VERSION,
  });
});
