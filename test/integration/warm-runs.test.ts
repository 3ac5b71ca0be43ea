// Warm clusters and routing (lab/runner/warm.ts, warm-routing.ts): the same seed run cold, then warm
// on the cluster and routing the first run left, after the test has dirtied them the ways a run can
// (a row and a table left behind, a transaction holding a row lock, a node paused, a partition rule;
// a toxic, a disabled link, a KV entry, a Consul lock held by a crashed holder's session, a
// healthcheck override, a proxy moved to another choice). The check must see the routing's dirt,
// the teardown's park must clean it, and the warm run must find none of it and give the same
// history shape, proxy choices and verdict as the cold one. Address base 127.0.220.

import test from 'ava';
import mysql from 'mysql2/promise';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCleanups } from '../../lab/lifecycle/cleanup.ts';
import { ownChainRules } from '../../lab/network/iptables.ts';
import { runScenario } from '../../lab/runner/run.ts';
import { WarmClusters, snapshotCluster } from '../../lab/runner/warm.ts';
import { checkParked, parkRouting } from '../../lab/runner/warm-routing.ts';
import { LOCK_KEY } from '../../lab/routing/leader.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';

const BASE = '127.0.220';
const runsDir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-warm-'));
const warm = new WarmClusters();
test.after.always(async () => {
  await warm.close();
  await runCleanups(() => {});
  rmSync(runsDir, { recursive: true, force: true });
});

const scenario = parseScenario(
  `
name: warm-quick
question: does a warm run see anything of the run before it?
duration: 4s
topology: { nodes: 3, proxies: 2, proxyRule: sticky-random, links: toxiproxy }
clients: { count: 4, via: proxies, config: leader-proxy }
workload: { tasks: 4, desiredLRPs: 2, instances: 2, cells: 2 }
bbs: { version: today }
`,
  'warm-quick',
);

interface Ev {
  type: string;
  f?: string;
  value?: unknown;
  kind?: string;
  fault?: string;
  detail?: { to?: string | null };
}
const history = (dir: string): Ev[] =>
  readFileSync(join(dir, 'history.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Ev);
/** Each proxy's first active backend, as its proxy-active-changed events say. */
const firstChoices = (evs: Ev[]) => {
  const out: Record<string, string | null | undefined> = {};
  for (const e of evs)
    if (e.kind === 'proxy-active-changed' && !(e.fault! in out)) out[e.fault!] = e.detail?.to;
  return out;
};
const invokesByOp = (evs: Ev[]) => {
  const by: Record<string, number> = {};
  for (const e of evs)
    if (e.type === 'invoke' && e.f !== 'FinalRead') by[e.f!] = (by[e.f!] ?? 0) + 1;
  return by;
};

test('a warm run after a dirtied cold one: same history shape and verdict, nothing of run 1 left', async (t) => {
  const log = (m: string) => t.log(m);
  const cold = await runScenario(scenario, { seed: 7, runsDir, addressBase: BASE, warm, log });
  t.is(cold.start.kind, 'cold');
  const cluster = warm.keptCluster();
  if (!cluster) return void t.fail('the cold run did not leave its cluster for the next');

  // What a run could leave behind: a row and a table, a transaction holding a row lock.
  const n1 = cluster.nodes[0]!;
  const opts = {
    host: n1.host,
    port: n1.port,
    user: cluster.user,
    password: cluster.password,
    database: cluster.database,
  };
  const c = await mysql.createConnection(opts);
  await c.query(`INSERT INTO domains (domain, expire_time) VALUES ('leaked-domain', 0)`);
  await c.query('CREATE TABLE leftover (x INT PRIMARY KEY)');
  const holder = await mysql.createConnection(opts);
  // The reset kills this connection: its error must not crash the test process.
  holder.on('error', () => {});
  t.teardown(() => holder.destroy());
  await holder.query('BEGIN');
  await holder.query(`SELECT * FROM domains WHERE domain = 'leaked-domain' FOR UPDATE`);
  await c.end();
  // A node paused and a partition rule, last (healed by the reset well before Galera's 5-s suspect timeout).
  await cluster.abilities.partition!.cut('leak', [['n3'], ['n1', 'n2']]);
  t.true(
    (await ownChainRules()).some((r) => r.includes(`${BASE}.13/32`)),
    'the planted partition rule is there',
  );
  await cluster.abilities.pause!.pause('n3');

  // What a run could leave in its routing, planted in the parked one.
  const kept = warm.keptRouting();
  if (!kept) return void t.fail('the cold run did not park its routing for the next');
  const r = kept.routing;
  await r.links!.addToxic('proxy1-n1', { type: 'latency', attributes: { latency: 5000 } });
  await r.links!.setEnabled('client-proxy2', false);
  await r.consul!.client.kv.set('leaked/key', 'x');
  const crashed = await r.consul!.acquireLock(LOCK_KEY, 'leaked', {
    ttl: '10s',
    lockDelay: '1s',
    waitMs: 3000,
  });
  t.truthy(crashed, 'the planted lock was taken');
  crashed!.abandon();
  r.healthchecks[0]!.setOverride('unhealthy');
  // proxy1 moved to another seed's choice (paused again, as parked).
  await r.proxies[0]!.resume({ seed: 999 });
  await r.proxies[0]!.pause();
  const seen = (await checkParked(kept, 0)).join('\n');
  for (const leak of [
    /link proxy1-n1: toxic\(s\) left: latency_downstream/,
    /link client-proxy2: disabled/,
    /consul: KV key\(s\) left: .*leaked\/key/,
    /consul: 1 session\(s\) left/,
    /consul: the lock key is still held/,
    /healthcheck n1: override unhealthy left/,
  ])
    t.regex(seen, leak, 'the check reads the planted leftover back from the running part');
  // The teardown's park, as a run that left all this behind would end.
  await parkRouting(r);

  const hot = await runScenario(scenario, { seed: 7, runsDir, addressBase: BASE, warm, log });
  t.is(hot.start.kind, 'warm', `expected a warm start, got: ${hot.start.why}`);
  t.regex(hot.start.why, /checked clean/);

  const r1 = JSON.parse(readFileSync(cold.dir.results, 'utf8'));
  const r2 = JSON.parse(readFileSync(hot.dir.results, 'utf8'));
  t.is(r2.start.kind, 'warm');
  t.is(r1.start.kind, 'cold');
  t.is(r2.check.valid, r1.check.valid, 'same verdict');
  const verdicts = (r: { check: Record<string, unknown> }) =>
    ['linearizability', 'invariants', 'isolation'].map((k) => [
      k,
      (r.check[k] as { valid?: unknown } | null)?.valid ?? null,
    ]);
  t.deepEqual(verdicts(r2), verdicts(r1), 'same verdict per checker');
  t.is(
    r2.check.failedApplied.length,
    r1.check.failedApplied.length,
    'as many failed-but-applied writes',
  );
  t.true(/warm start/.test(readFileSync(hot.dir.report, 'utf8')), 'the report says warm');
  t.is(r2.start.routing?.kind, 'warm', `routing: ${r2.start.routing?.why}`);
  t.is(r1.start.routing?.kind, 'cold');
  t.is(warm.keptRouting()?.routing, r, 'the same proxies, Consul and links, parked again');
  t.true(existsSync(join(hot.dir.logs, 'n1.err')), 'the warm run has its copy of the node logs');

  // Same seed, paced clients: the same ops in the same mix, up to the last slot or two per client.
  const a = invokesByOp(history(cold.dir.path));
  const b = invokesByOp(history(hot.dir.path));
  t.deepEqual(Object.keys(b).sort(), Object.keys(a).sort(), 'the same op types');
  for (const f of Object.keys(a))
    t.true(
      Math.abs(a[f]! - b[f]!) <= Math.max(3, 0.15 * Math.max(a[f]!, b[f]!)),
      `${f}: ${a[f]} cold vs ${b[f]} warm`,
    );

  // The proxies' choices are run 2's seed's, not the moved one's; the lock was free at once.
  t.deepEqual(firstChoices(history(hot.dir.path)), firstChoices(history(cold.dir.path)));
  t.true(
    history(hot.dir.path).some((e) => e.kind === 'consul-leader'),
    'a proxy of run 2 took the lock (the routing check found it free: no lock-delay, no leaked holder)',
  );

  // Nothing of run 1 or of the planted mess in run 2.
  const final = history(hot.dir.path).find((e) => e.type === 'ok' && e.f === 'FinalRead');
  t.truthy(final, 'run 2 has its final read');
  t.false(JSON.stringify(final!.value).includes('leaked-domain'), 'no row left from before run 2');
  t.deepEqual(
    (await ownChainRules()).filter((r) => r.includes(`${BASE}.`)),
    [],
    'no partition rule',
  );
  const after = await snapshotCluster(cluster);
  t.is(after.nodes.length, 3);
  for (const n of after.nodes) {
    t.is(n.localState, 4, `${n.name} Synced`);
    t.is(n.clusterSize, 3);
    t.false(n.tables.includes('leftover'), `${n.name}: the leftover table is gone`);
    t.is(n.openTransactions, 0, `${n.name}: no open transaction (no held lock)`);
    t.true(
      Object.keys(n.variables).length > 100,
      `${n.name}: the global variables were read (the reset compares them)`,
    );
  }
  t.log(
    `overhead: cold ${(cold.phases.wallSec - cold.phases.workload).toFixed(1)} s, warm ${(hot.phases.wallSec - hot.phases.workload).toFixed(1)} s`,
  );

  // A leftover planted after the park (as a park that failed half-way leaves it): the next run's
  // check finds it, stops that routing and starts a fresh one on the same addresses, and says so.
  const parked = warm.keptRouting();
  if (!parked) return void t.fail('run 2 did not park its routing');
  await parked.routing.links!.addToxic('proxy2-n2', {
    type: 'latency',
    attributes: { latency: 1 },
  });
  const third = await runScenario(scenario, {
    seed: 8,
    duration: 2,
    runsDir,
    addressBase: BASE,
    warm,
    log,
  });
  const r3 = JSON.parse(readFileSync(third.dir.results, 'utf8'));
  t.is(r3.start.kind, 'warm', 'the cluster is still reused');
  t.is(r3.start.routing?.kind, 'cold');
  t.regex(
    r3.start.routing?.why ?? '',
    /reset of the previous run's routing failed \(link proxy2-n2: toxic\(s\) left: latency_downstream\)/,
  );
  t.regex(readFileSync(third.dir.report, 'utf8'), /routing: cold start: the reset/);
  t.is(r3.check.valid, true, 'the run on the fresh routing is valid');
  const again = warm.keptRouting();
  t.truthy(again);
  t.not(again!.routing, parked.routing, 'a new routing, parked in turn');
});
