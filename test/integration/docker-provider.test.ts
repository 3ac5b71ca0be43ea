// The Docker provider against a real engine. This machine has none: the test is then reported as
// skipped (never as passed). Where DOCKER_HOST or /var/run/docker.sock answers, it starts a
// 3-node cluster from the MariaDB image, replicates a write, kills and restarts a node, and
// leaves no container or network of its run behind.

import test from 'ava';
import Docker from 'dockerode';
import mysql from 'mysql2/promise';
import { dockerAvailable, removeRun, startDockerCluster } from '../../lab/providers/docker/provider.ts';
import { labelFilter } from '../../lab/providers/docker/specs.ts';

const engine = await dockerAvailable();
const maybe = engine ? test : test.skip;

maybe('a 3-node Galera cluster from images replicates, survives a kill, and leaves nothing', async (t) => {
  const docker = new Docker();
  const runId = `test${Date.now().toString(36)}`;
  const cluster = await startDockerCluster({ nodes: 3, runId, basePort: 43306, log: (m) => t.log(m), docker });
  try {
    const conn = (i: number) => mysql.createConnection({ host: '127.0.0.1', port: 43306 + i, user: cluster.user, password: cluster.password, database: cluster.database });
    const c1 = await conn(0);
    await c1.query('CREATE TABLE kv (k INT PRIMARY KEY, v INT)');
    await c1.query('INSERT INTO kv VALUES (1, 7)');
    const c3 = await conn(2);
    t.deepEqual((await c3.query('SELECT v FROM kv WHERE k = 1'))[0], [{ v: 7 }]);
    await c3.end();
    await cluster.killNode('n3');
    await cluster.restartNode('n3');
    await cluster.waitSynced('n3', 3, 180_000);
    await c1.end();
  } finally {
    await cluster.stop();
  }
  const left = await docker.listContainers({ all: true, filters: JSON.stringify(labelFilter(runId)) });
  t.deepEqual(left, []);
  await removeRun(docker, runId);
});
