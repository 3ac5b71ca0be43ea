// How a BBS API call ends in the history (lab/migration/api-client.ts), against a small HTTP server
// on loopback that answers as a BBS node does in each state.

import test from 'ava';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BbsApiClient, callOnce } from '../../lab/migration/api-client.ts';
import type { BbsOp } from '../../bbs/ops.ts';

const op: BbsOp = { f: 'TaskByGuid', args: { taskGuid: 't' } } as BbsOp;

async function serve(
  handler: (path: string) => { status: number; body: unknown } | 'hang',
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const a = handler(req.url ?? '');
    if (a === 'hang') return;
    res.writeHead(a.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const close = (s: Server) => {
  s.closeAllConnections();
  return new Promise((r) => s.close(r));
};

test('200 is ok with the result and the serving node; 503 and 404 are definite failures', async (t) => {
  const { url, server } = await serve((p) =>
    p.endsWith('/TaskByGuid')
      ? { status: 200, body: { record: null, servedBy: 'dual-2' } }
      : p.endsWith('/StartTask')
        ? { status: 404, body: { error: 'NotFound' } }
        : { status: 503, body: { error: 'ServiceUnavailable', state: 'migrating', id: 'dual-2' } },
  );
  t.teardown(() => close(server));
  t.deepEqual(await callOnce(url, op, 2000), {
    outcome: 'ok',
    url,
    value: { record: null },
    node: 'dual-2',
  });
  const busy = await callOnce(
    url,
    { f: 'DesireTask', args: { taskGuid: 't', domain: 'd' } } as BbsOp,
    2000,
  );
  t.is(busy.outcome, 'fail');
  t.is(busy.error?.code, 'HTTP_503');
  t.is(busy.node, 'dual-2');
  t.regex(busy.error!.message, /migrating/);
  const missing = await callOnce(
    url,
    { f: 'StartTask', args: { taskGuid: 't', cellId: 'c' } } as BbsOp,
    2000,
  );
  t.is(missing.outcome, 'fail');
});

test('database errors follow the lab taxonomy: a deadlock failed, a lost connection unknown', async (t) => {
  let detail: unknown = { errno: 1213, message: 'Deadlock found', phase: 'statement' };
  const { url, server } = await serve(() => ({
    status: 500,
    body: { error: 'DatabaseError', detail },
  }));
  t.teardown(() => close(server));
  t.is((await callOnce(url, op, 2000)).outcome, 'fail');
  detail = { code: 'PROTOCOL_CONNECTION_LOST', message: 'lost', phase: 'commit' };
  t.is((await callOnce(url, op, 2000)).outcome, 'info');
  detail = 'no shape';
  t.is(
    (await callOnce(url, op, 2000)).outcome,
    'info',
    'a 500 without a database error is unknown',
  );
});

test('a refused connection failed; a timeout is unknown', async (t) => {
  const { url: dead, server: gone } = await serve(() => ({ status: 200, body: {} }));
  await close(gone);
  const refused = await callOnce(dead, op, 2000);
  t.is(refused.outcome, 'fail');
  t.is(refused.error?.phase, 'connect');
  const { url, server } = await serve(() => 'hang');
  t.teardown(() => close(server));
  const slow = await callOnce(url, op, 200);
  t.is(slow.outcome, 'info');
});

test('the client sticks to the node that answers and moves on from one that refuses or is busy', async (t) => {
  const { url: dead, server: gone } = await serve(() => ({ status: 200, body: {} }));
  await close(gone);
  const { url: busy, server: s1 } = await serve(() => ({
    status: 503,
    body: { error: 'ServiceUnavailable', state: 'waiting', id: 'x' },
  }));
  const { url: live, server: s2 } = await serve(() => ({
    status: 200,
    body: { record: null, servedBy: 'legacy-1' },
  }));
  t.teardown(async () => {
    await close(s1);
    await close(s2);
  });
  const c = new BbsApiClient(() => [dead, busy, live]);
  const seen = [];
  for (let i = 0; i < 5; i++) seen.push((await c.call(op)).url);
  t.deepEqual(seen, [dead, busy, live, live, live]);
  t.is((await new BbsApiClient(() => []).call(op)).error?.code, 'NO_ADDRESS');
});
