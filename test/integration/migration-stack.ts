// What every migration test starts: a real 1-node Galera and a real etcd on the test's own
// loopback /24 (before its tests), a BBS deployment with the lab's Consul agent on demand, and all
// of it stopped after the tests, also when one fails.

import test from 'ava';
import { Deployment, type DeploymentOptions } from '../../lab/migration/deployment.ts';
import { startEtcd, type EtcdServer } from '../../lab/providers/etcd/server.ts';
import { startLocalCluster, type LocalGalera } from '../../lab/providers/local/cluster.ts';
import type { SqlConfig } from '../../bbs/node/node.ts';

export interface MigrationStack {
  readonly cluster: LocalGalera;
  readonly etcd: EtcdServer;
  readonly sql: SqlConfig;
  /** A deployment on the stack's etcd and SQL (stopped after the tests). */
  deploy(o?: Partial<DeploymentOptions>): Promise<Deployment>;
}

/** Registers the before/after hooks of a test file; the stack is ready inside its tests. */
export function migrationStack(base: string): MigrationStack {
  let cluster: LocalGalera | undefined;
  let etcd: EtcdServer | undefined;
  const deployments: Deployment[] = [];
  test.before(async (t) => {
    [cluster, etcd] = await Promise.all([
      startLocalCluster({ nodes: 1, addressBase: base, firstHost: 11, log: (m) => t.log(m) }),
      startEtcd({ host: `${base}.1` }),
    ]);
  });
  test.after.always(async () => {
    for (const d of deployments) await d.stop();
    await etcd?.stop();
    await cluster?.stop();
  });
  const ready = <T>(x: T | undefined): T => {
    if (x === undefined) throw new Error('the migration stack is used before its before hook ran');
    return x;
  };
  return {
    get cluster() {
      return ready(cluster);
    },
    get etcd() {
      return ready(etcd);
    },
    get sql() {
      const c = ready(cluster);
      const n = c.nodes[0]!;
      return {
        host: n.host,
        port: n.port,
        user: c.user,
        password: c.password,
        database: c.database,
      };
    },
    async deploy(o = {}) {
      const d = await Deployment.start({ base, etcdUrl: ready(etcd).url, sql: this.sql, ...o });
      deployments.push(d);
      return d;
    },
  };
}
