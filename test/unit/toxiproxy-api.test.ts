// The lab's Toxiproxy server against toxiproxy-node-client and against raw HTTP (the client hides
// status codes and error bodies behind "Request failed with status code N"). Every test starts its
// own server; upstreams are echo servers on 127.0.5.1.

import test, { type ExecutionContext } from 'ava';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startToxiproxyServer, type ToxiproxyServer } from '../../lab/toxiproxy/server.ts';
import { Probe, startEcho, tryConnect, waitFor, type EchoServer } from './toxiproxy-tcp.ts';

const ECHO_HOST = '127.0.5.1';

interface Rig {
  server: ToxiproxyServer;
  client: Toxiproxy;
  echo: EchoServer;
  call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown; text: string }>;
}

async function rig(t: ExecutionContext): Promise<Rig> {
  const server = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
  const echo = await startEcho(ECHO_HOST);
  t.teardown(async () => {
    await server.stop();
    await echo.stop();
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers = { 'Content-Type': 'application/json' };
    }
    const res = await fetch(server.url + path, init);
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, json, text };
  };
  return { server, client: new Toxiproxy(server.url), echo, call };
}

const LISTEN = /^127\.0\.0\.1:[1-9]\d*$/;

test('GET /version answers a JSON version; GET /proxies is an empty object at first', async (t) => {
  const r = await rig(t);
  const text = await r.client.getVersion();
  t.regex((JSON.parse(text) as { version: string }).version, /\S/);
  t.deepEqual(await r.client.getAll(), {});
  const raw = await r.call('GET', '/proxies');
  t.is(raw.status, 200);
  t.deepEqual(raw.json, {});
});

test('create: 201 with the bound port for listen port 0, listed by name, and traffic flows through', async (t) => {
  const r = await rig(t);
  const raw = await r.call('POST', '/proxies', {
    name: 'raw',
    listen: '127.0.0.1:0',
    upstream: r.echo.address,
  });
  t.is(raw.status, 201);
  const body = raw.json as Record<string, unknown>;
  t.regex(body.listen as string, LISTEN, 'port 0 is replaced by the port picked');
  t.deepEqual(body, {
    name: 'raw',
    listen: body.listen,
    upstream: r.echo.address,
    enabled: true,
    toxics: [],
  });

  const viaClient = await r.client.createProxy({
    name: 'lib',
    listen: 'localhost:0',
    upstream: r.echo.address,
  });
  t.regex(viaClient.listen, LISTEN, 'localhost is taken as 127.0.0.1');
  t.true(viaClient.enabled);

  const all = await r.client.getAll();
  t.deepEqual(Object.keys(all).sort(), ['lib', 'raw']);
  t.is(all.lib!.listen, viaClient.listen);
  t.is((await r.client.get('raw')).listen, body.listen as string);
  const index = (await r.call('GET', '/proxies')).json as Record<string, { toxics: unknown[] }>;
  t.deepEqual(index.raw!.toxics, [], 'each proxy in the index carries its toxics');

  const probe = await Probe.connect(viaClient.listen);
  t.teardown(() => probe.destroy());
  await probe.roundTrip('hello through the proxy');
  t.is(probe.bytes.toString(), 'hello through the proxy');
  t.true(r.echo.arrivals.length > 0, 'the bytes reached the upstream');
});

test('create errors: 409 for a taken name, 400 for a missing field, a bad body, or a non-loopback address', async (t) => {
  const r = await rig(t);
  t.is(
    (
      await r.call('POST', '/proxies', {
        name: 'a',
        listen: '127.0.0.1:0',
        upstream: r.echo.address,
      })
    ).status,
    201,
  );

  const dup = await r.call('POST', '/proxies', {
    name: 'a',
    listen: '127.0.0.1:0',
    upstream: r.echo.address,
  });
  t.is(dup.status, 409);
  t.deepEqual(dup.json, { error: 'proxy already exists', status: 409 });
  const libErr = await t.throwsAsync(
    r.client.createProxy({ name: 'a', listen: '127.0.0.1:0', upstream: r.echo.address }),
  );
  t.regex(libErr!.message, /409/);

  t.deepEqual(
    (await r.call('POST', '/proxies', { listen: '127.0.0.1:0', upstream: r.echo.address })).json,
    {
      error: 'missing required field: name',
      status: 400,
    },
  );
  t.deepEqual((await r.call('POST', '/proxies', { name: 'b', listen: '127.0.0.1:0' })).json, {
    error: 'missing required field: upstream',
    status: 400,
  });
  const garbled = await r.call('POST', '/proxies', '{"name": "b",');
  t.is(garbled.status, 400);
  t.regex((garbled.json as { error: string }).error, /^bad request body/);
  const wrongType = await r.call('POST', '/proxies', { name: 7, upstream: r.echo.address });
  t.is(wrongType.status, 400);
  t.regex((wrongType.json as { error: string }).error, /^bad request body: name/);

  for (const listen of [
    '0.0.0.0:0',
    '10.1.2.3:5000',
    ':0',
    '[::1]:0',
    '128.0.0.1:0',
    '127.0.0.256:0',
  ]) {
    const res = await r.call('POST', '/proxies', { name: 'c', listen, upstream: r.echo.address });
    t.is(res.status, 400, listen);
    t.regex((res.json as { error: string }).error, /^listen must be a loopback address/, listen);
  }
  for (const upstream of ['10.1.2.3:3306', 'example.com:80', '127.0.0.1:0', '127.0.0.1']) {
    const res = await r.call('POST', '/proxies', { name: 'c', listen: '127.0.0.1:0', upstream });
    t.is(res.status, 400, upstream);
    t.regex((res.json as { error: string }).error, /^upstream must/, upstream);
  }
  t.deepEqual(
    Object.keys((await r.call('GET', '/proxies')).json as object),
    ['a'],
    'no failed request created anything',
  );
});

test('unknown proxies and toxics answer 404 with the error body', async (t) => {
  const r = await rig(t);
  await r.client.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream: r.echo.address });
  const proxy404 = { error: 'proxy not found', status: 404 };
  const toxic404 = { error: 'toxic not found', status: 404 };
  t.deepEqual((await r.call('GET', '/proxies/nope')).json, proxy404);
  t.deepEqual((await r.call('POST', '/proxies/nope', { enabled: false })).json, proxy404);
  t.deepEqual((await r.call('DELETE', '/proxies/nope')).json, proxy404);
  t.deepEqual((await r.call('GET', '/proxies/nope/toxics')).json, proxy404);
  t.deepEqual((await r.call('POST', '/proxies/nope/toxics', { type: 'latency' })).json, proxy404);
  t.deepEqual((await r.call('GET', '/proxies/p/toxics/nope')).json, toxic404);
  t.deepEqual((await r.call('POST', '/proxies/p/toxics/nope', { toxicity: 0.5 })).json, toxic404);
  t.deepEqual((await r.call('DELETE', '/proxies/p/toxics/nope')).json, toxic404);
  const libErr = await t.throwsAsync(r.client.get('nope'));
  t.regex(libErr!.message, /404/);
  const notARoute = await r.call('GET', '/nothing/here');
  t.is(notARoute.status, 404);
  t.is((await r.call('PUT', '/proxies')).status, 405);
});

test('update: disabling closes connections and refuses new ones; enabling listens on the same address; delete answers 204', async (t) => {
  const r = await rig(t);
  const proxy = await r.client.createProxy({
    name: 'p',
    listen: '127.0.0.1:0',
    upstream: r.echo.address,
  });
  const probe = await Probe.connect(proxy.listen);
  t.teardown(() => probe.destroy());
  await probe.roundTrip('x');

  const off = await proxy.update({
    enabled: false,
    listen: proxy.listen,
    upstream: proxy.upstream,
  });
  t.false(off.enabled);
  t.is(off.listen, proxy.listen);
  await waitFor('the open connection to be closed', () => probe.closed);
  t.is(await tryConnect(proxy.listen), 'ECONNREFUSED');

  const on = await off.update({ enabled: true, listen: off.listen, upstream: off.upstream });
  t.true(on.enabled);
  t.is(on.listen, proxy.listen);
  t.is(await tryConnect(proxy.listen), null);

  const partial = await r.call('POST', '/proxies/p', { enabled: false });
  t.is(partial.status, 200);
  t.like(
    partial.json as object,
    { enabled: false, listen: proxy.listen, upstream: r.echo.address },
    'fields left out keep their values',
  );
  const bad = await r.call('POST', '/proxies/p', { upstream: '192.168.1.1:3306' });
  t.is(bad.status, 400);
  t.regex((bad.json as { error: string }).error, /^upstream must be a loopback address/);
  t.is((await r.client.get('p')).upstream, r.echo.address, 'a refused update changes nothing');

  const moved = await r.call('PATCH', '/proxies/p', { listen: '127.0.0.2:0', enabled: true });
  t.is(moved.status, 200);
  const movedTo = (moved.json as { listen: string }).listen;
  t.regex(movedTo, /^127\.0\.0\.2:[1-9]\d*$/, 'a new listen address means a new listener');
  t.is(await tryConnect(proxy.listen), 'ECONNREFUSED', 'the old address is closed');
  t.is(await tryConnect(movedTo), null);

  const del = await r.call('DELETE', '/proxies/p');
  t.is(del.status, 204);
  t.is(del.text, '');
  t.is((await r.call('GET', '/proxies/p')).status, 404);
  await r.client
    .createProxy({ name: 'q', listen: '127.0.0.1:0', upstream: r.echo.address })
    .then((q) => q.remove());
  t.deepEqual(await r.client.getAll(), {}, 'Proxy.remove() deletes through the client too');
});

test('toxics: defaults (name <type>_<stream>, downstream, toxicity 1), list, show, update, delete', async (t) => {
  const r = await rig(t);
  const proxy = await r.client.createProxy({
    name: 'p',
    listen: '127.0.0.1:0',
    upstream: r.echo.address,
  });

  const created = await r.call('POST', '/proxies/p/toxics', {
    type: 'latency',
    attributes: { latency: 100 },
  });
  t.is(created.status, 200, 'the real one answers 200 to a toxic create');
  t.deepEqual(created.json, {
    name: 'latency_downstream',
    type: 'latency',
    stream: 'downstream',
    toxicity: 1,
    attributes: { latency: 100, jitter: 0 },
  });

  const viaClient = await proxy.addToxic({
    name: 'up_slow',
    type: 'bandwidth',
    stream: 'upstream',
    toxicity: 0.5,
    attributes: { rate: 64 },
  });
  t.deepEqual(viaClient.toJson(), {
    name: 'up_slow',
    type: 'bandwidth',
    stream: 'upstream',
    toxicity: 0.5,
    attributes: { rate: 64 },
  });

  const list = await r.call('GET', '/proxies/p/toxics');
  t.deepEqual(
    (list.json as { name: string }[]).map((x) => x.name),
    ['up_slow', 'latency_downstream'],
    'upstream toxics are listed first',
  );
  t.deepEqual((await proxy.getToxic('latency_downstream')).toJson(), created.json);
  t.is(((await r.call('GET', '/proxies/p')).json as { toxics: unknown[] }).toxics.length, 2);

  const updated = await r.call('POST', '/proxies/p/toxics/latency_downstream', {
    toxicity: 0.25,
    attributes: { jitter: 10 },
  });
  t.is(updated.status, 200);
  t.deepEqual(updated.json, {
    name: 'latency_downstream',
    type: 'latency',
    stream: 'downstream',
    toxicity: 0.25,
    attributes: { latency: 100, jitter: 10 },
  });
  const patched = await r.call('PATCH', '/proxies/p/toxics/latency_downstream', {
    attributes: { latency: 120 },
  });
  t.like(
    patched.json as object,
    { toxicity: 0.25, attributes: { latency: 120, jitter: 10 } },
    'PATCH works as POST',
  );
  const viaClientUpdate = await viaClient.update({
    ...viaClient.toJson(),
    attributes: { rate: 128 },
  });
  t.deepEqual(viaClientUpdate.attributes, { rate: 128 });
  t.is(viaClientUpdate.toxicity, 0.5, 'toxicity sent unchanged stays');

  const del = await r.call('DELETE', '/proxies/p/toxics/latency_downstream');
  t.is(del.status, 204);
  t.is((await r.call('GET', '/proxies/p/toxics/latency_downstream')).status, 404);
  await viaClient.remove();
  t.deepEqual((await r.call('GET', '/proxies/p/toxics')).json, []);
});

test('toxic errors: 409 for a taken name, 400 for a bad stream, type or attribute', async (t) => {
  const r = await rig(t);
  await r.client.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream: r.echo.address });
  t.is(
    (await r.call('POST', '/proxies/p/toxics', { type: 'timeout', stream: 'upstream' })).status,
    200,
  );
  t.deepEqual(
    (await r.call('POST', '/proxies/p/toxics', { type: 'timeout', stream: 'upstream' })).json,
    { error: 'toxic already exists', status: 409 },
  );
  t.deepEqual(
    (await r.call('POST', '/proxies/p/toxics', { type: 'latency', stream: 'sideways' })).json,
    {
      error: 'stream was invalid, can be either upstream or downstream',
      status: 400,
    },
  );
  t.deepEqual((await r.call('POST', '/proxies/p/toxics', { type: 'flood' })).json, {
    error: 'invalid toxic type',
    status: 400,
  });
  t.deepEqual((await r.call('POST', '/proxies/p/toxics', { attributes: {} })).json, {
    error: 'invalid toxic type',
    status: 400,
  });
  for (const latency of [1.5, -1, 'slow']) {
    const res = await r.call('POST', '/proxies/p/toxics', {
      type: 'latency',
      attributes: { latency },
    });
    t.is(res.status, 400, String(latency));
    t.is(
      (res.json as { error: string }).error,
      'bad request body: attributes.latency must be a non-negative integer',
    );
  }
  const slicer = await r.call('POST', '/proxies/p/toxics', {
    type: 'slicer',
    attributes: { average_size: 0 },
  });
  t.deepEqual(slicer.json, {
    error: 'bad request body: average_size must be at least 1',
    status: 400,
  });
  const badUpdate = await r.call('POST', '/proxies/p/toxics/timeout_upstream', {
    attributes: { timeout: 'soon' },
  });
  t.is(badUpdate.status, 400);
  t.deepEqual(
    ((await r.call('GET', '/proxies/p/toxics')).json as { name: string }[]).map((x) => x.name),
    ['timeout_upstream'],
    'no failed request added a toxic',
  );
});

test('populate: 201 with the proxies; repeating it keeps unchanged proxies (and their toxics); a changed upstream replaces one', async (t) => {
  const r = await rig(t);
  const other = await startEcho(ECHO_HOST);
  t.teardown(() => other.stop());
  const config = [
    { name: 'a', listen: '127.0.0.1:0', upstream: r.echo.address },
    { name: 'b', listen: '127.0.0.1:0', upstream: r.echo.address },
  ];
  const first = await r.call('POST', '/populate', config);
  t.is(first.status, 201);
  const listed = (first.json as { proxies: { name: string; listen: string; enabled: boolean }[] })
    .proxies;
  t.deepEqual(
    listed.map((p) => p.name),
    ['a', 'b'],
  );
  t.true(listed.every((p) => LISTEN.test(p.listen) && p.enabled));
  const before = await r.client.getAll();
  await before.a!.addToxic({
    name: 'lat',
    type: 'latency',
    stream: 'downstream',
    toxicity: 1,
    attributes: { latency: 10, jitter: 0 },
  });
  await before.b!.addToxic({
    name: 'lat',
    type: 'latency',
    stream: 'downstream',
    toxicity: 1,
    attributes: { latency: 10, jitter: 0 },
  });
  const onB = await Probe.connect(before.b!.listen);
  t.teardown(() => onB.destroy());
  await onB.roundTrip('x');

  const again = await r.client.populate(config);
  t.deepEqual(Object.keys(again).sort(), ['a', 'b']);
  t.is(again.a!.listen, before.a!.listen, 'unchanged: same listener');
  t.is(again.b!.listen, before.b!.listen);
  t.is(
    ((await r.call('GET', '/proxies/a/toxics')).json as unknown[]).length,
    1,
    'unchanged: toxics kept',
  );
  t.false(onB.closed, 'unchanged: connections kept');

  const changed = await r.call('POST', '/populate', [
    config[0],
    { ...config[1], upstream: other.address },
  ]);
  t.is(changed.status, 201);
  const b = await r.client.get('b');
  t.is(b.upstream, other.address);
  t.deepEqual(
    (await r.call('GET', '/proxies/b/toxics')).json,
    [],
    'replaced: a new proxy without toxics',
  );
  t.is(((await r.call('GET', '/proxies/a/toxics')).json as unknown[]).length, 1);
  await waitFor('the replaced proxy to close its connection', () => onB.closed);

  const missing = await r.call('POST', '/populate', [
    { name: 'c', upstream: r.echo.address },
    { name: 'd', listen: '127.0.0.1:0' },
  ]);
  t.is(missing.status, 400);
  t.is((missing.json as { error: string }).error, 'missing required field: upstream at proxy 2');
  const remote = await r.call('POST', '/populate', [
    { name: 'c', upstream: r.echo.address },
    { name: 'd', upstream: '10.0.0.1:3306' },
  ]);
  t.is(remote.status, 400);
  t.regex((remote.json as { error: string }).error, /^upstream must be a loopback address/);
  t.is((await r.call('POST', '/populate', { name: 'c' })).status, 400);
  t.deepEqual(
    Object.keys(await r.client.getAll()).sort(),
    ['a', 'b'],
    'a refused populate applies nothing',
  );
});

test('reset: 204, every proxy enabled again and every toxic gone', async (t) => {
  const r = await rig(t);
  const a = await r.client.createProxy({
    name: 'a',
    listen: '127.0.0.1:0',
    upstream: r.echo.address,
  });
  const b = await r.client.createProxy({
    name: 'b',
    listen: '127.0.0.1:0',
    upstream: r.echo.address,
  });
  await a.addToxic({
    name: 't1',
    type: 'timeout',
    stream: 'upstream',
    toxicity: 1,
    attributes: { timeout: 0 },
  });
  await b.addToxic({
    name: 't2',
    type: 'latency',
    stream: 'downstream',
    toxicity: 1,
    attributes: { latency: 50, jitter: 0 },
  });
  await a.update({ enabled: false, listen: a.listen, upstream: a.upstream });
  t.is(await tryConnect(a.listen), 'ECONNREFUSED');

  const raw = await r.call('POST', '/reset');
  t.is(raw.status, 204);
  const all = await r.call('GET', '/proxies');
  for (const p of Object.values(
    all.json as Record<string, { enabled: boolean; toxics: unknown[] }>,
  )) {
    t.true(p.enabled);
    t.deepEqual(p.toxics, []);
  }
  t.is(await tryConnect(a.listen), null);
  await b.addToxic({
    name: 't3',
    type: 'latency',
    stream: 'downstream',
    toxicity: 1,
    attributes: { latency: 50, jitter: 0 },
  });
  await r.client.reset();
  t.deepEqual((await r.call('GET', '/proxies/b/toxics')).json, [], 'the client reset() works too');
});

test('browser user agents are refused with 403, as by the real one', async (t) => {
  const r = await rig(t);
  const res = await fetch(`${r.server.url}/proxies`, {
    headers: { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64)' },
  });
  t.is(res.status, 403);
});

test('stop() closes the API, every proxy listener and every connection', async (t) => {
  const server = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
  const echo = await startEcho(ECHO_HOST);
  t.teardown(() => echo.stop());
  const proxy = await new Toxiproxy(server.url).createProxy({
    name: 'p',
    listen: '127.0.0.1:0',
    upstream: echo.address,
  });
  const probe = await Probe.connect(proxy.listen);
  await probe.roundTrip('x');
  await server.stop();
  await waitFor('the proxied connection to close', () => probe.closed);
  t.is(await tryConnect(proxy.listen), 'ECONNREFUSED');
  await t.throwsAsync(fetch(`${server.url}/version`));
  await server.stop();
  t.pass('a second stop() is harmless');
});

test('the API itself binds loopback only', async (t) => {
  await t.throwsAsync(startToxiproxyServer({ host: '0.0.0.0', port: 0 }), { message: /loopback/ });
});
