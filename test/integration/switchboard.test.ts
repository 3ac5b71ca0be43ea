import test from 'ava';
import mysql from 'mysql2/promise';
import { startLocalCluster } from '../../lab/providers/local/cluster.ts';
import { startHealthchecks, type HealthcheckHandle } from '../../lab/routing/healthcheck/server.ts';
import {
  startSwitchboard,
  type SwitchboardEvent,
  type SwitchboardHandle,
} from '../../lab/routing/switchboard/proxy.ts';
import { waitFor } from './helpers.ts';

// A real 3-node Galera cluster on 127.0.3.11–13, a galera-healthcheck beside each node (port 9200),
// and two switchboards that decide alone: proxy1 (lowest-index) on 127.0.3.21, proxy2
// (sticky-random) on 127.0.3.22.

interface Client {
  conn: mysql.Connection;
  /** The error that ended the connection, once the proxy severed it. */
  lost(): (Error & { code?: string }) | null;
}

test('switchboards on a real cluster: lowest-index follows the lowest healthy index, sticky-random stays; both sever on change', async (t) => {
  const cluster = await startLocalCluster({
    nodes: 3,
    addressBase: '127.0.3',
    firstHost: 11,
    log: (m) => t.log(m),
  });
  t.teardown(() => cluster.stop());
  const hcs = await startHealthchecks(cluster.nodes, cluster);
  t.teardown(() => Promise.all(hcs.map((h) => h.stop())));
  const hc = (name: string): HealthcheckHandle => hcs.find((h) => h.name === name)!;

  // wsrep_local_index follows the members' UUID order, not the start order: ask the healthchecks.
  const statuses = await Promise.all(
    hcs.map(async (h) => ({ name: h.name, ...(await h.status()) })),
  );
  t.true(
    statuses.every((s) => s.healthy),
    JSON.stringify(statuses),
  );
  t.deepEqual(statuses.map((s) => Number(s.localIndex)).sort(), [0, 1, 2]);
  const byIndex = [...statuses]
    .sort((a, b) => Number(a.localIndex) - Number(b.localIndex))
    .map((s) => s.name);
  const [lowest, second] = byIndex as [string, string, string];
  t.log(`nodes by wsrep_local_index: ${byIndex.join(', ')}`);

  const events: SwitchboardEvent[] = [];
  const onEvent = (e: SwitchboardEvent) => {
    events.push(e);
    if (e.type === 'active-changed')
      t.log(`${e.proxy}: ${e.from ?? 'none'} → ${e.to ?? 'none'} (${e.reason})`);
    if (e.type === 'severed')
      t.log(`${e.proxy}: severed ${e.connections} connection(s) to ${e.backend}`);
  };
  const backends = cluster.nodes.map((n) => ({
    name: n.name,
    host: n.host,
    port: n.port,
    healthUrl: hc(n.name).statusUrl,
  }));
  const proxies: SwitchboardHandle[] = [];
  t.teardown(() => Promise.all(proxies.map((p) => p.stop())));
  const p1 = await startSwitchboard({
    name: 'proxy1',
    listen: { host: '127.0.3.21', port: 3306 },
    backends,
    rule: 'lowest-index',
    apiPort: 8080,
    onEvent,
  });
  proxies.push(p1);
  const p2 = await startSwitchboard({
    name: 'proxy2',
    listen: { host: '127.0.3.22', port: 3306 },
    backends,
    rule: 'sticky-random',
    seed: 1,
    onEvent,
  });
  proxies.push(p2);

  const open = async (p: SwitchboardHandle): Promise<Client> => {
    const conn = await mysql.createConnection({
      host: p.listen.host,
      port: p.listen.port,
      user: cluster.user,
      password: cluster.password,
      database: cluster.database,
    });
    let lost: (Error & { code?: string }) | null = null;
    conn.on('error', (e) => (lost = e));
    t.teardown(() => conn.destroy());
    return { conn, lost: () => lost };
  };
  const nodeOf = async (c: Client): Promise<string> => {
    const [rows] = await c.conn.query('SELECT @@wsrep_node_name AS node');
    return (rows as { node: string }[])[0]!.node;
  };
  const severed = async (c: Client, what: string) => {
    await waitFor(`${what} to be severed`, () => c.lost() !== null, 20_000);
    t.is(c.lost()!.code, 'PROTOCOL_CONNECTION_LOST', `${what}: the client sees a lost connection`);
  };

  // lowest-index: the lowest index serves; its failing health moves new connections and severs old
  // ones.
  t.is(p1.activeBackend(), lowest);
  const a = await open(p1);
  t.is(await nodeOf(a), lowest);
  const api = (await (await fetch(`${p1.apiUrl}/v0/backends`)).json()) as {
    name: string;
    active: boolean;
    healthy: boolean;
    currentSessionCount: number;
  }[];
  t.deepEqual(
    api.find((b) => b.active),
    {
      name: lowest,
      host: cluster.nodes.find((n) => n.name === lowest)!.host,
      port: 3306,
      healthy: true,
      active: true,
      currentSessionCount: 1,
    },
  );

  hc(lowest).setOverride('unhealthy');
  await waitFor('proxy1 to leave the lowest node', () => p1.activeBackend() === second, 20_000);
  await severed(a, 'the connection to the old active node');
  const b = await open(p1);
  t.is(await nodeOf(b), second);

  hc(lowest).setOverride(null);
  await waitFor('proxy1 to take the lowest node back', () => p1.activeBackend() === lowest, 20_000);
  await severed(b, 'the connection to the second node');
  t.is(await nodeOf(await open(p1)), lowest);

  // sticky-random: whatever it holds now, failing health moves it; recovery does not move it back.
  const held = p2.activeBackend()!;
  t.truthy(held);
  const c = await open(p2);
  t.is(await nodeOf(c), held);
  hc(held).setOverride('unhealthy');
  await waitFor(
    'proxy2 to move',
    () => p2.activeBackend() !== held && p2.activeBackend() !== null,
    20_000,
  );
  const moved = p2.activeBackend()!;
  await severed(c, 'the connection to the sticky node');
  const d = await open(p2);
  t.is(await nodeOf(d), moved);
  hc(held).setOverride(null);
  const changesBefore = p2.stats().activeChanges;
  await waitFor(
    'proxy2 to see the node healthy again',
    () => p2.backends().find((x) => x.name === held)!.healthy,
    20_000,
  );
  const pollsBefore = p2.stats().polls;
  await waitFor('three more polls', () => p2.stats().polls >= pollsBefore + 3, 20_000);
  t.is(p2.activeBackend(), moved, 'sticky: no move back');
  t.is(p2.stats().activeChanges, changesBefore);
  t.is(await nodeOf(d), moved, 'and its connection still works');
  t.true(
    events.some((e) => e.type === 'health-changed' && e.backend === held && e.healthy === false),
  );
});
