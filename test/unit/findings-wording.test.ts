import test from 'ava';
import fc from 'fast-check';
import { plainNumber } from '../../lab/investigate/chart.ts';
import { labelWithUnit, metricWords } from '../../lab/investigate/metrics.ts';
import { describeInterval, rangeText } from '../../lab/report/intervals.ts';

test('axis ticks are plain numbers, never exponent notation', (t) => {
  t.is(plainNumber(10), '10');
  t.is(plainNumber(60), '60');
  t.is(plainNumber(0.25), '0.25');
  t.is(plainNumber(1500), '1,500');
  t.is(plainNumber(-0.5), '−0.5');
  fc.assert(
    fc.property(
      fc.double({ min: -1e7, max: 1e7, noNaN: true }),
      (x) => !/e[+-]/i.test(plainNumber(x)),
    ),
  );
});

test('a unit the words already say is not repeated; a bare count has none', (t) => {
  t.is(labelWithUnit('1213s per 1,000 ops', 'per 1,000 ops'), '1213s per 1,000 ops');
  t.is(
    labelWithUnit('1213s per 1,000 ops of StartTask', 'per 1,000 ops'),
    '1213s per 1,000 ops of StartTask',
  );
  t.is(labelWithUnit('ok latency p99', 'ms'), 'ok latency p99 (ms)');
  t.is(labelWithUnit('isolation anomalies', 'count'), 'isolation anomalies');
});

test('metric names read as their words in prose; an unknown name stays as written', (t) => {
  t.is(metricWords('deadlocksPer1000ByOp:ClaimActualLRP'), '1213s per 1,000 ops of ClaimActualLRP');
  t.is(metricWords('bbsOutageSec'), 'longest interval with no successful op (whole BBS)');
  t.is(metricWords('noSuchMetric'), 'noSuchMetric');
});

test('negative intervals read as a range, not a subtraction', (t) => {
  t.is(rangeText('-0.84', '-0.62'), '−0.84 to −0.62');
  t.is(rangeText('-0.5', '1.2'), '−0.5 to 1.2');
  t.is(rangeText('2.9', '12.2'), '2.9–12.2');
  t.is(
    describeInterval(
      { median: -0.7, low: -0.84, high: -0.62, n: 3, coverage: 0.75, values: [] } as never,
      (x) => x.toFixed(2),
    ),
    '−0.70 (−0.84 to −0.62, 3 runs, 75% interval for the median)',
  );
});
