// Zeros over few seeds (lab/investigate/zeros.ts): the bound worked by hand, and which figures
// count.

import test from 'ava';
import fc from 'fast-check';
import { zeroFigures, zeroNote, zeroUpperBound } from '../../lab/investigate/zeros.ts';

test('the 95% bound on the share of runs, worked by hand: 1 − 0.05^(1/n)', (t) => {
  // 1 run: 95%. 3 runs: 0.05^(1/3) = 0.3684, so 63.2%. 4: 0.05^(1/4) = 0.4729, so 52.7%. 12:
  // 0.7791, so 22.1%.
  t.is(Math.round(zeroUpperBound(1) * 1000), 950);
  t.is(Math.round(zeroUpperBound(3) * 1000), 632);
  t.is(Math.round(zeroUpperBound(4) * 1000), 527);
  t.is(Math.round(zeroUpperBound(12) * 1000), 221);
  t.throws(() => zeroUpperBound(0), { message: /n must be a whole number of runs ≥ 1, got 0/ });
});

test('at the bound, n zeros in a row happen 5% of the time; the bound shrinks as runs grow', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 500 }), (n) => {
      const b = zeroUpperBound(n);
      return Math.abs((1 - b) ** n - 0.05) < 1e-9 && zeroUpperBound(n + 1) < b;
    }),
  );
  t.pass();
});

const fig = (label: string, values: number[]) => ({
  metric: label,
  label,
  unit: '',
  digits: 0,
  interval: {
    n: values.length,
    missing: 0,
    median: 0,
    low: 0,
    high: Math.max(...values),
    coverage: 0,
    values,
  },
});

test('a metric counts when every run of a variant was 0; variants are grouped by their run count', (t) => {
  const q = {
    metrics: ['anomaly events', 'lost writes'],
    variants: [
      {
        name: 'none',
        metrics: {
          'anomaly events': fig('anomaly events', [0, 2, 0]),
          'lost writes': fig('lost writes', [0, 0, 0]),
        },
      },
      {
        name: 'all',
        metrics: {
          'anomaly events': fig('anomaly events', [0, 0, 0]),
          'lost writes': fig('lost writes', [0, 0, 0]),
        },
      },
      {
        name: 'sync',
        metrics: {
          'anomaly events': fig('anomaly events', [0, 0]),
          'lost writes': fig('lost writes', [1, 0]),
        },
      },
    ],
  };
  const zs = zeroFigures(q as never);
  t.deepEqual(
    zs.map((z) => [z.metric, z.variants, z.runs]),
    [
      ['anomaly events', ['sync'], 2],
      ['anomaly events', ['all'], 3],
      ['lost writes', ['none', 'all'], 3],
    ],
  );
  const note = zeroNote(zs)!;
  // 2 runs: 1 − 0.05^(1/2) = 77.6%; 3 runs: 63%.
  t.regex(note, /anomaly events in sync \(0 in all 2 runs: up to 78% of runs could show it\)/);
  t.regex(note, /lost writes in none, all \(0 in all 3 runs: up to 63% of runs could show it\)/);
  t.is(zeroNote([]), null);
});
