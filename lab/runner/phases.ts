// Where a run's wall time goes: one clock that is always in exactly one phase, so the phases add up
// to the run's wall time by construction (time in no named phase, such as making the run
// directory, is `other`). Pure apart from the clock it is given; results.json stores what it
// measured (`phases`) and the campaign's progress line prints it.

export const PHASES = [
  'clusterStart',
  'routingStart',
  'workload',
  'recoveryWait',
  'finalRead',
  'checks',
  'report',
  'teardown',
  'other',
] as const;
export type PhaseName = (typeof PHASES)[number];

/** Seconds per phase (2 decimals) and the run's wall time. */
export type PhaseTimes = Record<PhaseName, number> & { wallSec: number };

/** How a progress line names a phase. */
export const PHASE_LABELS: Record<PhaseName, string> = {
  clusterStart: 'cluster',
  routingStart: 'routing',
  workload: 'workload',
  recoveryWait: 'recovery',
  finalRead: 'final read',
  checks: 'checks',
  report: 'report',
  teardown: 'teardown',
  other: 'other',
};

const round2 = (x: number) => Math.round(x * 100) / 100;

export class PhaseClock {
  private current: PhaseName = 'other';
  private since: number;
  private readonly started: number;
  private readonly ms: Record<PhaseName, number> = Object.fromEntries(
    PHASES.map((p) => [p, 0]),
  ) as Record<PhaseName, number>;

  /** `now` in milliseconds (performance.now by default; tests give a fixed clock). */
  constructor(private readonly now: () => number = () => performance.now()) {
    this.started = this.since = now();
  }

  /** From now on the time goes to `phase` (until the next enter). */
  enter(phase: PhaseName): void {
    const t = this.now();
    this.ms[this.current] += t - this.since;
    this.current = phase;
    this.since = t;
  }

  /** The phase the clock is in. */
  get phase(): PhaseName {
    return this.current;
  }

  /** The times so far (the current phase counted up to now); the clock keeps running. */
  times(): PhaseTimes {
    const t = this.now();
    const out = Object.fromEntries(
      PHASES.map((p) => [
        p,
        round2((this.ms[p] + (p === this.current ? t - this.since : 0)) / 1000),
      ]),
    ) as Record<PhaseName, number>;
    return { ...out, wallSec: round2((t - this.started) / 1000) };
  }
}

/** Everything but the workload: what a warm cluster is meant to shrink. */
export function overheadSec(p: PhaseTimes): number {
  return round2(p.wallSec - p.workload);
}

/** "cluster 22.1 s, routing 0.8 s, …" for a progress line: the phases that took time, in order. */
export function formatPhases(p: PhaseTimes): string {
  const parts = PHASES.filter((k) => p[k] >= 0.05 || k === 'workload').map(
    (k) => `${PHASE_LABELS[k]} ${p[k].toFixed(1)} s`,
  );
  return `${parts.join(', ')}; overhead ${overheadSec(p).toFixed(1)} s`;
}

/** The phases from a results.json, or null for a run that did not record them. */
export function phasesOf(results: unknown): PhaseTimes | null {
  const p = (results as { phases?: unknown } | null)?.phases;
  if (typeof p !== 'object' || p === null) return null;
  const o = p as Record<string, unknown>;
  if (typeof o.wallSec !== 'number') return null;
  const out = { wallSec: o.wallSec } as PhaseTimes;
  for (const k of PHASES) out[k] = typeof o[k] === 'number' ? (o[k] as number) : 0;
  return out;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The campaign summary's line: the median overhead of warm and of cold runs. */
export function overheadSummary(
  runs: readonly { start: 'warm' | 'cold'; phases: PhaseTimes }[],
): string {
  const part = (kind: 'warm' | 'cold') => {
    const xs = runs.filter((r) => r.start === kind).map((r) => overheadSec(r.phases));
    return xs.length === 0
      ? null
      : `${kind} ${median(xs).toFixed(1)} s (${xs.length} run${xs.length === 1 ? '' : 's'})`;
  };
  return `overhead per run (all but the workload), median: ${[part('warm'), part('cold')].filter((x) => x !== null).join(', ')}`;
}
