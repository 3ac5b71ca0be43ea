// Link faults: names from the topology, the toxics each fault adds, scenario validation with field
// names, and random link targets resolved reproducibly.

import test from 'ava';
import { linkNames } from '../../lab/nemesis/links.ts';
import { toxicsFor } from '../../lab/nemesis/faults/index.ts';
import { planSchedule } from '../../lab/nemesis/schedule.ts';
import { parseScenario, scenarioLinks, usesToxiproxy } from '../../lab/scenario/validate.ts';
import { problems } from './scenario-problems.ts';

const base =
  'name: t\nquestion: q\nduration: 60s\ntopology: {nodes: 3, proxies: 2}\nclients: {count: 4}\n';

test('links are named for their two ends', (t) => {
  t.deepEqual(linkNames(['proxy1', 'proxy2'], ['proxy1', 'proxy2'], ['n1', 'n2']), {
    client: ['client-proxy1', 'client-proxy2'],
    backend: ['proxy1-n1', 'proxy1-n2', 'proxy2-n1', 'proxy2-n2'],
  });
  const direct = parseScenario(
    'name: t\nquestion: q\nduration: 60s\ntopology: {nodes: 3, proxies: 0}\nclients: {count: 4, via: nodes}\n',
  );
  t.deepEqual(scenarioLinks(direct), {
    client: ['client-n1', 'client-n2', 'client-n3'],
    backend: [],
  });
});

test('each link fault adds Toxiproxy toxics named for the fault, or none for link-down', (t) => {
  t.deepEqual(toxicsFor({ kind: 'link-latency', latencyMs: 300, jitterMs: 20 }, 'link-latency-1'), [
    {
      type: 'latency',
      stream: 'upstream',
      name: 'link-latency-1_upstream',
      attributes: { latency: 300, jitter: 20 },
    },
    {
      type: 'latency',
      stream: 'downstream',
      name: 'link-latency-1_downstream',
      attributes: { latency: 300, jitter: 20 },
    },
  ]);
  t.deepEqual(
    toxicsFor({ kind: 'link-timeout' }, 'f2').map((x) => [x.type, x.stream, x.attributes]),
    [
      ['timeout', 'upstream', { timeout: 0 }],
      ['timeout', 'downstream', { timeout: 0 }],
    ],
  );
  t.deepEqual(
    toxicsFor({ kind: 'link-reset' }, 'f3').map((x) => x.type),
    ['reset_peer'],
  );
  t.deepEqual(
    toxicsFor({ kind: 'link-bandwidth', rateKBps: 8 }, 'f4').map((x) => x.attributes.rate),
    [8, 8],
  );
  t.deepEqual(toxicsFor({ kind: 'link-down' }, 'f5'), []);
});

test('a scenario with link faults validates, routes through Toxiproxy by default, and names bad targets', (t) => {
  const s = parseScenario(
    base +
      'nemesis:\n  schedule:\n    - {kind: link-latency, target: client-proxy1, at: 5s, duration: 10s, latencyMs: 250}\n',
  );
  t.is(s.topology.links, 'auto');
  t.true(usesToxiproxy(s));
  t.is(s.nemesis.schedule[0]!.latencyMs, 250);
  t.false(usesToxiproxy(parseScenario(base)), 'no link fault, no Toxiproxy unless asked');
  t.true(usesToxiproxy(parseScenario(base.replace('proxies: 2', 'proxies: 2, links: toxiproxy'))));

  t.deepEqual(
    problems(
      base +
        'nemesis:\n  schedule:\n    - {kind: link-reset, target: client-n1, at: 5s, duration: 10s}\n',
    ),
    [
      'nemesis.schedule[0].target: for a link fault must be a link (client-proxy1, client-proxy2, proxy1-n1, proxy1-n2, proxy1-n3, proxy2-n1, proxy2-n2, proxy2-n3), random or random-client, random-backend, got "client-n1"',
    ],
  );
  t.deepEqual(
    problems(
      base.replace('proxies: 2', 'proxies: 2, links: direct') +
        'nemesis:\n  schedule:\n    - {kind: link-down, target: proxy1-n1, at: 5s, duration: 10s}\n',
    ),
    [
      'nemesis.schedule[0].kind: link-down needs the links routed through Toxiproxy; set topology.links to auto or toxiproxy',
    ],
  );
  t.deepEqual(
    problems(
      base +
        'nemesis:\n  schedule:\n    - {kind: kill, target: n1, at: 5s, duration: 10s, rateKBps: 5}\n',
    ),
    [
      'nemesis.schedule[0].rateKBps: applies only to link-bandwidth; remove it or set kind to link-bandwidth',
    ],
  );
  t.deepEqual(problems(base.replace('proxies: 2', 'proxies: 2, links: maybe')), [
    'topology.links: must be auto, direct or toxiproxy, got "maybe"',
  ]);
});

test('random link targets are resolved from the seed, within the kind asked for', (t) => {
  const s = parseScenario(
    base +
      'nemesis:\n  schedule:\n    - {kind: link-timeout, target: random-backend, at: 5s, duration: 5s}\n    - {kind: link-down, target: random-client, at: 20s, duration: 5s}\n  random: {kinds: [link-latency], interval: 10s, duration: 5s}\n',
  );
  const ctx = {
    seed: 9,
    duration: s.duration,
    nodes: ['n1', 'n2', 'n3'],
    proxies: ['proxy1', 'proxy2'],
    links: scenarioLinks(s),
  };
  const plan = planSchedule(s.nemesis, ctx);
  t.deepEqual(plan, planSchedule(s.nemesis, ctx), 'reproducible');
  const fixed = plan.filter((f) => f.kind !== 'link-latency');
  t.regex(fixed[0]!.target, /^proxy[12]-n[123]$/);
  t.regex(fixed[1]!.target, /^client-proxy[12]$/);
  const all = [...ctx.links.client, ...ctx.links.backend];
  t.true(plan.filter((f) => f.kind === 'link-latency').length > 0);
  for (const f of plan) t.true(all.includes(f.target), `${f.target} is a link`);
});
