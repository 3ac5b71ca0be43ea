// The lab's Consul driver: embedded (it starts the lab's agent) and external (CONSUL_HTTP_ADDR or
// opts.url; a separately started lab agent stands in for a real one, with somebody else's key and
// service on it that the lab must leave alone). Everything on 127.0.30.x.

import test from 'ava';
import { Resolver } from 'node:dns/promises';
import Consul from 'consul';
import { startConsulAgent } from '../../lab/consul/agent.ts';
import { connectConsul, type ConsulHandle } from '../../lab/consul/driver.ts';
import { pendingCleanups } from '../../lab/lifecycle/cleanup.ts';

// A developer's CONSUL_HTTP_ADDR must not redirect the embedded-mode tests.
delete process.env.CONSUL_HTTP_ADDR;
delete process.env.CONSUL_DNS_ADDR;

const HOST = '127.0.30.2';
const AGENT_OPTS = { host: HOST, sessionTtlMin: '1s', minCheckInterval: '200ms' };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

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

async function embedded(t: import('ava').ExecutionContext): Promise<ConsulHandle> {
  const c = await connectConsul({ agent: AGENT_OPTS });
  t.teardown(() => c.close());
  return c;
}

test('embedded: starts the lab agent; a lock is exclusive, kept alive by renewals past 2 x TTL, and released', async (t) => {
  const c = await embedded(t);
  t.true(c.embedded);
  t.regex(c.url, /^http:\/\/127\.0\.30\.2:\d+$/);
  t.is(c.dnsAddress.host, HOST);

  const lock = await c.acquireLock('v1/locks/bbs_lock', '{"id":"bbs-a"}', {
    ttl: '1s',
    lockDelay: '0s',
    behavior: 'delete',
  });
  t.truthy(lock);
  t.true(lock!.isHeld());
  t.is(
    await c.acquireLock('v1/locks/bbs_lock', '{"id":"bbs-b"}', { ttl: '1s' }),
    null,
    'a second holder is refused',
  );

  await sleep(2600); // more than 2 x TTL: only the renewals keep the session
  t.true(lock!.isHeld());
  t.like(await c.client.kv.get('v1/locks/bbs_lock'), {
    Session: lock!.sessionId,
    Value: '{"id":"bbs-a"}',
  });

  await lock!.release();
  t.false(lock!.isHeld());
  t.falsy(await c.client.kv.get('v1/locks/bbs_lock'), 'Behavior=delete: released and removed');
  t.deepEqual(await c.client.session.list(), [], 'the session is destroyed');

  const next = await c.acquireLock('v1/locks/bbs_lock', '{"id":"bbs-b"}', {
    ttl: '1s',
    lockDelay: '0s',
  });
  t.truthy(next, 'free again at once (an explicit release starts no lock-delay)');
});

test('embedded: acquireLock with waitMs gets the lock once the holder goes away', async (t) => {
  const c = await embedded(t);
  const first = (await c.acquireLock('wait/lock', 'a', { ttl: '1s', lockDelay: '0s' }))!;
  const second = c.acquireLock('wait/lock', 'b', { ttl: '1s', waitMs: 5000, retryMs: 100 });
  await sleep(300);
  await first.release();
  const got = await second;
  t.truthy(got);
  t.like(await c.client.kv.get('wait/lock'), { Session: got!.sessionId, Value: 'b' });
});

test('embedded: a lock is lost when its session is invalidated or its key is deleted or taken', async (t) => {
  const c = await embedded(t);
  const events: string[] = [];

  const l1 = (await c.acquireLock('lost/destroyed', 'x', { ttl: '1s', lockDelay: '0s' }))!;
  l1.on('lost', (r) => events.push(r));
  await c.client.session.destroy(l1.sessionId); // what a TTL lapse or a failing check does
  t.regex(await l1.lost, /released|invalidated/);
  t.false(l1.isHeld());
  t.is(events.length, 1);

  const l2 = (await c.acquireLock('lost/deleted', 'x', { ttl: '1s', lockDelay: '0s' }))!;
  await c.client.kv.del('lost/deleted');
  t.regex(await l2.lost, /deleted/);

  const l3 = (await c.acquireLock('lost/taken', 'x', { ttl: '1s', lockDelay: '0s' }))!;
  const thief = (await c.client.session.create({ lockdelay: '0s' })).ID;
  await c.client.kv.set({ key: 'lost/taken', value: 'y', release: l3.sessionId });
  await c.client.kv.set({ key: 'lost/taken', value: 'y', acquire: thief });
  t.regex(await l3.lost, /released|held by session/);
  await l3.release(); // harmless after loss
  await waitFor('the lost sessions to be destroyed', async () =>
    (await c.client.session.list()).every((s) => s.ID === thief),
  );
});

test('embedded: services, passing addresses and DNS', async (t) => {
  const c = await embedded(t);
  await c.registerService({
    id: 'bbs-1',
    name: 'bbs',
    address: '127.0.30.81',
    port: 8889,
    check: { ttl: '30s' },
  });
  await c.registerService({
    id: 'bbs-2',
    name: 'bbs',
    address: '127.0.30.82',
    port: 8889,
    check: { ttl: '30s', status: 'passing' },
  });
  t.deepEqual(await c.passingAddresses('bbs'), ['127.0.30.82']);
  await c.passCheck(c.checkIdOf('bbs-1'));
  t.deepEqual((await c.passingAddresses('bbs')).sort(), ['127.0.30.81', '127.0.30.82']);

  const r = new Resolver({ timeout: 1000, tries: 2 });
  r.setServers([`${c.dnsAddress.host}:${c.dnsAddress.port}`]);
  t.deepEqual((await r.resolve4('bbs.service.consul')).sort(), ['127.0.30.81', '127.0.30.82']);

  await c.failCheck(c.checkIdOf('bbs-2'), 'going down');
  t.deepEqual(await c.passingAddresses('bbs'), ['127.0.30.81']);
  t.deepEqual(await r.resolve4('bbs.service.consul'), ['127.0.30.81']);
  await c.deregister('bbs-1');
  t.deepEqual(await c.passingAddresses('bbs'), []);
});

test('embedded: close() releases locks, deregisters services and stops the agent', async (t) => {
  const c = await connectConsul({ agent: AGENT_OPTS });
  t.true(pendingCleanups().some((n) => n.startsWith('consul driver')));
  const lock = (await c.acquireLock('close/lock', 'v', { ttl: '1s' }))!;
  await c.registerService({ id: 'svc', name: 'svc', address: '127.0.30.83', port: 1 });
  await c.close();
  t.false(lock.isHeld());
  t.false(pendingCleanups().some((n) => n.includes(c.url.replace('http://', ''))));
  await t.throwsAsync(fetch(`${c.url}/v1/status/leader`));
});

test.serial(
  'external: CONSUL_HTTP_ADDR names the agent; close() removes only what the lab created',
  async (t) => {
    const real = await startConsulAgent(AGENT_OPTS);
    t.teardown(() => real.stop());
    const other = new Consul({ host: real.host, port: real.port });
    t.teardown(() => other.destroy());
    // Somebody else's key, lock and service.
    await other.kv.set('theirs/config', 'keep');
    const theirSession = (await other.session.create({ lockdelay: '0s' })).ID;
    await other.kv.set({ key: 'theirs/lock', value: 'x', acquire: theirSession });
    await other.agent.service.register({ id: 'theirs', name: 'theirs', port: 1 });

    process.env.CONSUL_HTTP_ADDR = real.httpAddr;
    process.env.CONSUL_DNS_ADDR = `${real.dns.host}:${real.dns.port}`;
    let c: ConsulHandle;
    try {
      c = await connectConsul();
    } finally {
      delete process.env.CONSUL_HTTP_ADDR;
      delete process.env.CONSUL_DNS_ADDR;
    }
    t.false(c.embedded);
    t.is(c.agent, null);
    t.is(c.url, real.url);
    t.deepEqual(c.dnsAddress, real.dns);

    t.is(await c.acquireLock('theirs/lock', 'mine', { ttl: '1s' }), null);
    const lock = (await c.acquireLock('lab/lock', 'mine', { ttl: '1s', lockDelay: '0s' }))!;
    await c.registerService({
      id: 'lab-svc',
      name: 'lab',
      address: '127.0.30.84',
      port: 1,
      check: { ttl: '10s' },
    });
    await c.close();

    t.false(lock.isHeld());
    t.like(await other.kv.get('lab/lock'), { Session: undefined });
    t.deepEqual(Object.keys(await other.agent.service.list()), ['theirs']);
    t.deepEqual(
      (await other.session.list()).map((s) => s.ID),
      [theirSession],
    );
    t.like(await other.kv.get('theirs/lock'), { Session: theirSession });
    t.like(await other.kv.get('theirs/config'), { Value: 'keep' });
    t.is(await other.status.leader(), real.leader, 'the external agent keeps running');
  },
);

test('external: refuses non-loopback addresses and explains an unreachable agent', async (t) => {
  await t.throwsAsync(connectConsul({ url: '10.0.0.5:8500' }), { message: /loopback/ });
  await t.throwsAsync(connectConsul({ url: 'http://consul.example.com:8500' }), {
    message: /loopback/,
  });
  await t.throwsAsync(connectConsul({ url: '127.0.30.2:8500', dnsAddr: '10.0.0.5:8600' }), {
    message: /loopback/,
  });
  // Nothing listens on 127.0.30.99:1.
  await t.throwsAsync(connectConsul({ url: '127.0.30.99:1', connectTimeoutMs: 1000 }), {
    message: /not reachable: GET \/v1\/status\/leader failed/,
  });
});
