// The DUSTs' rolling upgrade (FACTS.md "Upgrade stability tests"): 3 legacy BBSes replaced one at
// a time by etcd+SQL BBSes while the workload calls the API: the redeploy's checks, plus how long
// the API stayed without an answer at each step. `stop: kill` crashes each old node instead of
// stopping it (its lock lapses after the session TTL); `maxOutageSec` is the outage allowed.

import { finalRead } from '../../../bbs/sql/store.ts';
import { defineStory } from '../story.ts';
import { checkHistoryClean, checkRedeployed, judged, poolOf, replaceLegacyNodes } from './kit.ts';

export const upgradeDust = defineStory({
  name: 'upgrade-dust',
  takes: ['stop', 'maxOutageSec'],
  setup: 'legacy-under-workload',
  async steps(ctx) {
    const r = await replaceLegacyNodes(ctx, { crash: ctx.options.stop === 'kill', settleMs: 2000 });
    await ctx.dep.waitServing(15_000);
    return r;
  },
  async checks(ctx, { gaps, during }, verdict) {
    const v = judged(verdict);
    checkRedeployed(ctx, await ctx.etcd.contents(), await finalRead(poolOf(ctx)), during);
    const max = ctx.options.maxOutageSec ?? 10;
    ctx.check(
      `the BBS answered again within ${max} s of every step`,
      v.longestOutageSec <= max,
      `longest outage ${v.longestOutageSec.toFixed(1)} s at ${v.outageStartSec.toFixed(1)} s; per step ${gaps.map((g) => `${g.toFixed(1)} s`).join(', ')}`,
    );
    checkHistoryClean(ctx, v);
  },
});
