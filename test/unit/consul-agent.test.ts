// The lab's Consul agent, driven through the `consul` npm client, checked against Consul's
// documented behaviour: KV and CAS, locks and sessions (TTL x2, Behavior, lock-delay), blocking
// queries, services with TTL/HTTP/TCP checks, health ?passing and DNS. Everything listens on
// 127.0.30.x; instance addresses in the catalog are just data (nothing connects to them).

import test, { type ExecutionContext } from 'ava';
import { Resolver } from 'node:dns/promises';
import http from 'node:http';
import net from 'node:net';
import Consul from 'consul';
import {
  startConsulAgent,
  type ConsulAgent,
  type ConsulAgentOptions,
} from '../../lab/consul/agent.ts';
import { pendingCleanups } from '../../lab/lifecycle/cleanup.ts';

const HOST = '127.0.30.1';
const TARGET_HOST = '127.0.30.3';

async function agentFor(
  t: ExecutionContext,
  opts: ConsulAgentOptions = {},
): Promise<{ agent: ConsulAgent; consul: Consul }> {
  const agent = await startConsulAgent({
    host: HOST,
    sessionTtlMin: '1s',
    minCheckInterval: '200ms',
    ...opts,
  });
  const consul = new Consul({ host: agent.host, port: agent.port });
  t.teardown(async () => {
    consul.destroy();
    await agent.stop();
  });
  return { agent, consul };
}

async function waitFor(
  what: string,
  cond: () => Promise<boolean> | boolean,
  timeoutMs = 8000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const statusOf = (err: unknown): number | undefined => (err as { statusCode?: number }).statusCode;

// The consul npm client (papi underneath) turns a JSON `false` answer into undefined, so a refused
// CAS, acquire or release reads as falsy; each such step is also checked through the key itself.

function resolverFor(agent: ConsulAgent): Resolver {
  const r = new Resolver({ timeout: 1000, tries: 2 });
  r.setServers([`${agent.dns.host}:${agent.dns.port}`]);
  return r;
}

async function dnsA(agent: ConsulAgent, name: string): Promise<string[] | 'NXDOMAIN'> {
  try {
    return (await resolverFor(agent).resolve4(name)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTFOUND') return 'NXDOMAIN';
    throw err;
  }
}

async function passing(consul: Consul, name: string): Promise<string[]> {
  const entries = (await consul.health.service({ service: name, passing: true })) as {
    Service: { ID: string };
  }[];
  return entries.map((e) => e.Service.ID).sort();
}

test('KV: put, get, recurse, keys, raw, flags, delete; 404 reads as null', async (t) => {
  const { consul } = await agentFor(t);
  t.true(await consul.kv.set('app/config/a', 'one'));
  t.true(await consul.kv.set({ key: 'app/config/b', value: 'two', flags: 42 }));
  t.true(await consul.kv.set('app/other', ''));

  const a = await consul.kv.get('app/config/a');
  t.like(a, { Key: 'app/config/a', Value: 'one', Flags: 0, LockIndex: 0 });
  t.is(a!.CreateIndex, a!.ModifyIndex);
  t.like(await consul.kv.get('app/config/b'), { Value: 'two', Flags: 42 });
  t.like(await consul.kv.get('app/other'), { Value: null });
  t.falsy(await consul.kv.get('app/missing'));

  const all = (await consul.kv.get({ key: 'app/', recurse: true })) as { Key: string }[];
  t.deepEqual(
    all.map((e) => e.Key),
    ['app/config/a', 'app/config/b', 'app/other'],
  );
  t.deepEqual(await consul.kv.keys('app/'), ['app/config/a', 'app/config/b', 'app/other']);
  t.deepEqual(await consul.kv.keys({ key: 'app/', separator: '/' }), ['app/config/', 'app/other']);
  t.deepEqual(await consul.kv.get({ key: 'app/config/a', raw: true }), Buffer.from('one'));

  // An update keeps CreateIndex and moves ModifyIndex.
  t.true(await consul.kv.set('app/config/a', 'uno'));
  const a2 = await consul.kv.get('app/config/a');
  t.is(a2!.CreateIndex, a!.CreateIndex);
  t.true(a2!.ModifyIndex > a!.ModifyIndex);

  // Writing what is already there changes nothing, ModifyIndex included (Consul's kvsSetTxn).
  t.true(await consul.kv.set('app/config/a', 'uno'));
  t.is((await consul.kv.get('app/config/a'))!.ModifyIndex, a2!.ModifyIndex);

  t.true(await consul.kv.del('app/config/a'));
  t.falsy(await consul.kv.get('app/config/a'));
  t.true(await consul.kv.del('app/config/a'), 'deleting a missing key is not an error');
  t.true(await consul.kv.del({ key: 'app/', recurse: true }));
  t.falsy(await consul.kv.get({ key: 'app/', recurse: true }));
});

test('KV: check-and-set both ways, for put and delete', async (t) => {
  const { consul } = await agentFor(t);
  t.true(await consul.kv.set({ key: 'cas/k', value: 'v1', cas: 0 }), 'cas=0 creates a missing key');
  t.falsy(
    await consul.kv.set({ key: 'cas/k', value: 'again', cas: 0 }),
    'cas=0 refuses an existing key',
  );
  const e1 = (await consul.kv.get('cas/k'))!;
  t.true(
    await consul.kv.set({ key: 'cas/k', value: 'v2', cas: e1.ModifyIndex }),
    'current index wins',
  );
  t.falsy(
    await consul.kv.set({ key: 'cas/k', value: 'v3', cas: e1.ModifyIndex }),
    'stale index loses',
  );
  t.is((await consul.kv.get('cas/k'))!.Value, 'v2');

  const e2 = (await consul.kv.get('cas/k'))!;
  t.falsy(
    await consul.kv.del({ key: 'cas/k', cas: e1.ModifyIndex }),
    'delete with a stale index loses',
  );
  t.truthy(await consul.kv.get('cas/k'));
  t.true(await consul.kv.del({ key: 'cas/k', cas: e2.ModifyIndex }));
  t.falsy(await consul.kv.get('cas/k'));
});

test('locks: one holder at a time; the holder may re-acquire; only the holder releases', async (t) => {
  const { consul } = await agentFor(t);
  const a = (await consul.session.create({ name: 'a', lockdelay: '0s' })).ID;
  const b = (await consul.session.create({ name: 'b', lockdelay: '0s' })).ID;

  t.true(await consul.kv.set({ key: 'locks/l', value: 'A', acquire: a }));
  t.falsy(
    await consul.kv.set({ key: 'locks/l', value: 'B', acquire: b }),
    'a second session cannot acquire a held lock',
  );
  const held = (await consul.kv.get('locks/l')) as {
    Session?: string;
    LockIndex: number;
    Value: string;
  };
  t.like(held, { Session: a, LockIndex: 1, Value: 'A' });

  t.true(
    await consul.kv.set({ key: 'locks/l', value: 'A2', acquire: a }),
    'the holder re-acquires',
  );
  t.like(await consul.kv.get('locks/l'), { Session: a, LockIndex: 1, Value: 'A2' });

  t.falsy(
    await consul.kv.set({ key: 'locks/l', value: 'x', release: b }),
    'only the holder releases',
  );
  t.true(await consul.kv.set({ key: 'locks/l', value: 'A3', release: a }));
  const released = (await consul.kv.get('locks/l')) as { Session?: string; LockIndex: number };
  t.is(released.Session, undefined);
  t.is(released.LockIndex, 1);

  t.true(
    await consul.kv.set({ key: 'locks/l', value: 'B', acquire: b }),
    'a released lock is free (explicit release starts no lock-delay)',
  );
  t.like(await consul.kv.get('locks/l'), { Session: b, LockIndex: 2 });

  // A plain write to a held key keeps the holder (and, as Consul's HTTP PUT carries no LockIndex,
  // resets LockIndex to 0).
  t.true(await consul.kv.set('locks/l', 'plain'));
  t.like(await consul.kv.get('locks/l'), { Session: b, Value: 'plain', LockIndex: 0 });

  const err = await t.throwsAsync(
    consul.kv.set({
      key: 'locks/other',
      value: '',
      acquire: '00000000-0000-0000-0000-000000000000',
    }),
  );
  t.is(statusOf(err), 500);
  t.regex(err!.message, /invalid session/);
});

test('sessions: create defaults, info, list, renew, destroy; renewing an unknown session is 404', async (t) => {
  const { consul, agent } = await agentFor(t);
  const id = (await consul.session.create({ name: 'defaults' })).ID;
  const info = await consul.session.info(id);
  t.like(info, {
    ID: id,
    Name: 'defaults',
    Node: agent.nodeName,
    LockDelay: 15e9,
    Behavior: 'release',
    TTL: '',
    NodeChecks: ['serfHealth'],
  });

  // LockDelay below 1000 ns counts as seconds, as Consul's lockDelayMinThreshold does.
  const s5 = (await consul.session.create({ lockdelay: '5ns' })).ID;
  t.is((await consul.session.info(s5)).LockDelay, 5e9);
  const ttl = (await consul.session.create({ ttl: '10s', behavior: 'delete' })).ID;
  t.like(await consul.session.info(ttl), { TTL: '10s', Behavior: 'delete' });

  t.deepEqual((await consul.session.list()).map((s) => s.ID).sort(), [id, s5, ttl].sort());
  t.like((await consul.session.renew(ttl))[0], { ID: ttl, TTL: '10s' });

  await consul.session.destroy(id);
  t.falsy(await consul.session.info(id));
  const err = await t.throwsAsync(consul.session.renew(id));
  t.is(statusOf(err), 404);

  await t.throwsAsync(consul.session.create({ behavior: 'keep' as never }), {
    message: /Invalid Behavior/,
  });
});

test('sessions: a TTL below session_ttl_min (10s by default, as Consul) is refused', async (t) => {
  const { consul } = await agentFor(t, { sessionTtlMin: undefined });
  const err = await t.throwsAsync(consul.session.create({ ttl: '1s' }));
  t.is(statusOf(err), 500);
  t.regex(err!.message, /Invalid Session TTL/);
  t.truthy((await consul.session.create({ ttl: '10s' })).ID);
});

test('sessions: a session renewed within its TTL stays valid and keeps its lock', async (t) => {
  const { consul } = await agentFor(t);
  // 2 s TTL renewed every 0.4 s for 4.8 s: longer than the 2 × TTL an unrenewed session could
  // last, so only the renewals keep it; a renewal may come up to 3.6 s late on a loaded machine.
  const id = (await consul.session.create({ ttl: '2s', lockdelay: '0s' })).ID;
  t.true(await consul.kv.set({ key: 'renewed', value: 'v', acquire: id }));
  for (let i = 0; i < 12; i++) {
    await sleep(400);
    await consul.session.renew(id);
  }
  t.like(await consul.kv.get('renewed'), { Session: id });
});

test('sessions: an unrenewed TTL session is invalidated (Consul allows up to 2 x TTL) and Behavior=release releases its lock', async (t) => {
  const { consul } = await agentFor(t);
  const id = (await consul.session.create({ ttl: '1s', lockdelay: '0s', behavior: 'release' })).ID;
  t.true(await consul.kv.set({ key: 'ttl/release', value: 'mine', acquire: id }));
  const before = (await consul.kv.get('ttl/release'))!;
  await waitFor('the session to be invalidated', async () => !(await consul.session.info(id)));
  const after = (await consul.kv.get('ttl/release')) as {
    Session?: string;
    Value: string;
    ModifyIndex: number;
    LockIndex: number;
  };
  t.is(after.Session, undefined, 'the lock is released');
  t.is(after.Value, 'mine', 'the key stays');
  t.true(after.ModifyIndex > before.ModifyIndex);
  t.is(after.LockIndex, 1);
  await t.throwsAsync(consul.session.renew(id));
});

test('sessions: Behavior=delete deletes the held key when the TTL lapses', async (t) => {
  const { consul } = await agentFor(t);
  const id = (await consul.session.create({ ttl: '1s', lockdelay: '0s', behavior: 'delete' })).ID;
  t.true(await consul.kv.set({ key: 'ttl/delete', value: 'ephemeral', acquire: id }));
  await waitFor('the key to be deleted', async () => !(await consul.kv.get('ttl/delete')));
  t.falsy(await consul.session.info(id));
});

test('sessions: lock-delay blocks re-acquisition after invalidation until it passes; destroy releases', async (t) => {
  const { consul } = await agentFor(t);
  const a = (await consul.session.create({ lockdelay: '1s' })).ID;
  const b = (await consul.session.create({ lockdelay: '0s' })).ID;
  t.true(await consul.kv.set({ key: 'delay/l', value: 'A', acquire: a }));
  await consul.session.destroy(a);
  t.like(await consul.kv.get('delay/l'), { Session: undefined, Value: 'A' });
  t.falsy(
    await consul.kv.set({ key: 'delay/l', value: 'B', acquire: b }),
    'refused during lock-delay',
  );
  await waitFor('lock-delay to pass', () =>
    consul.kv.set({ key: 'delay/l', value: 'B', acquire: b }),
  );
  t.like(await consul.kv.get('delay/l'), { Session: b, Value: 'B' });

  // With no lock-delay, destroying the holder frees the key at once.
  const c = (await consul.session.create({ lockdelay: '0s' })).ID;
  t.true(await consul.kv.set({ key: 'delay/free', value: 'C', acquire: c }));
  await consul.session.destroy(c);
  t.true(await consul.kv.set({ key: 'delay/free', value: 'B', acquire: b }));
});

test('sessions: a session bound to a check is invalidated when the check goes critical', async (t) => {
  const { consul } = await agentFor(t);
  await consul.agent.service.register({
    name: 'bound',
    id: 'bound',
    port: 1,
    check: { ttl: '30s', status: 'passing' } as never,
  });
  const id = (
    await consul.session.create({ checks: ['serfHealth', 'service:bound'], lockdelay: '0s' })
  ).ID;
  t.like(await consul.session.info(id), {
    NodeChecks: ['serfHealth'],
    ServiceChecks: [{ ID: 'service:bound' }],
  });
  t.true(await consul.kv.set({ key: 'bound/lock', value: 'x', acquire: id }));
  await consul.agent.check.fail('service:bound');
  t.falsy(await consul.session.info(id));
  t.like(await consul.kv.get('bound/lock'), { Session: undefined });
  await t.throwsAsync(consul.session.create({ checks: ['service:bound'] }), {
    message: /critical/,
  });
  await t.throwsAsync(consul.session.create({ checks: ['nope'] }), { message: /Missing check/ });
});

test('blocking queries: a GET with ?index waits for a change, or returns unchanged after ?wait', async (t) => {
  const { consul } = await agentFor(t);
  await consul.kv.set('watch/k', 'v1');
  const e = (await consul.kv.get('watch/k'))!;

  const unchanged = await consul.kv.get({
    key: 'watch/k',
    index: String(e.ModifyIndex),
    wait: '300ms',
  } as never);
  t.like(unchanged, { Value: 'v1', ModifyIndex: e.ModifyIndex });

  let settled = false;
  const pending = consul.kv
    .get({ key: 'watch/k', index: String(e.ModifyIndex), wait: '10s' } as never)
    .then((r) => {
      settled = true;
      return r;
    });
  await sleep(200);
  await consul.kv.set('watch/unrelated', 'x');
  await sleep(200);
  t.false(settled, 'a write to another key does not end the wait');
  await consul.kv.set('watch/k', 'v2');
  t.like(await pending, { Value: 'v2' });

  // The client's watch (blocking queries under the hood) sees every change in order.
  const seen: (string | null)[] = [];
  const watch = consul.watch({
    method: consul.kv.get,
    options: { key: 'watch/w', wait: '5s' } as never,
  });
  t.teardown(() => watch.end());
  watch.on('change', (data: { Value: string } | undefined) => seen.push(data ? data.Value : null));
  watch.on('error', (err: Error) => t.fail(err.message));
  await waitFor('the first answer', () => seen.length === 1);
  await consul.kv.set('watch/w', 'a');
  await waitFor('the change to a', () => seen.length === 2);
  await consul.kv.del('watch/w');
  await waitFor('the delete', () => seen.length === 3);
  t.deepEqual(seen, [null, 'a', null]);
});

test('services: a TTL check starts critical, passes after pass, drops out of health?passing and DNS after fail or when its TTL lapses', async (t) => {
  const { consul, agent } = await agentFor(t);
  await consul.agent.service.register({
    id: 'web1',
    name: 'web',
    address: '127.0.30.51',
    port: 8080,
    check: { ttl: '3s' } as never,
  });
  await consul.agent.service.register({
    id: 'web2',
    name: 'web',
    address: '127.0.30.52',
    port: 8080,
    check: { ttl: '30s' } as never,
  });

  const services = await consul.agent.service.list();
  t.like(services.web1, { ID: 'web1', Service: 'web', Address: '127.0.30.51', Port: 8080 });
  const checks = await consul.agent.check.list();
  t.like(checks['service:web1'], { Status: 'critical', ServiceID: 'web1', Type: 'ttl' });
  t.deepEqual(await passing(consul, 'web'), [], 'checks start critical');
  t.is(await dnsA(agent, 'web.service.consul'), 'NXDOMAIN', 'no healthy instance: NXDOMAIN');

  await consul.agent.check.pass('service:web1');
  await consul.agent.check.pass({ id: 'service:web2', note: 'ok' });
  t.deepEqual(await passing(consul, 'web'), ['web1', 'web2']);
  t.deepEqual(await dnsA(agent, 'web.service.consul'), ['127.0.30.51', '127.0.30.52']);
  t.like((await consul.agent.check.list())['service:web2'], { Status: 'passing', Output: 'ok' });
  t.deepEqual(Object.keys(await consul.catalog.service.list()).sort(), ['consul', 'web']);
  t.is((await consul.catalog.service.nodes('web')).length, 2);

  // Passed again just before: on a loaded machine the calls above can take longer than the TTL.
  await consul.agent.check.pass('service:web1');
  await consul.agent.check.fail('service:web2');
  t.deepEqual(await passing(consul, 'web'), ['web1']);
  t.deepEqual(await dnsA(agent, 'web.service.consul'), ['127.0.30.51']);
  t.is((await consul.health.service('web')).length, 2, 'without ?passing every instance is listed');

  // web1 is not passed again: its 3 s TTL lapses and it goes critical.
  await waitFor('the TTL to lapse', async () => (await passing(consul, 'web')).length === 0);
  t.like((await consul.agent.check.list())['service:web1'], {
    Status: 'critical',
    Output: 'TTL expired',
  });
  t.is(await dnsA(agent, 'web.service.consul'), 'NXDOMAIN');

  // warning counts as not passing for ?passing, but DNS only leaves out critical
  // (only_passing=false).
  await consul.agent.check.warn('service:web2');
  t.deepEqual(await passing(consul, 'web'), []);
  t.deepEqual(await dnsA(agent, 'web.service.consul'), ['127.0.30.52']);

  await consul.agent.service.deregister('web2');
  t.false('web2' in (await consul.agent.service.list()));
  t.false('service:web2' in (await consul.agent.check.list()));
  const err = await t.throwsAsync(consul.agent.service.deregister('web2'));
  t.is(statusOf(err), 404);
});

test('services: an HTTP check follows its target (2xx passing, 500 critical); a TCP check follows the listener', async (t) => {
  const { consul, agent } = await agentFor(t);
  let answer = 200;
  const target = http.createServer((_req, res) => {
    res.writeHead(answer);
    res.end(answer === 200 ? 'fine' : 'broken');
  });
  await new Promise<void>((r) => target.listen(0, TARGET_HOST, r));
  t.teardown(() => {
    target.closeAllConnections();
    target.close();
  });
  const { port } = target.address() as net.AddressInfo;
  await consul.agent.service.register({
    id: 'api1',
    name: 'api',
    address: '127.0.30.61',
    port,
    check: { http: `http://${TARGET_HOST}:${port}/health`, interval: '200ms' } as never,
  });
  await waitFor('the HTTP check to pass', async () => (await passing(consul, 'api')).length === 1);
  t.deepEqual(await dnsA(agent, 'api.service.consul'), ['127.0.30.61']);
  t.regex((await consul.agent.check.list())['service:api1']!.Output, /200 OK Output: fine/);

  answer = 500;
  await waitFor('the HTTP check to fail', async () => (await passing(consul, 'api')).length === 0);
  t.like((await consul.agent.check.list())['service:api1'], { Status: 'critical', Type: 'http' });
  t.regex((await consul.agent.check.list())['service:api1']!.Output, /500/);
  t.is(await dnsA(agent, 'api.service.consul'), 'NXDOMAIN');

  answer = 200;
  await waitFor(
    'the HTTP check to pass again',
    async () => (await passing(consul, 'api')).length === 1,
  );

  // TCP: passing while something listens, critical once it stops.
  const listener = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => listener.listen(0, TARGET_HOST, r));
  const tcpPort = (listener.address() as net.AddressInfo).port;
  await consul.agent.service.register({
    id: 'db1',
    name: 'db',
    port: tcpPort,
    check: { tcp: `${TARGET_HOST}:${tcpPort}`, interval: '200ms' } as never,
  });
  await waitFor('the TCP check to pass', async () => (await passing(consul, 'db')).length === 1);
  t.deepEqual(
    await dnsA(agent, 'db.service.consul'),
    [HOST],
    'no service address: the node address',
  );
  await new Promise<void>((r) => listener.close(() => r()));
  await waitFor('the TCP check to fail', async () => (await passing(consul, 'db')).length === 0);

  // Only loopback targets are probed.
  const err = await t.throwsAsync(
    consul.agent.service.register({
      name: 'far',
      check: { http: 'http://10.1.2.3/', interval: '1s' } as never,
    }),
  );
  t.is(statusOf(err), 400);
});

test('DNS: A records of non-critical instances only, shuffled, at most 3 per UDP answer, TTL 0; NXDOMAIN for unknown names', async (t) => {
  const { consul, agent } = await agentFor(t);
  const good = ['127.0.30.71', '127.0.30.72', '127.0.30.73', '127.0.30.74', '127.0.30.75'];
  for (const [i, address] of good.entries()) {
    await consul.agent.service.register({
      id: `cell${i}`,
      name: 'cell',
      address,
      port: 1801,
      tags: i === 0 ? ['z1'] : ['z2'],
      check: { ttl: '60s', status: 'passing' } as never,
    });
  }
  await consul.agent.service.register({
    id: 'cell-bad',
    name: 'cell',
    address: '127.0.30.79',
    port: 1801,
    check: { ttl: '60s' } as never,
  });

  const resolver = resolverFor(agent);
  const seen = new Set<string>();
  const firsts = new Set<string>();
  for (let i = 0; i < 40; i++) {
    const records = await resolver.resolve4('cell.service.consul', { ttl: true });
    t.true(records.length >= 1 && records.length <= 3, `got ${records.length} records`);
    t.is(new Set(records.map((r) => r.address)).size, records.length, 'no duplicates');
    for (const r of records) {
      t.is(r.ttl, 0);
      t.true(good.includes(r.address), `${r.address} is a passing instance`);
      seen.add(r.address);
    }
    firsts.add(records[0]!.address);
  }
  t.deepEqual([...seen].sort(), good, 'over many answers every passing instance shows up');
  t.true(firsts.size > 1, 'answers are shuffled');

  t.deepEqual(await dnsA(agent, 'z1.cell.service.consul'), ['127.0.30.71'], 'tag filter');
  t.deepEqual(
    await dnsA(agent, 'cell.service.dc1.consul.').then((a) => (a === 'NXDOMAIN' ? a : a.length)),
    3,
    'datacenter form',
  );
  t.deepEqual(await dnsA(agent, `${agent.nodeName}.node.consul`), [HOST]);
  t.is(await dnsA(agent, 'nosuch.service.consul'), 'NXDOMAIN');
  t.is(await dnsA(agent, 'cell.service.dc9.consul'), 'NXDOMAIN');
  t.is(await dnsA(agent, 'what.ever.consul'), 'NXDOMAIN');
  t.deepEqual(
    await resolver.resolve6('cell.service.consul').catch((e: NodeJS.ErrnoException) => e.code),
    'ENODATA',
    'a known name with no AAAA: NOERROR, no answers',
  );
});

test('HTTP: status/leader, agent/self, clear 404 for unsupported endpoints, 405 for wrong methods, dc checked', async (t) => {
  const { consul, agent } = await agentFor(t);
  t.is(await consul.status.leader(), `${HOST}:8300`);
  t.deepEqual(await consul.status.peers(), [`${HOST}:8300`]);
  const self = await consul.agent.self();
  t.like(self, { Config: { Datacenter: 'dc1', NodeName: agent.nodeName, Server: true } });

  const res = await fetch(`${agent.url}/v1/acl/tokens`);
  t.is(res.status, 404);
  const text = await res.text();
  t.regex(text, /Unsupported endpoint: GET \/v1\/acl\/tokens/);
  t.regex(text, /\/v1\/kv\//);
  t.regex(text, /\/v1\/session\/create/);

  t.is((await fetch(`${agent.url}/v1/session/create`)).status, 405);
  const kvRes = await fetch(`${agent.url}/v1/kv/x`, { method: 'PUT', body: 'y' });
  t.is(await kvRes.json(), true);
  const get = await fetch(`${agent.url}/v1/kv/x`);
  t.regex(get.headers.get('x-consul-index') ?? '', /^\d+$/);
  t.is(get.headers.get('content-type'), 'application/json');
  await t.throwsAsync(consul.kv.get({ key: 'x', dc: 'dc9' }), { message: /No path to datacenter/ });
  const big = await fetch(`${agent.url}/v1/kv/big`, {
    method: 'PUT',
    body: Buffer.alloc(512 * 1024 + 1),
  });
  t.is(big.status, 413);
});

test('stop() closes HTTP and DNS, ends pending blocking queries and unregisters its cleanup', async (t) => {
  const agent = await startConsulAgent({ host: HOST });
  const name = `consul agent ${agent.httpAddr}`;
  t.true(pendingCleanups().includes(name));
  const consul = new Consul({ host: agent.host, port: agent.port });
  t.teardown(() => consul.destroy());
  await consul.kv.set('k', 'v');
  const idx = (await consul.kv.get('k'))!.ModifyIndex;
  const pending = consul.kv.get({ key: 'k', index: String(idx), wait: '60s' } as never).then(
    () => 'answered',
    () => 'failed',
  );
  await sleep(100);
  await agent.stop();
  t.truthy(await pending, 'the blocking query ended');
  t.false(pendingCleanups().includes(name));
  await t.throwsAsync(fetch(`${agent.url}/v1/status/leader`));
});
