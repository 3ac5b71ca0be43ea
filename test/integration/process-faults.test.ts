import test from 'ava';
import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { startLocalCluster } from '../../lab/providers/local/cluster.ts';
import { processesMentioning, waitFor } from './helpers.ts';

function procState(pid: number): string {
  // Field 3 of /proc/<pid>/stat: R, S, T (stopped), …
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[0]!;
}

test('kill -9 and restart: the node rejoins (IST from its recovered position) and has the writes it missed', async (t) => {
  const cluster = await startLocalCluster({
    nodes: 3,
    addressBase: '127.0.9',
    extraProviderOptions: 'evs.suspect_timeout=PT2S;evs.inactive_timeout=PT3S;evs.keepalive_period=PT0.5S',
    log: (m) => t.log(m),
  });
  t.teardown(() => cluster.stop());
  const conn = (host: string) => mysql.createConnection({ host, user: cluster.user, password: cluster.password, database: cluster.database });
  const c1 = await conn('127.0.9.11');
  await c1.query('CREATE TABLE kv (k INT PRIMARY KEY, v INT)');

  await cluster.killNode('n3');
  await waitFor('the cluster to shrink to 2', async () => (await cluster.status('n1')).clusterSize === 2, 30_000);
  await c1.query('INSERT INTO kv VALUES (1, 7)');
  await cluster.restartNode('n3');
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
  cluster.pauseNode('n2');
  await waitFor('n2 to be stopped', () => procState(pid) === 'T', 5000);
  cluster.resumeNode('n2');
  await waitFor('n2 to run again', () => procState(pid) !== 'T', 5000);
  cluster.pauseNode('n2');
  await waitFor('n2 to be stopped again', () => procState(pid) === 'T', 5000);
  const dir = cluster.workDir;
  await cluster.stop();
  t.deepEqual(processesMentioning(dir), [], 'a paused node is resumed and stopped by stop()');
});
