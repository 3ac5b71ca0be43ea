// The lab's Toxiproxy driver: embedded (it starts the lab's server) and external (TOXIPROXY_URL or
// opts.url; here a separately started lab server stands in for a real Toxiproxy, with a proxy of
// somebody else's on it that the lab must leave alone). Upstreams are echo servers on 127.0.5.3.

import test from 'ava';
import { pendingCleanups, runCleanups } from '../../lab/lifecycle/cleanup.ts';
import { connectToxiproxy } from '../../lab/toxiproxy/driver.ts';
import { startToxiproxyServer } from '../../lab/toxiproxy/server.ts';
import { Probe, startEcho, tryConnect, waitFor } from './toxiproxy-tcp.ts';

// A developer's TOXIPROXY_URL must not redirect the embedded-mode tests; the test that needs the
// variable sets it itself.
delete process.env.TOXIPROXY_URL;

const ECHO_HOST = '127.0.5.3';

async function json(url: string): Promise<unknown> {
  const res = await fetch(url);
  return res.json();
}

async function externalServer(t: import('ava').ExecutionContext) {
  const server = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
  const echo = await startEcho(ECHO_HOST);
  t.teardown(async () => {
    await server.stop();
    await echo.stop();
  });
  // Somebody else's proxy and toxic on the shared Toxiproxy.
  await fetch(`${server.url}/proxies`, {
    method: 'POST',
    body: JSON.stringify({ name: 'theirs', listen: '127.0.0.1:0', upstream: echo.address }),
  });
  await fetch(`${server.url}/proxies/theirs/toxics`, {
    method: 'POST',
    body: JSON.stringify({ type: 'latency', attributes: { latency: 5 } }),
  });
  return { server, echo };
}

test('embedded: starts its own server, drives proxies and toxics, and close() stops it all', async (t) => {
  const echo = await startEcho(ECHO_HOST);
  t.teardown(() => echo.stop());
  const tp = await connectToxiproxy();
  t.teardown(() => tp.close());
  t.true(tp.embedded);
  t.regex(tp.url, /^http:\/\/127\.0\.0\.1:\d+$/);

  const p = await tp.createProxy('node1', '127.0.0.1:0', echo.address);
  t.regex(p.listen, /^127\.0\.0\.1:[1-9]\d*$/);
  t.like(p, { name: 'node1', upstream: echo.address, enabled: true });

  const toxic = await tp.addToxic('node1', {
    type: 'latency',
    attributes: { latency: 200, jitter: 0 },
  });
  t.deepEqual(toxic, {
    name: 'latency_downstream',
    type: 'latency',
    stream: 'downstream',
    toxicity: 1,
    attributes: { latency: 200, jitter: 0 },
  });
  const probe = await Probe.connect(p.listen);
  t.teardown(() => probe.destroy());
  t.true((await probe.roundTrip('x')) >= 180, 'the toxic acts on the traffic');
  await tp.removeToxic('node1', 'latency_downstream');
  t.deepEqual(await json(`${tp.url}/proxies/node1/toxics`), []);

  const off = await tp.setEnabled('node1', false);
  t.false(off.enabled);
  t.is(await tryConnect(p.listen), 'ECONNREFUSED');
  t.true((await tp.setEnabled('node1', true)).enabled);
  t.is(await tryConnect(p.listen), null);

  await tp.addToxic('node1', { type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } });
  await tp.setEnabled('node1', false);
  await tp.reset();
  t.like(
    await json(`${tp.url}/proxies/node1`),
    { enabled: true, toxics: [] },
    'reset: enabled, no toxic',
  );

  await tp.close();
  t.is(await tryConnect(p.listen), 'ECONNREFUSED', 'the proxy listener is gone');
  await t.throwsAsync(fetch(`${tp.url}/version`), undefined, 'the embedded server is stopped');
  await tp.close();
});

test("external (opts.url): only the lab's proxies are touched by reset() and close(); the server keeps running", async (t) => {
  const { server, echo } = await externalServer(t);
  const tp = await connectToxiproxy({ url: server.url });
  t.teardown(() => tp.close());
  t.false(tp.embedded);
  await tp.createProxy('lab-a', '127.0.0.1:0', echo.address);
  await tp.addToxic('lab-a', {
    type: 'bandwidth',
    stream: 'upstream',
    toxicity: 0.5,
    attributes: { rate: 10 },
  });
  await tp.setEnabled('lab-a', false);

  await tp.reset();
  t.like(await json(`${server.url}/proxies/lab-a`), { enabled: true, toxics: [] });
  t.is(
    ((await json(`${server.url}/proxies/theirs/toxics`)) as unknown[]).length,
    1,
    'their toxic survives reset()',
  );

  await tp.addToxic('lab-a', { type: 'slow_close', attributes: { delay: 10 } });
  await tp.close();
  t.deepEqual(
    Object.keys((await json(`${server.url}/proxies`)) as object),
    ['theirs'],
    "close() deleted the lab's proxy only",
  );
  t.regex(
    ((await json(`${server.url}/version`)) as { version: string }).version,
    /\S/,
    'the external server still answers',
  );
});

test.serial('TOXIPROXY_URL selects an external Toxiproxy', async (t) => {
  const { server, echo } = await externalServer(t);
  process.env.TOXIPROXY_URL = server.url;
  t.teardown(() => {
    delete process.env.TOXIPROXY_URL;
  });
  const tp = await connectToxiproxy();
  t.teardown(() => tp.close());
  t.false(tp.embedded);
  t.is(tp.url, server.url);
  await tp.createProxy('via-env', '127.0.0.1:0', echo.address);
  t.true('via-env' in ((await json(`${server.url}/proxies`)) as object));
});

test.serial(
  'the cleanup registry (Ctrl-C, crash) deletes every proxy and toxic the lab created',
  async (t) => {
    const { server, echo } = await externalServer(t);
    const tp = await connectToxiproxy({ url: server.url });
    await tp.createProxy('lab-b', '127.0.0.1:0', echo.address);
    await tp.addToxic('lab-b', { type: 'reset_peer', attributes: { timeout: 100 } });
    t.true(pendingCleanups().some((n) => n.startsWith('toxiproxy')));
    await runCleanups();
    t.deepEqual(Object.keys((await json(`${server.url}/proxies`)) as object), ['theirs']);
    t.false(
      pendingCleanups().some((n) => n.startsWith('toxiproxy')),
      'close() unregistered itself',
    );
  },
);

test('loopback only: a non-loopback address is refused before anything is sent; an unreachable API fails at connect', async (t) => {
  const { server } = await externalServer(t);
  const tp = await connectToxiproxy({ url: server.url });
  t.teardown(() => tp.close());
  await t.throwsAsync(tp.createProxy('lab-c', '127.0.0.1:0', '10.0.0.7:3306'), {
    message: /upstream must be a loopback address/,
  });
  await t.throwsAsync(tp.createProxy('lab-c', '0.0.0.0:0', '127.0.0.1:3306'), {
    message: /listen must be a loopback address/,
  });
  t.deepEqual(Object.keys((await json(`${server.url}/proxies`)) as object), ['theirs']);
  await t.throwsAsync(connectToxiproxy({ url: 'http://192.0.2.10:8474' }), { message: /loopback/ });
  const closed = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
  await closed.stop();
  await t.throwsAsync(connectToxiproxy({ url: closed.url }), {
    message: /toxiproxy: reaching http:\/\/127\.0\.0\.1:\d+\/version failed/,
  });
});

test('errors name the proxy: unknown to the lab, name taken, toxic missing', async (t) => {
  const { server, echo } = await externalServer(t);
  const tp = await connectToxiproxy({ url: server.url });
  t.teardown(() => tp.close());
  await t.throwsAsync(tp.addToxic('theirs', { type: 'latency', attributes: { latency: 1 } }), {
    message: /theirs is not a proxy this lab created/,
  });
  await t.throwsAsync(tp.createProxy('theirs', '127.0.0.1:0', echo.address), {
    message: /create proxy theirs \(a proxy named theirs already exists/,
  });
  await tp.createProxy('lab-d', '127.0.0.1:0', echo.address);
  await t.throwsAsync(tp.removeToxic('lab-d', 'nothing'), {
    message: /remove toxic nothing from lab-d failed: .*404/,
  });
  await t.throwsAsync(tp.createProxy('bad/name', '127.0.0.1:0', echo.address), {
    message: /must match/,
  });
});

test('a proxy made through the driver carries traffic to its upstream', async (t) => {
  const echo = await startEcho(ECHO_HOST);
  t.teardown(() => echo.stop());
  const tp = await connectToxiproxy();
  t.teardown(() => tp.close());
  const p = await tp.createProxy('carry', 'localhost:0', echo.address);
  const probe = await Probe.connect(p.listen);
  t.teardown(() => probe.destroy());
  await probe.roundTrip('through the driver');
  await waitFor('the upstream to see it', () => echo.received().length > 0);
  t.is(echo.received().toString(), 'through the driver');
});
