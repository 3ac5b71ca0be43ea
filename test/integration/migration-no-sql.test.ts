// Acceptance (d) of the seed's migration story: relational credentials are supplied but the node
// cannot reach SQL at start-up: the node fails to start (StartError "sql-failed-to-connect", before
// it tries the lock), and the rest of the deployment is unaffected (a legacy node takes the lock).
// No Galera here: nothing listens on the SQL address.

import test from 'ava';
import { Deployment } from '../../lab/migration/deployment.ts';
import { startEtcd, type EtcdServer } from '../../lab/providers/etcd/server.ts';
import { StartError } from '../../bbs/node/node.ts';

let etcdServer: EtcdServer | undefined;
let dep: Deployment | undefined;

test.after.always(async () => {
  await dep?.stop();
  await etcdServer?.stop();
});

test('SQL unreachable at start: the node fails to start with a clear error and never tries the lock', async (t) => {
  t.timeout(60_000);
  etcdServer = await startEtcd({ host: '127.0.44.1' });
  const sql = {
    host: '127.0.44.11',
    port: 3306,
    user: 'bbs',
    password: 'x',
    database: 'diego',
    connectTimeoutMs: 2000,
  };
  dep = await Deployment.start({ base: '127.0.44', etcdUrl: etcdServer.url, sql });
  for (const mode of ['dual', 'sql'] as const) {
    const err = await t.throwsAsync(dep.startNode(mode), { instanceOf: StartError });
    t.regex(err?.message ?? '', /sql-failed-to-connect: cannot reach SQL at 127\.0\.44\.11:3306/);
  }
  t.deepEqual(
    dep.journal.events.filter((e) => e.kind === 'lock-acquired'),
    [],
  );
  t.is(await dep.holder(), null);
  const legacy = await dep.startNode('legacy');
  await dep.waitServing(10_000);
  t.is(legacy.state, 'serving');
});
