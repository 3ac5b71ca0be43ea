// SQL configured but unreachable: a dual BBS must refuse to start, before it competes for the
// lock, while a legacy BBS keeps serving.

import { StartError } from '../../../bbs/node/node.ts';
import { defineStory } from '../story.ts';

export const noSql = defineStory({
  name: 'no-sql',
  takes: [],
  setup: 'sql-unreachable',
  async steps(ctx) {
    const { dep } = ctx;
    let err: unknown;
    await dep.startNode('dual').catch((e) => (err = e));
    // Before any other node runs: a lock event now can only be the dual node's.
    const triedLock = dep.journal.events.some((e) => e.kind === 'lock-acquired');
    const legacy = await dep.startNode('legacy');
    const served = await dep.waitServing(10_000).then(
      (n) => n === legacy,
      () => false,
    );
    return { err, triedLock, served };
  },
  checks(ctx, { err, triedLock, served }) {
    ctx.check(
      'the dual node fails to start',
      err instanceof StartError && /sql-failed-to-connect/.test(String(err)),
      String(err),
    );
    ctx.check('it never tried the lock', !triedLock);
    ctx.check('a legacy node still serves', served);
  },
});
