// A reused cluster's check (warm-state.ts) on fixed snapshots worked by hand, the topology key, and
// the campaign summary's overhead line.

import test from 'ava';
import fc from 'fast-check';
import {
  dirtyState,
  warmKey,
  type ClusterSnapshot,
  type NodeSnapshot,
} from '../../lab/runner/warm-state.ts';
import { overheadSummary, type PhaseTimes } from '../../lab/runner/phases.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';

const DEFAULT_SCENARIO_FOR_TESTS = parseScenario(
  'name: w\nquestion: q\nduration: 5s\ntopology: { nodes: 3, proxies: 1 }\nclients: { count: 2, via: proxies }\n',
  'w',
);

const node = (name: string, over: Partial<NodeSnapshot> = {}): NodeSnapshot => ({
  name,
  localState: 4,
  clusterStatus: 'Primary',
  clusterSize: 3,
  ready: true,
  databases: ['bbs', 'information_schema', 'mysql', 'performance_schema', 'sys'],
  tables: [],
  labConnections: 0,
  openTransactions: 0,
  variables: {
    max_connections: '151',
    wsrep_provider_options: 'evs.suspect_timeout = PT5S',
    gtid_binlog_pos: '0-1-10',
    wsrep_start_position: '00000000-0000-0000-0000-000000000000:-1',
  },
  ...over,
});
const fresh: ClusterSnapshot = { nodes: [node('n1'), node('n2'), node('n3')], partitionRules: [] };

test('a cluster as started is clean, also with its positions moved on', (t) => {
  t.deepEqual(dirtyState(fresh, fresh), []);
  const moved = {
    ...fresh,
    nodes: fresh.nodes.map((n) =>
      node(n.name, {
        variables: { ...n.variables, gtid_binlog_pos: '0-1-999', wsrep_start_position: 'abc:42' },
      }),
    ),
  };
  t.deepEqual(dirtyState(fresh, moved), []);
});

test('every kind of leftover is named, one line each', (t) => {
  const now: ClusterSnapshot = {
    nodes: [
      node('n1', { tables: ['tasks', 'domains'], labConnections: 2, openTransactions: 1 }),
      node('n2', {
        localState: 2,
        clusterSize: 2,
        variables: { ...fresh.nodes[1]!.variables, max_connections: '10' },
      }),
      // n3 did not answer (paused or killed)
    ],
    partitionRules: ['-A BBSLAB-1-aa -s 127.0.200.13/32 -d 127.0.200.11/32 -j DROP'],
  };
  t.deepEqual(dirtyState(fresh, now), [
    "n1: the lab's database still has table(s) tasks, domains",
    "n1: 2 connection(s) of the lab's user still open",
    'n1: 1 open transaction(s)',
    'n2: not Synced in a Primary component of 3 (state 2, Primary, size 2)',
    'n2: global variable(s) not as started: max_connections=10 (was 151)',
    'n3: did not answer',
    'partition rule left: -A BBSLAB-1-aa -s 127.0.200.13/32 -d 127.0.200.11/32 -j DROP',
  ]);
});

test('a database more or less than at the start is named', (t) => {
  const now = {
    ...fresh,
    nodes: [
      node('n1', {
        databases: ['information_schema', 'mysql', 'performance_schema', 'scratch', 'sys'],
      }),
      fresh.nodes[1]!,
      fresh.nodes[2]!,
    ],
  };
  t.deepEqual(dirtyState(fresh, now), [
    'n1: database(s) a fresh start does not have: scratch',
    'n1: database(s) missing: bbs',
  ]);
});

test('property: clean exactly when every node equals its fresh snapshot (volatile variables aside) and no rule is left', (t) => {
  const arbNode = (name: string) =>
    fc
      .record({
        tables: fc.array(fc.constantFrom('tasks', 'domains'), { maxLength: 2 }),
        labConnections: fc.nat(2),
        openTransactions: fc.nat(2),
        localState: fc.constantFrom(2, 4),
        maxConn: fc.constantFrom('151', '10'),
      })
      .map((r) =>
        node(name, {
          tables: r.tables,
          labConnections: r.labConnections,
          openTransactions: r.openTransactions,
          localState: r.localState,
          variables: { ...fresh.nodes[0]!.variables, max_connections: r.maxConn },
        }),
      );
  fc.assert(
    fc.property(
      fc.tuple(arbNode('n1'), arbNode('n2'), arbNode('n3')),
      fc.boolean(),
      (nodes, rule) => {
        const now: ClusterSnapshot = { nodes, partitionRules: rule ? ['-A x -j DROP'] : [] };
        const same =
          nodes.every(
            (n) =>
              n.tables.length === 0 &&
              n.labConnections === 0 &&
              n.openTransactions === 0 &&
              n.localState === 4 &&
              n.variables.max_connections === '151',
          ) && !rule;
        return (dirtyState(fresh, now).length === 0) === same;
      },
    ),
  );
  t.pass();
});

test('warm only on the local provider, and only for the same nodes, failure detection and addresses', (t) => {
  const s = DEFAULT_SCENARIO_FOR_TESTS;
  const k = warmKey(s, '127.0.200');
  t.not(k, null);
  t.is(
    warmKey({ topology: { ...s.topology, proxies: 3 } }, '127.0.200'),
    k,
    'proxies are restarted every run: not part of the key',
  );
  t.not(warmKey({ topology: { ...s.topology, nodes: 5 } }, '127.0.200'), k);
  t.not(warmKey({ topology: { ...s.topology, failureDetection: 'fast' } }, '127.0.200'), k);
  t.not(
    warmKey({ topology: { ...s.topology, galera: { suspectTimeout: 2 } } }, '127.0.200'),
    k,
    "Galera's failure-detection settings are the nodes' start options",
  );
  t.not(warmKey(s, '127.0.201'), k);
  t.is(warmKey({ topology: { ...s.topology, provider: 'docker' } }, '127.0.200'), null);
});

test('the campaign summary: median overhead of warm and of cold runs', (t) => {
  const p = (wallSec: number, workload: number) => ({ wallSec, workload }) as PhaseTimes;
  // overheads: cold 31.6, 35 → median 33.3; warm 3.7, 4.1, 5 → median 4.1
  const runs = [
    { start: 'cold' as const, phases: p(36.9, 5.3) },
    { start: 'warm' as const, phases: p(7.8, 4.1) },
    { start: 'warm' as const, phases: p(9.1, 5) },
    { start: 'cold' as const, phases: p(40, 5) },
    { start: 'warm' as const, phases: p(10, 5) },
  ];
  t.is(
    overheadSummary(runs),
    'overhead per run (all but the workload), median: warm 4.1 s (3 runs), cold 33.3 s (2 runs)',
  );
  t.is(
    overheadSummary(runs.slice(0, 1)),
    'overhead per run (all but the workload), median: cold 31.6 s (1 run)',
  );
});
