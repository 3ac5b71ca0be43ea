// Proxies recorded on an external Toxiproxy are deleted by cleanup, and no others.

import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordExternalProxies, removeRecordedProxies } from '../../lab/toxiproxy/leftovers.ts';
import { startToxiproxyServer } from '../../lab/toxiproxy/server.ts';

test('recorded proxies are deleted; a proxy the lab did not record stays', async (t) => {
  const server = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-leftovers-'));
  t.teardown(async () => {
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  });
  const create = (name: string) =>
    fetch(`${server.url}/proxies`, {
      method: 'POST',
      body: JSON.stringify({ name, listen: '127.0.0.1:0', upstream: '127.0.0.1:9' }),
    });
  for (const n of ['client-proxy1', 'proxy1-n1', 'someone-elses'])
    t.is((await create(n)).status, 201);
  recordExternalProxies(dir, server.url, ['client-proxy1', 'proxy1-n1', 'already-gone']);
  t.deepEqual(await removeRecordedProxies(dir), ['client-proxy1', 'proxy1-n1', 'already-gone']);
  const left = Object.keys(
    (await (await fetch(`${server.url}/proxies`)).json()) as Record<string, unknown>,
  );
  t.deepEqual(left, ['someone-elses']);
  t.deepEqual(
    await removeRecordedProxies(mkdtempSync(join(dir, 'empty-'))),
    [],
    'no record, nothing to do',
  );
});
