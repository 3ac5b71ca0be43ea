// What the runner needs from a workload: a reproducible op stream per client, and a way to run
// one op on a pool. The BBS workload (BBS API calls) and the list-append workload (Elle-style
// transactions on plain SQL tables) both fit it.

import type mysql from 'mysql2/promise';
import type { ConnectionLender } from '../../bbs/db/connection.ts';
import type { ExecOutcome } from '../client/outcome.ts';

export interface WorkloadOp {
  f: string;
  /** The per-key partition for the linearizability checker; absent for multi-key transactions. */
  key?: string;
  /** Recorded as the invoke's value and given to the executor. */
  value: unknown;
}

export type { ExecOutcome };

export type Executor = (op: WorkloadOp) => Promise<ExecOutcome>;

export interface Workload {
  /** Creates the tables, once, through one target. */
  setup(pool: mysql.Pool): Promise<void>;
  stream(seed: number, client: number): Iterator<WorkloadOp>;
  executor(source: ConnectionLender): Executor;
  /** A read of everything the workload wrote, after it stopped; recorded as a FinalRead op. */
  finalRead(pool: mysql.Pool): Promise<unknown>;
}
