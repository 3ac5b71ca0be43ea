// The proxies' Consul lock (lab/routing/leader.ts) stops clean: after stop() no session is left on
// the agent and the lock key is free at once (no lock-delay), also when a proxy was still waiting
// for the lock; and acquireLock gives up when it is cancelled. A warm routing (lab/runner/
// warm-routing.ts) relies on both. The lab's agent on 127.0.30.7.

import test from 'ava';
import { createServer } from 'node:net';
import { connectConsul } from '../../lab/consul/driver.ts';
import { LOCK_KEY, startProxyConsul, type ProxyRef } from '../../lab/routing/leader.ts';

delete process.env.CONSUL_HTTP_ADDR;
const HOST = '127.0.30.7';

const sessions = async (url: string) =>
  ((await (await fetch(`${url}/v1/session/list`)).json()) as unknown[]).length;

test('stop while a second proxy waits for the lock: no session left, the key free for a new holder at once', async (t) => {
  const c = await connectConsul({ agent: { host: HOST, sessionTtlMin: '1s' } });
  t.teardown(() => c.close());
  // Listeners for the proxies' TCP checks.
  const refs: ProxyRef[] = [];
  for (const name of ['p1', 'p2']) {
    const srv = createServer((s) => s.destroy());
    await new Promise<void>((r) => srv.listen(0, HOST, r));
    t.teardown(() => new Promise<void>((r) => srv.close(() => r())));
    const port = (srv.address() as { port: number }).port;
    refs.push({ name, host: HOST, port, handle: () => undefined });
  }
  const pc = await startProxyConsul(c, refs, { mode: 'leader', ttl: '1s', lockDelay: '5s' });
  t.teardown(() => pc.stop());
  await pc.ready(5000);
  t.not(pc.leader(), null);
  // The other proxy retries every 500 ms inside a 2-s wait: stop lands within one.
  await new Promise((r) => setTimeout(r, 300));
  await pc.stop();
  t.is(await sessions(c.url), 0, 'no session left');
  // With a 5-s lock-delay, a session invalidated while holding the key would refuse this.
  const next = await c.acquireLock(LOCK_KEY, 'next', { ttl: '1s', lockDelay: '0s' });
  t.truthy(next, 'the key is free at once');
  await next!.release();
});

test('acquireLock gives up when cancelled, destroying its session', async (t) => {
  const c = await connectConsul({ agent: { host: HOST, sessionTtlMin: '1s' } });
  t.teardown(() => c.close());
  const holder = await c.acquireLock('k', 'a', { ttl: '1s', lockDelay: '0s' });
  let cancel = false;
  const waiting = c.acquireLock('k', 'b', {
    ttl: '1s',
    waitMs: 10_000,
    retryMs: 50,
    cancelled: () => cancel,
  });
  await new Promise((r) => setTimeout(r, 200));
  cancel = true;
  t.is(await waiting, null);
  t.is(await sessions(c.url), 1, "only the holder's session is left");
  await holder!.release();
});
