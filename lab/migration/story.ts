// What a migration story is (one per file in stories/, listed in stories/index.ts) and what the one
// story runner (play.ts) hands it. A story declares its setup, plays its steps on a running
// deployment while the workload calls the BBS API, and then judges: its checks see the steps'
// outcome and the history's verdict. The runner owns everything around that: etcd, Galera, Consul,
// the deployment, the workload, the history, the final reads, and stopping it all.

import type { Pool } from 'mysql2/promise';
import type { EtcdBbsStore } from '../../bbs/etcd/store.ts';
import type { RunningBbs } from '../../bbs/node/node.ts';
import type { MigrationStopMode, StoryOption } from '../scenario/migration.ts';
import type { Deployment } from './deployment.ts';
import type { FaultStack } from './fault-stack.ts';
import type { StoryVerdict } from './story-verdict.ts';
import type { MigrationWorkloadOptions } from './workload.ts';

/**
 * What the runner brings up before the steps:
 *  - 'legacy-under-workload': a real 1-node Galera for SQL; one legacy (etcd-only) node serving,
 *    the legacy data seeded in etcd (seed.ts), the workload calling the API for a second. The
 *    history is judged after the steps.
 *  - 'sql-unreachable': no Galera; SQL points at an address nothing answers; no workload.
 *  - 'stores-behind-proxies': a real Galera (the story's `galeraNodes`) and etcd, each behind the
 *    lab's proxy (fault-stack.ts); the nodes reach both through the proxies; no node started, no
 *    workload: the story resets the stores and starts its nodes itself.
 *  - 'none': nothing runs (a story that only works out outcomes from the code).
 */
export type StorySetup =
  | 'legacy-under-workload'
  | 'sql-unreachable'
  | 'stores-behind-proxies'
  | 'none';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * A part of the report a story adds after the answer: markdown for report.md, data for
 * results.json.
 */
export interface ReportSection {
  title: string;
  markdown: string;
  /** The key of `data` in results.json. */
  key: string;
  data: unknown;
  /** One sentence for the report's answer line. */
  answer?: string;
}

export interface ScenarioResult {
  scenario: string;
  checks: Check[];
  sections?: ReportSection[];
  holders: string;
  /** The history's verdict; absent when the setup runs no workload (nothing to judge). */
  verdict?: StoryVerdict;
}

/** The options of a story's run (from its scenario file's `migration:` block). */
export interface StoryOptions {
  /** Where history.jsonl goes; default a lab temp dir removed afterwards. */
  historyPath?: string;
  /** Where the Galera nodes' logs are copied when they stop (a run directory's logs/); default nowhere. */
  logDir?: string;
  workload?: Partial<MigrationWorkloadOptions>;
  /**
   * How each old node goes, for stories that take `stop`: BOSH's graceful stop, or a crash (the
   * session lapses).
   */
  stop?: MigrationStopMode;
  /** The longest outage (seconds) the check allows, for stories that take `maxOutageSec`. */
  maxOutageSec?: number;
  /**
   * The lock's session TTL (whole seconds) and retry interval (ms). Default the lab's quick 1 s /
   * 500 ms; the real BBS: 10 s (15 s from 2016-10) / 5000 ms, which a report can compare.
   */
  lock?: { ttlSec: number; retryMs: number };
  /** The BBS profiles a start-up fault story plays (its `version:`). */
  versions?: string[];
  /** The phases a start-up fault story plays (its `phase:`). */
  phases?: string[];
  /**
   * 'stores-behind-proxies': play on these stores instead of starting them (the caller stops them).
   */
  stores?: FaultStack;
  log?: (m: string) => void;
}

export interface StoryContext {
  readonly name: string;
  /** The deployment (throws for setup 'none'). */
  readonly dep: Deployment;
  /** The stores behind the lab's proxies ('stores-behind-proxies' only; throws otherwise). */
  readonly stores: FaultStack;
  /** The deployment's etcd, as the lab reads it (not through a BBS node). */
  readonly etcd: EtcdBbsStore;
  /** A pool on the Galera node ('legacy-under-workload' only). */
  readonly pool: Pool | undefined;
  readonly options: StoryOptions;
  readonly lock: { ttlSec: number; retryMs: number };
  /** The legacy node the setup started ('legacy-under-workload' only; throws otherwise). */
  first(): RunningBbs;
  /** Adds a section to the report (after the answer) and to results.json. */
  section(s: ReportSection): void;
  /** Adds an acceptance check; the result lists them in the order they were added. */
  check(name: string, ok: boolean, detail?: string): void;
  /** A step of the story: marked in the history (it shades the timeline) and logged, then done. */
  step<T>(what: string, f: () => Promise<T>): Promise<T>;
  /**
   * A story event in the history that is not a step of its own (e.g. a node dying at a hook point).
   */
  mark(kind: string): void;
  log(m: string): void;
}

export interface MigrationStory<S = unknown> {
  name: string;
  /**
   * The options of the `migration:` block it uses beyond workload and lock (the validator refuses
   * others).
   */
  takes: readonly StoryOption[];
  setup: StorySetup;
  /**
   * Galera nodes for 'stores-behind-proxies' (3 where a partition must isolate the BBS's node);
   * default 1.
   */
  galeraNodes?: 1 | 3;
  /** The phases it plays (its `phase:` values), for start-up fault stories. */
  phases?: readonly string[];
  /** The story's steps; returns what its checks need from them. */
  steps(ctx: StoryContext): Promise<S>;
  /**
   * Its checks, after the steps and (with a workload) the final reads; `verdict` is the history's.
   */
  checks(ctx: StoryContext, state: S, verdict: StoryVerdict | undefined): Promise<void> | void;
}

/** A story with its state type checked between steps and checks, as the registry holds it. */
export function defineStory<S>(s: MigrationStory<S>): MigrationStory {
  return s as unknown as MigrationStory;
}
