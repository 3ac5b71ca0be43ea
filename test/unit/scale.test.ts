// The pure parts of `bbs-lab scale`, on small fixed inputs worked by hand: the population plan's
// counts, percentiles, the knee (measured, projected, not reached), the figures a report prints
// from raw samples, the database counters' deltas, which endpoint a component uses, and the
// scenario's errors naming their field.

import test from 'ava';
import fc from 'fast-check';
import { populationCounts, tasksAt } from '../../lab/scale/populate.ts';
import {
  firstToLeave,
  opFigures,
  renderReport,
  storeComparison,
  knees,
  type ScaleResults,
  type SizeResult,
} from '../../lab/scale/report.ts';
import { statusDelta } from '../../lab/scale/resources.ts';
import {
  parseScaleScenario,
  ScaleScenarioError,
  validateScaleScenario,
} from '../../lab/scale/scenario.ts';
import { knee, percentile, summarise } from '../../lab/scale/stats.ts';
import { endpointFor } from '../../lab/scale/topology.ts';
import type { Sample, TrialRecord } from '../../lab/scale/trials.ts';

const SHAPE = { instances: 2, cells: 3, domains: 2, tasksPerLrp: 0.5 };

test('population plan: 20 LRPs × 2 instances, 2 domains, 0.5 tasks per LRP', (t) => {
  const c = populationCounts(11, 20, SHAPE);
  t.is(c.desiredLRPs, 20);
  t.is(c.actualLRPs, 40);
  t.is(c.tasks, 10);
  t.is(c.domains, 2);
  t.deepEqual(c.desiredPerDomain, { 'domain-0': 10, 'domain-1': 10 });
  t.deepEqual(c.tasksPerDomain, { 'domain-0': 5, 'domain-1': 5 });
  t.deepEqual(Object.keys(c.actualPerCell), ['cell-0', 'cell-1', 'cell-2']);
  t.is(
    Object.values(c.actualPerCell).reduce((a, b) => a + b, 0),
    40,
  );
  t.is(
    Object.values(c.tasksPerCell).reduce((a, b) => a + b, 0),
    10,
  );
  t.is(tasksAt(25, { ...SHAPE, tasksPerLrp: 0.1 }), 3); // round(2.5)
  t.is(tasksAt(1000, { ...SHAPE, tasksPerLrp: 0 }), 0);
});

test('population plan: a larger size extends a smaller one (no row moves) and the totals follow the shape', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 1000 }),
      fc.integer({ min: 0, max: 300 }),
      fc.integer({ min: 0, max: 300 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 7 }),
      (seed, a, b, inst, cells) => {
        const shape = { instances: inst, cells, domains: 2, tasksPerLrp: 0.3 };
        const small = populationCounts(seed, a, shape);
        const big = populationCounts(seed, a + b, shape);
        const sum = (r: Record<string, number>) => Object.values(r).reduce((x, y) => x + y, 0);
        return (
          sum(big.actualPerCell) === (a + b) * inst &&
          sum(big.tasksPerCell) === Math.round((a + b) * 0.3) &&
          Object.keys(small.actualPerCell).every(
            (k) =>
              small.actualPerCell[k]! <= big.actualPerCell[k]! &&
              small.tasksPerCell[k]! <= big.tasksPerCell[k]!,
          )
        );
      },
    ),
  );
  t.pass();
});

test('percentiles: nearest rank, worked by hand', (t) => {
  t.is(percentile([120, 10, 50, 40, 30], 0.5), 40);
  t.is(percentile([120, 10, 50, 40, 30], 0.99), 120);
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  t.is(percentile(hundred, 0.5), 51);
  t.is(percentile(hundred, 0.99), 100);
  t.is(percentile([], 0.5), null);
  t.deepEqual(summarise([3, 1, 2]), { n: 3, p50: 2, p99: 3, max: 3 });
});

test('percentiles against a reference: an element of the set with at least q of the values at or below it', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 50 }),
      fc.double({ min: 0, max: 0.999, noNaN: true }),
      (xs, q) => {
        const p = percentile(xs, q)!;
        return xs.includes(p) && xs.filter((x) => x <= p).length >= Math.floor(q * xs.length) + 1;
      },
    ),
  );
  t.pass();
});

test('knee: measured at the first size over budget', (t) => {
  t.deepEqual(
    knee(
      [
        { size: 1000, p99: 100 },
        { size: 5000, p99: 2000 },
        { size: 20000, p99: 40000 },
      ],
      30000,
    ),
    { kind: 'measured', size: 20000, p99: 40000 },
  );
});

test('knee: projected on a log-log line (slope 1: ten times the size at ten times the latency)', (t) => {
  const k = knee(
    [
      { size: 1000, p99: 100 },
      { size: 10000, p99: 1000 },
    ],
    30000,
  );
  t.is(k.kind, 'projected');
  t.is((k as { size: number }).size, 300000);
  t.is(Math.round((k as { slope: number }).slope * 1e9) / 1e9, 1);
});

test('knee: not reached when the projection is beyond 100× the largest size, the latency fell, or one size only', (t) => {
  // slope 0.5: 4000 × 150² = 90 000 000 LRPs.
  t.is(
    knee(
      [
        { size: 1000, p99: 100 },
        { size: 4000, p99: 200 },
      ],
      30000,
    ).kind,
    'not-reached',
  );
  t.is(
    knee(
      [
        { size: 1000, p99: 300 },
        { size: 4000, p99: 200 },
      ],
      30000,
    ).kind,
    'not-reached',
  );
  t.is(knee([{ size: 1000, p99: 300 }], 30000).kind, 'not-reached');
  // Three sizes, fitted: log-log points (0,0), (1,2), (2,2) in units of ln 10 give slope 1.
  const k = knee(
    [
      { size: 1, p99: 1 },
      { size: 10, p99: 100 },
      { size: 100, p99: 100 },
    ],
    1000,
  );
  t.is(k.kind, 'projected');
  t.is(Math.round((k as { slope: number }).slope * 1000) / 1000, 1);
  // Mean point (1, 4/3), slope 1: 1000 ms (3) at log s = 1 + (3 − 4/3) = 8/3, s = 10^(8/3) ≈ 464.
  t.is((k as { size: number }).size, 464);
  t.is(
    knee(
      [
        { size: 1000, p99: null },
        { size: 2000, p99: 40000 },
      ],
      30000,
    ).kind,
    'measured',
  );
});

const sample = (op: Sample['op'], ms: number, rows?: number, error?: string): Sample => ({
  op,
  ms,
  ...(rows !== undefined ? { rows } : {}),
  ...(error ? { error } : {}),
});

function trial(size: number, samples: Sample[]): TrialRecord {
  return {
    size,
    trial: 1,
    wallMs: 0,
    samples,
    status: { Rows_read: 1000, wsrep_local_cert_failures: 1 },
    process: { cpuSec: 1, rssMiB: 100 },
    convergence: {
      version: 'today',
      modelled: true,
      notes: [],
      gather: {},
      fixes: {
        created: 0,
        removed: 0,
        stoppedByCell: 0,
        unclaimed: 0,
        startRequests: 0,
        errors: {},
      },
      gatherMs: 0,
      fixMs: 0,
      gatherErrors: [],
    },
  };
}

function sizeResult(size: number, samples: Sample[], workload: Sample[] = []): SizeResult {
  return {
    size,
    populateMs: 0,
    counts: { desiredLRPs: size, actualLRPs: size, tasks: 0, domains: 1 },
    rowMismatches: [],
    trials: [trial(size, samples)],
    workload,
    load1: { before: 1, after: 1 },
  };
}

test('report figures: from the raw samples, errors left out of the latencies and counted', (t) => {
  const s = sizeResult(
    100,
    [
      sample('rep-bulk-loop', 5, 40),
      sample('rep-bulk-loop', 1, 40),
      sample('rep-bulk-loop', 3, 41),
      sample('rep-bulk-loop', 900, undefined, '1047'),
    ],
    [sample('workload-write', 7), sample('workload-write', 9)],
  );
  t.deepEqual(opFigures(s, 'rep-bulk-loop'), {
    op: 'rep-bulk-loop',
    n: 3,
    p50: 3,
    p99: 5,
    max: 5,
    rows: 40,
    errors: 1,
  });
  t.deepEqual(opFigures(s, 'workload-write'), {
    op: 'workload-write',
    n: 2,
    p50: 9,
    p99: 9,
    max: 9,
    rows: null,
    errors: 0,
  });
});

const scenario = validateScaleScenario({ sizes: [1000, 10000] });

function results(conv: [number, number], rep: [number, number]): ScaleResults {
  return {
    kind: 'bbs-lab-scale',
    scenario,
    provenance: {
      lab: { commit: 'abc', dirty: false },
      node: 'v20',
      mariadb: null,
      galera: null,
      etcd: null,
      machine: { cores: 2, memoryGiB: 4 },
    },
    startedAt: 's',
    finishedAt: 'f',
    command: 'bbs-lab scale x.yaml',
    topologies: [
      {
        topology: 'galera-one-proxy',
        describe: 'd',
        sizes: [
          sizeResult(1000, [sample('convergence', conv[0]), sample('rep-bulk-loop', rep[0])]),
          sizeResult(10000, [sample('convergence', conv[1]), sample('rep-bulk-loop', rep[1])]),
        ],
      },
    ],
  };
}

test('knees and the first op to leave its budget: a measured knee beats a projected one', (t) => {
  const r = results([1000, 40000], [100, 1000]);
  const ks = knees(r);
  t.deepEqual(ks.find((k) => k.op === 'convergence')?.knee, {
    kind: 'measured',
    size: 10000,
    p99: 40000,
  });
  const rep = ks.find((k) => k.op === 'rep-bulk-loop')?.knee as {
    kind: string;
    size: number;
    slope: number;
  };
  t.deepEqual([rep.kind, rep.size, Math.round(rep.slope * 1e9) / 1e9], ['projected', 300000, 1]);
  t.is(firstToLeave(ks)?.op, 'convergence');
  const md = renderReport(r);
  t.true(
    md.includes(
      'The first to leave its budget: **convergence**, over its 30 s budget at 10000 LRPs (p99 40.0 s)',
    ),
  );
  t.true(
    md.includes(
      '| galera-one-proxy | rep-bulk-loop | 30 s | within budget at every size; a log-log line fitted through every size (slope 1.00) reaches 30 s near 300,000 LRPs (projection) |',
    ),
  );
});

test('report: the node kill names the workload errors by message; the etcd topology prints dashes for the counters it has not', (t) => {
  const r = results([1000, 2000], [100, 200]);
  const last = r.topologies[0]!.sizes[1]!;
  last.kill = {
    node: 'n1',
    afterMs: 500,
    during: trial(10000, [sample('convergence', 10)]),
    down: trial(10000, [sample('convergence', 10)]),
    rejoinMs: 9500,
    writes: { ok: 3, failed: 2, errors: { ResourceExists: 1, '1047': 1 } },
  };
  const etcdSize = sizeResult(1000, [sample('convergence', 5)]);
  etcdSize.trials[0]!.status = {};
  r.topologies.push({ topology: 'etcd', describe: 'e', sizes: [etcdSize] });
  const md = renderReport(r);
  t.true(
    md.includes(
      'The ordinary workload through both trials: 3 writes ok, 2 failed (1047 ×1; ResourceExists ×1).',
    ),
  );
  t.true(md.includes('| 1,000 | – | – | – | 1.00 | 100 | 1.00 → 1.00 |'));
  t.true(md.includes('| 1,000 | 1,000 | 1 | 0.00 | 1.00 | 100 | 1.00 → 1.00 |'));
});

test('report: the etcd store against the SQL one at the largest size both measured', (t) => {
  const r = results([1000, 2000], [100, 200]);
  t.is(storeComparison(r), null, 'no etcd topology');
  r.topologies.push({
    topology: 'etcd',
    describe: 'e',
    sizes: [
      sizeResult(10000, [sample('convergence', 3000), sample('rep-bulk-loop', 500)]),
      sizeResult(20000, [sample('convergence', 9000)]),
    ],
  });
  const line =
    "The legacy etcd store at 10,000 desired LRPs against galera-one-proxy (p50, etcd vs SQL): rep-bulk-loop 500.0 ms vs 200.0 ms (×2.5), convergence 3.00 s vs 2.00 s (×1.5). On etcd every bulk read fetches its whole tree, a cell's loop included.";
  t.is(storeComparison(r), line);
  t.true(renderReport(r).includes(line));
});

test('status deltas: counters summed over nodes, memory the largest node after', (t) => {
  const d = statusDelta(
    [{ Rows_read: 10, wsrep_local_cert_failures: 1, Memory_used: 5 }, { Rows_read: 100 }],
    [
      { Rows_read: 30, wsrep_local_cert_failures: 4, Memory_used: 9 },
      { Rows_read: 150, Memory_used: 12 },
    ],
  );
  t.deepEqual(d, { Rows_read: 70, wsrep_local_cert_failures: 3, Memory_used: 12 });
});

test('endpoints: one proxy for all, node 1 alone, or cells and clients spread, bulkers on n2, convergence on n1', (t) => {
  const nodes = ['n1', 'n2', 'n3'].map((name, i) => ({ name, host: `h${i}`, port: 3306 }));
  const proxy = { name: 'proxy1', host: 'p', port: 3306 };
  t.is(endpointFor('galera-one-proxy', 'cell-4', nodes, proxy).name, 'proxy1');
  t.is(endpointFor('one-node', 'cell-4', nodes.slice(0, 1), null).name, 'n1');
  t.is(endpointFor('galera-every-node', 'cell-4', nodes, null).name, 'n2');
  t.is(endpointFor('galera-every-node', 'client-2', nodes, null).name, 'n3');
  t.is(endpointFor('galera-every-node', 'bulker', nodes, null).name, 'n2');
  t.is(endpointFor('galera-every-node', 'convergence', nodes, null).name, 'n1');
  // Each node's counters are read on that node, also behind the proxy.
  t.is(endpointFor('galera-one-proxy', 'status-n3', nodes, proxy).name, 'n3');
  t.is(endpointFor('galera-every-node', 'status-n2', nodes, null).name, 'n2');
});

test('scenario errors name the field and the fix, all at once', (t) => {
  const e = t.throws(
    () =>
      validateScaleScenario({
        sizes: [5000, 1000],
        topologies: ['mysql'],
        population: { cells: 0, colour: 1 },
        bbs: { version: '2015-01' },
        trials: 0,
        extra: true,
      }),
    { instanceOf: ScaleScenarioError },
  );
  const p = (e as ScaleScenarioError).problems.join('\n');
  for (const want of [
    'sizes: must be ascending',
    'topologies[0]: "mysql" is no topology',
    'population.cells: must be a whole number from 1',
    'population.colour: unknown field',
    'bbs.version: "2015-01" is no BBS profile',
    'trials: must be a whole number from 1',
    'extra: unknown field',
  ])
    t.true(p.includes(want), want);
  t.throws(() => parseScaleScenario('sizes: [1, ', 'x.yaml'), {
    message: /x\.yaml: invalid scale scenario\n {2}not valid YAML/,
  });
  t.throws(() => validateScaleScenario({ population: {} }), {
    message: /sizes: give a list of desired LRP counts/,
  });
  const ok = validateScaleScenario({ sizes: [10, 20] });
  t.deepEqual(
    [ok.trials, ok.population.cells, ok.topologies, ok.bbs.version, ok.budgets.convergenceSec],
    [3, 10, ['galera-one-proxy'], 'today', 30],
  );
});
