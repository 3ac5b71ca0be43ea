// The migration stories of the seed's first story, and the upgrade DUST, runnable outside the tests
// (bbs-lab migrate, or bbs-lab run of scenarios/migration-*.yaml): each brings up a real etcd, a
// 1-node Galera and the lab's Consul agent on its own loopback /24, plays the story with BBS nodes
// while a steady workload calls the BBS API (workload.ts) and writes every call to history.jsonl,
// and returns a verdict line per acceptance check: checks of the deployment (journal, lock,
// record-by-record comparison) and checks of the history (the lab's checkers, lost writes, legacy
// service after migration, the longest outage).
//   redeploy     legacy deployment fills etcd, redeployed one node at a time with SQL
//   mixed-lock   legacy nodes join after the migration: they exit, never serve
//   failure      the migration is killed after copying: legacy serves, a later dual node migrates
//   gap          the known gap: killed between the SQL and the etcd version writes, a legacy node
//                takes the lock and serves etcd; its writes are lost when a dual node serves SQL
//                again (expected to be found: its checks pass when the lab finds the gap)
//   no-sql       SQL unreachable at start: that node fails to start
//   upgrade-dust the rolling upgrade of the DUSTs: 3 legacy nodes replaced one at a time by dual
//                nodes under the steady workload: availability and no lost data

import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { HistoryWriter } from '../history/writer.ts';
import { readHistory } from '../history/reader.ts';
import { ownedTempDir } from '../lifecycle/owned.ts';
import { startEtcd } from '../providers/etcd/server.ts';
import { startLocalCluster } from '../providers/local/cluster.ts';
import { EtcdBbsStore, type EtcdContents } from '../../bbs/etcd/store.ts';
import { compareMigrated } from '../../bbs/migrations/compare.ts';
import { ETCD_TO_SQL_VERSION, LAST_ETCD_VERSION } from '../../bbs/migrations/versions.ts';
import { callNode, StartError, type RunningBbs, type SqlConfig } from '../../bbs/node/node.ts';
import { finalRead, type FinalRead } from '../../bbs/sql/store.ts';
import { BbsApiClient } from './api-client.ts';
import { Deployment } from './deployment.ts';
import { seedLegacyData } from './seed.ts';
import { FINAL_READS, storyVerdict, type StoryVerdict } from './story-verdict.ts';
import { DEFAULT_WORKLOAD, MigrationWorkload, type MigrationWorkloadOptions } from './workload.ts';

export const MIGRATION_SCENARIOS = ['redeploy', 'mixed-lock', 'failure', 'gap', 'no-sql', 'upgrade-dust'] as const;
export type MigrationScenario = (typeof MIGRATION_SCENARIOS)[number];

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ScenarioResult {
  scenario: MigrationScenario;
  checks: Check[];
  holders: string;
  /** The history's verdict; absent for no-sql (no node serves SQL, nothing to judge). */
  verdict?: StoryVerdict;
}

export interface StoryOptions {
  /** Where history.jsonl goes; default a lab temp dir removed afterwards. */
  historyPath?: string;
  workload?: Partial<MigrationWorkloadOptions>;
  /** upgrade-dust: how each old node goes: BOSH's graceful stop, or a crash (the session lapses). */
  stop?: 'graceful' | 'kill';
  /** upgrade-dust: the longest outage (seconds) the check allows. */
  maxOutageSec?: number;
  /**
   * The lock's session TTL (whole seconds) and retry interval (ms). Default the lab's quick 1 s /
   * 500 ms; the real BBS: 10 s (15 s from 2016-10) / 5000 ms, which a report can compare.
   */
  lock?: { ttlSec: number; retryMs: number };
  log?: (m: string) => void;
}

const STORY_PREFIX = 'w-';

export async function runMigrationScenario(name: MigrationScenario, base: string, logOrOptions: ((m: string) => void) | StoryOptions = {}): Promise<ScenarioResult> {
  const o: StoryOptions = typeof logOrOptions === 'function' ? { log: logOrOptions } : logOrOptions;
  const log = o.log ?? (() => {});
  const checks: Check[] = [];
  const check = (n: string, ok: boolean, detail = '') => checks.push({ name: n, ok, detail });
  let tmp: string | undefined;
  let historyPath = o.historyPath;
  if (!historyPath) {
    tmp = ownedTempDir({ story: name });
    historyPath = join(tmp, 'history.jsonl');
  }
  if (existsSync(historyPath) && statSync(historyPath).size > 0) throw new Error(`${historyPath}: a history is already there; a story writes a fresh one`);
  const history = new HistoryWriter(historyPath);
  const mark = (kind: string, detail?: unknown) => history.append({ type: 'nemesis', phase: 'event', fault: 'story', kind, ...(detail !== undefined ? { detail } : {}) });
  const etcdServer = await startEtcd({ host: `${base}.1` });
  const cluster = name === 'no-sql' ? undefined : await startLocalCluster({ nodes: 1, addressBase: base, firstHost: 11, log }).catch(async (e) => {
    await etcdServer.stop();
    throw e;
  });
  const sql: SqlConfig = cluster
    ? { host: cluster.nodes[0]!.host, port: cluster.nodes[0]!.port, user: cluster.user, password: cluster.password, database: cluster.database }
    : { host: `${base}.11`, port: 3306, user: 'bbs', password: 'x', database: 'diego', connectTimeoutMs: 2000 };
  const lock = o.lock ?? { ttlSec: 1, retryMs: 500 };
  const dep = await Deployment.start({ base, etcdUrl: etcdServer.url, sql, log, lockTtl: `${lock.ttlSec}s`, retryMs: lock.retryMs, sessionTtlMin: `${Math.min(lock.ttlSec, 10)}s` });
  const pool = cluster ? mysql.createPool({ ...sql, connectionLimit: 2 }) : undefined;
  const etcd = new EtcdBbsStore(etcdServer.url);
  const workload = new MigrationWorkload(history, () => new BbsApiClient(() => dep.nodes.map((n) => n.url)), { ...DEFAULT_WORKLOAD, ...o.workload }, STORY_PREFIX);
  const step = async <T,>(what: string, f: () => Promise<T>): Promise<T> => {
    mark(what);
    log(`story ${name}: ${what}`);
    return f();
  };
  /** Ends the workload, reads every key once through whichever node serves, and judges the history. */
  const judge = async (): Promise<StoryVerdict> => {
    await workload.stop();
    mark(FINAL_READS);
    const r = await workload.finalReads();
    if (r.unread > 0) check('every key could be read at the end', false, `${r.unread} of ${r.read + r.unread} final reads never succeeded`);
    history.close();
    return storyVerdict(readHistory(historyPath).events);
  };
  try {
    if (name === 'no-sql') {
      let err: unknown;
      await dep.startNode('dual').catch((e) => (err = e));
      check('the dual node fails to start', err instanceof StartError && /sql-failed-to-connect/.test(String(err)), String(err));
      check('it never tried the lock', dep.journal.events.every((e) => e.kind !== 'lock-acquired'));
      const legacy = await dep.startNode('legacy');
      const served = await dep.waitServing(10_000).then(
        (n) => n === legacy,
        () => false,
      );
      check('a legacy node still serves', served);
      return { scenario: name, checks, holders: '' };
    }
    const legacy1 = await dep.startNode('legacy');
    await dep.waitServing(10_000);
    await seedLegacyData(etcd);
    workload.start();
    await sleep(1000);
    let verdict: StoryVerdict;
    if (name === 'redeploy' || name === 'upgrade-dust') {
      const old = [legacy1, await dep.startNode('legacy'), await dep.startNode('legacy')];
      const gaps: number[] = [];
      const during: number[] = [];
      for (const n of old) {
        const t = Date.now();
        const crash = o.stop === 'kill' && name === 'upgrade-dust';
        await step(`${crash ? 'kill' : 'stop'} ${n.id}`, async () => (crash ? n.kill() : void (await n.stop())));
        const next = await step('start a dual node', () => startAsking(dep, during));
        await dep.waitServing(30_000 + 3 * lock.ttlSec * 1000 + lock.retryMs);
        gaps.push((Date.now() - t) / 1000);
        log(`story ${name}: ${dep.serving()[0]?.id} serves (${next.id} started)`);
        await sleep(name === 'upgrade-dust' ? 2000 : 500);
      }
      const s = await dep.waitServing(15_000);
      if (name === 'redeploy') {
        // Another dual node takes the lock later: it must serve without migrating again.
        await step(`stop ${s.id}`, () => s.stop());
        await dep.waitServing(15_000);
        await sleep(500);
      }
      verdict = await judge();
      // Against etcd as it is now: a domain's TTL runs down in etcd as its expire_time nears in SQL.
      checkSeedMigrated(check, withoutPrefix(await etcd.contents()), await finalRead(pool!));
      check('the migrating node answered 503 while it migrated', during.length === 1 && during[0] === 503, `asked mid-copy: ${during.join(', ') || 'no node migrated'}`);
      check('one migration run, also after other dual nodes took the lock', dep.journal.runs(ETCD_TO_SQL_VERSION, 'migration-start').length === 1, `${dep.journal.runs(ETCD_TO_SQL_VERSION, 'migration-start').length} runs started`);
      if (name === 'upgrade-dust') {
        const max = o.maxOutageSec ?? 10;
        check(`the BBS answered again within ${max} s of every step`, verdict.longestOutageSec <= max, `longest outage ${verdict.longestOutageSec.toFixed(1)} s at ${verdict.outageStartSec.toFixed(1)} s; per step ${gaps.map((g) => `${g.toFixed(1)} s`).join(', ')}`);
      }
      checkHistoryClean(check, verdict);
    } else if (name === 'mixed-lock') {
      const dual = await step('start a dual node', () => dep.startNode('dual'));
      await step(`stop ${legacy1.id}`, () => legacy1.stop());
      await dep.waitFor('the dual node serving', () => dual.state === 'serving', 15_000);
      const late = [await step('start a late legacy node', () => dep.startNode('legacy')), await step('start a late legacy node', () => dep.startNode('legacy'))];
      await step(`stop ${dual.id}`, () => dual.stop());
      await dep.waitFor('late legacy nodes to exit', () => late.every((l) => l.state === 'exited'), 20_000).catch(() => undefined);
      const reason = `Existing DB version (${LAST_ETCD_VERSION + 1}) exceeds bbs version (${LAST_ETCD_VERSION})`;
      check('every late legacy node exits with the too-new error', late.every((l) => l.exit?.reason === reason), late.map((l) => l.exit?.reason ?? l.state).join('; '));
      const ids = new Set(late.map((l) => l.id));
      check('no legacy node serves after the migration', !dep.journal.events.some((e) => e.kind === 'serving' && ids.has(e.node)));
      const held = holdTimes(dep.holders).filter((h) => ids.has(h.id));
      const longest = Math.max(0, ...held.map((h) => h.ms));
      check('no legacy node retains the lock (each gives it up within 2 s)', longest <= 2000, held.length ? held.map((h) => `${h.id} held it ${h.ms} ms`).join(', ') : 'no late legacy node got the lock');
      await step('start a dual node for the final reads', () => dep.startNode('dual'));
      await dep.waitServing(15_000);
      verdict = await judge();
      checkHistoryClean(check, verdict);
    } else {
      const doomed = await startDoomed(dep, name);
      await step(`stop ${legacy1.id}`, () => legacy1.stop());
      await doomed.exited;
      mark(`${doomed.id} killed at ${name === 'failure' ? 'after-copy' : 'between-version-writes'}`);
      const legacy = await step('start a legacy node', () => dep.startNode('legacy'));
      await dep.waitServing(20_000);
      const took = legacy.state === 'serving';
      if (name === 'failure') {
        check('a legacy node takes over and serves', took && (await callNode(legacy.url, 'DesireTask', { taskGuid: 'after-failure', domain: 'cf-tasks' })).status === 200);
        await sleep(1000);
        await step('start a dual node', () => dep.startNode('dual'));
        await step(`stop ${legacy.id}`, () => legacy.stop());
        await dep.waitFor('a dual node serving', () => dep.serving().some((n) => n.mode === 'dual'), 15_000);
        await sleep(500);
        const etcdNow = await etcd.contents();
        verdict = await judge();
        const d = compareMigrated(withoutPrefix(etcdNow), withoutPrefix(await finalRead(pool!)));
        check('a later dual node completes the migration', dep.journal.runs(ETCD_TO_SQL_VERSION).length === 1 && d.length === 0, `${d.length} differences`);
        checkHistoryClean(check, verdict);
      } else {
        check('GAP (expected, from the 2016 code): a legacy node serves after SQL was marked migrated', took, JSON.stringify(await etcd.version()));
        // The legacy node takes writes into etcd; then a dual node takes the lock, finds SQL
        // current and serves SQL, which never saw them.
        await sleep(2000);
        await step('start a dual node', () => dep.startNode('dual'));
        await step(`stop ${legacy.id}`, () => legacy.stop());
        await dep.waitFor('a dual node serving', () => dep.serving().some((n) => n.mode === 'dual'), 15_000);
        await sleep(500);
        verdict = await judge();
        const acked = verdict.lostWrites.length;
        check(
          'GAP found in the history: writes the legacy node acknowledged after the migration are lost',
          acked > 0 && verdict.checkers.valid === false,
          `${acked} acknowledged creates read back as missing; checkers: ${verdict.checkers.summary[0] ?? ''}`,
        );
        check('no second migration ran (SQL said current)', dep.journal.runs(ETCD_TO_SQL_VERSION, 'migration-start').length === 1);
      }
    }
    return { scenario: name, checks, holders: dep.holders.map((h) => h.id ?? '-').join(' → '), verdict };
  } finally {
    await workload.stop().catch(() => undefined);
    history.close();
    await pool?.end().catch(() => undefined);
    await dep.stop();
    await etcdServer.stop();
    await cluster?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

/** The dual node the failure and gap stories kill mid-migration. */
async function startDoomed(dep: Deployment, name: 'failure' | 'gap'): Promise<RunningBbs> {
  if (name === 'failure') return dep.startNode('dual', { killAt: 'after-copy' });
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

/** How long each holder held the lock, from the deployment's 100 ms samples (the last holder until now). */
export function holdTimes(samples: readonly { t: number; id: string | null }[], now = Date.now()): { id: string; ms: number }[] {
  const out: { id: string; ms: number }[] = [];
  samples.forEach((x, i) => {
    if (x.id) out.push({ id: x.id, ms: (samples[i + 1]?.t ?? now) - x.t });
  });
  return out;
}

/** A dual node that, when it migrates, asks its own API for a task mid-copy and notes the status. */
async function startAsking(dep: Deployment, statuses: number[]): Promise<RunningBbs> {
  const node: RunningBbs = await dep.startNode('dual', {
    hooks: {
      'mid-copy': async () => {
        statuses.push((await callNode(node.url, 'TaskByGuid', { taskGuid: 'asked-mid-copy' })).status);
      },
    },
  });
  return node;
}

/** Everything the workload wrote carries its prefix; the seeded legacy data does not. */
function withoutPrefix<T extends EtcdContents | FinalRead>(c: T): T {
  const keep = (guid: string) => !guid.startsWith(STORY_PREFIX);
  return {
    ...c,
    desiredLRPs: c.desiredLRPs.filter((d) => keep(d.processGuid)),
    actualLRPs: (c.actualLRPs as { processGuid?: string; record?: { processGuid: string } }[]).filter((a) => keep(a.record?.processGuid ?? a.processGuid ?? '')),
    tasks: c.tasks.filter((t) => keep(t.taskGuid)),
  } as T;
}

function checkSeedMigrated(check: (n: string, ok: boolean, d?: string) => void, before: EtcdContents, after: FinalRead): void {
  const d = compareMigrated(before, withoutPrefix(after));
  check('every legacy record is in SQL, record by record', d.length === 0, `${d.length} differences${d.length ? `, first: ${d[0]!.kind} ${d[0]!.key}` : ''}`);
}

function checkHistoryClean(check: (n: string, ok: boolean, d?: string) => void, v: StoryVerdict): void {
  check('the checkers find the history valid (linearizable per key, invariants hold)', v.checkers.valid === true, v.checkers.summary.join(' '));
  check('no acknowledged write is lost', v.lostWrites.length === 0, `${v.lostWrites.length} lost of the workload's ${v.okOps} ok ops${v.lostWrites[0] ? `, first: ${v.lostWrites[0].f} ${v.lostWrites[0].key} acknowledged by ${v.lostWrites[0].node}` : ''}`);
  check('no client was answered by a legacy node once a dual node had served', v.legacyAfterMigration.length === 0, `${v.legacyAfterMigration.length} ops`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
