import test from 'ava';
import { METRICS, metricProblem, metricsListing } from '../../lab/investigate/metrics.ts';

test('--metrics lists every metric once with its unit and meaning, arguments shown as a campaign writes them', (t) => {
  const text = metricsListing();
  const lines = text.split('\n');
  for (const [id, m] of Object.entries(METRICS)) {
    const line = lines.find((l) => l.startsWith(m.arg ? `${id}:<` : `${id} `));
    t.truthy(line, id);
    t.true(line!.includes(` ${m.unit} `), `${id} shows its unit`);
    t.true(line!.includes(m.label), `${id} shows its meaning`);
  }
  t.regex(
    text,
    /^deadlocksPer1000ByOp:<op name> +per 1,000 ops +lower is better +1213s per 1,000 ops of <op name>$/m,
  );
});

test('an unknown metric name points to --metrics', (t) => {
  t.regex(metricProblem('deadlocks') ?? '', /bbs-lab investigate --metrics/);
});
