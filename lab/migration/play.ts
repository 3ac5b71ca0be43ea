// The one story runner: plays any migration story (stories/, see story.ts) on a real etcd, a
// 1-node Galera (the provider registry's local provider: galera.ts) and Consul
// (lab/consul/connection.ts) on its own loopback /24, with BBS nodes as OS processes, while a
// steady workload calls the BBS API (workload.ts) and writes every call to history.jsonl; then
// reads every key once, judges the history (story-verdict.ts) and hands the verdict to the story's
// checks. It knows stories only by their declared setup, never by name.

import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { HistoryWriter } from '../history/writer.ts';
import { readHistory } from '../history/reader.ts';
import { ownedTempDir } from '../lifecycle/owned.ts';
import { startEtcd } from '../providers/etcd/server.ts';
import { EtcdBbsStore } from '../../bbs/etcd/store.ts';
import type { RunningBbs, SqlConfig } from '../../bbs/node/node.ts';
import { BbsApiClient } from './api-client.ts';
import { Deployment } from './deployment.ts';
import { startFaultStack, type FaultStack } from './fault-stack.ts';
import { startStoryGalera } from './galera.ts';
import { seedLegacyData } from './seed.ts';
import { sleep, STORY_PREFIX } from './stories/kit.ts';
import { storyNamed } from './stories/index.ts';
import type {
  Check,
  MigrationStory,
  ReportSection,
  ScenarioResult,
  StoryContext,
  StoryOptions,
} from './story.ts';
import { FINAL_READS, storyVerdict, type StoryVerdict } from './story-verdict.ts';
import { DEFAULT_WORKLOAD, MigrationWorkload } from './workload.ts';

export type { Check, ScenarioResult, StoryOptions } from './story.ts';

/** The story of that name (stories/index.ts), played by `playStory`. */
export function runMigrationScenario(
  name: string,
  base: string,
  logOrOptions: ((m: string) => void) | StoryOptions = {},
): Promise<ScenarioResult> {
  return playStory(
    storyNamed(name),
    base,
    typeof logOrOptions === 'function' ? { log: logOrOptions } : logOrOptions,
  );
}

export async function playStory(
  story: MigrationStory,
  base: string,
  o: StoryOptions = {},
): Promise<ScenarioResult> {
  const name = story.name;
  const log = o.log ?? (() => {});
  const withWorkload = story.setup === 'legacy-under-workload';
  const checks: Check[] = [];
  const check = (n: string, ok: boolean, detail = '') => checks.push({ name: n, ok, detail });
  const sections: ReportSection[] = [];
  if (story.setup === 'none') return playWithoutStores(story, o, checks, sections);
  const behind = story.setup === 'stores-behind-proxies';
  let tmp: string | undefined;
  let historyPath = o.historyPath;
  if (!historyPath) {
    tmp = ownedTempDir({ story: name });
    historyPath = join(tmp, 'history.jsonl');
  }
  if (existsSync(historyPath) && statSync(historyPath).size > 0)
    throw new Error(`${historyPath}: a history is already there; a story writes a fresh one`);
  const history = new HistoryWriter(historyPath);
  const mark = (kind: string, detail?: unknown) =>
    history.append({
      type: 'nemesis',
      phase: 'event',
      fault: 'story',
      kind,
      ...(detail !== undefined ? { detail } : {}),
    });
  const own = behind && !o.stores;
  const logs = o.logDir ? { logDir: o.logDir } : {};
  const stack: FaultStack | undefined = behind
    ? (o.stores ??
      (await startFaultStack({ base, galeraNodes: story.galeraNodes ?? 1, log, ...logs })))
    : undefined;
  const etcdServer = stack ? undefined : await startEtcd({ host: `${base}.1` });
  const cluster =
    withWorkload && etcdServer
      ? await startStoryGalera({ base, nodes: 1, log, ...logs }).catch(async (e) => {
          await etcdServer.stop();
          throw e;
        })
      : undefined;
  // Without Galera, SQL points where nothing answers (a 2 s connect timeout keeps the refusal
  // quick).
  const sql: SqlConfig = stack
    ? stack.sql
    : cluster
      ? {
          host: cluster.nodes[0]!.host,
          port: cluster.nodes[0]!.port,
          user: cluster.user,
          password: cluster.password,
          database: cluster.database,
        }
      : {
          host: `${base}.11`,
          port: 3306,
          user: 'bbs',
          password: 'x',
          database: 'diego',
          connectTimeoutMs: 2000,
        };
  const lock = o.lock ?? { ttlSec: 1, retryMs: 500 };
  let dep: Deployment | undefined;
  let workload: MigrationWorkload | undefined;
  const pool = cluster ? mysql.createPool({ ...sql, connectionLimit: 2 }) : undefined;
  const etcdUrl = stack ? stack.etcdUrl : etcdServer!.url;
  try {
    dep = await Deployment.start({
      base,
      etcdUrl,
      sql,
      log,
      lockTtl: `${lock.ttlSec}s`,
      retryMs: lock.retryMs,
      sessionTtlMin: `${Math.min(lock.ttlSec, 10)}s`,
    });
    const d = dep;
    const etcd = stack ? stack.etcdDirect : new EtcdBbsStore(etcdUrl);
    workload = new MigrationWorkload(
      history,
      () => new BbsApiClient(() => d.nodes.map((n) => n.url)),
      { ...DEFAULT_WORKLOAD, ...o.workload },
      STORY_PREFIX,
    );
    let first: RunningBbs | undefined;
    const ctx: StoryContext = {
      name,
      dep: d,
      get stores(): FaultStack {
        if (!stack)
          throw new Error(
            `story ${name}: its setup (${story.setup}) puts no proxies before the stores`,
          );
        return stack;
      },
      etcd,
      pool: pool ?? stack?.direct,
      options: o,
      lock,
      first: () => {
        if (!first)
          throw new Error(`story ${name}: its setup (${story.setup}) starts no legacy node`);
        return first;
      },
      check,
      section: (x) => sections.push(x),
      step: async (what, f) => {
        mark(what);
        log(`story ${name}: ${what}`);
        return f();
      },
      mark,
      log,
    };
    if (withWorkload) {
      first = await d.startNode('legacy');
      await d.waitServing(10_000);
      await seedLegacyData(etcd);
      workload.start();
      await sleep(1000);
    }
    const state = await story.steps(ctx);
    let verdict: StoryVerdict | undefined;
    if (withWorkload) {
      // Ends the workload, reads every key once through whichever node serves, and judges the
      // history.
      await workload.stop();
      mark(FINAL_READS);
      const r = await workload.finalReads();
      if (r.unread > 0)
        check(
          'every key could be read at the end',
          false,
          `${r.unread} of ${r.read + r.unread} final reads never succeeded`,
        );
      history.close();
      verdict = storyVerdict(readHistory(historyPath).events);
    }
    await story.checks(ctx, state, verdict);
    const extra = sections.length ? { sections } : {};
    return verdict
      ? {
          scenario: name,
          checks,
          holders: d.holders.map((h) => h.id ?? '-').join(' → '),
          verdict,
          ...extra,
        }
      : { scenario: name, checks, holders: '', ...extra };
  } finally {
    await workload?.stop().catch(() => undefined);
    history.close();
    await pool?.end().catch(() => undefined);
    await dep?.stop();
    await etcdServer?.stop();
    await cluster?.stop();
    if (own) await stack?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

/** A story that starts nothing ('none'): its steps work from the code alone. */
async function playWithoutStores(
  story: MigrationStory,
  o: StoryOptions,
  checks: Check[],
  sections: ReportSection[],
): Promise<ScenarioResult> {
  const name = story.name;
  const log = o.log ?? (() => {});
  const none = (what: string) => () => {
    throw new Error(`story ${name}: its setup (none) has no ${what}`);
  };
  const ctx: StoryContext = {
    name,
    get dep(): Deployment {
      return none('deployment')();
    },
    get stores(): FaultStack {
      return none('stores')();
    },
    get etcd(): EtcdBbsStore {
      return none('etcd')();
    },
    pool: undefined,
    options: o,
    lock: o.lock ?? { ttlSec: 1, retryMs: 500 },
    first: none('legacy node'),
    check: (n, ok, detail = '') => void checks.push({ name: n, ok, detail }),
    section: (x) => void sections.push(x),
    step: async (what, f) => {
      log(`story ${name}: ${what}`);
      return f();
    },
    mark: () => undefined,
    log,
  };
  const state = await story.steps(ctx);
  await story.checks(ctx, state, undefined);
  return { scenario: name, checks, holders: '', ...(sections.length ? { sections } : {}) };
}
