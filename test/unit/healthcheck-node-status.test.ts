import test from 'ava';
import { createServer, type Server, type Socket } from 'node:net';
import { createNodeStatusReader } from '../../lab/routing/healthcheck/node-status.ts';
import { startFakeMysql } from './healthcheck-fake-mysql.ts';

const HOST = '127.0.3.151';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, HOST, r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function serve(port: number, onConn: (s: Socket) => void): Promise<Server> {
  const sockets = new Set<Socket>();
  const s = createServer((c) => {
    sockets.add(c);
    c.on('error', () => {});
    onConn(c);
  });
  s.on('close', () => {
    for (const c of sockets) c.destroy();
  });
  await new Promise<void>((r) => s.listen(port, HOST, r));
  const close = s.close.bind(s);
  s.close = ((cb?: (err?: Error) => void) => {
    for (const c of sockets) c.destroy();
    return close(cb);
  }) as typeof s.close;
  return s;
}

test('after a failure the next read opens a new connection (it does not keep the failed one)', async (t) => {
  const port = await freePort();
  const reader = createNodeStatusReader({
    host: HOST,
    port,
    user: 'u',
    password: 'p',
    connectTimeoutMs: 500,
  });
  t.teardown(() => reader.close());
  await t.throwsAsync(reader.read(), { code: 'ECONNREFUSED' });
  await t.throwsAsync(reader.read(), { code: 'ECONNREFUSED' });

  // Now something listens there but hangs up at once: the error changes, so a new attempt was made.
  let accepted = 0;
  const hangUp = await serve(port, (c) => {
    accepted++;
    c.destroy();
  });
  t.teardown(() => new Promise<void>((r) => hangUp.close(() => r())));
  const e1 = await t.throwsAsync(reader.read());
  t.not((e1 as Error & { code?: string }).code, 'ECONNREFUSED');
  await t.throwsAsync(reader.read());
  t.is(accepted, 2, 'one new connection per failed read');
});

test('a server that accepts but never greets fails the read at the connect timeout', async (t) => {
  const port = await freePort();
  const silent = await serve(port, () => {});
  t.teardown(() => new Promise<void>((r) => silent.close(() => r())));
  const reader = createNodeStatusReader({
    host: HOST,
    port,
    user: 'u',
    password: 'p',
    connectTimeoutMs: 300,
  });
  t.teardown(() => reader.close());
  const e = await t.throwsAsync(reader.read());
  t.regex(`${(e as Error & { code?: string }).code} ${e!.message}`, /ETIMEDOUT|timeout/i);
});

test('a closed reader refuses to read', async (t) => {
  const reader = createNodeStatusReader({
    host: HOST,
    port: await freePort(),
    user: 'u',
    password: 'p',
  });
  await reader.close();
  await t.throwsAsync(reader.read(), { message: /closed/ });
});

async function fakeNode(
  t: import('ava').ExecutionContext,
  state: Parameters<typeof startFakeMysql>[1],
) {
  const node = await startFakeMysql(HOST, state);
  t.teardown(() => node.stop());
  const reader = createNodeStatusReader({
    host: HOST,
    port: node.port,
    user: 'u',
    password: 'p',
    queryTimeoutMs: 300,
    connectTimeoutMs: 1000,
  });
  t.teardown(() => reader.close());
  return { node, reader };
}

test('reads wsrep_local_state, wsrep_local_index and read_only over one reused connection', async (t) => {
  const { node, reader } = await fakeNode(t, { localState: 4, localIndex: '2', readOnly: false });
  t.deepEqual(await reader.read(), { localState: 4, localIndex: '2', readOnly: false });
  node.state = { localState: 2, localIndex: '18446744073709551615', readOnly: true };
  t.deepEqual(await reader.read(), {
    localState: 2,
    localIndex: '18446744073709551615',
    readOnly: true,
  });
  t.is(node.accepted, 1);
});

test('a server without wsrep variables is "possibly not a galera db"', async (t) => {
  const { reader } = await fakeNode(t, { localState: null, localIndex: '0', readOnly: false });
  await t.throwsAsync(reader.read(), {
    message: 'wsrep_local_state variable not set (possibly not a galera db)',
  });
});

test('a node that hung up while idle: the next read reconnects and succeeds', async (t) => {
  const { node, reader } = await fakeNode(t, { localState: 4, localIndex: '0', readOnly: false });
  await reader.read();
  node.hangUpAll();
  const deadline = Date.now() + 5000;
  while (node.open() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  // Let the client side see the close before the next read.
  await new Promise((r) => setTimeout(r, 100));
  t.deepEqual(await reader.read(), { localState: 4, localIndex: '0', readOnly: false });
  t.is(node.accepted, 2);
});

test('a query that never answers fails at the query timeout; the next read uses a new connection', async (t) => {
  const { node, reader } = await fakeNode(t, {
    localState: 4,
    localIndex: '1',
    readOnly: false,
    hang: true,
  });
  await t.throwsAsync(reader.read(), { code: 'PROTOCOL_SEQUENCE_TIMEOUT' });
  node.state.hang = false;
  t.deepEqual(await reader.read(), { localState: 4, localIndex: '1', readOnly: false });
  t.is(node.accepted, 2, 'the connection left mid-query was not reused');
});

test('disconnect closes the connection now and the next read opens a new one', async (t) => {
  const { node, reader } = await fakeNode(t, { localState: 4, localIndex: '1', readOnly: false });
  await reader.read();
  t.is(node.accepted, 1);
  await reader.disconnect();
  const deadline = Date.now() + 5000;
  while (node.open() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  t.is(node.open(), 0, 'no connection held after disconnect');
  t.deepEqual(await reader.read(), { localState: 4, localIndex: '1', readOnly: false });
  t.is(node.accepted, 2);
});
