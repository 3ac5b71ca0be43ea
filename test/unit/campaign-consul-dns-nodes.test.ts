// campaigns/consul-dns-nodes.yaml (issue 23's question) reads as a campaign and its variants are
// the configurations it names: Consul DNS to the nodes (with and without a connection lifetime),
// pinned clients, one proxy; one partition of the most-written node for 20 s; outage by part
// measured.

import test from 'ava';
import { readFileSync } from 'node:fs';
import { parseCampaign } from '../../lab/investigate/campaign.ts';
import { planCampaign } from '../../lab/investigate/plan.ts';

test('the Consul-DNS-to-nodes campaign parses, and each variant is the configuration it names', (t) => {
  const c = parseCampaign(
    readFileSync('campaigns/consul-dns-nodes.yaml', 'utf8'),
    'campaigns/consul-dns-nodes.yaml',
  );
  const [q] = c.questions;
  t.is(c.questions.length, 1);
  t.deepEqual(
    q!.variants.map((v) => [
      v.name,
      v.scenario.clients.config,
      v.scenario.clients.via,
      v.scenario.topology.proxies,
      v.scenario.clients.connectionMaxLifetime,
    ]),
    [
      ['consul-dns-nodes', 'consul-dns-nodes', 'nodes', 0, 0],
      ['consul-dns-nodes-lifetime', 'consul-dns-nodes', 'nodes', 0, 5],
      ['pinned-nodes', 'spread', 'nodes', 0, 0],
      ['one-proxy', 'single-proxy', 'proxies', 1, 0],
    ],
  );
  for (const v of q!.variants) {
    t.deepEqual(
      v.scenario.nemesis.schedule,
      [{ kind: 'partition', target: 'isolate:most-written', at: 10, duration: 20 }],
      v.name,
    );
    t.is(v.scenario.database.syncWait, 7);
    t.is(v.scenario.bbs.version, 'today');
    t.is(v.scenario.topology.failureDetection, 'default');
  }
  t.true(
    [
      'lostWrites',
      'outagePart:detection',
      'outagePart:client',
      'outagePart:rejoin',
      'faultMarkSec:detected',
    ].every((m) => q!.metrics.includes(m)),
  );
  t.is(planCampaign(c, { budgetSec: null }).runs.length, 12);
});
