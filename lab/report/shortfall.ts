// Whether a run made the ops its scenario needs to mean something (issue 27): a run on a busy
// machine can check a fifth of the ops of an idle one and miss what the idle one finds, so a
// scenario states its needs (workload.minOps, workload.minOpsPerOp) and the report says when a run
// fell short. Counted from the reach (ops that ran to the end: an op that failed or is unknown
// showed no state). Pure.

export interface Needs {
  /** Ops (all kinds together) that must run to the end; 0: none stated. */
  minOps: number;
  /** Ops of each kind the run made that must run to the end; 0: none stated. */
  minOpsPerOp: number;
}

export interface Shortfall {
  needs: Needs;
  /** Ops that ran to the end. */
  okOps: number;
  /** Op kinds made with fewer than minOpsPerOp that ran to the end, with their count, by name. */
  shortOps: Record<string, number>;
  /**
   * True when the run fell short of a stated need: its silence says less than the scenario meant.
   */
  short: boolean;
}

/**
 * What the shortfall reads of a run's reach (report/reach.ts, which imports this file): ops run to
 * the end, by kind.
 */
export interface OpsReached {
  ops: Record<string, { ok: number }>;
}

export function shortfallOf(reach: OpsReached, needs: Needs): Shortfall {
  const ok = Object.entries(reach.ops).filter(([f]) => f !== 'txn');
  const okOps = ok.reduce((a, [, r]) => a + r.ok, 0);
  const shortOps =
    needs.minOpsPerOp > 0
      ? Object.fromEntries(
          ok
            .filter(([, r]) => r.ok < needs.minOpsPerOp)
            .map(([f, r]) => [f, r.ok])
            .sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)),
        )
      : {};
  const short = (needs.minOps > 0 && okOps < needs.minOps) || Object.keys(shortOps).length > 0;
  return { needs, okOps, shortOps, short };
}

/** The report's sentence, or null when the scenario states no need. */
export function shortfallSentence(s: Shortfall): string | null {
  if (s.needs.minOps === 0 && s.needs.minOpsPerOp === 0) return null;
  const need = [
    s.needs.minOps > 0 ? `${s.needs.minOps} ops run to the end` : null,
    s.needs.minOpsPerOp > 0 ? `${s.needs.minOpsPerOp} of each op it makes` : null,
  ]
    .filter((x) => x !== null)
    .join(' and ');
  if (!s.short)
    return `The scenario needs ${need} to mean something; the run made ${s.okOps}: enough.`;
  const per = Object.entries(s.shortOps).map(([f, n]) => `${f} ${n}`);
  return (
    `FELL SHORT: the scenario needs ${need} to mean something; the run made ${s.okOps}` +
    (per.length > 0 ? ` (below ${s.needs.minOpsPerOp}: ${per.join(', ')})` : '') +
    '. Its silence says less than the scenario meant: run it longer, with a lower load on the machine, or at an offered load (clients.rate) that reaches the need.'
  );
}
