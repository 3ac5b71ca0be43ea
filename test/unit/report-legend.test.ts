import test from 'ava';
import fc from 'fast-check';
import { legendLayout, legendTop } from '../../lab/report/charts/common.ts';
import { errorsChart } from '../../lab/report/charts/errors.ts';

const OPS = [
  'ClaimActualLRP',
  'CompleteTask',
  'DesireLRP',
  'DesireTask',
  'FailTask',
  'RemoveActualLRP',
  'RemoveDesiredLRP',
  'StartActualLRP',
  'StartTask',
  'TaskByGuid',
  'UpdateDesiredLRP',
];

test('a legend of eleven op types wraps onto rows inside the chart, left to right, and the plot starts below it', (t) => {
  const at = legendLayout(OPS, 900);
  // Widths 22 + 6 per character: the first row holds what fits in 10…890.
  t.is(at[0]!.x, 10);
  t.true(
    at.every((p, i) => p.x >= 10 && p.x + 22 + OPS[i]!.length * 6 <= 890),
    'every item inside the chart',
  );
  const rows = new Set(at.map((p) => p.y)).size;
  t.true(rows >= 2, `${rows} rows`);
  t.is(legendTop(OPS, 900), 22 + rows * 14 + 6);
  const svg = errorsChart({ '1213 deadlock': Object.fromEntries(OPS.map((o) => [o, 1])) }, 'op');
  t.regex(
    svg,
    new RegExp(`translate\\(170,${legendTop(OPS, 900)}\\)`),
    'the plot is translated below the legend',
  );
});

test('property: legend items never cross the right edge unless one label alone is wider than the chart, and never overlap', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ minLength: 1, maxLength: 30 }), { maxLength: 20 }),
      fc.integer({ min: 200, max: 1200 }),
      (labels, width) => {
        const at = legendLayout(labels, width);
        for (let i = 0; i < labels.length; i++) {
          const w = 22 + labels[i]!.length * 6;
          if (at[i]!.x + w > width - 10 && at[i]!.x !== 10) return false;
          const next = at[i + 1];
          if (next && next.y === at[i]!.y && next.x < at[i]!.x + w) return false;
        }
        return true;
      },
    ),
  );
  t.pass();
});
