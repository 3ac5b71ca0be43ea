// comparison.md's outage by part (lab/report/comparison-parts.ts) on fixed figures worked by hand.

import test from 'ava';
import {
  mostDifferentPart,
  partsRows,
  renderComparisonParts,
  renderRepeatedParts,
} from '../../lab/report/comparison-parts.ts';
import type { OutageParts } from '../../lab/report/outage-parts.ts';

const zero = { before: 0, detection: 0, health: 0, routing: 0, client: 0, rejoin: 0, after: 0 };
const tl = {
  fault: 'partition-1',
  kind: 'partition',
  target: 'isolate:most-written',
  subject: 'n1',
  start: 10,
  suspected: null,
  detected: 15.5,
  healthSeen: 16,
  routed: 16.5,
  healed: 30,
  rejoined: 33,
};
const run = (
  config: string,
  clients: [string, number, Partial<typeof zero>][],
): { config: string; outageParts: OutageParts } => ({
  config,
  outageParts: {
    logMarks: true,
    faults: [
      {
        timeline: tl,
        clients: clients.map(([client, sec, p]) => ({
          client,
          from: 10,
          to: 10 + sec,
          sec,
          firstErrorAfterSec: 1,
          parts: { ...zero, ...p },
        })),
      },
    ],
  },
});

// Consul DNS: worst client 6.5 s = detection 5.5 + health 0.5 + routing 0.5. Pinned: 23 s =
// detection 5.5 + health 0.5 + client 14 + rejoin 3. One proxy: 7 s = detection 5.5 + health 0.5 +
// routing 0.5 + client 0.5.
const RUNS = [
  run('consul-dns-nodes', [
    ['3', 6.5, { detection: 5.5, health: 0.5, routing: 0.5 }],
    ['1', 2, { detection: 2 }],
  ]),
  run('pinned', [['0', 23, { detection: 5.5, health: 0.5, client: 14, rejoin: 3 }]]),
  run('one-proxy', [['2', 7, { detection: 5.5, health: 0.5, routing: 0.5, client: 0.5 }]]),
  { config: 'old-run' },
];

test("each configuration's worst client, and the part that differs most: the client's own, 14 s pinned against 0 s", (t) => {
  const rows = partsRows(RUNS);
  t.deepEqual(
    rows.map((r) => [r.config, r.client, r.sec]),
    [
      ['consul-dns-nodes', '3', 6.5],
      ['pinned', '0', 23],
      ['one-proxy', '2', 7],
    ],
    'an old run without parts has no row',
  );
  const d = mostDifferentPart(rows)!;
  t.deepEqual(
    [d.part, d.high.config, d.low.config, d.spread],
    ['client', 'pinned', 'consul-dns-nodes', 14],
  );
  t.is(mostDifferentPart(rows.slice(0, 1)), null);
  const md = renderComparisonParts(RUNS);
  t.true(
    md.includes(
      "The part that differs most: the client's own (timeout, pool), 14.0 s with pinned against 0.0 s with consul-dns-nodes.",
    ),
    md,
  );
  t.true(
    md.includes('| pinned | partition-1 | 0 | 23.0 | 0.0 | 5.5 | 0.5 | 0.0 | 14.0 | 3.0 | 0.0 |'),
    md,
  );
  t.is(renderComparisonParts([{ config: 'x' }]), '');
});

test('over several seeds: each part’s median and interval per configuration, and the part whose medians differ most', (t) => {
  const fig = (config: string, detection: number, client: number) => ({
    config,
    outageParts: { ...zero, detection, client },
  });
  // A: detection 5, 6, 7 (median 6, whole range with 3 runs: 75%), client 0. B: detection 5 × 3,
  // client 10, 12, 14 (median 12).
  const runs = [
    fig('A', 5, 0),
    fig('A', 7, 0),
    fig('A', 6, 0),
    fig('B', 5, 10),
    fig('B', 5, 14),
    fig('B', 5, 12),
    { config: 'B', error: 'did not start' },
    { config: 'C' },
  ];
  const md = renderRepeatedParts(runs);
  t.true(
    md.includes(
      "The part whose medians differ most: the client's own (timeout, pool), 12.0 s with B against 0.0 s with A.",
    ),
    md,
  );
  t.true(
    md.includes(
      '| A | 0.0 s (0.0 s–0.0 s, 3 runs, 75% interval for the median) | 6.0 s (5.0 s–7.0 s, 3 runs, 75% interval for the median) |',
    ),
    md,
  );
  t.false(md.includes('| C |'), 'a configuration with no parts (older runs) has no row');
  t.is(renderRepeatedParts([{ config: 'C' }]), '');
});
