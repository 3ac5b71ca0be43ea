import test, { type ExecutionContext } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { get } from 'node:http';
import { connect, createServer } from 'node:net';
import {
  startSwitchboard,
  type SwitchboardEvent,
  type SwitchboardHandle,
  type SwitchboardOptions,
} from '../../lab/routing/switchboard/proxy.ts';
import {
  connectClient,
  startEchoBackend,
  startFakeHealth,
  waitFor,
  type EchoBackend,
  type FakeHealth,
  type FakeHealthState,
} from './switchboard-fakes.ts';

// Every test gets its own backends and health endpoints on free ports of 127.0.3.x.
const HOST = '127.0.3.101';
const PROXY_HOST = '127.0.3.121';

interface Rig {
  backends: EchoBackend[];
  health: Record<string, FakeHealth>;
  proxy: SwitchboardHandle;
  events: SwitchboardEvent[];
}

async function rig(
  t: ExecutionContext,
  initial: Record<string, FakeHealthState>,
  extra: Partial<SwitchboardOptions> & Pick<SwitchboardOptions, 'rule'>,
  shared?: { backends: EchoBackend[] },
): Promise<Rig> {
  const backends =
    shared?.backends ??
    (await Promise.all(Object.keys(initial).map((n) => startEchoBackend(n, HOST))));
  if (!shared) t.teardown(() => Promise.all(backends.map((b) => b.stop())));
  const health: Record<string, FakeHealth> = {};
  for (const [n, s] of Object.entries(initial)) {
    health[n] = await startFakeHealth(HOST, s);
    t.teardown(() => health[n]!.stop());
  }
  const events: SwitchboardEvent[] = [];
  const proxy = await startSwitchboard({
    name: 'proxy-under-test',
    listen: { host: PROXY_HOST, port: 0 },
    backends: backends.map((b) => ({
      name: b.name,
      host: b.host,
      port: b.port,
      healthUrl: health[b.name]!.url,
    })),
    pollIntervalMs: 50,
    healthTimeoutMs: 1000,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  t.teardown(() => proxy.stop());
  return { backends, health, proxy, events };
}

const client = (r: Rig) => connectClient(r.proxy.listen.host, r.proxy.listen.port);

test('lowest-index: routes to the healthy lowest index, moves when it turns unhealthy, and back when it recovers', async (t) => {
  const r = await rig(
    t,
    {
      a: { healthy: true, index: 2 },
      b: { healthy: true, index: 0 },
      c: { healthy: true, index: 1 },
    },
    { rule: 'lowest-index' },
  );
  t.is(r.proxy.activeBackend(), 'b', 'chosen by the first poll, before the handle is returned');
  const onB = await client(r);
  t.is(onB.greeting, 'b');

  r.health.b!.state.healthy = false;
  await waitFor('c to become active', () => r.proxy.activeBackend() === 'c');
  await waitFor('onB to be closed by the proxy', () => onB.isClosed());
  t.true(onB.isClosed(), 'the connection to b was severed');
  const onC = await client(r);
  t.is(onC.greeting, 'c');

  r.health.b!.state.healthy = true;
  await waitFor('b to take active back', () => r.proxy.activeBackend() === 'b');
  await waitFor('onC to be closed by the proxy', () => onC.isClosed());
  t.is((await client(r)).greeting, 'b');

  const changes = r.events.filter((e) => e.type === 'active-changed').map((e) => [e.from, e.to]);
  t.deepEqual(changes, [
    [null, 'b'],
    ['b', 'c'],
    ['c', 'b'],
  ]);
  const severed = r.events
    .filter((e) => e.type === 'severed')
    .map((e) => [e.backend, e.connections]);
  t.deepEqual(severed, [
    ['b', 1],
    ['c', 1],
  ]);
  t.deepEqual(r.proxy.stats().backends.b, { total: 2, open: 1, severed: 1 });
  t.deepEqual(r.proxy.stats().backends.c, { total: 1, open: 0, severed: 1 });
});

test('lowest-index: a change of index alone moves active (re-evaluated at every poll)', async (t) => {
  const r = await rig(
    t,
    { a: { healthy: true, index: 0 }, b: { healthy: true, index: 1 } },
    { rule: 'lowest-index' },
  );
  t.is(r.proxy.activeBackend(), 'a');
  const onA = await client(r);
  r.health.a!.state.index = 2;
  await waitFor('b to become active', () => r.proxy.activeBackend() === 'b');
  await waitFor('onA to be closed by the proxy', () => onA.isClosed());
  const change = r.events.find((e) => e.type === 'active-changed' && e.from === 'a');
  t.truthy(change);
  t.regex((change as { reason: string }).reason, /lower index/);
});

test('sticky-random: moves when the active one turns unhealthy, and does NOT move back when it recovers', async (t) => {
  const all = {
    a: { healthy: true, index: 0 },
    b: { healthy: true, index: 1 },
    c: { healthy: true, index: 2 },
  };
  const r = await rig(t, all, { rule: 'sticky-random', seed: 5 });
  const first = r.proxy.activeBackend();
  t.truthy(first);
  const onFirst = await client(r);
  t.is(onFirst.greeting, first);

  r.health[first!]!.state.healthy = false;
  await waitFor(
    'another backend to become active',
    () => r.proxy.activeBackend() !== first && r.proxy.activeBackend() !== null,
  );
  const second = r.proxy.activeBackend()!;
  await waitFor('onFirst to be closed by the proxy', () => onFirst.isClosed());
  const onSecond = await client(r);
  t.is(onSecond.greeting, second);

  r.health[first!]!.state.healthy = true;
  await waitFor('the recovery to be seen', () =>
    r.events.some((e) => e.type === 'health-changed' && e.backend === first && e.healthy),
  );
  // Several more polls with the first one healthy again (and maybe the lowest index): still sticky.
  const seen = r.proxy.stats().polls;
  await waitFor('three more polls', () => r.proxy.stats().polls >= seen + 3);
  t.is(r.proxy.activeBackend(), second);
  t.false(onSecond.isClosed(), 'the connection to the current active one is left alone');
  t.is((await client(r)).greeting, second);
});

test('sticky-random: the same seed makes the same first pick', async (t) => {
  const all = {
    a: { healthy: true, index: 0 },
    b: { healthy: true, index: 1 },
    c: { healthy: true, index: 2 },
  };
  const backends = await Promise.all(['a', 'b', 'c'].map((n) => startEchoBackend(n, HOST)));
  t.teardown(() => Promise.all(backends.map((b) => b.stop())));
  const picks: (string | null)[] = [];
  for (const seed of [9, 9, 9])
    picks.push(
      (await rig(t, all, { rule: 'sticky-random', seed }, { backends })).proxy.activeBackend(),
    );
  t.is(new Set(picks).size, 1);
});

test('a change of active severs the old backend only: the other proxy on the same backend keeps its connection', async (t) => {
  const backends = await Promise.all(['a', 'b'].map((n) => startEchoBackend(n, HOST)));
  t.teardown(() => Promise.all(backends.map((b) => b.stop())));
  const healthy = { a: { healthy: true, index: 0 }, b: { healthy: true, index: 1 } };
  const p1 = await rig(t, healthy, { rule: 'lowest-index', name: 'p1' }, { backends });
  const p2 = await rig(t, healthy, { rule: 'lowest-index', name: 'p2' }, { backends });
  const c1 = await client(p1);
  const c2 = await client(p2);
  t.is(c1.greeting, 'a');
  t.is(c2.greeting, 'a');
  // Only p1's view of a turns unhealthy (e.g. a partition between p1 and a's healthcheck).
  p1.health.a!.state.healthy = false;
  await waitFor('p1 to switch', () => p1.proxy.activeBackend() === 'b');
  await waitFor('c1 to be closed by the proxy', () => c1.isClosed());
  const c1b = await client(p1);
  t.is(c1b.greeting, 'b');
  // p2 has seen a healthy all along; its connection to a still works end to end.
  t.is(p2.proxy.activeBackend(), 'a');
  t.false(c2.isClosed());
  const echoed = new Promise<string>((resolve) =>
    c2.socket.once('data', (d) => resolve(d.toString())),
  );
  c2.socket.write('still here\n');
  t.is(await echoed, 'still here\n');
  t.false(c1b.isClosed(), 'the connection made to the new active backend is not severed');
});

test('no healthy backend: a new connection is closed at once, and routing resumes when one recovers', async (t) => {
  const r = await rig(
    t,
    { a: { healthy: false, index: 0 }, b: { healthy: false, index: 1 } },
    { rule: 'lowest-index' },
  );
  t.is(r.proxy.activeBackend(), null);
  const c = await client(r);
  t.is(c.greeting, null, 'closed before any byte of a backend');
  await waitFor('c to be closed by the proxy', () => c.isClosed());
  t.is(r.proxy.stats().rejectedNoActive, 1);
  t.is(r.proxy.stats().backends.a!.total + r.proxy.stats().backends.b!.total, 0);

  r.health.b!.state.healthy = true;
  await waitFor('b to become active', () => r.proxy.activeBackend() === 'b');
  t.is((await client(r)).greeting, 'b');
});

test('all backends turning unhealthy severs the active one and leaves no active backend', async (t) => {
  const r = await rig(t, { a: { healthy: true, index: 0 } }, { rule: 'sticky-random' });
  const c = await client(r);
  t.is(c.greeting, 'a');
  r.health.a!.state.status = 500;
  await waitFor('no active backend', () => r.proxy.activeBackend() === null);
  await waitFor('c to be closed by the proxy', () => c.isClosed());
  const last = r.events.filter((e) => e.type === 'active-changed').at(-1);
  t.like(last, { from: 'a', to: null });
  t.is((await client(r)).greeting, null);
});

test('bytes pass both ways intact (8 MiB each way)', async (t) => {
  const r = await rig(t, { a: { healthy: true, index: 0 } }, { rule: 'lowest-index' });
  const payload = randomBytes(8 * 1024 * 1024);
  const socket = connect({ host: r.proxy.listen.host, port: r.proxy.listen.port });
  const received: Buffer[] = [];
  let size = 0;
  const greeting = Buffer.from('a\n');
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (d: Buffer) => {
      received.push(d);
      size += d.length;
      if (size >= greeting.length + payload.length) resolve();
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed after ${size} bytes`)));
  });
  socket.write(payload);
  await done;
  const all = Buffer.concat(received);
  t.true(all.subarray(0, 2).equals(greeting));
  const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  t.is(all.length, greeting.length + payload.length);
  t.is(digest(all.subarray(2)), digest(payload));
  socket.destroy();
});

test('a healthcheck that does not answer within the timeout counts as unhealthy', async (t) => {
  const r = await rig(
    t,
    { a: { healthy: true, index: 0 }, b: { healthy: true, index: 1 } },
    { rule: 'lowest-index', healthTimeoutMs: 300, pollIntervalMs: 50 },
  );
  t.is(r.proxy.activeBackend(), 'a');
  r.health.a!.state.delayMs = 5000;
  await waitFor('b to become active', () => r.proxy.activeBackend() === 'b');
  const change = r.events.find(
    (e) => e.type === 'health-changed' && e.backend === 'a' && !e.healthy,
  );
  t.like(change, { was: true, healthy: false, index: 0 });
  t.regex((change as { detail: string }).detail, /no answer within 300 ms/);
  t.like(
    r.proxy.backends().find((b) => b.name === 'a'),
    { healthy: false, active: false },
  );
});

test('a refused backend connection closes the client and is counted', async (t) => {
  // A backend whose healthcheck says healthy but whose port refuses connections.
  const probe = createServer();
  await new Promise<void>((res) => probe.listen(0, HOST, res));
  const deadPort = (probe.address() as { port: number }).port;
  await new Promise<void>((res) => probe.close(() => res()));
  const health = await startFakeHealth(HOST, { healthy: true, index: 0 });
  t.teardown(() => health.stop());
  const proxy = await startSwitchboard({
    name: 'p',
    listen: { host: PROXY_HOST, port: 0 },
    backends: [{ name: 'dead', host: HOST, port: deadPort, healthUrl: health.url }],
    rule: 'lowest-index',
    pollIntervalMs: 50,
  });
  t.teardown(() => proxy.stop());
  const c = await connectClient(proxy.listen.host, proxy.listen.port);
  t.is(c.greeting, null);
  await waitFor('the failed dial to be counted', () => proxy.stats().dialFailed === 1);
  t.is(proxy.stats().backends.dead!.open, 0);
});

test('the API lists backends with healthy, active and current sessions', async (t) => {
  const r = await rig(
    t,
    {
      a: { healthy: true, index: 1 },
      b: { healthy: true, index: 0 },
      c: { healthy: false, index: 2 },
    },
    { rule: 'lowest-index', apiPort: 0 },
  );
  const clients = [await client(r), await client(r)];
  t.true(clients.every((c) => c.greeting === 'b'));
  t.truthy(r.proxy.apiUrl);
  const body = await new Promise<string>((resolve, reject) =>
    get(`${r.proxy.apiUrl}/v0/backends`, (res) => {
      let s = '';
      res.on('data', (d) => (s += d));
      res.on('end', () => resolve(s));
    }).on('error', reject),
  );
  const list = JSON.parse(body) as {
    name: string;
    healthy: boolean;
    active: boolean;
    currentSessionCount: number;
  }[];
  t.deepEqual(
    list.map((b) => [b.name, b.healthy, b.active, b.currentSessionCount]),
    [
      ['a', true, false, 0],
      ['b', true, true, 2],
      ['c', false, false, 0],
    ],
  );
});

test('events carry the proxy name and timestamps, in order', async (t) => {
  const r = await rig(
    t,
    { a: { healthy: true, index: 0 }, b: { healthy: true, index: 1 } },
    { rule: 'lowest-index' },
  );
  r.health.a!.state.healthy = false;
  await waitFor('b active', () => r.proxy.activeBackend() === 'b');
  t.true(r.events.length >= 4);
  for (const e of r.events) {
    t.is(e.proxy, 'proxy-under-test');
    t.true(Math.abs(e.at - Date.now()) < 60_000);
  }
  const monos = r.events.map((e) => e.mono);
  t.deepEqual(
    monos,
    [...monos].sort((x, y) => x - y),
  );
  t.deepEqual(
    r.events.filter((e) => e.type === 'health-changed').map((e) => [e.backend, e.was, e.healthy]),
    [
      ['a', null, true],
      ['b', null, true],
      ['a', true, false],
    ],
  );
});

test('stop closes the listener and every client and backend socket', async (t) => {
  const r = await rig(t, { a: { healthy: true, index: 0 } }, { rule: 'lowest-index' });
  const c = await client(r);
  t.is(c.greeting, 'a');
  await r.proxy.stop();
  await waitFor('c to be closed by the proxy', () => c.isClosed());
  t.is(r.proxy.stats().backends.a!.open, 0);
  const refused = await new Promise<string>((resolve) => {
    const s = connect({ host: r.proxy.listen.host, port: r.proxy.listen.port });
    s.on('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
  t.is(refused, 'ECONNREFUSED');
  const polls = r.health.a!.requests;
  await new Promise((res) => setTimeout(res, 200));
  t.is(r.health.a!.requests, polls, 'no poll after stop');
});

test('bad options are refused with a message naming the problem', async (t) => {
  const base = { name: 'p', listen: { host: PROXY_HOST, port: 0 }, rule: 'lowest-index' as const };
  await t.throwsAsync(startSwitchboard({ ...base, backends: [] }), { message: /no backends/ });
  const b = { name: 'x', host: HOST, port: 1, healthUrl: 'http://127.0.3.101:1/' };
  await t.throwsAsync(startSwitchboard({ ...base, backends: [b, b] }), {
    message: /appears twice/,
  });
  await t.throwsAsync(startSwitchboard({ ...base, rule: 'round-robin' as never, backends: [b] }), {
    message: /rule must be/,
  });
});

test('pause stops polling and routing; resume gives the state a fresh start with the new seed has', async (t) => {
  const all = {
    a: { healthy: true, index: 0 },
    b: { healthy: true, index: 1 },
    c: { healthy: true, index: 2 },
  };
  const backends = await Promise.all(['a', 'b', 'c'].map((n) => startEchoBackend(n, HOST)));
  t.teardown(() => Promise.all(backends.map((b) => b.stop())));
  const r = await rig(t, all, { rule: 'sticky-random', seed: 3 }, { backends });
  // Move it off its first pick, the way a run's fault leaves a proxy.
  const first = r.proxy.activeBackend()!;
  r.health[first]!.state.healthy = false;
  await waitFor('a move', () => ![first, null].includes(r.proxy.activeBackend()));
  const open = await client(r);
  t.not(open.greeting, null);

  await r.proxy.pause();
  t.true(r.proxy.isPaused());
  await waitFor('the open connection closed by the pause', () => open.isClosed());
  const requests = Object.values(r.health).map((h) => h.requests);
  await new Promise((res) => setTimeout(res, 200));
  t.deepEqual(
    Object.values(r.health).map((h) => h.requests),
    requests,
    'no poll while paused (4 intervals)',
  );
  t.is((await client(r)).greeting, null, 'a connection while paused is refused');
  r.health[first]!.state.healthy = true;

  for (const seed of [3, 11]) {
    await r.proxy.pause();
    const events: SwitchboardEvent[] = [];
    await r.proxy.resume({ seed, onEvent: (e) => events.push(e) });
    t.false(r.proxy.isPaused());
    const fresh = await rig(
      t,
      all,
      { rule: 'sticky-random', seed, name: `fresh-${seed}` },
      { backends },
    );
    t.is(
      r.proxy.activeBackend(),
      fresh.proxy.activeBackend(),
      `seed ${seed}: a fresh start's pick`,
    );
    const stats = r.proxy.stats();
    t.like(stats, { accepted: 0, rejectedNoActive: 0, rejectedNotServing: 0, dialFailed: 0 });
    t.is(
      stats.activeChanges,
      fresh.proxy.stats().activeChanges,
      'as many changes as a fresh start',
    );
    t.true(
      Object.values(stats.backends).every((b) => b.total === 0 && b.severed === 0),
      'backend counters at zero',
    );
    t.deepEqual(
      events.map((e) => e.type),
      fresh.events.map((e) => e.type),
      'the same events as a fresh start, to the new listener',
    );
    t.is((await client(r)).greeting, r.proxy.activeBackend(), 'routes again');
  }
});

test('resume of a leader-elected proxy starts not serving, as its fresh start does', async (t) => {
  const r = await rig(t, { a: { healthy: true, index: 0 } }, { rule: 'lowest-index' });
  await r.proxy.pause();
  await r.proxy.resume({ seed: 0, serving: false });
  t.false(r.proxy.isServing());
  t.is((await client(r)).greeting, null);
  r.proxy.setServing(true);
  t.is((await client(r)).greeting, 'a');
});
