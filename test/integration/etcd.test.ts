import test from 'ava';
import { startEtcd } from '../../lab/providers/etcd/server.ts';
import { processesMentioning } from './helpers.ts';

test('a real etcd with the v2 keys API: create-only, compare-and-swap, TTL; and it goes away', async (t) => {
  const etcd = await startEtcd({ host: '127.0.10.1' });
  t.teardown(() => etcd.stop());
  const put = (key: string, body: Record<string, string>, query = '') =>
    fetch(`${etcd.url}/v2/keys${key}${query}`, { method: 'PUT', body: new URLSearchParams(body) });
  const created = await put(
    '/version',
    { value: '{"CurrentVersion":1451635200}' },
    '?prevExist=false',
  );
  t.is(created.status, 201);
  const again = await put('/version', { value: 'x' }, '?prevExist=false');
  t.is(again.status, 412);
  t.is(((await again.json()) as { errorCode: number }).errorCode, 105, 'key already exists');
  const node = (
    (await (await fetch(`${etcd.url}/v2/keys/version`)).json()) as {
      node: { modifiedIndex: number };
    }
  ).node;
  const stale = await put('/version', { value: 'y' }, `?prevIndex=${node.modifiedIndex + 100}`);
  t.is(stale.status, 412, 'CAS on a stale index fails');
  const cas = await put('/version', { value: 'y' }, `?prevIndex=${node.modifiedIndex}`);
  t.is(cas.status, 200);
  const ttl = await put('/v1/domain/cf-apps', { value: '', ttl: '60' });
  t.is(((await ttl.json()) as { node: { ttl: number } }).node.ttl, 60);
  await etcd.stop();
  t.deepEqual(processesMentioning('127.0.10.1:2379'), []);
});
