// An external target seen through the Cluster contract, so the runner, the workload and the final
// read work unchanged. Its hosts are named n1, n2, … in the order given. It has no node abilities:
// the lab does not run these servers (only link faults apply). status() reads the wsrep status over
// SQL when the target is Galera, and reports a plain MySQL (RDS) as always Synced.

import { readFileSync, rmSync } from 'node:fs';
import mysql from 'mysql2/promise';
import type { Cluster, NodeStatus } from '../cluster.ts';
import { ownedTempDir } from '../../lifecycle/owned.ts';
import { readNodeStatus } from '../wsrep-status.ts';
import { targetPassword, type ExternalTarget } from './target.ts';

export function connectionOptions(
  t: ExternalTarget,
  password: string,
): Pick<mysql.ConnectionOptions, 'user' | 'password' | 'database' | 'ssl'> {
  const ssl = t.tls
    ? t.caFile
      ? { ca: [readFileSync(t.caFile, 'utf8')], rejectUnauthorized: true }
      : { rejectUnauthorized: true }
    : undefined;
  return { user: t.user, password, database: t.database, ...(ssl ? { ssl } : {}) };
}

export async function connectExternal(
  t: ExternalTarget,
  log: (m: string) => void = () => {},
): Promise<Cluster> {
  const password = targetPassword(t);
  const nodes = t.hosts.map((h, i) => ({
    name: `n${i + 1}`,
    host: h.host,
    port: h.port,
    ordinal: i,
  }));
  const conn = connectionOptions(t, password);
  // Fail now, naming the host, rather than with every op of the run.
  for (const n of nodes) {
    const c = await mysql
      .createConnection({ host: n.host, port: n.port, ...conn, connectTimeout: 5000 })
      .catch((e: Error) => {
        throw new Error(
          `external target ${t.name}: cannot connect to ${n.host}:${n.port} as ${t.user}: ${e.message}`,
        );
      });
    await c.end();
  }
  log(
    `external target ${t.name}: ${nodes.map((n) => `${n.name} = ${n.host}:${n.port}`).join(', ')}`,
  );
  // An owned temp dir like the local provider's, so cleanup also finds what a killed lab recorded
  // here.
  const workDir = ownedTempDir({ external: t.name });
  const status = async (name: string): Promise<NodeStatus> => {
    const n = nodes.find((x) => x.name === name);
    if (!n) throw new Error(`external target ${t.name}: no node ${name}`);
    // A plain MySQL (RDS) has no wsrep variables: one node, always Synced.
    return (
      (await readNodeStatus({ host: n.host, port: n.port, ...conn, connectTimeout: 5000 })) ?? {
        localState: 4,
        clusterStatus: 'Primary',
        clusterSize: 1,
        ready: true,
      }
    );
  };
  return {
    provider: 'external',
    nodes,
    user: t.user,
    password,
    database: t.database,
    ...(conn.ssl ? { ssl: conn.ssl as mysql.SslOptions } : {}),
    workDir,
    status,
    abilities: {},
    async waitSynced(name, _size, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while ((await status(name)).localState !== 4) {
        if (Date.now() > deadline)
          throw new Error(`external target ${t.name}: ${name} not Synced within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 500));
      }
    },
    async stop() {
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
