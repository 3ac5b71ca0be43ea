// Paired comparison of two variants on one metric: the same seed of both is a pair, so whatever a
// seed does to both (its ops, its fault timing) and whatever the machine did at that point of the
// campaign (runs are interleaved by seed, plan.ts) cancels in the difference. Pure and exact: no
// resampling, so no randomness to seed.
//
// - The estimate is the median of the differences b − a, with the sign-test (order-statistics)
//   interval for it (lab/report/intervals.ts), which assumes nothing about their distribution.
// - The p-value is Wilcoxon's signed-rank test, two-sided, from its exact distribution (zeros
//   dropped, tied magnitudes given their mean rank; the distribution is then the exact one for
//   those ranks, computed by counting sign patterns).
// - The effect size is the matched-pairs rank-biserial correlation (W+ − W−) / (W+ + W−): from −1
//   (b below a in every pair) to 1 (above in every pair).
// - How many seeds would separate what is not separated: see seedsNeeded.

import { interval, medianOf, type Interval } from '../report/intervals.ts';

export interface SignedRank {
  /** Pairs with a non-zero difference (the ones the test uses). */
  n: number;
  wPlus: number;
  wMinus: number;
  /** Two-sided exact p-value; 1 when no difference is non-zero. */
  p: number;
}

/** Ranks 1…n of the values, ties given the mean of the ranks they span. */
export function midranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const r = (i + 1 + j + 1) / 2;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = r;
    i = j + 1;
  }
  return ranks;
}

/**
 * Wilcoxon's signed-rank test on paired differences. Under "no difference" each non-zero
 * difference is as likely positive as negative, independently; W+ (the rank sum of the positive
 * ones) then has a distribution counted exactly over the 2^n sign patterns, on doubled ranks so
 * that mean ranks of ties stay integers. p = P(|W+ − S/2| ≥ |observed − S/2|), S the rank total.
 */
export function signedRank(diffs: readonly number[]): SignedRank {
  const nz = diffs.filter((d) => d !== 0);
  const n = nz.length;
  if (n === 0) return { n: 0, wPlus: 0, wMinus: 0, p: 1 };
  const r2 = midranks(nz.map(Math.abs)).map((r) => Math.round(r * 2));
  const total = r2.reduce((a, r) => a + r, 0);
  const obs = nz.reduce((a, d, i) => a + (d > 0 ? r2[i]! : 0), 0);
  // dist[s]: probability that the doubled W+ is s; each rank joins W+ with probability ½.
  let dist = new Float64Array(total + 1);
  dist[0] = 1;
  for (const r of r2) {
    const next = new Float64Array(total + 1);
    for (let s = 0; s <= total; s++) {
      const q = dist[s]!;
      if (q === 0) continue;
      next[s] = next[s]! + q / 2;
      next[s + r] = next[s + r]! + q / 2;
    }
    dist = next;
  }
  const far = Math.abs(2 * obs - total);
  let p = 0;
  for (let s = 0; s <= total; s++) if (Math.abs(2 * s - total) >= far) p += dist[s]!;
  return { n, wPlus: obs / 2, wMinus: (total - obs) / 2, p: Math.min(1, p) };
}

/**
 * The smallest two-sided p the exact signed-rank test can give with n non-zero pairs: every
 * difference of one sign, so W+ is the rank total or 0, 2 of the 2^n sign patterns.
 */
export function smallestSignedRankP(n: number): number {
  return n <= 0 ? 1 : Math.min(1, 2 / 2 ** n);
}

/**
 * The fewest pairs whose smallest p passes Holm's strictest level (alpha / comparisons): below it no
 * comparison can be called distinguishable, whatever the runs show.
 */
export function pairsToPassHolm(comparisons: number, alpha: number): number {
  let n = 1;
  while (smallestSignedRankP(n) > alpha / Math.max(1, comparisons)) n++;
  return n;
}

/** Matched-pairs rank-biserial correlation; 0 when no difference is non-zero. */
export function rankBiserial(diffs: readonly number[]): number {
  const w = signedRank(diffs);
  return w.wPlus + w.wMinus === 0 ? 0 : (w.wPlus - w.wMinus) / (w.wPlus + w.wMinus);
}

/** The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const a = [
    -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2,
    -3.066479806614716e1, 2.506628277459239,
  ];
  const b = [
    -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1,
    -1.328068155288572e1,
  ];
  const c = [
    -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783,
  ];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** Pitman efficiency of the signed-rank test against the t-test for normal differences: 3/π. */
const WILCOXON_ARE = 3 / Math.PI;
export const SEEDS_NEEDED_CAP = 1000;

export interface SeedsNeeded {
  /** Seeds (pairs) predicted to separate the two, or null when no prediction can be made. */
  seeds: number | null;
  /** Why there is no prediction, or the bound that decided it. */
  reason:
    | 'no difference seen'
    | 'fewer than 2 pairs'
    | 'smallest p'
    | 'spread'
    | 'more than the cap';
}

/**
 * Seeds needed for a difference like the one observed to pass a test at level `alpha` (the
 * corrected level: Holm's strictest step, alpha / comparisons, so the answer is on the safe side)
 * with probability `power`. Two bounds, the larger wins:
 * - an exact signed-rank test on n pairs can give no p below 2 / 2^n, so n ≥ 1 + log2(1 / alpha);
 * - the difference must stand out of its spread: with d̄ and s the mean and standard deviation of
 *   the observed differences, n = ((z(1 − alpha/2) + z(power)) · s / d̄)² for a t-test, divided by
 *   the signed-rank test's efficiency 3/π.
 * At least one more than the pairs already run (they did not separate). No prediction when the
 * mean difference is 0 or fewer than 2 pairs were run.
 */
export function seedsNeeded(diffs: readonly number[], alpha: number, power = 0.8): SeedsNeeded {
  const n = diffs.length;
  if (n < 2) return { seeds: null, reason: 'fewer than 2 pairs' };
  const mean = diffs.reduce((a, d) => a + d, 0) / n;
  if (mean === 0) return { seeds: null, reason: 'no difference seen' };
  const sd = Math.sqrt(diffs.reduce((a, d) => a + (d - mean) ** 2, 0) / (n - 1));
  const byP = Math.ceil(1 + Math.log2(1 / alpha) - 1e-12);
  const z = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  const bySpread = sd === 0 ? 0 : Math.ceil(((z * sd) / Math.abs(mean)) ** 2 / WILCOXON_ARE - 1e-9);
  const seeds = Math.max(byP, bySpread, n + 1);
  if (seeds > SEEDS_NEEDED_CAP) return { seeds: null, reason: 'more than the cap' };
  return { seeds, reason: bySpread > byP ? 'spread' : 'smallest p' };
}

export interface Paired {
  /** Seeds both variants measured, in seed order. */
  seeds: number[];
  /** b − a for each of those seeds. */
  diffs: number[];
  medianDiff: number;
  /** Sign-test interval for the median difference. */
  interval: Interval;
  effect: number;
  p: number;
}

/** The pairs of two variants' values by seed (a seed missing on either side is left out). */
export function pairUp(
  a: ReadonlyMap<number, number | null>,
  b: ReadonlyMap<number, number | null>,
): { seeds: number[]; diffs: number[] } {
  const seeds = [...a.keys()]
    .filter((s) => typeof a.get(s) === 'number' && typeof b.get(s) === 'number')
    .sort((x, y) => x - y);
  return { seeds, diffs: seeds.map((s) => b.get(s)! - a.get(s)!) };
}

export function paired(
  a: ReadonlyMap<number, number | null>,
  b: ReadonlyMap<number, number | null>,
): Paired {
  const { seeds, diffs } = pairUp(a, b);
  const w = signedRank(diffs);
  return {
    seeds,
    diffs,
    medianDiff: medianOf([...diffs].sort((x, y) => x - y)),
    interval: interval(diffs),
    effect: rankBiserial(diffs),
    p: w.p,
  };
}
