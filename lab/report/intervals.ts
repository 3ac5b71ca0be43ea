// A figure over several runs (one per seed): its median and a distribution-free confidence
// interval for that median, from order statistics. No normality is assumed: the figures the lab
// repeats (outage seconds, 1213s per 1,000 ops) are skewed and a handful of seeds is typical.
//
// For n sorted samples x(1) ≤ … ≤ x(n), [x(k), x(n+1−k)] holds the true median with probability
// 1 − 2·P(Binomial(n, ½) < k). We take the narrowest such interval whose coverage is at least the
// target (90% by default); with too few runs for that (n < 5), the whole range, and say how sure
// it is (3 runs: 75%). Two figures are "distinguishable" only when their intervals do not overlap.

export interface Interval {
  /** Runs the figure was measured in (missing values are left out and counted in `missing`). */
  n: number;
  missing: number;
  median: number;
  low: number;
  high: number;
  /** Probability that [low, high] holds the true median (0 when n < 2). */
  coverage: number;
  /** Every value, in run order, for charts that show each seed as a point. */
  values: number[];
}

/** P(Binomial(n, ½) < k). */
function binomialBelow(n: number, k: number): number {
  let p = 0;
  let c = 1; // C(n, 0)
  for (let i = 0; i < k; i++) {
    p += c;
    c = (c * (n - i)) / (i + 1);
  }
  return p / 2 ** n;
}

export function medianOf(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

export function interval(values: readonly (number | null | undefined)[], target = 0.9): Interval {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const missing = values.length - xs.length;
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return { n, missing, median: NaN, low: NaN, high: NaN, coverage: 0, values: xs };
  if (n === 1)
    return { n, missing, median: s[0]!, low: s[0]!, high: s[0]!, coverage: 0, values: xs };
  // Largest k (narrowest interval) that still reaches the target; k = 1 (the range) otherwise.
  let k = 1;
  while (k + 1 <= Math.floor((n + 1) / 2) && 1 - 2 * binomialBelow(n, k + 1) >= target) k++;
  return {
    n,
    missing,
    median: medianOf(s),
    low: s[k - 1]!,
    high: s[n - k]!,
    coverage: 1 - 2 * binomialBelow(n, k),
    values: xs,
  };
}

/** True when the two intervals do not overlap, so the runs tell the two apart. */
export function distinguishable(a: Interval, b: Interval): boolean {
  if (a.n < 2 || b.n < 2) return false;
  return a.high < b.low || b.high < a.low;
}

/** A number as text with a true minus sign (−0.84, not -0.84). */
export const minus = (text: string): string => text.replace(/^-/, '−');

/**
 * "2.9–12.2", or "−0.84 to −0.62" when an end is negative: a dash between two minus signs reads
 * as a subtraction.
 */
export function rangeText(low: string, high: string): string {
  const [a, b] = [minus(low), minus(high)];
  return a.startsWith('−') || b.startsWith('−') ? `${a} to ${b}` : `${a}–${b}`;
}

/** "3.1 (2.9–12.2, 3 runs, 75%)" with a formatter for the unit. */
export function describeInterval(
  i: Interval,
  fmt: (x: number) => string = (x) => x.toFixed(1),
): string {
  if (i.n === 0) return 'n/a';
  if (i.n === 1) return `${fmt(i.median)} (1 run, no interval)`;
  return `${minus(fmt(i.median))} (${rangeText(fmt(i.low), fmt(i.high))}, ${i.n} runs, ${Math.round(i.coverage * 100)}% interval for the median)`;
}
