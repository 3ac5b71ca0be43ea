// A broken BBS invariant: which one, on which key, the ops that show it, and why.

export type InvariantName =
  | 'task-started-on-two-cells'
  | 'completed-task-result-changed'
  | 'instance-held-by-two-cells'
  | 'modification-index-went-back'
  | 'acknowledged-write-lost'
  | 'crash-bookkeeping-wrong'
  | 'domains-read-wrong'
  | 'domain-upsert-refused-wrongly';

export interface Violation {
  invariant: InvariantName;
  key: string;
  /** Op ids (history `op`) of the ops that show it. */
  ops: number[];
  explanation: string;
}
