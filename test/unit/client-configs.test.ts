// The client configurations table (lab/client/configs/): every value of clients.config has an
// entry, the validator's rules for them are the ones it always had, and each entry says how a
// report describes it and where a client's ops go.

import test from 'ava';
import {
  CLIENT_CONFIG_NAMES,
  clientConfig,
  type ClientConfig,
  type SourceContext,
  type Target,
} from '../../lab/client/configs/index.ts';
import { CLIENT_CONFIGS, parseScenario } from '../../lab/scenario/validate.ts';
import { renderMarkdown } from '../../lab/report/markdown.ts';
import { computeStats } from '../../lab/report/stats.ts';
import { problems } from './scenario-problems.ts';

// Written out here, not read from the table: removing or renaming one must fail this test.
const NAMES: ClientConfig[] = [
  'spread',
  'single-proxy',
  'proxies-by-hostname',
  'multi-ip',
  'consul-dns',
  'leader-proxy',
  'consul-dns-nodes',
];

const scenario = (topology: string, clients: string) => `
name: t
question: q?
duration: 10s
topology: { nodes: 3, ${topology} }
clients: { count: 4, ${clients} }
`;

test('every clients.config value has one entry, under its own name, in the order the validator lists them', (t) => {
  t.deepEqual([...CLIENT_CONFIG_NAMES], NAMES);
  t.deepEqual([...CLIENT_CONFIGS], NAMES);
  for (const n of NAMES) t.is(clientConfig(n).name, n);
  for (const n of NAMES.filter((x) => x !== 'consul-dns-nodes'))
    t.deepEqual(
      problems(scenario('proxies: 2', `via: proxies, config: ${n}`)),
      [],
      `${n} with two proxies is valid`,
    );
  t.deepEqual(
    problems(scenario('proxies: 0', 'via: nodes, config: consul-dns-nodes')),
    [],
    'consul-dns-nodes straight to the nodes is valid',
  );
});

test('an unknown configuration is refused naming the field and every known one', (t) => {
  t.deepEqual(problems(scenario('proxies: 2', 'config: round-robin')), [
    'clients.config: must be spread, single-proxy, proxies-by-hostname, multi-ip, consul-dns, leader-proxy or consul-dns-nodes, got "round-robin"',
  ]);
  t.throws(() => clientConfig('round-robin' as ClientConfig), {
    message: /no client configuration "round-robin"; known: spread, /,
  });
});

test('consul-dns and leader-proxy need via: proxies and at least one proxy; the rule names clients.config', (t) => {
  for (const n of ['consul-dns', 'leader-proxy']) {
    const line = `clients.config: ${n} registers the switchboard proxies in Consul; it needs via: proxies and topology.proxies of at least 1`;
    t.deepEqual(
      problems(scenario('proxies: 2', `via: nodes, config: ${n}`)),
      [line],
      `${n} via nodes`,
    );
    // No proxies with via: proxies: the configuration's line, then the general via rule, as before.
    t.deepEqual(
      problems(scenario('proxies: 0', `via: proxies, config: ${n}`)),
      [
        line,
        'clients.via: "proxies" needs topology.proxies of at least 1; set topology.proxies or use via: nodes',
      ],
      `${n} without proxies`,
    );
  }
  for (const n of ['spread', 'single-proxy', 'proxies-by-hostname', 'multi-ip'] as const) {
    t.deepEqual(
      problems(scenario('proxies: 0', `via: nodes, config: ${n}`)),
      [],
      `${n} straight to the nodes`,
    );
  }
});

test('which configurations need Consul and which proxies serve', (t) => {
  const rows = NAMES.map((n) => [n, clientConfig(n).consul, clientConfig(n).serve]);
  t.deepEqual(rows, [
    ['spread', null, 'every-proxy'],
    ['single-proxy', null, 'every-proxy'],
    ['proxies-by-hostname', null, 'every-proxy'],
    ['multi-ip', null, 'every-proxy'],
    ['consul-dns', 'registered', 'every-proxy'],
    ['leader-proxy', 'leader', 'lock-holder'],
    ['consul-dns-nodes', 'nodes', 'every-proxy'],
  ]);
});

test('consul-dns-nodes needs via: nodes and no proxies; the rule names the fields', (t) => {
  const line =
    'clients.config: consul-dns-nodes registers the Galera nodes themselves in Consul (each checked by its galera-healthcheck); it needs clients.via: nodes and topology.proxies: 0';
  t.deepEqual(problems(scenario('proxies: 2', 'via: proxies, config: consul-dns-nodes')), [line]);
  t.deepEqual(problems(scenario('proxies: 1', 'via: nodes, config: consul-dns-nodes')), [line]);
});

test("the report's topology sentence reads each configuration's description", (t) => {
  const sentence = (topology: string, clients: string): string => {
    const s = parseScenario(scenario(topology, clients));
    const md = renderMarkdown({
      scenario: s,
      seed: 1,
      runId: 'r',
      stats: computeStats([]),
      check: { valid: true, summary: [] },
    });
    return (
      /4 clients ran BBS operations for 10 s on a 3-node Galera cluster, ([^;]*);/.exec(md)?.[1] ??
      '(no sentence)'
    );
  };
  t.is(
    sentence('proxies: 0', 'via: nodes, config: spread'),
    'straight to the 3 nodes directly: pinned clients: client i on node i mod 3 for the whole run, never moving (a client on a cut-off node is out until it is back), so every node takes writes',
  );
  t.is(
    sentence('proxies: 1', 'config: spread'),
    'through 1 switchboard proxy (rule lowest-index): every client to it',
  );
  t.is(
    sentence('proxies: 2', 'config: spread'),
    'through 2 switchboard proxies (rule lowest-index): client i to proxy i mod 2',
  );
  t.is(
    sentence('proxies: 0', 'via: nodes, config: consul-dns-nodes, connectionMaxLifetime: 2s'),
    'straight to the 3 nodes directly: each new connection resolving mysql.service.consul on Consul DNS, where every node is registered with its galera-healthcheck as the check (Go database/sql pool: at most 200 open, 200 idle, connections closed after 2 s)',
  );
  t.is(
    sentence('proxies: 2', 'config: single-proxy'),
    'through 2 switchboard proxies (rule lowest-index): every client to the first one only',
  );
  t.is(
    sentence('proxies: 2', 'config: multi-ip, selector: RR'),
    'through 2 switchboard proxies (rule lowest-index): each client holding every address and choosing per new connection (selector RR, Go database/sql pool: at most 200 open, 200 idle, connections kept until they break)',
  );
  t.is(
    sentence(
      'proxies: 2',
      'config: proxies-by-hostname, maxOpenConnections: 0, maxIdleConnections: 4, connectionMaxLifetime: 90s',
    ),
    'through 2 switchboard proxies (rule lowest-index): each new connection resolving one name to every address, rotated per lookup, trying them in order (Go database/sql pool: no open limit, 4 idle, connections closed after 90 s)',
  );
  t.is(
    sentence('proxies: 2', 'config: leader-proxy'),
    'through 2 switchboard proxies (rule lowest-index): each new connection resolving mysql.service.consul, where only the proxy holding the Consul lock serves and is registered (Go database/sql pool: at most 200 open, 200 idle, connections kept until they break)',
  );
});

/** A context whose pools are tokens naming their target, and whose shared sources are counted. */
function fakeContext(targets: Target[]): {
  ctx: SourceContext;
  made: string[];
  ends: (() => Promise<void>)[];
} {
  const made: string[] = [];
  const ends: (() => Promise<void>)[] = [];
  const shared = new Map<string, { getConnection(): Promise<never> }>();
  const ctx: SourceContext = {
    targets,
    pool: (t) => ({ getConnection: () => Promise.reject(new Error(`pool of ${t.name}`)) }),
    shared(name, make) {
      if (!shared.has(name)) {
        made.push(name);
        const x = make();
        ends.push(x.end);
        shared.set(name, x.lender as never);
      }
      return shared.get(name)!;
    },
    login: { user: 'u', password: 'p', database: 'd' },
    consul: { dns: { host: '127.102.0.9', port: 8600 }, serviceName: 'mysql.service.consul' },
  };
  return { ctx, made, ends };
}

const THREE: Target[] = ['proxy1', 'proxy2', 'proxy3'].map((name, i) => ({
  name,
  host: `127.102.0.${21 + i}`,
  port: 3306,
}));

test('spread pins client i to target i mod T; single-proxy sends every client to the first', async (t) => {
  const s = parseScenario(scenario('proxies: 3', 'config: spread'));
  const { ctx } = fakeContext(THREE);
  // Clients 0..5 over 3 targets: 0→1, 1→2, 2→3, 3→1 (3 mod 3 = 0), 4→2, 5→3.
  t.deepEqual(
    [0, 1, 2, 3, 4, 5].map((c) => clientConfig('spread').source(s, ctx, c).name),
    ['proxy1', 'proxy2', 'proxy3', 'proxy1', 'proxy2', 'proxy3'],
  );
  await t.throwsAsync(() => clientConfig('spread').source(s, ctx, 4).lender.getConnection(), {
    message: 'pool of proxy2',
  });
  t.deepEqual(
    [0, 1, 5].map((c) => clientConfig('single-proxy').source(s, ctx, c).name),
    ['proxy1', 'proxy1', 'proxy1'],
  );
});

test('the configurations that pick per connection share one source among all clients, named after the configuration', async (t) => {
  const s = parseScenario(scenario('proxies: 3', 'config: multi-ip'));
  const { ctx, made, ends } = fakeContext(THREE);
  const expected: [ClientConfig, string][] = [
    ['proxies-by-hostname', 'by-hostname'],
    ['multi-ip', 'multi-ip'],
    ['consul-dns', 'consul-dns'],
    ['leader-proxy', 'leader-proxy'],
    ['consul-dns-nodes', 'consul-dns-nodes'],
  ];
  for (const [config, name] of expected) {
    const a = clientConfig(config).source(s, ctx, 0);
    const b = clientConfig(config).source(s, ctx, 3);
    t.is(a.name, name);
    t.is(a.lender, b.lender, `${config}: one source for every client`);
  }
  t.deepEqual(made, ['by-hostname', 'multi-ip', 'consul-dns', 'leader-proxy', 'consul-dns-nodes']);
  await Promise.all(ends.map((end) => end()));
});

test('a Consul configuration without Consul says so rather than failing on a null', (t) => {
  const s = parseScenario(scenario('proxies: 2', 'config: consul-dns'));
  const { ctx } = fakeContext(THREE);
  t.throws(() => clientConfig('consul-dns').source(s, { ...ctx, consul: null }, 0), {
    message: 'client configuration consul-dns needs Consul, but the topology started none',
  });
});
