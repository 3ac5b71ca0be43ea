import test, { type ExecutionContext } from 'ava';
import { request } from 'node:http';
import { createServer } from 'node:net';
import type { NodeReading } from '../../lab/routing/healthcheck/decide.ts';
import type { NodeStatusReader } from '../../lab/routing/healthcheck/node-status.ts';
import {
  startHealthcheck,
  startHealthchecks,
  type HealthcheckOptions,
} from '../../lab/routing/healthcheck/server.ts';
import { startFakeMysql } from './healthcheck-fake-mysql.ts';

const HOST = '127.0.3.141';

/** A node whose state the test sets; `null` means it cannot be read. */
function scriptedNode(
  initial: NodeReading | null,
): NodeStatusReader & { set(r: NodeReading | null): void; closed: boolean; disconnects: number } {
  let current = initial;
  const node = {
    closed: false,
    set(r: NodeReading | null) {
      current = r;
    },
    async read() {
      if (!current) throw new Error('connect ECONNREFUSED');
      return { ...current };
    },
    disconnects: 0,
    async disconnect() {
      node.disconnects++;
    },
    async close() {
      node.closed = true;
    },
  };
  return node;
}

function http(
  method: string,
  url: string,
  body?: string,
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false }, (res) => {
      let s = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (s += d));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type']),
          body: s,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const OPTS: HealthcheckOptions = {
  name: 'n1',
  listen: { host: HOST, port: 0 },
  mysql: { host: HOST, port: 1, user: 'u', password: 'p' },
};

async function start(
  t: ExecutionContext,
  reading: NodeReading | null,
  extra: Partial<HealthcheckOptions> = {},
) {
  const node = scriptedNode(reading);
  const hc = await startHealthcheck({ ...OPTS, ...extra }, node);
  t.teardown(() => hc.stop());
  return { hc, node };
}

const synced: NodeReading = { localState: 4, localIndex: '1', readOnly: false };

test('a Synced node: / answers 200 with the real text, /api/v1/status 200 with JSON', async (t) => {
  const { hc } = await start(t, synced);
  const root = await http('GET', `${hc.baseUrl}/`);
  t.is(root.status, 200);
  t.is(root.body, 'Galera Cluster Node Status: synced');
  const v1 = await http('GET', hc.statusUrl);
  t.is(v1.status, 200);
  t.is(v1.type, 'application/json');
  t.deepEqual(JSON.parse(v1.body), {
    wsrep_local_state: 4,
    wsrep_local_state_comment: 'Synced',
    wsrep_local_index: 1,
    healthy: true,
  });
});

test('an unhealthy node: / answers 503, /api/v1/status still 200 with healthy false', async (t) => {
  const { hc } = await start(t, { localState: 1, localIndex: '2', readOnly: false });
  t.like(await http('GET', `${hc.baseUrl}/`), {
    status: 503,
    body: 'Galera Cluster Node Status: joining',
  });
  const v1 = await http('GET', hc.statusUrl);
  t.is(v1.status, 200);
  t.like(JSON.parse(v1.body), {
    wsrep_local_state: 1,
    wsrep_local_state_comment: 'Joining',
    healthy: false,
  });
});

test('the options reach the decision: donor unavailable, read-only available', async (t) => {
  const donor = await start(
    t,
    { localState: 2, localIndex: '0', readOnly: false },
    { availableWhenDonor: false },
  );
  t.like(await http('GET', `${donor.hc.baseUrl}/`), {
    status: 503,
    body: 'Galera Cluster Node Status: not synced',
  });
  const ro = await start(
    t,
    { localState: 4, localIndex: '0', readOnly: true },
    { availableWhenReadOnly: true },
  );
  t.like(JSON.parse((await http('GET', ro.hc.statusUrl)).body), { healthy: true });
  const roDefault = await start(t, { localState: 4, localIndex: '0', readOnly: true });
  t.like(await http('GET', `${roDefault.hc.baseUrl}/`), {
    status: 503,
    body: 'Galera Cluster Node Status: read-only',
  });
});

test('a 64-bit wsrep_local_index keeps every digit in the JSON', async (t) => {
  const { hc } = await start(t, {
    localState: 0,
    localIndex: '18446744073709551615',
    readOnly: false,
  });
  const v1 = await http('GET', hc.statusUrl);
  t.regex(v1.body, /"wsrep_local_index":18446744073709551615[,}]/);
  t.like(JSON.parse(v1.body), { healthy: false, wsrep_local_state_comment: 'Initialized' });
});

test('each request reads the node afresh', async (t) => {
  const { hc, node } = await start(t, synced);
  t.is((await http('GET', `${hc.baseUrl}/`)).status, 200);
  node.set({ localState: 3, localIndex: '1', readOnly: false });
  t.like(await http('GET', `${hc.baseUrl}/`), {
    status: 503,
    body: 'Galera Cluster Node Status: joined',
  });
  node.set(synced);
  t.is((await http('GET', `${hc.baseUrl}/`)).status, 200);
});

test('a node that cannot be queried (nothing listens on its port): / 503, /api/v1/status 500', async (t) => {
  // The real mysql2 reader against a port that refuses connections.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, HOST, r));
  const deadPort = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const hc = await startHealthcheck({
    ...OPTS,
    mysql: { host: HOST, port: deadPort, user: 'u', password: 'p' },
  });
  t.teardown(() => hc.stop());
  const root = await http('GET', `${hc.baseUrl}/`);
  t.is(root.status, 503);
  t.regex(root.body, /^Galera Cluster Node Status: .*ECONNREFUSED/);
  const v1 = await http('GET', hc.statusUrl);
  t.is(v1.status, 500);
  t.regex(v1.body, /ECONNREFUSED/);
  t.like(await hc.status(), { healthy: false, localState: null, override: null });
  // It keeps trying: a later request reconnects rather than reusing a dead connection.
  t.is((await http('GET', `${hc.baseUrl}/`)).status, 503);
});

test('override in code: forces the answer both ways, keeps the real state in the JSON, and clears', async (t) => {
  const { hc, node } = await start(t, synced);
  hc.setOverride('unhealthy');
  t.like(await http('GET', `${hc.baseUrl}/`), {
    status: 503,
    body: 'Galera Cluster Node Status: lab override: unhealthy',
  });
  t.deepEqual(JSON.parse((await http('GET', hc.statusUrl)).body), {
    wsrep_local_state: 4,
    wsrep_local_state_comment: 'Synced',
    wsrep_local_index: 1,
    healthy: false,
    lab_override: 'unhealthy',
  });
  t.like(await hc.status(), { healthy: false, override: 'unhealthy', localState: 4 });

  // Healthy while the node cannot even be read: the lie uses the last index heard.
  node.set(null);
  hc.setOverride('healthy');
  t.is((await http('GET', `${hc.baseUrl}/`)).status, 200);
  const v1 = await http('GET', hc.statusUrl);
  t.is(v1.status, 200);
  t.like(JSON.parse(v1.body), { healthy: true, wsrep_local_index: 1, lab_override: 'healthy' });

  hc.setOverride(null);
  t.is((await http('GET', hc.statusUrl)).status, 500, 'back to the truth: the node cannot be read');
  t.throws(() => hc.setOverride('sick' as never), { message: /override must be/ });
  t.throws(() => hc.setOverride('healthy', -1), { message: /forMs/ });
});

test('override for a while ends by itself', async (t) => {
  const { hc } = await start(t, synced);
  // Long enough that the request below is answered inside it on a loaded machine.
  hc.setOverride('unhealthy', 1500);
  t.is(hc.override(), 'unhealthy');
  t.is((await http('GET', `${hc.baseUrl}/`)).status, 503);
  const deadline = Date.now() + 10_000;
  while (hc.override() !== null && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  t.is(hc.override(), null);
  t.is((await http('GET', `${hc.baseUrl}/`)).status, 200);
});

test('override over the lab endpoint: PUT sets, GET reads, bad bodies get 400', async (t) => {
  const { hc } = await start(t, synced);
  const url = `${hc.baseUrl}/lab/override`;
  t.deepEqual(JSON.parse((await http('GET', url)).body), { state: null, remainingMs: null });
  const put = await http('PUT', url, JSON.stringify({ state: 'unhealthy', forMs: 60_000 }));
  t.is(put.status, 200);
  const view = JSON.parse(put.body) as { state: string; remainingMs: number };
  t.is(view.state, 'unhealthy');
  t.true(view.remainingMs > 0 && view.remainingMs <= 60_000);
  t.is(hc.override(), 'unhealthy');
  t.is((await http('GET', `${hc.baseUrl}/`)).status, 503);
  t.is((await http('PUT', url, JSON.stringify({ state: null }))).status, 200);
  t.is(hc.override(), null);
  t.is((await http('PUT', url, 'not json')).status, 400);
  t.is((await http('PUT', url, JSON.stringify({ state: 'sick' }))).status, 400);
  t.is((await http('PUT', url, JSON.stringify({ state: 'healthy', forMs: 'soon' }))).status, 400);
  t.is((await http('PUT', url, JSON.stringify({}))).status, 400);
  t.is(hc.override(), null, 'a refused request changes nothing');
  t.is((await http('DELETE', url)).status, 405);
});

test('unknown paths get 404; stop closes the server and the node connection', async (t) => {
  const { hc, node } = await start(t, synced);
  t.is((await http('GET', `${hc.baseUrl}/nope`)).status, 404);
  await hc.stop();
  t.true(node.closed);
  await t.throwsAsync(http('GET', `${hc.baseUrl}/`), { code: 'ECONNREFUSED' });
});

test('startHealthchecks: one per node on its own address; a failure stops those already started', async (t) => {
  const nodes = [
    { name: 'n1', host: '127.0.3.142', port: 1 },
    { name: 'n2', host: '127.0.3.143', port: 1 },
  ];
  const hcs = await startHealthchecks(nodes, { user: 'u', password: 'p' }, { port: 0 });
  t.teardown(() => Promise.all(hcs.map((h) => h.stop())));
  t.deepEqual(
    hcs.map((h) => [h.name, new URL(h.baseUrl).hostname]),
    [
      ['n1', '127.0.3.142'],
      ['n2', '127.0.3.143'],
    ],
  );
  // Same port twice on one address: the second cannot listen; the first must not be left running.
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.3.145', r));
  t.teardown(() => new Promise<void>((r) => blocker.close(() => r())));
  const port = (blocker.address() as { port: number }).port;
  const err = await t.throwsAsync(
    startHealthchecks(
      [
        { name: 'a', host: '127.0.3.144', port: 1 },
        { name: 'b', host: '127.0.3.145', port: 1 },
      ],
      { user: 'u', password: 'p' },
      { port },
    ),
  );
  t.regex(err!.message, /healthcheck b: cannot listen on 127\.0\.3\.145/);
  await t.throwsAsync(http('GET', `http://127.0.3.144:${port}/`), { code: 'ECONNREFUSED' });
});

test('end to end with the mysql2 reader: each answer follows the node as it changes', async (t) => {
  const node = await startFakeMysql('127.0.3.146', {
    localState: 4,
    localIndex: '0',
    readOnly: false,
  });
  t.teardown(() => node.stop());
  const hc = await startHealthcheck({
    name: 'n1',
    listen: { host: '127.0.3.146', port: 0 },
    mysql: { host: node.host, port: node.port, user: 'u', password: 'p' },
  });
  t.teardown(() => hc.stop());
  t.like(JSON.parse((await http('GET', hc.statusUrl)).body), {
    wsrep_local_index: 0,
    healthy: true,
  });
  node.state = { localState: 2, localIndex: '1', readOnly: false };
  t.like(JSON.parse((await http('GET', hc.statusUrl)).body), {
    wsrep_local_state_comment: 'Donor/Desynced',
    wsrep_local_index: 1,
    healthy: true,
  });
  node.state = { localState: 4, localIndex: '1', readOnly: true };
  t.like(await http('GET', `${hc.baseUrl}/`), {
    status: 503,
    body: 'Galera Cluster Node Status: read-only',
  });
  node.hangUpAll();
  node.state = { localState: 1, localIndex: '1', readOnly: false };
  // Whether this request still rides the dropped connection or not, one of the next two reads the
  // node again.
  let last = await http('GET', `${hc.baseUrl}/`);
  if (last.status !== 503 || !last.body.endsWith('joining'))
    last = await http('GET', `${hc.baseUrl}/`);
  t.like(last, { status: 503, body: 'Galera Cluster Node Status: joining' });
  await node.stop();
  t.is(
    (await http('GET', hc.statusUrl)).status,
    500,
    'a node that is gone: 500, unhealthy for switchboard',
  );
});

test('reset: the override and the remembered index are gone, the node connection dropped, the server still answers', async (t) => {
  const { hc, node } = await start(t, { localState: 4, localIndex: '3', readOnly: false });
  await http('GET', `${hc.baseUrl}/api/v1/status`);
  node.set(null);
  hc.setOverride('healthy');
  // Unreadable, but the override lies healthy: the answer carries the index remembered from before.
  t.regex((await http('GET', `${hc.baseUrl}/api/v1/status`)).body, /"wsrep_local_index":3/);
  await hc.reset();
  t.is(hc.override(), null);
  t.is(node.disconnects, 1);
  t.false(node.closed, 'a reset is not a stop');
  t.is((await http('GET', `${hc.baseUrl}/api/v1/status`)).status, 500, 'unreadable, no override');
  hc.setOverride('healthy');
  t.regex(
    (await http('GET', `${hc.baseUrl}/api/v1/status`)).body,
    /"wsrep_local_index":0/,
    'no index remembered from before the reset',
  );
  hc.setOverride(null);
  node.set(synced);
  t.is((await http('GET', `${hc.baseUrl}/api/v1/status`)).status, 200);
});
