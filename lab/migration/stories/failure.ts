// The migration fails on one node: the migrating dual BBS is killed (kill -9) after copying,
// before it marks the stores migrated. Legacy BBSes must still take over and serve, and a later
// dual BBS must complete the migration, including what the legacy node wrote in between.

import { compareMigrated } from '../../../bbs/migrations/compare.ts';
import { ETCD_TO_SQL_VERSION } from '../../../bbs/migrations/versions.ts';
import { callNode } from '../../../bbs/node/node.ts';
import { finalRead } from '../../../bbs/sql/store.ts';
import { defineStory } from '../story.ts';
import {
  checkHistoryClean,
  dualTakesOver,
  judged,
  killMigrationAt,
  poolOf,
  sleep,
  withoutPrefix,
} from './kit.ts';

export const failure = defineStory({
  name: 'failure',
  takes: [],
  setup: 'legacy-under-workload',
  async steps(ctx) {
    const legacy = await killMigrationAt(ctx, 'after-copy');
    const tookOver =
      legacy.state === 'serving' &&
      (await callNode(legacy.url, 'DesireTask', { taskGuid: 'after-failure', domain: 'cf-tasks' }))
        .status === 200;
    await sleep(1000);
    await dualTakesOver(ctx, legacy);
    // etcd as the legacy node left it, before the final reads.
    return { tookOver, etcdNow: await ctx.etcd.contents() };
  },
  async checks(ctx, { tookOver, etcdNow }, verdict) {
    ctx.check('a legacy node takes over and serves', tookOver);
    const d = compareMigrated(withoutPrefix(etcdNow), withoutPrefix(await finalRead(poolOf(ctx))));
    ctx.check(
      'a later dual node completes the migration',
      ctx.dep.journal.runs(ETCD_TO_SQL_VERSION).length === 1 && d.length === 0,
      `${d.length} differences`,
    );
    checkHistoryClean(ctx, judged(verdict));
  },
});
