// Acceptance (b) of the seed's migration story: legacy (etcd-only) and dual (etcd + SQL) BBS nodes
// side by side. Once a dual node has migrated, every legacy node that gets the lock sees etcd's
// Current (lastETCD+1) above its own, releases the lock and exits without serving; no legacy node
// keeps the lock.

import test from 'ava';
import { seedLegacyData } from '../../lab/migration/seed.ts';
import { migrationStack } from './migration-stack.ts';
import { EtcdBbsStore } from '../../bbs/etcd/store.ts';
import { ETCD_TO_SQL_VERSION, LAST_ETCD_VERSION } from '../../bbs/migrations/versions.ts';
import { callNode } from '../../bbs/node/node.ts';

const stack = migrationStack('127.0.42');

test('after the migration no legacy node keeps or serves with the lock', async (t) => {
  t.timeout(60_000);
  const dep = await stack.deploy();
  const legacy1 = await dep.startNode('legacy');
  await dep.waitServing(10_000);
  await seedLegacyData(new EtcdBbsStore(stack.etcd.url));
  const dual2 = await dep.startNode('dual');
  await legacy1.stop();
  await dep.waitFor('dual-2 serving', () => dual2.state === 'serving', 15_000);
  const migratedAt = dep.journal.runs(ETCD_TO_SQL_VERSION)[0]!.t;

  // More legacy nodes join the election; the dual holder leaves, and a new dual node joins only
  // a while later, so the legacy nodes get the lock first.
  const late = [await dep.startNode('legacy'), await dep.startNode('legacy')];
  await dual2.stop();
  await dep
    .waitFor('the late legacy nodes to exit', () => late.every((l) => l.state === 'exited'), 20_000)
    .catch(() => undefined);
  t.log(dep.holders.map((h) => `${h.id ?? '-'}`).join(' → '));
  await dep.startNode('dual');
  const holder = await dep.waitServing(15_000);
  t.is(holder.mode, 'dual');
  for (const l of late) {
    t.is(l.state, 'exited', `${l.id} exited`);
    t.deepEqual(l.exit, {
      code: 1,
      reason: `Existing DB version (${LAST_ETCD_VERSION + 1}) exceeds bbs version (${LAST_ETCD_VERSION})`,
    });
  }
  const legacyIds = new Set(dep.nodes.filter((x) => x.mode === 'legacy').map((x) => x.id));
  const after = dep.journal.events.filter((e) => e.t >= migratedAt && legacyIds.has(e.node));
  t.deepEqual(
    after.filter((e) => e.kind === 'serving'),
    [],
    'no legacy node served after the migration',
  );
  t.true(
    after.filter((e) => e.kind === 'lock-acquired').length >= late.length,
    'each late legacy node got the lock at least once',
  );
  // How long each legacy node held the lock after the migration (from the 100 ms holder samples).
  const held: number[] = [];
  dep.holders.forEach((h, i) => {
    if (h.t >= migratedAt && h.id && legacyIds.has(h.id))
      held.push((dep.holders[i + 1]?.t ?? Date.now()) - h.t);
  });
  t.log(`legacy holds after migration (ms): ${held.join(', ') || 'none sampled'}`);
  t.true(
    held.every((ms) => ms < 1500),
    'a legacy node gives the lock up at once',
  );
  t.is((await callNode(holder.url, 'TaskByGuid', { taskGuid: 'legacy-task-0' })).status, 200);
  t.log(dep.holders.map((h) => `${h.id ?? '-'}`).join(' → '));
});
