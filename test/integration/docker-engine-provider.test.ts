// The Docker provider's engine test (docker-scenario.ts, the same one docker-provider.test.ts runs
// against a real engine) against the lab's own engine, plus a partition by network disconnect:
// the disconnected node goes non-Primary and answers 1047, the others go on, and reconnecting
// heals it. Afterwards nothing of the engine is left: no process, no work dir, no iptables chain.
// Networks on 127.0.50.0/24–127.0.51.0/24.

import test from 'ava';
import Docker from 'dockerode';
import { existsSync } from 'node:fs';
import { startDockerEngine } from '../../lab/docker-engine/engine.ts';
import { chainOwner, listLabChains } from '../../lab/network/iptables.ts';
import { freePortRange } from '../../lab/providers/docker/provider.ts';
import { FAST_FAILURE_DETECTION } from '../../lab/runner/topology.ts';
import { galeraFromImages } from './docker-scenario.ts';
import { processesMentioning, waitFor } from './helpers.ts';

test("the provider's scenario on the lab's engine: 3 Galera nodes from the mariadb image replicate, survive a kill, heal a disconnect, and leave nothing", async (t) => {
  const engine = await startDockerEngine({ subnets: '127.0.50-127.0.51', log: (m) => t.log(m) });
  const ownChains = async () =>
    (await listLabChains()).filter((c) => chainOwner(c) === process.pid);
  try {
    const docker = new Docker(engine.dockerOptions);
    await galeraFromImages(t, docker, {
      basePort: await freePortRange(3),
      providerOptions: FAST_FAILURE_DETECTION,
      extra: async (cluster, conn) => {
        const [n1, , n3] = await Promise.all(
          ['n1', 'n2', 'n3'].map((n) =>
            docker.getContainer(`bbs-lab-${cluster.runId}-${n}`).inspect(),
          ),
        );
        const n3Address = Object.values(n3!.NetworkSettings.Networks)[0]!.IPAddress;
        t.regex(n3Address, /^127\.0\.5[01]\.\d+$/, 'a container address on the engine’s subnets');
        t.is(n1!.NetworkSettings.Ports['3306/tcp']![0]!.HostIp, '127.0.0.1');

        await cluster.abilities.partition.cut('isolate-n3', [['n3'], ['n1', 'n2']]);
        t.deepEqual(
          Object.keys((await docker.getContainer(n3!.Id).inspect()).NetworkSettings.Networks),
          [],
          'inspect shows no network, as after a docker network disconnect',
        );
        const rules = (await ownChains()).length;
        t.is(rules, 1, "the engine's own chain holds the cut");
        await waitFor(
          'n3 non-Primary',
          async () =>
            (await cluster.status('n3').catch(() => null))?.clusterStatus === 'non-Primary',
          30_000,
        );
        const c3 = await conn(2);
        const errno = await c3.query('SELECT v FROM kv WHERE k = 1').then(
          () => null,
          (e: { errno?: number }) => e.errno,
        );
        t.is(
          errno,
          1047,
          'the disconnected node refuses queries: WSREP has not yet prepared node for application use',
        );
        await c3.end();
        await waitFor(
          'n1 in a Primary component of 2',
          async () => {
            const s = await cluster.status('n1').catch(() => null);
            return s?.clusterStatus === 'Primary' && s.clusterSize === 2;
          },
          30_000,
        );
        const c1 = await conn(0);
        await c1.query('UPDATE kv SET v = 8 WHERE k = 1');
        await c1.end();

        await cluster.abilities.partition.heal('isolate-n3');
        await cluster.waitSynced('n3', 3, 60_000);
        const back = await conn(2);
        t.deepEqual(
          (await back.query('SELECT v FROM kv WHERE k = 1'))[0],
          [{ v: 8 }],
          'the write made during the partition reached n3 after it healed',
        );
        await back.end();
      },
    });
  } finally {
    await engine.stop();
  }
  t.false(existsSync(engine.workDir), 'the work dir is gone');
  t.deepEqual(processesMentioning(engine.workDir), [], 'no process of a container is left');
  t.deepEqual(await ownChains(), [], 'no iptables chain is left');
});
