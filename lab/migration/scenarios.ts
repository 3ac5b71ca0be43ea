// The migration scenarios of the seed's first story, runnable outside the tests (bbs-lab migrate):
// each brings up a real etcd, a 1-node Galera and the lab's Consul agent on its own loopback /24,
// plays the story with BBS nodes, and returns a verdict line per acceptance check.
//   redeploy  - legacy deployment fills etcd, redeployed one node at a time with SQL
//   mixed-lock - legacy nodes join after the migration: they exit, never serve
//   failure   - the migration is killed after copying: legacy serves, a later dual node migrates
//   gap       - the known gap: killed between the SQL and the etcd version writes, a legacy node
//               takes the lock and serves stale etcd data (expected to be found, verdict "gap")
//   no-sql    - SQL unreachable at start: that node fails to start

import mysql from 'mysql2/promise';
import { startEtcd } from '../providers/etcd/server.ts';
import { startLocalCluster } from '../providers/local/cluster.ts';
import { EtcdBbsStore } from '../../models/bbs/etcd/store.ts';
import { compareMigrated } from '../../models/bbs/migrations/compare.ts';
import { ETCD_TO_SQL_VERSION, LAST_ETCD_VERSION } from '../../models/bbs/migrations/versions.ts';
import { callNode, StartError, type SqlConfig } from '../../models/bbs/node/node.ts';
import { finalRead } from '../../models/bbs/sql/store.ts';
import { Deployment } from './deployment.ts';
import { seedLegacyData } from './seed.ts';

export const MIGRATION_SCENARIOS = ['redeploy', 'mixed-lock', 'failure', 'gap', 'no-sql'] as const;
export type MigrationScenario = (typeof MIGRATION_SCENARIOS)[number];

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ScenarioResult {
  scenario: MigrationScenario;
  checks: Check[];
  holders: string;
}

export async function runMigrationScenario(name: MigrationScenario, base: string, log: (m: string) => void = () => {}): Promise<ScenarioResult> {
  const checks: Check[] = [];
  const check = (n: string, ok: boolean, detail = '') => checks.push({ name: n, ok, detail });
  const etcdServer = await startEtcd({ host: `${base}.1` });
  const cluster = name === 'no-sql' ? undefined : await startLocalCluster({ nodes: 1, addressBase: base, firstHost: 11, log });
  const sql: SqlConfig = cluster
    ? { host: cluster.nodes[0]!.host, port: cluster.nodes[0]!.port, user: cluster.user, password: cluster.password, database: cluster.database }
    : { host: `${base}.11`, port: 3306, user: 'bbs', password: 'x', database: 'diego', connectTimeoutMs: 2000 };
  const dep = await Deployment.start({ base, etcdUrl: etcdServer.url, sql, log });
  const pool = cluster ? mysql.createPool({ ...sql, connectionLimit: 2 }) : undefined;
  const etcd = new EtcdBbsStore(etcdServer.url);
  try {
    if (name === 'no-sql') {
      let err: unknown;
      await dep.startNode('dual').catch((e) => (err = e));
      check('the dual node fails to start', err instanceof StartError && /sql-failed-to-connect/.test(String(err)), String(err));
      check('it never tried the lock', dep.journal.events.every((e) => e.kind !== 'lock-acquired'));
      const legacy = await dep.startNode('legacy');
      const served = await dep.waitServing(10_000).then(
        (n) => n === legacy,
        () => false,
      );
      check('a legacy node still serves', served);
      return { scenario: name, checks, holders: '' };
    }
    const legacy1 = await dep.startNode('legacy');
    await dep.waitServing(10_000);
    await seedLegacyData(etcd);
    const before = await etcd.contents();
    if (name === 'redeploy') {
      const rest = [legacy1, await dep.startNode('legacy'), await dep.startNode('legacy')];
      for (const old of rest) {
        await old.stop();
        await dep.startNode('dual');
        await dep.waitServing(15_000);
      }
      const s = await dep.waitServing(15_000);
      const d = compareMigrated(before, await finalRead(pool!));
      check('every record is in SQL', d.length === 0, `${d.length} differences`);
      await s.stop();
      await dep.waitServing(15_000);
      check('one migration run, also after another dual node took the lock', dep.journal.runs(ETCD_TO_SQL_VERSION, 'migration-start').length === 1);
    } else if (name === 'mixed-lock') {
      const dual = await dep.startNode('dual');
      await legacy1.stop();
      await dep.waitFor('the dual node serving', () => dual.state === 'serving', 15_000);
      const late = [await dep.startNode('legacy'), await dep.startNode('legacy')];
      await dual.stop();
      await dep.waitFor('late legacy nodes to exit', () => late.every((l) => l.state === 'exited'), 20_000).catch(() => undefined);
      const reason = `Existing DB version (${LAST_ETCD_VERSION + 1}) exceeds bbs version (${LAST_ETCD_VERSION})`;
      check('every late legacy node exits with the too-new error', late.every((l) => l.exit?.reason === reason), late.map((l) => l.exit?.reason ?? l.state).join('; '));
      const ids = new Set(late.map((l) => l.id));
      check('no legacy node serves after the migration', !dep.journal.events.some((e) => e.kind === 'serving' && ids.has(e.node)));
    } else {
      const killAt = name === 'failure' ? 'after-copy' : 'between-version-writes';
      let writes = 0;
      const doomed = await dep.startNode(
        'dual',
        name === 'failure'
          ? { killAt }
          : {
              // The second SQL version write is the post-migration one: kill right after it.
              hooks: {
                'between-version-writes': async () => {
                  if (++writes === 2) {
                    doomed.kill();
                    throw new Error('killed between the version writes');
                  }
                },
              },
            },
      );
      await legacy1.stop();
      await doomed.exited;
      const legacy = await dep.startNode('legacy');
      await dep.waitServing(20_000);
      const took = legacy.state === 'serving';
      if (name === 'failure') {
        check('a legacy node takes over and serves', took && (await callNode(legacy.url, 'DesireTask', { taskGuid: 'after-failure', domain: 'cf-tasks' })).status === 200);
        await dep.startNode('dual');
        await legacy.stop();
        await dep.waitFor('a dual node serving', () => dep.serving().some((n) => n.mode === 'dual'), 15_000);
        const d = compareMigrated(await etcd.contents(), await finalRead(pool!));
        check('a later dual node completes the migration', dep.journal.runs(ETCD_TO_SQL_VERSION).length === 1 && d.length === 0, `${d.length} differences`);
      } else {
        check('GAP (expected, from the 2016 code): a legacy node serves after SQL was marked migrated', took, JSON.stringify(await etcd.version()));
      }
    }
    return { scenario: name, checks, holders: dep.holders.map((h) => h.id ?? '-').join(' → ') };
  } finally {
    await pool?.end().catch(() => undefined);
    await dep.stop();
    await etcdServer.stop();
    await cluster?.stop();
  }
}
