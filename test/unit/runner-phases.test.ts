// The phase clock on a fixed clock: each phase gets the time until the next one starts, so the
// phases sum to the run's wall time; the progress line and results.json reading on the same run.

import test from 'ava';
import fc from 'fast-check';
import {
  formatPhases,
  overheadSec,
  PHASES,
  PhaseClock,
  phasesOf,
  type PhaseName,
} from '../../lab/runner/phases.ts';

/** A clock that reads the next value of `ms` each time it is asked. */
const steps = (ms: number[]) => {
  let i = 0;
  return () => ms[Math.min(i++, ms.length - 1)]!;
};

test('a run object: each phase gets the time until the next starts, and they sum to the wall time', (t) => {
  // ms:      start 0 | cluster at 100 | routing at 22,300 | workload at 23,100 | recovery at 53,100
  //          final read at 53,400 | teardown at 53,900 | checks at 56,900 | report at 58,100 | end
  //          59,500
  const clock = new PhaseClock(
    steps([0, 100, 22_300, 23_100, 53_100, 53_400, 53_900, 56_900, 58_100, 59_500]),
  );
  for (const p of [
    'clusterStart',
    'routingStart',
    'workload',
    'recoveryWait',
    'finalRead',
    'teardown',
    'checks',
    'report',
  ] as PhaseName[])
    clock.enter(p);
  const p = clock.times();
  t.deepEqual(p, {
    other: 0.1,
    clusterStart: 22.2,
    routingStart: 0.8,
    workload: 30,
    recoveryWait: 0.3,
    finalRead: 0.5,
    teardown: 3,
    checks: 1.2,
    report: 1.4,
    wallSec: 59.5,
  });
  t.is(overheadSec(p), 29.5);
  t.is(
    formatPhases(p),
    'cluster 22.2 s, routing 0.8 s, workload 30.0 s, recovery 0.3 s, final read 0.5 s, checks 1.2 s, report 1.4 s, teardown 3.0 s, other 0.1 s; overhead 29.5 s',
  );
  t.deepEqual(phasesOf({ phases: p }), p);
  t.is(phasesOf({}), null);
});

test('a phase entered twice adds up, and the current phase counts up to now', (t) => {
  const clock = new PhaseClock(steps([0, 1000, 3000, 3500, 4000]));
  clock.enter('workload'); // 1000
  clock.enter('checks'); // 3000
  clock.enter('workload'); // 3500
  const p = clock.times(); // 4000
  t.is(p.workload, 2.5);
  t.is(p.checks, 0.5);
  t.is(p.other, 1);
  t.is(p.wallSec, 4);
});

test('property: the rounded phases sum to the wall time within rounding', (t) => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          phase: fc.constantFrom(...PHASES),
          gap: fc.double({ min: 0, max: 1e5, noNaN: true }),
        }),
        { maxLength: 30 },
      ),
      fc.double({ min: 0, max: 1e5, noNaN: true }),
      (entries, last) => {
        const times = [0];
        for (const e of entries) times.push(times[times.length - 1]! + e.gap);
        times.push(times[times.length - 1]! + last);
        const clock = new PhaseClock(steps(times));
        for (const e of entries) clock.enter(e.phase);
        const p = clock.times();
        const sum = PHASES.reduce((a, k) => a + p[k], 0);
        // Each of the 9 phases and the wall time is rounded to 0.01 s: at most 0.005 s off each.
        return Math.abs(sum - p.wallSec) <= 10 * 0.005 + 1e-9 && PHASES.every((k) => p[k] >= 0);
      },
    ),
  );
  t.pass();
});
