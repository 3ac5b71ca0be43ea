// What install and attach mode each provide to the SSH cluster; partitions, logs, the record and
// the heal-on-exit are the cluster's (lab/providers/ssh/cluster.ts), the same for both.

import type { AdminAbility, KillAbility, NodeStatus, PauseAbility } from '../cluster.ts';
import type { HostTouched } from './record.ts';

export type Touch = (node: string, change: Partial<HostTouched>) => void;

export interface ModeDriver {
  user: string;
  password: string;
  database: string;
  status(node: string): Promise<NodeStatus>;
  waitSynced(node: string, size: number, timeoutMs: number): Promise<void>;
  kill?: KillAbility;
  pause?: PauseAbility;
  admin?: AdminAbility;
  /** The node's error log, or null when it cannot be read. */
  errorLog(node: string): Promise<string | null>;
  /** Leaves the hosts as the mode found them (nodes stopped and removed, or faults undone). */
  stop(): Promise<void>;
}
