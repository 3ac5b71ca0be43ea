// One schema (SCENARIO_SCHEMA) gives both the Scenario type and its reading: the type assertions
// below fail to compile when the two drift, and a generated complete scenario reads back unchanged.

import test from 'ava';
import fc from 'fast-check';
import type { DeadlockRetry } from '../../bbs/versions/index.ts';
import type { FaultKind } from '../../lab/nemesis/types.ts';
import {
  bool,
  int,
  listOf,
  oneOf,
  optional,
  read,
  str,
  type Infer,
} from '../../lab/schema/schema.ts';
import type { ClientConfig, Scenario } from '../../lab/scenario/types.ts';
import { validateScenario } from '../../lab/scenario/validate.ts';

type Eq<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const typeChecks: true[] = [
  true as Eq<Scenario['topology']['nodes'], 1 | 3 | 5>,
  true as Eq<Scenario['seed'], number | undefined>,
  true as Eq<Scenario['topology']['engine'], 'auto' | 'real' | 'lab' | undefined>,
  true as Eq<Scenario['topology']['target'], string | undefined>,
  true as Eq<Scenario['clients']['config'], ClientConfig>,
  true as Eq<Scenario['bbs']['deadlockRetry'], DeadlockRetry | undefined>,
  true as Eq<Scenario['nemesis']['schedule'][number]['kind'], FaultKind>,
  true as Eq<Scenario['nemesis']['schedule'][number]['latencyMs'], number | undefined>,
  true as Eq<Scenario['nemesis']['random']['kinds'], FaultKind[]>,
  true as Eq<Scenario['workload']['mix']['domains'], number>,
];

test('the combinators: required, defaulted and optional fields as the inferred type says', (t) => {
  t.is(typeChecks.length, 10);
  const shape = {
    a: str({ required: true }),
    b: int(0, 9, 3),
    c: optional(oneOf(['x', 'y'])),
    d: { e: bool(true) },
    l: listOf({ k: oneOf([1, 2]) }),
  };
  const typed: true = true as Eq<
    Infer<typeof shape>,
    { a: string; b: number; c?: 'x' | 'y'; d: { e: boolean }; l: { k: 1 | 2 }[] }
  >;
  t.true(typed);
  const problems: string[] = [];
  t.deepEqual(read(shape, { a: 'hi', l: [{ k: 2 }] }, '', problems), {
    a: 'hi',
    b: 3,
    d: { e: true },
    l: [{ k: 2 }],
  });
  t.deepEqual(problems, []);
  read(shape, { b: 10, c: 'z', d: { e: 1 }, l: [{ k: 3 }], f: 1 }, 'top', problems);
  t.deepEqual(problems, [
    'top.f: unknown field; allowed here: a, b, c, d, l',
    'top.a: required',
    'top.b: must be an integer from 0 to 9, got 10',
    'top.c: must be x or y, got "z"',
    'top.d.e: must be true or false, got 1',
    'top.l[0].k: must be 1 or 2, got 3',
  ]);
});

/**
 * Complete scenarios that also pass the rules between fields (no faults, keys for every weighted
 * family).
 */
const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    nodes: fc.constantFrom(1 as const, 3 as const, 5 as const),
    proxies: fc.integer({ min: 1, max: 8 }),
    config: fc.constantFrom<ClientConfig>(
      'spread',
      'single-proxy',
      'proxies-by-hostname',
      'multi-ip',
      'consul-dns',
      'leader-proxy',
    ),
    seed: fc.option(fc.nat(), { nil: undefined }),
    deadlockRetry: fc.constantFrom<DeadlockRetry>(
      'none',
      'commit-only-2016-04',
      'all-2016-11',
      'all-and-bad-conn-2017-06',
    ),
    count: fc.integer({ min: 1, max: 256 }),
    kind: fc.constantFrom('bbs' as const, 'list-append' as const),
    weight: fc.integer({ min: 1, max: 1000 }),
    syncWait: fc.integer({ min: 0, max: 15 }),
    flag: fc.boolean(),
    rate: fc.oneof(
      fc.constant<'closed'>('closed'),
      fc.double({ min: 0.1, max: 1000, noNaN: true }),
    ),
  })
  .map((g) => ({
    name: 'gen',
    description: 'generated',
    question: 'does it round-trip?',
    ...(g.seed !== undefined ? { seed: g.seed } : {}),
    duration: 60,
    topology: {
      nodes: g.nodes,
      proxies: g.proxies,
      proxyRule: 'sticky-random',
      failureDetection: 'fast',
      galera: { suspectTimeout: 1.5 },
      links: 'direct',
      provider: 'local',
    },
    clients: {
      count: g.count,
      via: 'proxies',
      config: g.config,
      selector: 'RR',
      poolSize: 3,
      maxOpenConnections: 0,
      maxIdleConnections: 4,
      connectionMaxLifetime: 1.5,
      timeoutMs: 5000,
      backoffMs: 0,
      rate: g.rate,
    },
    workload: {
      kind: g.kind,
      keys: 5,
      txnLength: 3,
      isolation: 'serializable',
      tasks: 2,
      desiredLRPs: 2,
      instances: 1,
      cells: 2,
      mix: { tasks: g.weight, desiredLRPs: 1, actualLRPs: 1, domains: 0 },
    },
    nemesis: { schedule: [], random: { kinds: [], interval: 10, duration: 5, roles: g.flag } },
    bbs: {
      version: '2016-05',
      hypothetical: true,
      deadlockRetry: g.deadlockRetry,
      transactionalReads: g.flag,
      unsafeNoRowLocks: false,
      plant: [],
      actualLRPLock: 'share',
    },
    database: { syncWait: g.syncWait },
  }));

test('a complete valid scenario reads back unchanged, and reading is idempotent', (t) => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const back = validateScenario(JSON.parse(JSON.stringify(s)));
      t.deepEqual(back, s);
      t.deepEqual(validateScenario(back), back);
    }),
    { numRuns: 100 },
  );
});

test('every field left out gets its default: the smallest scenario reads to the full one', (t) => {
  // Each default below is the schema's, written out by hand.
  t.deepEqual(
    validateScenario({
      name: 'n',
      question: 'q',
      duration: '2m',
      topology: { nodes: 3 },
      clients: { count: 2 },
    }),
    {
      name: 'n',
      description: '',
      question: 'q',
      duration: 120,
      topology: {
        nodes: 3,
        proxies: 1,
        proxyRule: 'lowest-index',
        failureDetection: 'default',
        galera: {},
        links: 'auto',
        provider: 'local',
      },
      clients: {
        count: 2,
        via: 'proxies',
        config: 'spread',
        selector: 'ORDER',
        poolSize: 2,
        maxOpenConnections: 200,
        maxIdleConnections: 200,
        connectionMaxLifetime: 0,
        timeoutMs: 10_000,
        backoffMs: 500,
        rate: 10,
      },
      workload: {
        kind: 'bbs',
        keys: 8,
        txnLength: 4,
        isolation: 'repeatable-read',
        tasks: 4,
        desiredLRPs: 2,
        instances: 2,
        cells: 3,
        mix: { tasks: 5, desiredLRPs: 2, actualLRPs: 3, domains: 1 },
      },
      nemesis: { schedule: [], random: { kinds: [], interval: 15, duration: 8, roles: false } },
      bbs: { version: 'today', hypothetical: false, unsafeNoRowLocks: false, plant: [] },
      database: { syncWait: 0 },
    } satisfies Scenario,
  );
});
