import test from 'ava';
import { existsSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { startLocalCluster } from '../../lab/providers/local/cluster.ts';
import { processesMentioning } from './helpers.ts';

test('a 3-node cluster comes up Synced, replicates, and goes away leaving no process or temp dir', async (t) => {
  const logDir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-logs-'));
  t.teardown(() => rmSync(logDir, { recursive: true, force: true }));
  const cluster = await startLocalCluster({
    nodes: 3,
    addressBase: '127.0.1',
    logDir,
    log: (m) => t.log(m),
  });
  t.teardown(() => cluster.stop());
  const workDir = cluster.workDir;
  t.deepEqual(
    cluster.nodes.map((n) => n.host),
    ['127.0.1.11', '127.0.1.12', '127.0.1.13'],
  );
  for (const n of cluster.nodes) {
    const st = await cluster.status(n.name);
    t.is(st.localState, 4, `${n.name} Synced`);
    t.is(st.clusterSize, 3);
    t.is(st.clusterStatus, 'Primary');
  }
  // A write on n1 is visible on n3 (with sync wait so the read waits for it), over TCP with the
  // lab's random credentials.
  const conn = (host: string) =>
    mysql.createConnection({
      host,
      port: 3306,
      user: cluster.user,
      password: cluster.password,
      database: cluster.database,
    });
  const a = await conn('127.0.1.11');
  await a.query('CREATE TABLE t (id INT PRIMARY KEY, v INT)');
  await a.query('INSERT INTO t VALUES (1, 42)');
  const c = await conn('127.0.1.13');
  await c.query('SET SESSION wsrep_sync_wait = 1');
  const [rows] = await c.query('SELECT v, @@wsrep_node_name AS node FROM t WHERE id = 1');
  t.deepEqual(rows, [{ v: 42, node: 'n3' }]);
  await a.end();
  await c.end();
  // Each node binds only its own loopback address.
  const [vars] = await (await conn('127.0.1.12')).query('SELECT @@bind_address AS b');
  t.deepEqual(vars, [{ b: '127.0.1.12' }]);

  t.true(processesMentioning(workDir).length >= 3);
  await cluster.stop();
  t.deepEqual(processesMentioning(workDir), [], 'no process of the cluster survives stop()');
  t.false(existsSync(workDir), 'the temp dir is removed');
  t.deepEqual(readdirSync(logDir).sort(), ['n1.err', 'n2.err', 'n3.err'], 'node logs are kept');
});

test('a node that cannot start fails the start with its error log quoted, and nothing is left', async (t) => {
  // Two clusters on the same addresses: the second cannot bind, and must say why.
  const first = await startLocalCluster({ nodes: 1, addressBase: '127.0.1', firstHost: 31 });
  t.teardown(() => first.stop());
  const err = await t.throwsAsync(
    startLocalCluster({ nodes: 1, addressBase: '127.0.1', firstHost: 31, syncTimeoutMs: 30_000 }),
  );
  t.regex(err!.message, /node n1 \(127\.0\.1\.31\) (exited while starting|was not Synced)/);
  t.regex(err!.message, /error log ends:\n/);
  t.true(err!.message.split('\n').length > 2, 'quotes lines of the log');
  await first.stop();
  t.deepEqual(processesMentioning(first.workDir), []);
});
