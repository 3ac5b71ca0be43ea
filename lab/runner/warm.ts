// Warm clusters: within a campaign or `compare --repeat`, a run whose topology is the same as the
// last one's reuses its Galera cluster instead of starting one (about 20 s of a 30-s overhead
// here). Between runs the cluster is reset and then CHECKED against the state the fresh start had
// (warm-state.ts): every node back (a paused one resumed, a killed one restarted) and Synced, the
// lab's database dropped and created empty (the next run's workload creates its profile's
// tables), no connection or open transaction left, the global variables as started, no partition
// rule. A reset that fails stops the old cluster and starts a fresh one, and says why.
//
// The routing (healthchecks, switchboards, Consul, Toxiproxy links) is kept beside the cluster,
// parked between runs and checked before it is resumed (warm-routing.ts); the run decides whether
// to take it (topology.ts), this pool only holds it. docs/campaigns.md gives the figures.
//
// Ctrl-C or a crash still takes everything down: a kept cluster stays registered with the cleanup
// registry (lab/lifecycle) from its start until it is stopped.

import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../providers/cluster.ts';
import { ownChainRules } from '../network/iptables.ts';
import type { Scenario } from '../scenario/types.ts';
import { startCluster } from './cluster-start.ts';
import type { TopologyOptions } from './topology-options.ts';
import { dirtyState, warmKey, type ClusterSnapshot, type NodeSnapshot } from './warm-state.ts';
import { registerCleanup } from '../lifecycle/cleanup.ts';
import { stopRouting, type KeptRouting } from './warm-routing.ts';

export interface ClusterStart {
  kind: 'warm' | 'cold';
  /** Why: "reused …, reset and checked clean in 1.2 s", or why it was started fresh. */
  why: string;
  /** The routing's start, the same way (results.json keeps it here). */
  routing?: { kind: 'warm' | 'cold'; why: string };
}

export interface ClusterLease {
  cluster: Cluster;
  start: ClusterStart;
  /** The routing the last run parked beside this cluster (now the run's to resume or stop). */
  routing: KeptRouting | null;
  /** Whether release keeps a parked routing (a pool's lease) or has nowhere to keep it. */
  keepsRouting: boolean;
  /**
   * At the run's teardown: keep the cluster (and the parked routing) for the next run, when it can
   * be, or stop them.
   */
  release(ok: boolean, routing?: KeptRouting): Promise<void>;
}

interface Kept {
  key: string;
  cluster: Cluster;
  fresh: ClusterSnapshot;
  routing: KeptRouting | null;
  /** Unregisters the cleanup that stops the parked routing on Ctrl-C. */
  unregisterRouting: () => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One tagged row per fact, so a single statement per node reads everything (mariadb -N -B). */
const snapshotSql = (db: string) =>
  [
    `SELECT 'db', schema_name FROM information_schema.schemata`,
    `SELECT 'table', table_name FROM information_schema.tables WHERE table_schema = '${db}'`,
    `SELECT 'conn', COUNT(*) FROM information_schema.processlist WHERE user = 'lab'`,
    `SELECT 'trx', COUNT(*) FROM information_schema.innodb_trx`,
    `SELECT 'var', CONCAT(variable_name, '=', variable_value) FROM information_schema.global_variables`,
  ].join(' UNION ALL ');

async function nodeSnapshot(c: Cluster, name: string): Promise<NodeSnapshot | null> {
  const admin = c.abilities.admin!;
  try {
    const [st, out] = await Promise.all([
      c.status(name),
      admin.query(name, snapshotSql(c.database)),
    ]);
    const s: NodeSnapshot = {
      name,
      ...st,
      databases: [],
      tables: [],
      labConnections: 0,
      openTransactions: 0,
      variables: {},
    };
    for (const line of out.split('\n')) {
      const tab = line.indexOf('\t');
      if (tab < 0) continue;
      const [tag, value] = [line.slice(0, tab), line.slice(tab + 1)];
      if (tag === 'db') s.databases.push(value);
      else if (tag === 'table') s.tables.push(value);
      else if (tag === 'conn') s.labConnections = Number(value);
      else if (tag === 'trx') s.openTransactions = Number(value);
      else if (tag === 'var') {
        const eq = value.indexOf('=');
        s.variables[value.slice(0, eq).toLowerCase()] = value.slice(eq + 1);
      }
    }
    s.databases.sort();
    return s;
  } catch {
    return null;
  }
}

export async function snapshotCluster(c: Cluster): Promise<ClusterSnapshot> {
  const nodes = await Promise.all(c.nodes.map((n) => nodeSnapshot(c, n.name)));
  const hosts = c.nodes.map((n) => n.host);
  const rules = (await ownChainRules()).filter((r) => hosts.some((h) => r.includes(`${h}/32`)));
  return { nodes: nodes.filter((n): n is NodeSnapshot => n !== null), partitionRules: rules };
}

/** Brings every node back and empties the lab's database; the caller checks the result. */
async function resetCluster(c: Cluster): Promise<void> {
  const size = c.nodes.length;
  const admin = c.abilities.admin!;
  await c.abilities.partition?.healAll?.();
  // A node the nemesis left paused or killed (its heal failed, or the run was cut short).
  await Promise.all(c.nodes.map((n) => c.abilities.pause?.resume(n.name).catch(() => undefined)));
  await Promise.all(
    c.nodes.map(async (n) => {
      const st = await Promise.race([
        c.status(n.name).catch(() => null),
        sleep(2000).then(() => null),
      ]);
      if (st === null) await c.abilities.kill?.restart(n.name).catch(() => undefined);
    }),
  );
  for (const n of c.nodes) await c.waitSynced(n.name, size, 60_000);
  // A connection of the lab's user that outlived its run (and any lock its transaction holds).
  for (const n of c.nodes) {
    const ids = (
      await admin.query(n.name, `SELECT id FROM information_schema.processlist WHERE user = 'lab'`)
    )
      .split('\n')
      .filter((x) => /^\d+$/.test(x.trim()));
    for (const id of ids) await admin.query(n.name, `KILL ${id.trim()}`).catch(() => undefined);
  }
  // Through the first node as root; Galera replicates the DDL to the others.
  await admin.query(
    c.nodes[0]!.name,
    `DROP DATABASE IF EXISTS \`${c.database}\`; CREATE DATABASE \`${c.database}\``,
  );
}

/** Resets and checks until clean (connections close a moment after their pools end), up to `ms`. */
async function resetAndCheck(k: Kept, ms = 10_000): Promise<string[]> {
  await resetCluster(k.cluster);
  const deadline = Date.now() + ms;
  for (;;) {
    const problems = dirtyState(k.fresh, await snapshotCluster(k.cluster));
    if (problems.length === 0 || Date.now() > deadline) return problems;
    await sleep(250);
  }
}

export class WarmClusters {
  private kept: Kept | null = null;
  /** Runs started warm and cold so far (a campaign's summary). */
  readonly counts = { warm: 0, cold: 0 };

  /** A cluster for the run: the kept one, reset and checked, when its topology matches; else a fresh one. */
  async take(s: Scenario, o: TopologyOptions): Promise<ClusterLease> {
    const key = warmKey(s, o.addressBase);
    let why =
      key === null
        ? `provider ${s.topology.provider} is started fresh every run`
        : 'no cluster kept from an earlier run';
    const k = this.kept;
    this.kept = null;
    if (k && k.key !== key) {
      why = 'the previous run had another topology';
      await dropRouting(k);
      await k.cluster.stop();
    } else if (k) {
      const t0 = Date.now();
      let problems: string[];
      try {
        problems = await resetAndCheck(k);
      } catch (e) {
        problems = [(e as Error).message.split('\n')[0]!];
      }
      if (problems.length === 0) {
        const start: ClusterStart = {
          kind: 'warm',
          why: `reused the previous run's cluster, reset and checked clean in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
        };
        o.log(`cluster: warm: ${start.why}`);
        this.counts.warm++;
        // The routing is the run's from here: its start registers the routing's cleanup anew.
        const routing = k.routing;
        k.unregisterRouting();
        k.routing = null;
        return this.lease(k, start, o.logDir, routing);
      }
      why = `the reset of the previous run's cluster failed (${problems.join('; ')})`;
      o.log(`cluster: ${why}; starting a fresh cluster`);
      await dropRouting(k);
      await k.cluster.stop();
    }
    const cluster = await startCluster(s, o);
    this.counts.cold++;
    const start: ClusterStart = { kind: 'cold', why };
    if (key === null) return unpooled(cluster, start);
    // The state every later reset is checked against, read before the run touches anything.
    const fresh = await snapshotCluster(cluster);
    return this.lease(
      { key, cluster, fresh, routing: null, unregisterRouting: () => {} },
      start,
      o.logDir,
      null,
    );
  }

  private lease(
    k: Kept,
    start: ClusterStart,
    logDir: string,
    routing: KeptRouting | null,
  ): ClusterLease {
    return {
      cluster: k.cluster,
      start,
      routing,
      keepsRouting: true,
      release: async (ok, parked) => {
        if (!ok) {
          if (parked) await stopRouting(parked.routing);
          return k.cluster.stop();
        }
        // A stopped cluster copies its nodes' logs into the run that stops it; a kept one gives
        // every run a copy now (the whole log so far: the runs before it come first).
        copyNodeLogs(k.cluster, logDir);
        k.routing = parked ?? null;
        k.unregisterRouting = parked
          ? registerCleanup('parked proxies, healthchecks, Consul and links', () =>
              stopRouting(parked.routing),
            )
          : () => {};
        this.kept = k;
      },
    };
  }

  /** The routing parked beside the kept cluster, if any (tests dirty it to see the check catch it). */
  keptRouting(): KeptRouting | null {
    return this.kept?.routing ?? null;
  }

  /** The cluster kept for the next run, if any (tests dirty it to see the reset clean it). */
  keptCluster(): Cluster | null {
    return this.kept?.cluster ?? null;
  }

  /** Stops the kept cluster (the campaign is over). */
  async close(): Promise<void> {
    const k = this.kept;
    this.kept = null;
    if (k) await dropRouting(k);
    await k?.cluster.stop();
  }
}

/** Stops the routing parked beside `k`. */
async function dropRouting(k: Kept): Promise<void> {
  const r = k.routing;
  k.routing = null;
  k.unregisterRouting();
  if (r) await stopRouting(r.routing);
}

/** A cluster nothing keeps: stopped at the run's teardown, with whatever routing is handed back. */
function unpooled(cluster: Cluster, start: ClusterStart): ClusterLease {
  return {
    cluster,
    start,
    routing: null,
    keepsRouting: false,
    release: async (_ok, parked) => {
      if (parked) await stopRouting(parked.routing);
      await cluster.stop();
    },
  };
}

/** The local provider's node logs (<workDir>/<node>/error.log) as <logDir>/<node>.err, as its stop() copies them. */
function copyNodeLogs(c: Cluster, logDir: string): void {
  try {
    mkdirSync(logDir, { recursive: true });
    for (const n of c.nodes) {
      const log = join(c.workDir, n.name, 'error.log');
      if (existsSync(log)) copyFileSync(log, join(logDir, `${n.name}.err`));
    }
  } catch {
    // The logs are for reading after a run; a copy that fails must not fail the run.
  }
}

/** A run without a pool: a fresh cluster, stopped at its teardown. */
export async function coldLease(s: Scenario, o: TopologyOptions): Promise<ClusterLease> {
  return unpooled(await startCluster(s, o), { kind: 'cold', why: 'a run of its own' });
}
