// What running one op on a connection gave: the client side's answer, which a workload's executor
// returns and the runner records.

import type { OpError } from '../history/event.ts';

export interface ExecOutcome {
  /** The op's result when it ran to the end; otherwise `error` says what went wrong. */
  value?: unknown;
  error?: OpError;
  conn?: number;
  node?: string;
  attempts?: number;
  retried?: OpError[];
}
