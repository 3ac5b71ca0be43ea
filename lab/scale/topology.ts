// What a scale run measures against, by topology: one node (a one-node Galera cluster: the lab has
// no provider for a plain MariaDB server; wsrep with no peer certifies against nothing), a 3-node
// Galera cluster with every component through one switchboard proxy (CF-MySQL's deployment), or
// a 3-node cluster with the components spread over the nodes (cell k, workload client c on node
// k mod 3 / c mod 3; the bulkers on n2; convergence on n1). Each component gets its own pool.

import { connect, type Socket } from 'node:net';
import mysql from 'mysql2/promise';
import { startLocalCluster } from '../providers/local/cluster.ts';
import { startHealthchecks, type HealthcheckHandle } from '../routing/healthcheck/server.ts';
import { startSwitchboard, type SwitchboardHandle } from '../routing/switchboard/proxy.ts';
import { registerCleanup } from '../lifecycle/cleanup.ts';
import { createSchema } from '../../bbs/sql/schema.ts';
import { applyPresenceMigration } from '../../bbs/sql/suspect.ts';
import { startEtcdScaleTarget } from './etcd-target.ts';
import type { Endpoint, ScaleTarget, TargetOptions } from './target.ts';
import type { ScaleTopology } from './scenario.ts';

export type { Endpoint, ScaleTarget, TargetOptions } from './target.ts';

/** Which endpoint a component uses under a topology. Pure. */
export function endpointFor(
  topology: ScaleTopology,
  component: string,
  nodes: readonly Endpoint[],
  proxy: Endpoint | null,
): Endpoint {
  // `status-<node>` reads that node's counters, whatever the topology routes the components to.
  const direct = /^status-(.+)$/.exec(component);
  if (direct) {
    const n = nodes.find((x) => x.name === direct[1]);
    if (!n) throw new Error(`no node ${direct[1]} for ${component}`);
    return n;
  }
  if (topology === 'galera-one-proxy') return proxy!;
  if (topology === 'one-node') return nodes[0]!;
  const m = /^(?:cell|client)-(\d+)$/.exec(component);
  if (m) return nodes[Number(m[1]) % nodes.length]!;
  if (component === 'bulker') return nodes[1 % nodes.length]!;
  return nodes[0]!;
}

/** pool.end(), but no longer than `ms`: a connection to a dead node may never answer its QUIT. */
async function endWithin(p: mysql.Pool, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.end().finally(() => clearTimeout(timer)),
    new Promise<void>((res) => {
      timer = setTimeout(res, ms);
    }),
  ]);
}

export async function startScaleTarget(
  topology: ScaleTopology,
  o: TargetOptions,
): Promise<ScaleTarget> {
  if (topology === 'etcd') return startEtcdScaleTarget(o);
  const cluster = await startLocalCluster({
    nodes: topology === 'one-node' ? 1 : 3,
    addressBase: o.addressBase,
    firstHost: 11,
    log: o.log,
    ...(o.logDir ? { logDir: o.logDir } : {}),
  });
  const pools = new Map<string, mysql.Pool>();
  // Every socket the pools open: a pool's end() leaves a socket whose node was killed (or one still
  // connecting to it) open, and that socket alone keeps the process from exiting. Destroyed at stop.
  const sockets = new Set<Socket>();
  let healthchecks: HealthcheckHandle[] = [];
  let proxy: SwitchboardHandle | null = null;
  const stopSide = async (): Promise<void> => {
    await Promise.allSettled([...pools.values()].map((p) => endWithin(p, 5000)));
    pools.clear();
    for (const s of sockets) s.destroy();
    sockets.clear();
    await proxy?.stop().catch(() => {});
    await Promise.allSettled(healthchecks.map((h) => h.stop()));
  };
  const unregister = registerCleanup('scale pools and proxy', stopSide);
  try {
    const nodes: Endpoint[] = cluster.nodes.map((n) => ({
      name: n.name,
      host: n.host,
      port: n.port,
    }));
    let proxyEp: Endpoint | null = null;
    if (topology === 'galera-one-proxy') {
      healthchecks = await startHealthchecks(cluster.nodes, cluster, { port: 9200 });
      proxyEp = { name: 'proxy1', host: `${o.addressBase}.21`, port: 3306 };
      proxy = await startSwitchboard({
        name: 'proxy1',
        listen: { host: proxyEp.host, port: proxyEp.port },
        backends: cluster.nodes.map((n, i) => ({
          name: n.name,
          host: n.host,
          port: n.port,
          healthUrl: healthchecks[i]!.statusUrl,
        })),
        rule: 'lowest-index',
      });
      const deadline = Date.now() + 30_000;
      while (proxy.activeBackend() === null) {
        if (Date.now() > deadline)
          throw new Error('the proxy found no healthy backend within 30 s');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const pool = (component: string): mysql.Pool => {
      let p = pools.get(component);
      if (!p) {
        const ep = endpointFor(topology, component, nodes, proxyEp);
        p = mysql.createPool({
          host: ep.host,
          port: ep.port,
          user: cluster.user,
          password: cluster.password,
          database: cluster.database,
          connectionLimit: o.poolSize ?? 24,
          supportBigNumbers: true,
          // mysql2 calls this for each connection's socket (what it does itself without it, plus the record).
          stream: () => {
            const s = connect(ep.port, ep.host);
            s.setNoDelay(true);
            sockets.add(s);
            s.once('close', () => sockets.delete(s));
            return s;
          },
        });
        pools.set(component, p);
      }
      return p;
    };
    await createSchema(pool('admin'));
    if (o.presence) await applyPresenceMigration(pool('admin'));
    const describe =
      topology === 'one-node'
        ? 'one MariaDB node (a one-node Galera cluster), every component on it'
        : topology === 'galera-one-proxy'
          ? '3-node Galera cluster, every component through one switchboard proxy (lowest-index rule)'
          : '3-node Galera cluster, components spread over the nodes (cells and clients by number, bulkers on n2, convergence on n1)';
    return {
      cluster,
      etcd: null,
      workDir: cluster.workDir,
      presence: o.presence === true,
      pool,
      nodes,
      describe,
      busiestNode: () => proxy?.activeBackend() ?? nodes[0]!.name,
      async stop() {
        unregister();
        await stopSide();
        await cluster.stop();
      },
    };
  } catch (e) {
    unregister();
    await stopSide();
    await cluster.stop();
    throw e;
  }
}
