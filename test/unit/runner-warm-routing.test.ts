// A parked routing's check (warm-routing-state.ts) on fixed snapshots worked by hand, the choice a
// fresh switchboard makes, and the routing key.

import test from 'ava';
import fc from 'fast-check';
import {
  choiceProblems,
  dirtyRouting,
  initialChoice,
  routingKey,
  type RoutingShape,
  type RoutingSnapshot,
} from '../../lab/runner/warm-routing-state.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';

const shape: RoutingShape = {
  links: ['proxy1-n1', 'proxy1-n2', 'client-proxy1'],
  consul: true,
  healthchecks: ['n1', 'n2'],
  proxies: ['proxy1', 'proxy2'],
};
const clean = (): RoutingSnapshot => ({
  links: shape.links!.map((name) => ({ name, enabled: true, toxics: [] })),
  consul: { sessions: [], keys: [], services: [], checks: [], lockFree: true },
  healthchecks: [
    { name: 'n1', override: null },
    { name: 'n2', override: null },
  ],
  proxies: [
    { name: 'proxy1', paused: true, openConnections: 0 },
    { name: 'proxy2', paused: true, openConnections: 0 },
  ],
});

test('a parked routing as a fresh start has it is clean', (t) => {
  t.deepEqual(dirtyRouting(shape, clean()), []);
});

test('every kind of leftover is named, one line each', (t) => {
  const now = clean();
  now.links![0]!.toxics = ['latency_downstream'];
  now.links![2]!.enabled = false;
  now.consul = {
    sessions: ['s-1'],
    keys: ['v1/locks/mysql_lock'],
    services: ['mysql-proxy1'],
    checks: ['service:mysql-proxy1'],
    lockFree: false,
  };
  now.healthchecks[1]!.override = 'unhealthy';
  now.proxies = [{ name: 'proxy1', paused: false, openConnections: 2 }];
  t.deepEqual(dirtyRouting(shape, now), [
    'link proxy1-n1: toxic(s) left: latency_downstream',
    'link client-proxy1: disabled',
    'consul: 1 session(s) left',
    'consul: KV key(s) left: v1/locks/mysql_lock',
    'consul: service(s) left: mysql-proxy1',
    'consul: check(s) left: service:mysql-proxy1',
    'consul: the lock key is still held or under lock-delay',
    'healthcheck n2: override unhealthy left',
    'proxy proxy2: not running',
    'proxy proxy1: still routing (not paused)',
    'proxy proxy1: 2 connection(s) still open',
  ]);
});

test('a part that did not answer, or a link more or less than at the start, is named', (t) => {
  t.deepEqual(dirtyRouting(shape, { ...clean(), links: null, consul: null }), [
    'links: Toxiproxy did not answer',
    'consul: the agent did not answer',
  ]);
  const extra = clean();
  extra.links!.push({ name: 'leftover', enabled: true, toxics: [] });
  t.deepEqual(dirtyRouting(shape, extra), [
    'links: proxies client-proxy1, leftover, proxy1-n1, proxy1-n2 instead of client-proxy1, proxy1-n1, proxy1-n2',
  ]);
  // A routing without links or Consul: their snapshots are not read, nothing to say.
  const bare: RoutingShape = { ...shape, links: null, consul: false };
  t.deepEqual(dirtyRouting(bare, { ...clean(), links: null, consul: null }), []);
});

test('property: clean exactly when every part is as a fresh start has it', (t) => {
  const arb = fc.record({
    toxic: fc.boolean(),
    disabled: fc.boolean(),
    sessions: fc.nat(2),
    key: fc.boolean(),
    service: fc.boolean(),
    lockFree: fc.boolean(),
    override: fc.constantFrom(null, 'healthy', 'unhealthy'),
    paused: fc.boolean(),
    open: fc.nat(2),
    missing: fc.boolean(),
  });
  fc.assert(
    fc.property(arb, (x) => {
      const now = clean();
      if (x.toxic) now.links![1]!.toxics = ['timeout_upstream'];
      if (x.disabled) now.links![0]!.enabled = false;
      now.consul = {
        sessions: Array.from({ length: x.sessions }, (_, i) => `s${i}`),
        keys: x.key ? ['k'] : [],
        services: x.service ? ['mysql-n1'] : [],
        checks: [],
        lockFree: x.lockFree,
      };
      now.healthchecks[0]!.override = x.override;
      now.proxies[0] = { name: 'proxy1', paused: x.paused, openConnections: x.open };
      if (x.missing) now.proxies.pop();
      const reference =
        !x.toxic &&
        !x.disabled &&
        x.sessions === 0 &&
        !x.key &&
        !x.service &&
        x.lockFree &&
        x.override === null &&
        x.paused &&
        x.open === 0 &&
        !x.missing;
      return (dirtyRouting(shape, now).length === 0) === reference;
    }),
  );
  t.pass();
});

const h = (name: string, healthy: boolean, index: number | null) => ({ name, healthy, index });

test('lowest-index: a fresh proxy chooses the healthy backend with the lowest index', (t) => {
  const health = [h('n1', true, 2), h('n2', true, 0), h('n3', false, 1)];
  t.is(initialChoice('lowest-index', 7, health), 'n2');
  t.is(initialChoice('lowest-index', 7, [h('n1', false, 0), h('n2', true, null)]), null);
});

test('property: a fresh choice is healthy (null only when none is), sticky-random keeps a healthy first pick and depends on the seed alone', (t) => {
  const arbHealth = fc
    .array(fc.tuple(fc.boolean(), fc.nat(5)), { minLength: 1, maxLength: 4 })
    .map((xs) => xs.map(([healthy, index], i) => h(`n${i + 1}`, healthy, index)));
  fc.assert(
    fc.property(
      arbHealth,
      fc.nat(1000),
      fc.constantFrom('lowest-index', 'sticky-random'),
      (health, seed, rule) => {
        const c = initialChoice(rule as 'lowest-index', seed, health);
        const healthy = health.filter((x) => x.healthy);
        if (healthy.length === 0) return c === null;
        if (!healthy.some((x) => x.name === c)) return false;
        if (rule === 'lowest-index')
          return (
            health.find((x) => x.name === c)!.index === Math.min(...healthy.map((x) => x.index!))
          );
        // All healthy: the first pick stays, so the same seed gives the same answer whatever the indexes.
        const allHealthy = health.map((x) => ({ ...x, healthy: true, index: 9 - x.index! }));
        return (
          initialChoice('sticky-random', seed, allHealthy) ===
          initialChoice(
            'sticky-random',
            seed,
            health.map((x) => ({ ...x, healthy: true })),
          )
        );
      },
    ),
  );
  t.pass();
});

test('a resumed proxy whose choice is not a fresh start is named', (t) => {
  const health = [h('n1', true, 1), h('n2', true, 0)];
  t.deepEqual(
    choiceProblems([
      { name: 'proxy1', rule: 'lowest-index', seed: 1, active: 'n2', health },
      { name: 'proxy2', rule: 'lowest-index', seed: 2, active: 'n1', health },
      { name: 'proxy3', rule: 'lowest-index', seed: 3, active: null, health },
    ]),
    [
      'proxy proxy2: chose n1, a fresh start chooses n2',
      'proxy proxy3: chose nothing, a fresh start chooses n2',
    ],
  );
});

test('the routing key: the same for another seed, different for another routing', (t) => {
  const sc = (extra: string) =>
    parseScenario(
      `name: w\nquestion: q\nduration: 5s\ntopology: { nodes: 3, proxies: 2${extra} }\nclients: { count: 2, via: proxies }\n`,
      'w',
    );
  const base = sc('');
  t.is(
    routingKey({ ...base, seed: 1 } as typeof base),
    routingKey({ ...base, seed: 2 } as typeof base),
  );
  t.not(routingKey(sc(', proxyRule: sticky-random')), routingKey(sc(', proxyRule: lowest-index')));
  t.not(routingKey(sc(', links: toxiproxy')), routingKey(sc(', links: direct')));
  const one = parseScenario(
    'name: w\nquestion: q\nduration: 5s\ntopology: { nodes: 3, proxies: 1 }\nclients: { count: 2, via: proxies }\n',
    'w',
  );
  t.not(routingKey(one), routingKey(base));
});
