// Holm's step-down correction over every comparison a campaign makes: with m comparisons, the
// smallest p-value must pass alpha / m, the next alpha / (m − 1), and so on, stopping at the first
// that fails. The chance that any comparison is called distinguishable when nothing differs stays
// at most alpha, however many are made (a campaign makes hundreds).

/**
 * Holm-adjusted p-values, in the order given: the k-th smallest p becomes
 * max over j ≤ k of min(1, (m − j + 1) · p(j)). A comparison passes at level alpha when its
 * adjusted p is at most alpha.
 */
export function holmAdjust(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], j) => {
    running = Math.max(running, Math.min(1, (m - j) * p));
    out[i] = running;
  });
  return out;
}
