// A node's Galera status from its wsrep status variables: one query and one reading for every
// provider (local nodes over the root socket, Docker and external targets over SQL).

import mysql from 'mysql2/promise';
import type { NodeStatus } from './cluster.ts';

export const WSREP_STATUS_SQL =
  "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state','wsrep_cluster_status','wsrep_cluster_size','wsrep_ready')";

/** The status from the variables; null when the server is not Galera (no wsrep_local_state). */
export function nodeStatusFrom(v: ReadonlyMap<string, string>): NodeStatus | null {
  if (!v.has('wsrep_local_state')) return null;
  return {
    localState: Number(v.get('wsrep_local_state')),
    clusterStatus: v.get('wsrep_cluster_status') ?? 'unknown',
    clusterSize: Number(v.get('wsrep_cluster_size') ?? 0),
    ready: v.get('wsrep_ready') === 'ON',
  };
}

/** Reads the status over a fresh connection, closed afterwards. */
export async function readNodeStatus(opts: mysql.ConnectionOptions): Promise<NodeStatus | null> {
  const c = await mysql.createConnection(opts);
  try {
    const [rows] = await c.query(WSREP_STATUS_SQL);
    return nodeStatusFrom(
      new Map(
        (rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, r.Value]),
      ),
    );
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** What a node that answered without wsrep variables (not yet a Galera member) is taken to be. */
export const NOT_A_MEMBER: NodeStatus = {
  localState: 0,
  clusterStatus: 'unknown',
  clusterSize: 0,
  ready: false,
};
