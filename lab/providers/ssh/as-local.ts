// Until the nemesis and topology take the `Cluster` contract (issue 12's providers helper), they
// use the local provider's shape; this presents an SSH cluster in it. Partitions go through the
// disconnect hook, which isolates one node (the shapes the Docker provider allows too). Remove this
// file once topology and the nemesis use `need(cluster, …)`.

import type { LocalCluster } from '../local/cluster.ts';
import type { SshCluster } from './cluster.ts';

export function asLocalCluster(c: SshCluster, log: (m: string) => void): LocalCluster {
  const missing = (what: string) => () => {
    throw new Error(`${what}: the ssh target does not allow it`);
  };
  const { kill, pause, partition, admin } = c.abilities;
  return {
    nodes: c.nodes,
    user: c.user,
    password: c.password,
    database: c.database,
    workDir: c.workDir,
    status: c.status,
    waitSynced: c.waitSynced,
    stop: c.stop,
    adminQuery: admin ? (n, sql) => admin.query(n, sql) : missing('admin query'),
    killNode: kill ? (n) => kill.kill(n) : missing('kill'),
    restartNode: kill ? (n) => kill.restart(n) : missing('restart'),
    // The local shape's pause is synchronous; its errors are logged rather than lost.
    pauseNode: pause ? (n) => void pause.pause(n).catch((e: Error) => log(e.message)) : missing('pause'),
    resumeNode: pause ? (n) => void pause.resume(n).catch((e: Error) => log(e.message)) : missing('resume'),
    ...(partition
      ? {
          disconnectNode: (n: string) => partition.cut(`isolate-${n}`, [[n], c.nodes.map((x) => x.name).filter((x) => x !== n)]),
          connectNode: (n: string) => partition.heal(`isolate-${n}`),
        }
      : {}),
  };
}
