// What a cluster reused between runs must look like before the next run: the state a fresh start
// had (read once, right after that start) against the state read after the reset. Pure: both
// snapshots in, the differences out, one line each; an empty list is a clean cluster.

import type { Scenario } from '../scenario/types.ts';

export interface NodeSnapshot {
  name: string;
  /** wsrep_local_state 4 = Synced. */
  localState: number;
  clusterStatus: string;
  clusterSize: number;
  ready: boolean;
  /** SHOW DATABASES. */
  databases: string[];
  /** Tables in the lab's database. */
  tables: string[];
  /** Connections of the lab's user (clients, proxies' pools): none may outlive a run. */
  labConnections: number;
  /** Open InnoDB transactions (information_schema.innodb_trx): a held row lock shows here. */
  openTransactions: number;
  /** SHOW GLOBAL VARIABLES, without those that move on their own (VOLATILE). */
  variables: Record<string, string>;
}

export interface ClusterSnapshot {
  nodes: NodeSnapshot[];
  /** iptables rules of the lab's chains that name a node's address. */
  partitionRules: string[];
}

/**
 * Global variables that change while a healthy cluster runs (positions, the start position a
 * restarted node was given, the clock): comparing them would call every reused cluster dirty.
 */
export const VOLATILE =
  /^(gtid_.*|wsrep_start_position|timestamp|last_insert_id|wsrep_last_.*|innodb_buffer_pool_load_.*|innodb_buffer_pool_dump_.*|wsrep_cluster_address|wsrep_node_incoming_address|log_bin_basename|pseudo_thread_id)$/;

/**
 * A reused cluster is only comparable with one of the same shape: these settings make a run's
 * topology.
 */
export function warmKey(s: Pick<Scenario, 'topology'>, addressBase: string): string | null {
  // Only the local provider: the lab owns its processes, their sockets and iptables. A Docker, SSH
  // or external target is started (or connected) fresh every run.
  if (s.topology.provider !== 'local') return null;
  return JSON.stringify({
    provider: 'local',
    nodes: s.topology.nodes,
    failureDetection: s.topology.failureDetection,
    galera: s.topology.galera ?? null,
    addressBase,
  });
}

/** Why `now` is not the state a fresh start had (`fresh`), one line each; [] when it is. */
export function dirtyState(fresh: ClusterSnapshot, now: ClusterSnapshot): string[] {
  const problems: string[] = [];
  const size = fresh.nodes.length;
  for (const f of fresh.nodes) {
    const n = now.nodes.find((x) => x.name === f.name);
    if (!n) {
      problems.push(`${f.name}: did not answer`);
      continue;
    }
    if (n.localState !== 4 || n.clusterStatus !== 'Primary' || n.clusterSize !== size || !n.ready) {
      problems.push(
        `${f.name}: not Synced in a Primary component of ${size} (state ${n.localState}, ${n.clusterStatus}, size ${n.clusterSize}${n.ready ? '' : ', not ready'})`,
      );
    }
    const extra = n.databases.filter((d) => !f.databases.includes(d));
    const missing = f.databases.filter((d) => !n.databases.includes(d));
    if (extra.length > 0)
      problems.push(`${f.name}: database(s) a fresh start does not have: ${extra.join(', ')}`);
    if (missing.length > 0) problems.push(`${f.name}: database(s) missing: ${missing.join(', ')}`);
    if (n.tables.length > 0)
      problems.push(`${f.name}: the lab's database still has table(s) ${n.tables.join(', ')}`);
    if (n.labConnections > 0)
      problems.push(`${f.name}: ${n.labConnections} connection(s) of the lab's user still open`);
    if (n.openTransactions > 0)
      problems.push(`${f.name}: ${n.openTransactions} open transaction(s)`);
    const keys = new Set([...Object.keys(f.variables), ...Object.keys(n.variables)]);
    const changed = [...keys]
      .filter((k) => !VOLATILE.test(k) && f.variables[k] !== n.variables[k])
      .sort();
    if (changed.length > 0)
      problems.push(
        `${f.name}: global variable(s) not as started: ${changed.map((k) => `${k}=${n.variables[k] ?? '(unset)'} (was ${f.variables[k] ?? '(unset)'})`).join(', ')}`,
      );
  }
  for (const r of now.partitionRules) problems.push(`partition rule left: ${r}`);
  return problems;
}
