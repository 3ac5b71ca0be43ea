// The share of ops that took at least the BBS's retry pause (500 ms at every version: the
// transact helper sleeps that long between attempts). With a retry, p99 is a threshold effect: a
// few percent of ops retried once put p99 just past the pause, whatever else changed. This share
// says how many ops paid the pause, which is what the retry costs a caller.

export interface Delayed {
  thresholdMs: number;
  /** Completed ops (ok, fail, info). */
  ops: number;
  /** Of them, those whose latency (invoke → completion) was at least thresholdMs. */
  count: number;
  /** count / ops; 0 without ops. */
  share: number;
}

export function delayedShare(latenciesMs: readonly number[], thresholdMs: number): Delayed {
  const count = latenciesMs.filter((l) => l >= thresholdMs).length;
  return {
    thresholdMs,
    ops: latenciesMs.length,
    count,
    share: latenciesMs.length > 0 ? count / latenciesMs.length : 0,
  };
}
