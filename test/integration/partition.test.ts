import test from 'ava';
import mysql from 'mysql2/promise';
import { startLocalCluster } from '../../lab/providers/local/cluster.ts';
import {
  createPartitionChain,
  cutsBetween,
  listLabChains,
  removeLabChains,
} from '../../lab/network/iptables.ts';
import { FAST_FAILURE_DETECTION } from '../../lab/runner/topology.ts';
import { waitFor } from './helpers.ts';

test('an isolated node goes non-Primary and answers 1047; after heal it is Synced again; no rule is left', async (t) => {
  const cluster = await startLocalCluster({
    nodes: 3,
    addressBase: '127.0.8',
    extraProviderOptions: FAST_FAILURE_DETECTION,
    log: (m) => t.log(m),
  });
  t.teardown(() => cluster.stop());
  const chain = await createPartitionChain();
  t.teardown(() => chain.remove());

  const [n1, n2, n3] = cluster.nodes.map((n) => n.host) as [string, string, string];
  const c1 = await mysql.createConnection({
    host: n1,
    user: cluster.user,
    password: cluster.password,
    database: cluster.database,
  });
  await c1.query('CREATE TABLE kv (k INT PRIMARY KEY, v INT)');
  await c1.query('INSERT INTO kv VALUES (1, 1)');
  await c1.end();
  await chain.set(cutsBetween([n3], [n1, n2]));
  t.is((await chain.rules()).length, 4);
  await waitFor(
    'n3 to leave the Primary component',
    async () => (await cluster.status('n3')).clusterStatus !== 'Primary',
    30_000,
  );
  t.is((await cluster.status('n1')).clusterSize, 2, 'the majority goes on with 2 nodes');

  const c3 = await mysql.createConnection({
    host: n3,
    user: cluster.user,
    password: cluster.password,
    database: cluster.database,
  });
  const err = await t.throwsAsync(c3.query('SELECT v FROM kv WHERE k = 1'));
  t.is((err as { errno?: number }).errno, 1047);
  await c3.end();

  await chain.heal();
  t.deepEqual(await chain.rules(), []);
  await waitFor(
    'n3 Synced in a cluster of 3',
    async () => {
      const s = await cluster.status('n3');
      return s.localState === 4 && s.clusterSize === 3 && s.clusterStatus === 'Primary';
    },
    60_000,
  );

  await chain.remove();
  t.false((await listLabChains()).includes(chain.name), 'the chain is gone');
});

test('cleanup removes a chain whose run is gone and keeps one whose run is alive', async (t) => {
  const { execFileSync } = await import('node:child_process');
  const ipt = (...args: string[]) =>
    execFileSync('iptables', args, { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  // Chains named for a pid that does not exist (a killed run) and for pid 1 (always alive).
  const dead = 'BBSLAB-4194000-dead00';
  const alive = 'BBSLAB-1-live00';
  for (const c of [dead, alive]) {
    ipt('-N', c);
    ipt('-I', 'INPUT', '-j', c);
  }
  t.teardown(() => {
    for (const c of [dead, alive]) {
      try {
        ipt('-D', 'INPUT', '-j', c);
        ipt('-X', c);
      } catch {
        // already removed by the code under test
      }
    }
  });
  const res = await removeLabChains();
  t.true(res.removed.includes(dead));
  t.true(res.kept.includes(alive));
  t.false((await listLabChains()).includes(dead));
  t.false(ipt('-S', 'INPUT').includes(dead), 'the jump is gone too');
  const forced = await removeLabChains({ force: true });
  t.true(forced.removed.includes(alive));
  t.false((await listLabChains()).includes(alive));
});
