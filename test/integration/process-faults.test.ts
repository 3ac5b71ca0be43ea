import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import mysql from 'mysql2/promise';
import { createPartitionChain, cutsBetween } from '../../lab/network/iptables.ts';
import { startLocalCluster } from '../../lab/providers/local/cluster.ts';
import { FAST_FAILURE_DETECTION } from '../../lab/runner/topology.ts';
import { processesMentioning, waitFor } from './helpers.ts';

function procState(pid: number): string {
  // Field 3 of /proc/<pid>/stat: R, S, T (stopped), …
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[0]!;
}

test('kill -9 and restart: the node rejoins (IST from its recovered position) and has the writes it missed', async (t) => {
  const cluster = await startLocalCluster({
    nodes: 3,
    addressBase: '127.0.9',
    extraProviderOptions: FAST_FAILURE_DETECTION,
    log: (m) => t.log(m),
  });
  t.teardown(() => cluster.stop());
  const conn = (host: string) =>
    mysql.createConnection({
      host,
      user: cluster.user,
      password: cluster.password,
      database: cluster.database,
    });
  const c1 = await conn('127.0.9.11');
  await c1.query('CREATE TABLE kv (k INT PRIMARY KEY, v INT)');

  await cluster.abilities.kill.kill('n3');
  await waitFor(
    'the cluster to shrink to 2',
    async () => (await cluster.status('n1')).clusterSize === 2,
    30_000,
  );
  await c1.query('INSERT INTO kv VALUES (1, 7)');
  await cluster.abilities.kill.restart('n3');
  await cluster.waitSynced('n3', 3, 60_000);
  const c3 = await conn('127.0.9.13');
  const [rows] = await c3.query('SELECT v FROM kv WHERE k = 1');
  t.deepEqual(rows, [{ v: 7 }]);
  const log = readFileSync(`${cluster.workDir}/n3/error.log`, 'utf8');
  t.regex(log, /Recovered position/, 'the restart recovered its position first');
  await c1.end();
  await c3.end();

  // Pause: the process group is stopped; resume: it runs again; stop() resumes before stopping.
  const pid = processesMentioning(`${cluster.workDir}/n2/my.cnf`)[0]!;
  await cluster.abilities.pause.pause('n2');
  await waitFor('n2 to be stopped', () => procState(pid) === 'T', 5000);
  await cluster.abilities.pause.resume('n2');
  await waitFor('n2 to run again', () => procState(pid) !== 'T', 5000);
  await cluster.abilities.pause.pause('n2');
  await waitFor('n2 to be stopped again', () => procState(pid) === 'T', 5000);
  const dir = cluster.workDir;
  await cluster.stop();
  t.deepEqual(processesMentioning(dir), [], 'a paused node is resumed and stopped by stop()');
});

test('a joiner that cannot reach a primary view at start is started once more, and the cluster comes up', async (t) => {
  // n2's first start finds its peer's gcomm port cut and gives up after pc.wait_prim_timeout, as a
  // joiner starved on a loaded machine does; the cut is gone before the second start.
  const chain = await createPartitionChain();
  t.teardown(() => chain.remove());
  await chain.set(cutsBetween(['127.0.11.12'], ['127.0.11.11']));
  const logs: string[] = [];
  const cluster = await startLocalCluster({
    nodes: 3,
    addressBase: '127.0.11',
    extraProviderOptions: 'pc.wait_prim_timeout=PT4S',
    log: (m) => {
      logs.push(m);
      t.log(m);
      // Synchronous: the log line comes just before the second start.
      if (m.includes('exited while joining')) execFileSync('iptables', ['-w', '-F', chain.name]);
    },
  });
  t.teardown(() => cluster.stop());
  t.true(
    logs.some((m) => /n2 exited while joining \(.*primary view/i.test(m)),
    `the first start failed for lack of a primary view: ${logs.join(' | ')}`,
  );
  t.true(logs.some((m) => m.includes('n2 joined on 127.0.11.12 (cluster size 2)')));
  t.is((await cluster.status('n2')).clusterSize, 3, 'n3 joined after it');
});

test('a joiner that fails to reach a primary view twice fails the start, naming the node and the cause, and leaves nothing', async (t) => {
  const chain = await createPartitionChain();
  t.teardown(() => chain.remove());
  await chain.set(cutsBetween(['127.0.11.12'], ['127.0.11.11']));
  const logs: string[] = [];
  const err = await t.throwsAsync(
    startLocalCluster({
      nodes: 3,
      addressBase: '127.0.11',
      extraProviderOptions: 'pc.wait_prim_timeout=PT3S',
      log: (m) => logs.push(m),
    }),
  );
  t.is(
    logs.filter((m) => m.includes('exited while joining')).length,
    1,
    'one more start, not a loop',
  );
  t.regex(err!.message, /node n2 \(127\.0\.11\.12\) exited while starting/);
  t.regex(err!.message, /primary view/);
  const workDir = /initialised 3 datadir\(s\) under (\S+)/.exec(logs[0] ?? '')?.[1];
  t.truthy(workDir);
  t.deepEqual(processesMentioning(workDir!), [], 'no mariadbd is left');
  t.false(existsSync(workDir!), 'the work dir is gone');
});
