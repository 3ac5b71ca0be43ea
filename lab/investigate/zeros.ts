// A zero over few seeds is weak evidence: a figure that was 0 in every run of a variant says only
// that the thing it counts is rare enough to miss n times running. The bound is the exact binomial
// one (the "rule of three" for large n): the largest share of runs showing it that would still
// give n zeros in a row 5% of the time.

import type { QuestionFigures } from './aggregate.ts';

/** The 95% upper bound on the share of runs in which something never seen in `n` runs happens. */
export function zeroUpperBound(n: number, confidence = 0.95): number {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`zeroUpperBound: n must be a whole number of runs ≥ 1, got ${n}`);
  return 1 - (1 - confidence) ** (1 / n);
}

export interface ZeroFigure {
  metric: string;
  label: string;
  variants: string[];
  runs: number;
  upperBound: number;
}

/** Every metric that was 0 in every run of some variants, grouped by metric and run count. */
export function zeroFigures(q: Pick<QuestionFigures, 'metrics' | 'variants'>): ZeroFigure[] {
  const out: ZeroFigure[] = [];
  for (const m of q.metrics) {
    const byRuns = new Map<number, string[]>();
    let label = m;
    for (const v of q.variants) {
      const f = v.metrics[m];
      if (!f) continue;
      label = f.label;
      const i = f.interval;
      if (i.n >= 1 && i.values.length === i.n && i.values.every((x) => x === 0))
        byRuns.set(i.n, [...(byRuns.get(i.n) ?? []), v.name]);
    }
    for (const [runs, variants] of [...byRuns].sort((a, b) => a[0] - b[0]))
      out.push({ metric: m, label, variants, runs, upperBound: zeroUpperBound(runs) });
  }
  return out;
}

/** The findings' sentence on them, or null when no figure was 0 throughout. */
export function zeroNote(zs: readonly ZeroFigure[]): string | null {
  if (zs.length === 0) return null;
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const parts = zs.map(
    (z) =>
      `${z.label} in ${z.variants.join(', ')} (0 in all ${z.runs} run${z.runs === 1 ? '' : 's'}: up to ${pct(z.upperBound)} of runs could show it)`,
  );
  return `**Zeros over few seeds are weak evidence.** ${parts.join('; ')}. The bound is the largest share of runs showing at least one that would still give that many zeros in a row 5% of the time (1 − 0.05^(1/n)); more seeds narrow it.`;
}
