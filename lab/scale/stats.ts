// The figures of a scale report, pure: latency percentiles of an op's samples, and the knee: the
// smallest size at which an op's p99 leaves its budget, or, when no measured size did, the size a
// log-log line through the two largest sizes reaches it at (a projection, labelled so).

/**
 * Nearest-rank percentile of unsorted values: the sorted value at floor(q·n) (as
 * lab/report/rate.ts).
 */
export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

export interface LatencySummary {
  n: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

export function summarise(values: readonly number[]): LatencySummary {
  return {
    n: values.length,
    p50: percentile(values, 0.5),
    p99: percentile(values, 0.99),
    max: values.length === 0 ? null : Math.max(...values),
  };
}

export interface SizePoint {
  size: number;
  /** The op's p99 at that size (ms), null when it was not measured. */
  p99: number | null;
}

export type Knee =
  | { kind: 'measured'; size: number; p99: number }
  | { kind: 'projected'; size: number; slope: number }
  | { kind: 'not-reached'; reason: string };

/**
 * Where an op leaves its budget (ms). Measured: the smallest size whose p99 exceeds it. Projected:
 * p99 ∝ size^slope fitted (least squares, log-log) over every measured size, solved for the
 * budget; only when the slope is positive and the answer within 100× the largest size.
 */
export function knee(points: readonly SizePoint[], budgetMs: number): Knee {
  const pts = points
    .filter((p): p is { size: number; p99: number } => p.p99 !== null && p.p99 > 0)
    .sort((a, b) => a.size - b.size);
  const over = pts.find((p) => p.p99 > budgetMs);
  if (over) return { kind: 'measured', size: over.size, p99: over.p99 };
  if (pts.length < 2) return { kind: 'not-reached', reason: 'fewer than two measured sizes' };
  // Least squares of log p99 on log size over every measured size: two points alone follow the
  // machine's load of the moment too closely.
  const xs = pts.map((p) => Math.log(p.size));
  const ys = pts.map((p) => Math.log(p.p99));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / sxx;
  if (!(slope > 0)) return { kind: 'not-reached', reason: 'latency did not grow with size' };
  const largest = pts[pts.length - 1]!.size;
  const size = Math.round(Math.exp(mx + (Math.log(budgetMs) - my) / slope));
  // A line through a few sizes says little about a curve a hundredfold beyond them.
  if (size > 100 * largest)
    return {
      kind: 'not-reached',
      reason: `a log-log line through the sizes (slope ${slope.toFixed(2)}) reaches it only beyond 100× the largest size`,
    };
  return { kind: 'projected', size, slope };
}

export function kneeText(k: Knee, budgetSec: number): string {
  switch (k.kind) {
    case 'measured':
      return `over its ${budgetSec} s budget at ${k.size} LRPs (p99 ${(k.p99 / 1000).toFixed(1)} s)`;
    case 'projected':
      return `within budget at every size; a log-log line fitted through every size (slope ${k.slope.toFixed(2)}) reaches ${budgetSec} s near ${k.size.toLocaleString('en')} LRPs (projection)`;
    case 'not-reached':
      return `within budget at every size; no projection (${k.reason})`;
  }
}
