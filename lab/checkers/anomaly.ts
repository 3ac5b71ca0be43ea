// The one shape of what any checker finds, after Elle's anomalies: a type, the ops that show it,
// the keys it is about, the consistency models it rules out, and the facts an explanation needs.
// The report, the charts, `check --json` and the self-test loop over a list of these, so a new
// checker's findings reach all of them without an edit there. Data only: the sentences about an
// anomaly are the report's (lab/report/anomaly-wording.ts).

export interface Anomaly {
  /**
   * The checker that found it: its name in the registry and its field in results.json's `check`.
   */
  checker: string;
  /** What was found, in the checker's terms: 'not-linearizable', an invariant's name, 'G1c', … */
  type: string;
  /**
   * History op ids (the `op` field of history.jsonl) of the ops that show it, as the checker lists
   * them.
   */
  ops: number[];
  /** The keys it is about; empty when it is about no one key. */
  keys: string[];
  /**
   * The consistency models it rules out (Elle's names for isolation; 'linearizable' for a key that
   * is not).
   */
  ruledOut: string[];
  /** The facts an explanation needs (JSON, no sentences): e.g. the model, the cycle's steps. */
  data: Record<string, unknown>;
}
