// Legacy and dual BBSes side by side: after a dual node has migrated, legacy nodes that join and
// get the lock see a newer version than they know, exit with the BBS's too-new error, never serve,
// and give the lock up at once.

import { LAST_ETCD_VERSION } from '../../../bbs/migrations/versions.ts';
import type { RunningBbs } from '../../../bbs/node/node.ts';
import { defineStory } from '../story.ts';
import { checkHistoryClean, holdTimes, judged } from './kit.ts';

export const mixedLock = defineStory({
  name: 'mixed-lock',
  takes: [],
  setup: 'legacy-under-workload',
  async steps(ctx) {
    const { dep } = ctx;
    const first = ctx.first();
    const dual = await ctx.step('start a dual node', () => dep.startNode('dual'));
    await ctx.step(`stop ${first.id}`, () => first.stop());
    await dep.waitFor('the dual node serving', () => dual.state === 'serving', 15_000);
    const late: RunningBbs[] = [
      await ctx.step('start a late legacy node', () => dep.startNode('legacy')),
      await ctx.step('start a late legacy node', () => dep.startNode('legacy')),
    ];
    await ctx.step(`stop ${dual.id}`, () => dual.stop());
    await dep
      .waitFor('late legacy nodes to exit', () => late.every((l) => l.state === 'exited'), 20_000)
      .catch(() => undefined);
    // Hold times end when the late nodes exit: take them now, before another node holds the lock.
    const held = holdTimes(dep.holders).filter((h) => late.some((l) => l.id === h.id));
    await ctx.step('start a dual node for the final reads', () => dep.startNode('dual'));
    await dep.waitServing(15_000);
    return { late, held };
  },
  checks(ctx, { late, held }, verdict) {
    const reason = `Existing DB version (${LAST_ETCD_VERSION + 1}) exceeds bbs version (${LAST_ETCD_VERSION})`;
    ctx.check(
      'every late legacy node exits with the too-new error',
      late.every((l) => l.exit?.reason === reason),
      late.map((l) => l.exit?.reason ?? l.state).join('; '),
    );
    const ids = new Set(late.map((l) => l.id));
    ctx.check(
      'no legacy node serves after the migration',
      !ctx.dep.journal.events.some((e) => e.kind === 'serving' && ids.has(e.node)),
    );
    const longest = Math.max(0, ...held.map((h) => h.ms));
    ctx.check(
      'no legacy node retains the lock (each gives it up within 2 s)',
      longest <= 2000,
      held.length
        ? held.map((h) => `${h.id} held it ${h.ms} ms`).join(', ')
        : 'no late legacy node got the lock',
    );
    checkHistoryClean(ctx, judged(verdict));
  },
});
