// The Docker provider's engine test, shared by the run against a real engine
// (docker-provider.test.ts, skipped where none answers) and the run against the lab's own engine
// (docker-engine-provider.test.ts): a 3-node Galera cluster from the "mariadb" image replicates a
// write, survives a kill and a restart, and leaves no container or network of its run behind.

import type { ExecutionContext } from 'ava';
import type Docker from 'dockerode';
import mysql from 'mysql2/promise';
import {
  removeRun,
  startDockerCluster,
  type DockerCluster,
} from '../../lab/providers/docker/provider.ts';
import { labelFilter } from '../../lab/providers/docker/specs.ts';

export interface DockerScenarioOptions {
  basePort: number;
  providerOptions?: string;
  /** More checks on the running cluster, before it is stopped. */
  extra?: (cluster: DockerCluster, conn: (i: number) => Promise<mysql.Connection>) => Promise<void>;
}

export async function galeraFromImages(
  t: ExecutionContext,
  docker: Docker,
  o: DockerScenarioOptions,
): Promise<void> {
  const runId = `test${Date.now().toString(36)}`;
  const cluster = await startDockerCluster({
    nodes: 3,
    runId,
    basePort: o.basePort,
    log: (m) => t.log(m),
    docker,
    ...(o.providerOptions ? { providerOptions: o.providerOptions } : {}),
  });
  const conn = (i: number) =>
    mysql.createConnection({
      host: '127.0.0.1',
      port: o.basePort + i,
      user: cluster.user,
      password: cluster.password,
      database: cluster.database,
    });
  try {
    const c1 = await conn(0);
    await c1.query('CREATE TABLE kv (k INT PRIMARY KEY, v INT)');
    await c1.query('INSERT INTO kv VALUES (1, 7)');
    const c3 = await conn(2);
    // Galera applies a writeset on the other nodes after the commit returns on n1: without a
    // causal wait a read on n3 may come first and see nothing (it did once on a loaded machine).
    await c3.query('SET SESSION wsrep_sync_wait = 1');
    t.deepEqual((await c3.query('SELECT v FROM kv WHERE k = 1'))[0], [{ v: 7 }]);
    await c3.end();
    await cluster.abilities.kill.kill('n3');
    await cluster.abilities.kill.restart('n3');
    await cluster.waitSynced('n3', 3, 180_000);
    await c1.end();
    if (o.extra) await o.extra(cluster, conn);
  } finally {
    await cluster.stop();
  }
  const left = await docker.listContainers({
    all: true,
    filters: JSON.stringify(labelFilter(runId)),
  });
  t.deepEqual(left, []);
  t.deepEqual(await docker.listNetworks({ filters: JSON.stringify(labelFilter(runId)) }), []);
  await removeRun(docker, runId);
}
