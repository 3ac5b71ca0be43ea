// Which Consul a run talks to (lab/consul/connection.ts), the one rule `run`'s client
// configurations and the migration stories share: CONSUL_HTTP_ADDR names a real agent, else the
// lab starts its own on the run's address. A separately started lab agent stands in for a real
// one. Everything on 127.104.0.x.

import test from 'ava';
import { startConsulAgent } from '../../lab/consul/agent.ts';
import { consulChoice, labConsul } from '../../lab/consul/connection.ts';

test('the choice: CONSUL_HTTP_ADDR names a real agent; unset or blank, the lab starts its own on the run’s host', (t) => {
  t.deepEqual(consulChoice({ CONSUL_HTTP_ADDR: '127.0.0.1:8500' }, '127.104.0.9'), {
    kind: 'real',
    addr: '127.0.0.1:8500',
  });
  t.deepEqual(consulChoice({ CONSUL_HTTP_ADDR: ' http://127.0.0.1:8500 ' }, '127.104.0.9'), {
    kind: 'real',
    addr: 'http://127.0.0.1:8500',
  });
  t.deepEqual(consulChoice({}, '127.104.0.9'), { kind: 'embedded', host: '127.104.0.9' });
  t.deepEqual(consulChoice({ CONSUL_HTTP_ADDR: '' }, '127.104.0.2'), {
    kind: 'embedded',
    host: '127.104.0.2',
  });
  t.deepEqual(consulChoice({ CONSUL_HTTP_ADDR: '   ' }, '127.104.0.2'), {
    kind: 'embedded',
    host: '127.104.0.2',
  });
});

test('without CONSUL_HTTP_ADDR the lab’s agent starts on the given host with the given session_ttl_min', async (t) => {
  // A CONSUL_HTTP_ADDR in the lab's own environment must not leak into a choice made from another.
  const c = await labConsul({ host: '127.104.0.2', sessionTtlMin: '1s', env: {} });
  t.teardown(() => c.close());
  t.true(c.embedded);
  t.regex(c.url, /^http:\/\/127\.104\.0\.2:\d+$/);
  // session_ttl_min of 1 s: a 1 s lock is accepted (Consul's default minimum of 10 s would refuse
  // it).
  const lock = await c.acquireLock('bbs_lock', 'x', { ttl: '1s' });
  t.truthy(lock);
  await lock!.release();
});

test('with CONSUL_HTTP_ADDR the lab uses that agent and starts none', async (t) => {
  const real = await startConsulAgent({ host: '127.104.0.3', sessionTtlMin: '1s' });
  t.teardown(() => real.stop());
  const c = await labConsul({ host: '127.104.0.4', env: { CONSUL_HTTP_ADDR: real.httpAddr } });
  t.teardown(() => c.close());
  t.false(c.embedded);
  t.is(c.agent, null);
  t.is(c.url, real.url);
});
