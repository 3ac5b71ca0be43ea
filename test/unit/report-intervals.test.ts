import test from 'ava';
import { describeInterval, distinguishable, interval } from '../../lab/report/intervals.ts';

// Coverages worked out by hand: P(Bin(n,½) < k) summed from binomial coefficients.
test('3 runs: the range, which holds the median with 1 − 2·(1/8) = 75%', (t) => {
  const i = interval([12.2, 2.9, 3.1]);
  t.deepEqual([i.n, i.median, i.low, i.high], [3, 3.1, 2.9, 12.2]);
  t.is(i.coverage, 0.75);
  t.deepEqual(i.values, [12.2, 2.9, 3.1]);
  t.is(describeInterval(i), '3.1 (2.9–12.2, 3 runs, 75% interval for the median)');
});

test('5 runs: still the range (k=2 would cover only 1 − 2·6/32 = 62.5%), 1 − 2/32 = 93.75%', (t) => {
  const i = interval([5, 1, 4, 2, 3]);
  t.deepEqual([i.median, i.low, i.high, i.coverage], [3, 1, 5, 0.9375]);
});

test('10 runs: the 2nd to 9th values, 1 − 2·11/1024 ≈ 97.9%; the 3rd to 8th would be 89.1%', (t) => {
  const i = interval([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  t.deepEqual([i.median, i.low, i.high], [5.5, 2, 9]);
  t.is(i.coverage, 1 - 22 / 1024);
});

test('missing values are counted, not averaged in; one run has no interval', (t) => {
  const i = interval([null, 4, undefined]);
  t.deepEqual([i.n, i.missing, i.median, i.coverage], [1, 2, 4, 0]);
  t.is(describeInterval(i), '4.0 (1 run, no interval)');
  t.is(describeInterval(interval([])), 'n/a');
});

test('distinguishable only when the intervals do not overlap', (t) => {
  t.true(distinguishable(interval([1, 2, 3]), interval([4, 5, 6])));
  t.false(distinguishable(interval([1, 2, 4]), interval([4, 5, 6])));
  t.false(distinguishable(interval([1]), interval([9])));
});
