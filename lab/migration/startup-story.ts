// The start-up fault stories (stories/startup-*.ts, one per fault): on each BBS profile asked for
// (`migration.version`, default every profile) and each phase (`migration.phase`, default the
// story's), the lab plays the fault on real stores behind its proxies (fault-stack.ts) with BBS
// nodes as OS processes, then recounts from the run — the journal of the play's nodes and a final
// comparison of etcd with SQL — whether the migration ran exactly once and what was lost
// (startup-recount.ts), and sets that beside the outcome worked out from the code
// (startup-outcomes.ts). A row the lab cannot play (the profile has no such phase, or the fault
// cannot be made on demand) is given from the code and labelled so.
//
// One play, on fresh stores (etcd as a legacy deployment left it, SQL without BBS tables):
//  - version read: a dual node migrates and serves; the API acknowledges 3 task writes; it stops;
//    a dual node starts with the fault on from `before-version-read` to `after-version-read`;
//  - first copy: a dual node starts with the fault on (SQL, or etcd) from `after-drop` (tables
//    made) to `mid-copy` (domains and desired LRPs done); serving, the API acknowledges 3 writes;
//  then the faulted node stops (if it serves) and the next start runs without the fault, as a
//  BOSH redeploy or monit restart would; then everything is compared.

import { compareMigrated, type Difference } from '../../bbs/migrations/compare.ts';
import type { HookPoint } from '../../bbs/migrations/etcd-to-sql.ts';
import { LEGACY_MIGRATIONS, MigrationManager } from '../../bbs/migrations/manager.ts';
import { callNode, type RunningBbs } from '../../bbs/node/node.ts';
import { finalRead } from '../../bbs/sql/store.ts';
import { BBS_VERSIONS, profileLabel, profileOf } from '../../bbs/versions/index.ts';
import type { FaultStack, FaultTarget, PlayableFault } from './fault-stack.ts';
import { seedLegacyData } from './seed.ts';
import { startupOutcome, type FaultPhase, type StartupFault } from './startup-outcomes.ts';
import {
  fromCodeRow,
  playedRow,
  recount,
  startupAnswer,
  startupTable,
  type PlayEvidence,
  type RecordCounts,
  type StartupRow,
} from './startup-recount.ts';
import { defineStory, type MigrationStory, type StoryContext } from './story.ts';
import { STORY_PREFIX, withoutPrefix } from './stories/kit.ts';

export interface StartupFaultStoryDef {
  name: string;
  fault: StartupFault;
  /** The phases it plays by default (and the only ones its `phase:` accepts). */
  phases: readonly FaultPhase[];
  galeraNodes?: 1 | 3;
  /** Set when the lab cannot make this fault on demand: why; every row is then from the code. */
  notPlayable?: string;
}

/** Writes the API acknowledges in each play, after the migration. */
export const ACKED_WRITES = 3;
const BBS_TABLES = ['domains', 'desired_lrps', 'actual_lrps', 'tasks', 'configurations'];
const FAULT_WINDOW: Record<FaultPhase, [HookPoint, HookPoint]> = {
  'version-read': ['before-version-read', 'after-version-read'],
  'copy-sql': ['after-drop', 'mid-copy'],
  'copy-etcd': ['after-drop', 'mid-copy'],
};

/** Why the lab does not play this profile and phase (null: it does). Pure. */
export function notPlayedBecause(
  def: Pick<StartupFaultStoryDef, 'fault' | 'notPlayable'>,
  version: string,
  phase: FaultPhase,
): string | null {
  const b = profileOf(version).behaviour;
  const o = startupOutcome(b, phase, def.fault);
  if (!o.applies) return o.why;
  if (def.notPlayable) return def.notPlayable;
  if (b.migrationStores === 'sql')
    return "today's BBS has no etcd, and the lab's start-up stories play dual (etcd + SQL) nodes; a SQL-only restart is not played here";
  return null;
}

/** The phases and profiles a run plays: its options, else the story's phases and every profile. */
export function playList(
  def: Pick<StartupFaultStoryDef, 'phases'>,
  o: { versions?: string[]; phases?: string[] },
): { version: string; phase: FaultPhase }[] {
  const versions = o.versions ?? BBS_VERSIONS;
  const phases = (o.phases ?? def.phases) as FaultPhase[];
  return versions.flatMap((version) => phases.map((phase) => ({ version, phase })));
}

/**
 * The difference list as counts per kind, of the records etcd has and SQL lacks (or holds
 * differently). Pure.
 */
export function missingCounts(diffs: readonly Difference[]): RecordCounts {
  const c = { domains: 0, desiredLRPs: 0, actualLRPs: 0, tasks: 0 };
  const key = {
    domain: 'domains',
    desiredLRP: 'desiredLRPs',
    actualLRP: 'actualLRPs',
    task: 'tasks',
  } as const;
  for (const d of diffs) if (d.etcd !== null) c[key[d.kind]]++;
  return c;
}

/**
 * Stores as a legacy deployment left them: etcd at lastETCD with the seed, SQL without BBS tables.
 */
async function legacyStores(s: FaultStack): Promise<void> {
  await s.etcdDirect.wipe();
  for (const t of BBS_TABLES) await s.direct.query(`DROP TABLE IF EXISTS ${t}`);
  await new MigrationManager({
    node: 'legacy-setup',
    migrations: LEGACY_MIGRATIONS,
    etcd: s.etcdDirect,
  }).run();
  await seedLegacyData(s.etcdDirect);
}

async function playOne(
  ctx: StoryContext,
  def: StartupFaultStoryDef,
  version: string,
  phase: FaultPhase,
  tag: string,
): Promise<PlayEvidence> {
  const { dep, stores } = ctx;
  const fault = def.fault as PlayableFault;
  const target: FaultTarget = phase === 'copy-etcd' ? 'etcd' : 'sql';
  await ctx.step(`BBS ${version}, ${phase}: fresh legacy stores`, () => legacyStores(stores));
  const first = dep.journal.events.length;
  const acked: string[] = [];
  let off: (() => Promise<void>) | undefined;
  const [onAt, offAt] = FAULT_WINDOW[phase];
  const hooks: Partial<Record<HookPoint, () => Promise<void>>> = {
    [onAt]: async () => {
      ctx.mark(`${fault} on ${target}`);
      off = await stores.faultOn(fault, target);
    },
    [offAt]: async () => {
      const f = off;
      off = undefined;
      await f?.();
      ctx.mark(`${fault} on ${target} ended`);
    },
  };
  const start = (h?: typeof hooks) =>
    dep.startNode('dual', { version, ...(h ? { hooks: h } : {}) });
  // A 1047 waits for the node to leave the Primary component and, healed, to be Synced again.
  const settled = (n: RunningBbs) =>
    dep.waitFor(
      `${n.id} serving or exited`,
      () => n.state === 'serving' || n.state === 'exited',
      240_000,
    );
  const ack = async (n: RunningBbs) => {
    for (let i = 0; i < ACKED_WRITES; i++) {
      const guid = `${STORY_PREFIX}${tag}-task-${i}`;
      const r = await callNode(n.url, 'DesireTask', { taskGuid: guid, domain: 'cf-tasks' });
      if (r.status === 200 && r.body.error === undefined) acked.push(guid);
    }
  };
  let faulted: RunningBbs | undefined;
  try {
    if (phase === 'version-read') {
      const a = await ctx.step('a dual node migrates and serves', () => start());
      await settled(a);
      if (a.state !== 'serving')
        throw new Error(
          `${a.id} (BBS ${version}) did not serve after its migration: ${a.exit?.reason ?? ''}`,
        );
      await ack(a);
      await ctx.step(`stop ${a.id}`, () => a.stop());
    }
    const f = await ctx.step(`a dual node starts; ${fault} on ${target} during its ${phase}`, () =>
      start(hooks),
    );
    faulted = f;
    await settled(f);
    if (f.state === 'serving') {
      if (phase !== 'version-read') await ack(f);
      await ctx.step(`stop ${f.id}`, () => f.stop());
    }
    const n = await ctx.step('the next start, without the fault', () => start());
    await settled(n);
    if (n.state === 'serving') await n.stop();
  } finally {
    await off?.().catch(() => undefined);
  }
  const etcdNow = withoutPrefix(await stores.etcdDirect.contents());
  const sqlAll = await finalRead(stores.direct);
  const diffs = compareMigrated(etcdNow, withoutPrefix(sqlAll));
  const inSql = new Set(sqlAll.tasks.map((t) => t.taskGuid));
  return {
    events: dep.journal.events.slice(first),
    faulted: faulted.id,
    phase,
    inEtcd: {
      domains: etcdNow.domains.length,
      desiredLRPs: etcdNow.desiredLRPs.length,
      actualLRPs: etcdNow.actualLRPs.filter((a) => !a.evacuating).length,
      tasks: etcdNow.tasks.length,
    },
    missing: missingCounts(diffs),
    acknowledged: acked.length,
    acknowledgedMissing: acked.filter((g) => !inSql.has(g)).length,
  };
}

/** A start-up fault story: one file per fault in stories/ calls this. */
export function startupFaultStory(def: StartupFaultStoryDef): MigrationStory {
  return defineStory<StartupRow[]>({
    name: def.name,
    takes: ['version', 'phase'],
    setup: def.notPlayable ? 'none' : 'stores-behind-proxies',
    galeraNodes: def.galeraNodes ?? 1,
    phases: def.phases,
    async steps(ctx) {
      const rows: StartupRow[] = [];
      let k = 0;
      for (const { version, phase } of playList(def, ctx.options)) {
        const profile = profileOf(version);
        const base = {
          version,
          label: profileLabel(profile),
          phase,
          fault: def.fault,
          predicted: startupOutcome(profile.behaviour, phase, def.fault),
        };
        const why = notPlayedBecause(def, version, phase);
        if (why) {
          rows.push(fromCodeRow(base, why));
          continue;
        }
        const evidence = await playOne(ctx, def, version, phase, `p${++k}`);
        const r = recount(evidence);
        ctx.log(
          `story ${ctx.name}: BBS ${version} ${phase}: ${r.migrationRuns} migration runs, lost ${r.lostDetail} (${r.hitHow})`,
        );
        rows.push(playedRow(base, r));
      }
      return rows;
    },
    checks(ctx, rows) {
      ctx.section({
        title: 'Per profile',
        key: 'startupFaults',
        markdown: startupTable(rows),
        data: rows,
        answer: startupAnswer(rows),
      });
      for (const r of rows) {
        if (r.source !== 'played') continue;
        ctx.check(
          `BBS ${r.version}, ${r.phase}: the ${r.fault} reached the BBS`,
          r.recount!.hit,
          r.recount!.hitHow,
        );
        ctx.check(
          `BBS ${r.version}, ${r.phase}: the run agrees with the code (startup-outcomes.ts)`,
          r.differences!.length === 0,
          r.differences!.join('; ') ||
            `runs ${r.recount!.migrationRuns}, lost ${r.recount!.lostDetail}`,
        );
      }
      if (rows.every((r) => r.source !== 'played')) {
        ctx.check(
          `every row is given from the code and labelled so (a ${def.fault} is not played)`,
          rows.every((r) => r.source === 'from the code' && !!r.why),
          def.notPlayable ?? '',
        );
      }
    },
  });
}
