// Steps and checks more than one story uses.

import type { EtcdContents } from '../../../bbs/etcd/store.ts';
import { compareMigrated } from '../../../bbs/migrations/compare.ts';
import { ETCD_TO_SQL_VERSION } from '../../../bbs/migrations/versions.ts';
import { callNode, type RunningBbs } from '../../../bbs/node/node.ts';
import type { FinalRead } from '../../../bbs/sql/store.ts';
import type { Deployment } from '../deployment.ts';
import type { StoryContext } from '../story.ts';
import type { StoryVerdict } from '../story-verdict.ts';

/** Everything the stories' workload writes carries this prefix; the seeded legacy data does not. */
export const STORY_PREFIX = 'w-';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How long each holder held the lock, from the deployment's 100 ms samples (the last holder until
 * now).
 */
export function holdTimes(
  samples: readonly { t: number; id: string | null }[],
  now = Date.now(),
): { id: string; ms: number }[] {
  const out: { id: string; ms: number }[] = [];
  samples.forEach((x, i) => {
    if (x.id) out.push({ id: x.id, ms: (samples[i + 1]?.t ?? now) - x.t });
  });
  return out;
}

/**
 * A dual node that, when it migrates, asks its own API for a task mid-copy and notes the status.
 */
async function startAsking(dep: Deployment, statuses: number[]): Promise<RunningBbs> {
  const node: RunningBbs = await dep.startNode('dual', {
    hooks: {
      'mid-copy': async () => {
        statuses.push(
          (await callNode(node.url, 'TaskByGuid', { taskGuid: 'asked-mid-copy' })).status,
        );
      },
    },
  });
  return node;
}

export interface RollingUpgrade {
  /** Seconds from each old node's stop (or kill) to a node serving again. */
  gaps: number[];
  /** The statuses the migrating node's own API answered mid-copy. */
  during: number[];
}

/**
 * The setup's legacy node and two more are replaced one at a time: each stopped (or killed) and
 * a dual node started in its place, waiting until some node serves again, then `settleMs`.
 */
export async function replaceLegacyNodes(
  ctx: StoryContext,
  o: { crash: boolean; settleMs: number },
): Promise<RollingUpgrade> {
  const { dep, lock } = ctx;
  const old = [ctx.first(), await dep.startNode('legacy'), await dep.startNode('legacy')];
  const gaps: number[] = [];
  const during: number[] = [];
  for (const n of old) {
    const t = Date.now();
    await ctx.step(`${o.crash ? 'kill' : 'stop'} ${n.id}`, async () =>
      o.crash ? n.kill() : void (await n.stop()),
    );
    const next = await ctx.step('start a dual node', () => startAsking(dep, during));
    await dep.waitServing(30_000 + 3 * lock.ttlSec * 1000 + lock.retryMs);
    gaps.push((Date.now() - t) / 1000);
    ctx.log(`story ${ctx.name}: ${dep.serving()[0]?.id} serves (${next.id} started)`);
    await sleep(o.settleMs);
  }
  return { gaps, during };
}

/**
 * The checks of a redeployment onto SQL: the seed migrated record by record, 503 while migrating,
 * one run.
 */
export function checkRedeployed(
  ctx: StoryContext,
  etcdNow: EtcdContents,
  sqlNow: FinalRead,
  during: readonly number[],
): void {
  const d = compareMigrated(withoutPrefix(etcdNow), withoutPrefix(sqlNow));
  ctx.check(
    'every legacy record is in SQL, record by record',
    d.length === 0,
    `${d.length} differences${d.length ? `, first: ${d[0]!.kind} ${d[0]!.key}` : ''}`,
  );
  ctx.check(
    'the migrating node answered 503 while it migrated',
    during.length === 1 && during[0] === 503,
    `asked mid-copy: ${during.join(', ') || 'no node migrated'}`,
  );
  const runs = ctx.dep.journal.runs(ETCD_TO_SQL_VERSION, 'migration-start').length;
  ctx.check(
    'one migration run, also after other dual nodes took the lock',
    runs === 1,
    `${runs} runs started`,
  );
}

/** The dual node the failure and gap stories kill mid-migration. */
export async function startDoomed(
  dep: Deployment,
  at: 'after-copy' | 'between-version-writes',
): Promise<RunningBbs> {
  if (at === 'after-copy') return dep.startNode('dual', { killAt: 'after-copy' });
  // The second SQL version write is the post-migration one: kill right after it.
  let writes = 0;
  const node: RunningBbs = await dep.startNode('dual', {
    hooks: {
      'between-version-writes': async () => {
        if (++writes === 2) {
          node.kill();
          throw new Error('killed between the version writes');
        }
      },
    },
  });
  return node;
}

/**
 * A migration killed on one node: the doomed dual node is started, the setup's legacy node stopped
 * (so the doomed node takes the lock and migrates until it dies at `at`), then a legacy node is
 * started and given 20 s to serve. Returns that legacy node.
 */
export async function killMigrationAt(
  ctx: StoryContext,
  at: 'after-copy' | 'between-version-writes',
): Promise<RunningBbs> {
  const first = ctx.first();
  const doomed = await startDoomed(ctx.dep, at);
  await ctx.step(`stop ${first.id}`, () => first.stop());
  await doomed.exited;
  ctx.mark(`${doomed.id} killed at ${at}`);
  const legacy = await ctx.step('start a legacy node', () => ctx.dep.startNode('legacy'));
  await ctx.dep.waitServing(20_000);
  return legacy;
}

/**
 * A dual node takes over from `legacy`: started, `legacy` stopped, until a dual node serves, then
 * 0.5 s.
 */
export async function dualTakesOver(ctx: StoryContext, legacy: RunningBbs): Promise<void> {
  await ctx.step('start a dual node', () => ctx.dep.startNode('dual'));
  await ctx.step(`stop ${legacy.id}`, () => legacy.stop());
  await ctx.dep.waitFor(
    'a dual node serving',
    () => ctx.dep.serving().some((n) => n.mode === 'dual'),
    15_000,
  );
  await sleep(500);
}

/** Without what the workload wrote (its keys carry STORY_PREFIX): the seeded legacy data only. */
export function withoutPrefix<T extends EtcdContents | FinalRead>(c: T): T {
  const keep = (guid: string) => !guid.startsWith(STORY_PREFIX);
  return {
    ...c,
    desiredLRPs: c.desiredLRPs.filter((d) => keep(d.processGuid)),
    actualLRPs: (
      c.actualLRPs as { processGuid?: string; record?: { processGuid: string } }[]
    ).filter((a) => keep(a.record?.processGuid ?? a.processGuid ?? '')),
    tasks: c.tasks.filter((t) => keep(t.taskGuid)),
  } as T;
}

/** The history's checks every story with a clean history ends with. */
export function checkHistoryClean(ctx: StoryContext, v: StoryVerdict): void {
  ctx.check(
    'the checkers find the history valid (linearizable per key, invariants hold)',
    v.checkers.valid === true,
    v.checkers.summary.join(' '),
  );
  ctx.check(
    'no acknowledged write is lost',
    v.lostWrites.length === 0,
    `${v.lostWrites.length} lost of the workload's ${v.okOps} ok ops${v.lostWrites[0] ? `, first: ${v.lostWrites[0].f} ${v.lostWrites[0].key} acknowledged by ${v.lostWrites[0].node}` : ''}`,
  );
  ctx.check(
    'no client was answered by a legacy node once a dual node had served',
    v.legacyAfterMigration.length === 0,
    `${v.legacyAfterMigration.length} ops`,
  );
}

/** The verdict a story with setup 'legacy-under-workload' always has. */
export function judged(v: StoryVerdict | undefined): StoryVerdict {
  if (!v) throw new Error('a story with a workload was not judged');
  return v;
}

/** The SQL pool a story with setup 'legacy-under-workload' always has. */
export function poolOf(ctx: StoryContext) {
  if (!ctx.pool) throw new Error(`story ${ctx.name}: no SQL pool (its setup has no Galera)`);
  return ctx.pool;
}
