// The clients' side of the topology: one mysql2 pool per target, the sources several clients share,
// and each client's connection source and executor, as its client configuration
// (lab/client/configs/) builds them over the started routing.

import mysql from 'mysql2/promise';
import type { ConnectionLender } from '../../bbs/db/connection.ts';
import {
  clientConfig,
  type ConnectionSource,
  type SourceContext,
  type Target,
} from '../client/configs/index.ts';
import type { Cluster } from '../providers/cluster.ts';
import type { Scenario } from '../scenario/types.ts';
import type { Executor, Workload } from '../workload/types.ts';
import { CONSUL_SERVICE_NAME } from './routing-start.ts';
import type { Routing } from './routing-state.ts';

/** The connections the topology holds for its clients, ended with it. */
export interface ClientPools {
  pool(t: Target): mysql.Pool;
  shared: SourceContext['shared'];
  login: SourceContext['login'];
  end(): Promise<void>;
}

export function createClientPools(cluster: Cluster, poolSize: number): ClientPools {
  const pools = new Map<string, mysql.Pool>();
  const shared = new Map<string, { lender: ConnectionLender; end(): Promise<void> }>();
  // TLS settings of an external target (the local nodes need none).
  const login = {
    user: cluster.user,
    password: cluster.password,
    database: cluster.database,
    ...(cluster.ssl ? { ssl: cluster.ssl } : {}),
  };
  return {
    login,
    pool(t) {
      let p = pools.get(t.name);
      if (!p) {
        p = mysql.createPool({
          host: t.host,
          port: t.port,
          ...login,
          connectionLimit: poolSize,
          connectTimeout: 5000,
          enableKeepAlive: true,
        });
        // A pool emits errors of idle connections (a proxy severing them); the next op sees its
        // own.
        p.on('connection', (c) => c.on('error', () => {}));
        pools.set(t.name, p);
      }
      return p;
    },
    shared(name, make) {
      let x = shared.get(name);
      if (!x) {
        x = make();
        shared.set(name, x);
      }
      return x.lender;
    },
    async end() {
      await Promise.allSettled([...pools.values()].map((p) => p.end()));
      pools.clear();
      await Promise.allSettled([...shared.values()].map((x) => x.end()));
      shared.clear();
    },
  };
}

export interface ClientSources {
  /**
   * What the history records as a client's proxy: its target, or its configuration's name when each
   * connection picks anew.
   */
  label(client: number): string;
  executor(client: number): Executor;
}

/**
 * Each client's source as its configuration picks it; clients with the same source share one
 * executor.
 */
export function clientSources(
  s: Scenario,
  workload: Workload,
  pools: ClientPools,
  routing: Routing,
): ClientSources {
  const config = clientConfig(s.clients.config);
  const ctx: SourceContext = {
    targets: routing.targets,
    pool: (t) => pools.pool(t),
    shared: pools.shared,
    login: pools.login,
    consul: routing.consul
      ? { dns: routing.consul.dnsAddress, serviceName: CONSUL_SERVICE_NAME }
      : null,
    seed: s.seed ?? 0,
  };
  const sourceFor = (c: number): ConnectionSource => config.source(s, ctx, c);
  const executors = new Map<string, Executor>();
  return {
    label: (c) => sourceFor(c).name,
    executor(c) {
      const src = sourceFor(c);
      let e = executors.get(src.name);
      if (!e) {
        e = workload.executor(src.lender);
        executors.set(src.name, e);
      }
      return e;
    },
  };
}
