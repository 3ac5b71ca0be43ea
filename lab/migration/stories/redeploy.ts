// The seed's first story: a legacy (etcd-only) deployment of 3 BBSes, filled with legacy data, is
// redeployed one node at a time with SQL configured (BOSH stops each old node, the new one
// starts). Every record must be in SQL, the migrating node must answer 503 while it copies, and
// the migration must run once, also when another dual node takes the lock later.

import { finalRead } from '../../../bbs/sql/store.ts';
import { defineStory } from '../story.ts';
import {
  checkHistoryClean,
  checkRedeployed,
  judged,
  poolOf,
  replaceLegacyNodes,
  sleep,
} from './kit.ts';

export const redeploy = defineStory({
  name: 'redeploy',
  takes: [],
  setup: 'legacy-under-workload',
  async steps(ctx) {
    const { during } = await replaceLegacyNodes(ctx, { crash: false, settleMs: 500 });
    const s = await ctx.dep.waitServing(15_000);
    // Another dual node takes the lock later: it must serve without migrating again.
    await ctx.step(`stop ${s.id}`, () => s.stop());
    await ctx.dep.waitServing(15_000);
    await sleep(500);
    return { during };
  },
  async checks(ctx, { during }, verdict) {
    // Against etcd as it is now: a domain's TTL runs down in etcd as its expire_time nears in SQL.
    checkRedeployed(ctx, await ctx.etcd.contents(), await finalRead(poolOf(ctx)), during);
    checkHistoryClean(ctx, judged(verdict));
  },
});
