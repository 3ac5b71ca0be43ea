// What a scale run measures against, as a type: the topologies (topology.ts) and the etcd store
// (etcd-target.ts) both build one, so the type lives apart from both.
import type mysql from 'mysql2/promise';
import type { EtcdClient } from '../../bbs/etcd/client.ts';
import type { LocalGalera } from '../providers/local/cluster.ts';

export interface Endpoint {
  name: string;
  host: string;
  port: number;
}

export interface ScaleTarget {
  /** The Galera cluster; null for the etcd store. */
  cluster: LocalGalera | null;
  /** The legacy etcd store's client; null for the SQL topologies. */
  etcd: EtcdClient | null;
  /** The lab temp dir in the server processes' command lines (their CPU and memory are read by it). */
  workDir: string;
  /** A pool for a component: `cell-3`, `bulker`, `convergence`, `client-1`, `admin` (SQL only). */
  pool(component: string): mysql.Pool;
  /** Each node, directly (for SHOW GLOBAL STATUS). */
  nodes: Endpoint[];
  describe: string;
  /** actual_lrps has the presence column (today's convergence makes Suspect LRPs). */
  presence: boolean;
  /** The node a kill hurts most: the proxy's active backend, else n1 (convergence's node). */
  busiestNode(): string;
  stop(): Promise<void>;
}

export interface TargetOptions {
  addressBase: string;
  log: (m: string) => void;
  logDir?: string;
  /** Connections per component pool (convergence needs its workers). */
  poolSize?: number;
  /** Apply migration 1529530809 (the presence column, today's Suspect LRPs) after the schema. */
  presence?: boolean;
}
