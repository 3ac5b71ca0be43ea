// The start-up fault stories on real components: a 1-node Galera and a real etcd, each behind the
// lab's Toxiproxy-compatible proxy, and the migration manager of a BBS profile in the test's
// process (no Consul, no node processes: the lock plays no part in these stories). A fault is
// switched on at a migration hook point and off at the next, so it lasts for the whole phase:
// the SQL version read (a node refusing connections, a lost connection), or the first copy
// (etcd refusing). What each run shows is compared with lab/migration/startup-outcomes.ts, the
// outcome worked out from the profile's Go code (and unit-tested by hand).

import test, { type ExecutionContext } from 'ava';
import mysql from 'mysql2/promise';
import { startEtcd, type EtcdServer } from '../../lab/providers/etcd/server.ts';
import { startLocalCluster, type LocalGalera } from '../../lab/providers/local/cluster.ts';
import { startToxiproxyServer, type ToxiproxyServer } from '../../lab/toxiproxy/server.ts';
import { connectToxiproxy, type FaultProxies } from '../../lab/toxiproxy/driver.ts';
import { seedLegacyData } from '../../lab/migration/seed.ts';
import { startupOutcome, type FaultPhase, type StartupFault } from '../../lab/migration/startup-outcomes.ts';
import { EtcdBbsStore } from '../../bbs/etcd/store.ts';
import type { HookPoint } from '../../bbs/migrations/etcd-to-sql.ts';
import { Journal } from '../../bbs/migrations/journal.ts';
import { DUAL_MIGRATIONS, LEGACY_MIGRATIONS, MigrationFatalError, MigrationManager } from '../../bbs/migrations/manager.ts';
import { ETCD_TO_SQL_VERSION } from '../../bbs/migrations/versions.ts';
import { CREATE_CONFIGURATIONS } from '../../bbs/sql/schema.ts';
import { profileOf } from '../../bbs/versions/index.ts';

const BASE = '127.0.91';
let cluster: LocalGalera | undefined;
let etcdServer: EtcdServer | undefined;
let proxyServer: ToxiproxyServer | undefined;
let proxies: FaultProxies | undefined;
let direct: mysql.Pool | undefined;
let viaProxy: mysql.Pool | undefined;
let etcdDirect: EtcdBbsStore;
let etcdViaProxy: EtcdBbsStore;

test.before(async (t) => {
  [cluster, etcdServer, proxyServer] = await Promise.all([
    startLocalCluster({ nodes: 1, addressBase: BASE, firstHost: 11, log: (m) => t.log(m) }),
    startEtcd({ host: `${BASE}.1` }),
    startToxiproxyServer({ host: `${BASE}.3`, port: 0 }),
  ]);
  proxies = await connectToxiproxy({ url: proxyServer.url });
  const n = cluster.nodes[0]!;
  await proxies.createProxy('sql', `${BASE}.30:3306`, `${n.host}:${n.port}`);
  const etcdPort = new URL(etcdServer.url).port;
  await proxies.createProxy('etcd', `${BASE}.31:${etcdPort}`, `${BASE}.1:${etcdPort}`);
  const conn = { user: cluster.user, password: cluster.password, database: cluster.database, connectionLimit: 4, connectTimeout: 2000 };
  direct = mysql.createPool({ host: n.host, port: n.port, ...conn });
  viaProxy = mysql.createPool({ host: `${BASE}.30`, port: 3306, ...conn });
  etcdDirect = new EtcdBbsStore(etcdServer.url);
  etcdViaProxy = new EtcdBbsStore(`http://${BASE}.31:${etcdPort}`);
});

test.after.always(async () => {
  await viaProxy?.end().catch(() => {});
  await direct?.end().catch(() => {});
  await proxies?.close().catch(() => {});
  await proxyServer?.stop();
  await etcdServer?.stop();
  await cluster?.stop();
});

/** Switches a fault on (and returns how to switch it off). */
async function faultOn(fault: StartupFault, target: 'sql' | 'etcd'): Promise<() => Promise<void>> {
  if (fault === 'refused') {
    await proxies!.setEnabled(target, false); // the listener closes: connections are refused
    return async () => void (await proxies!.setEnabled(target, true));
  }
  if (fault === 'lost-connection') {
    await proxies!.addToxic(target, { type: 'reset_peer', name: 'lost', stream: 'upstream', attributes: { timeout: 0 } });
    return () => proxies!.removeToxic(target, 'lost');
  }
  throw new Error(`fault ${fault} is not played here`);
}

/** A manager of `version` whose stores go through the proxies. */
const dual = (node: string, version: string, journal: Journal, hooks: Partial<Record<HookPoint, () => Promise<void>>> = {}) =>
  new MigrationManager({ node, migrations: DUAL_MIGRATIONS, behaviour: profileOf(version).behaviour, etcd: etcdViaProxy, sql: viaProxy!, journal, hooks });

async function rows(table: string): Promise<number> {
  const [r] = (await direct!.query(`SELECT COUNT(*) AS n FROM ${table}`)) as [{ n: number }[], unknown];
  return Number(r[0]!.n);
}

/** Stores as a legacy deployment left them: etcd seeded and at lastETCD, SQL with no BBS tables. */
async function legacyDeployment(): Promise<void> {
  await etcdDirect.wipe();
  for (const tbl of ['domains', 'desired_lrps', 'actual_lrps', 'tasks', 'configurations']) await direct!.query(`DROP TABLE IF EXISTS ${tbl}`);
  await direct!.query(CREATE_CONFIGURATIONS);
  await new MigrationManager({ node: 'legacy', migrations: LEGACY_MIGRATIONS, etcd: etcdDirect }).run();
  await seedLegacyData(etcdDirect);
}

interface Seen {
  exits: boolean;
  reruns: number;
  lost: 'none' | 'every SQL record' | 'domains and desired LRPs';
}

/** A fault while a restarting BBS reads the version, after a migration and a write made since. */
async function playVersionRead(t: ExecutionContext, version: string, fault: StartupFault): Promise<Seen> {
  await legacyDeployment();
  const journal = new Journal();
  await dual('dual-1', version, journal).run();
  await direct!.query("INSERT INTO tasks (guid, domain, state, task_definition) VALUES ('after-migration', 'cf-tasks', 1, '{}')");
  const before = { tasks: await rows('tasks'), desired: await rows('desired_lrps') };
  let off: (() => Promise<void>) | undefined;
  const hooks = {
    'before-version-read': async () => void (off = await faultOn(fault, 'sql')),
    'after-version-read': async () => off?.(),
  };
  let exits = false;
  await dual('dual-2', version, journal, hooks)
    .run()
    .catch((e) => {
      if (!(e instanceof MigrationFatalError)) throw e;
      t.log(`${version} ${fault}: dual-2 exits: ${e.message}`);
      exits = true;
    });
  if (exits) t.is((await dual('dual-3', version, journal).run()).decision, 'serve', 'the next start serves');
  const after = { tasks: await rows('tasks'), desired: await rows('desired_lrps') };
  const reruns = journal.runs(ETCD_TO_SQL_VERSION, 'migration-start').length - 1;
  const lost = after.tasks === 0 && after.desired === 0 && before.tasks > 0 ? 'every SQL record' : after.tasks === before.tasks && after.desired === before.desired ? 'none' : 'domains and desired LRPs';
  return { exits, reruns, lost };
}

const expectFor = (version: string, phase: FaultPhase, fault: StartupFault) => {
  const o = startupOutcome(profileOf(version).behaviour, phase, fault);
  return { exits: o.exits, reruns: o.reruns, lost: o.lost };
};

for (const [version, fault] of [
  ['2016-05', 'refused'],
  ['2016-11', 'refused'],
  ['2016-11', 'lost-connection'],
  ['2017-05', 'lost-connection'],
] as const) {
  test.serial(`version read, ${fault}, BBS ${version}: as the profile's Go code says`, async (t) => {
    const seen = await playVersionRead(t, version, fault);
    t.deepEqual(seen, expectFor(version, 'version-read', fault));
  });
}

test.serial('first copy, etcd refusing from the tables until the desired LRPs, BBS 2016-11: the domains and desired LRPs are lost, the version says migrated', async (t) => {
  await legacyDeployment();
  const journal = new Journal();
  let off: (() => Promise<void>) | undefined;
  const r = await dual('dual-1', '2016-11', journal, {
    'after-drop': async () => void (off = await faultOn('refused', 'etcd')),
    'mid-copy': async () => off?.(),
  }).run();
  t.deepEqual(r.ran[0]!.report.failedReads, ['domains', 'desired-lrps']);
  t.is(await rows('domains'), 0);
  t.is(await rows('desired_lrps'), 0);
  t.true((await rows('tasks')) > 0);
  t.is((await dual('dual-2', '2016-11', journal).run()).decision, 'serve', 'nothing copies them again');
  t.like(startupOutcome(profileOf('2016-11').behaviour, 'copy-etcd', 'refused'), { exits: false, reruns: 0, lost: 'domains and desired LRPs' });
});
