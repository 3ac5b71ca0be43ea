// The stores of a start-up fault story: a real Galera (1 node, or 3 when a partition must isolate
// the node the BBS talks to) and a real etcd, each behind the lab's Toxiproxy-compatible proxy, so
// the lab can make the BBS's connections fail while the lab itself still reaches both directly.
// On the story's /24: etcd .1, the proxy API .3, SQL's proxy .5:3306 (to n1), etcd's proxy .6
// (etcd's port), Galera .11…; Consul (.2) and the BBS nodes (.21…) are the deployment's.
//
// The faults, each switched on and off by the lab while a BBS node waits at a migration hook point:
//  - refused: the proxy is disabled, its listener closed and its connections cut: every connect
//    is refused;
//  - lost-connection: a reset_peer toxic: every connection is reset as soon as data flows;
//  - 1047: n1 is cut off from n2 and n3 (iptables, the local provider's partition ability), so it
//    leaves the Primary component and answers every query with 1047 (WSREP has not yet prepared
//    node for application use); healed, n1 rejoins and is Synced again before the fault is off.

import mysql, { type Pool } from 'mysql2/promise';
import { EtcdBbsStore } from '../../bbs/etcd/store.ts';
import type { SqlConfig } from '../../bbs/node/node.ts';
import { startEtcd, type EtcdServer } from '../providers/etcd/server.ts';
import { need, type Cluster } from '../providers/cluster.ts';
import { startStoryGalera } from './galera.ts';
import { connectToxiproxy, type FaultProxies } from '../toxiproxy/driver.ts';
import { startToxiproxyServer, type ToxiproxyServer } from '../toxiproxy/server.ts';

/** The faults the lab can switch on at will (a 1213 it cannot: startup-faults.ts says why). */
export const PLAYABLE_FAULTS = ['refused', 'lost-connection', '1047'] as const;
export type PlayableFault = (typeof PLAYABLE_FAULTS)[number];
export type FaultTarget = 'sql' | 'etcd';

export interface FaultStack {
  readonly galeraNodes: 1 | 3;
  readonly cluster: Cluster;
  /** SQL as the BBS nodes reach it: through the proxy, to n1. */
  readonly sql: SqlConfig;
  /** etcd as the BBS nodes reach it: through the proxy. */
  readonly etcdUrl: string;
  /** The lab's own connection to n1 (not through the proxy). */
  readonly direct: Pool;
  /** The lab's own etcd client (not through the proxy). */
  readonly etcdDirect: EtcdBbsStore;
  /**
   * Switches a fault on; resolves once it is in force, with the function that ends it (resolving
   * once it is gone).
   */
  faultOn(fault: PlayableFault, target: FaultTarget): Promise<() => Promise<void>>;
  stop(): Promise<void>;
}

/** Why a fault cannot be played on this stack, or null. Pure. */
export function faultProblem(
  fault: PlayableFault,
  target: FaultTarget,
  galeraNodes: number,
): string | null {
  if (fault !== '1047') return null;
  if (target !== 'sql') return 'a 1047 is an answer of a Galera node: it hits SQL, not etcd';
  return galeraNodes < 3
    ? 'a 1047 needs a Galera node cut off from a majority: the story must run 3 Galera nodes (galeraNodes: 3)'
    : null;
}

const ISOLATE = 'startup-fault-1047';

export async function startFaultStack(o: {
  base: string;
  galeraNodes: 1 | 3;
  log?: (m: string) => void;
  /** Where the Galera nodes' logs are copied when they stop (a run directory's logs/). */
  logDir?: string;
}): Promise<FaultStack> {
  const { base } = o;
  const log = o.log ?? (() => {});
  let cluster: Cluster | undefined;
  let etcd: EtcdServer | undefined;
  let proxyServer: ToxiproxyServer | undefined;
  let proxies: FaultProxies | undefined;
  let direct: Pool | undefined;
  const stop = async () => {
    await direct?.end().catch(() => undefined);
    await proxies?.close().catch(() => undefined);
    await proxyServer?.stop().catch(() => undefined);
    await etcd?.stop().catch(() => undefined);
    await cluster?.stop().catch(() => undefined);
  };
  try {
    const started = await Promise.allSettled([
      startStoryGalera({
        base,
        nodes: o.galeraNodes,
        log,
        ...(o.logDir ? { logDir: o.logDir } : {}),
      }),
      startEtcd({ host: `${base}.1` }),
      startToxiproxyServer({ host: `${base}.3`, port: 0 }),
    ]);
    const [c, e, p] = started;
    if (c.status === 'fulfilled') cluster = c.value;
    if (e.status === 'fulfilled') etcd = e.value;
    if (p.status === 'fulfilled') proxyServer = p.value;
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const cl = cluster!;
    proxies = await connectToxiproxy({ url: proxyServer!.url });
    const n1 = cl.nodes[0]!;
    await proxies.createProxy('sql', `${base}.5:3306`, `${n1.host}:${n1.port}`);
    const etcdPort = new URL(etcd!.url).port;
    await proxies.createProxy('etcd', `${base}.6:${etcdPort}`, `${base}.1:${etcdPort}`);
    direct = mysql.createPool({
      host: n1.host,
      port: n1.port,
      user: cl.user,
      password: cl.password,
      database: cl.database,
      connectionLimit: 2,
      connectTimeout: 5000,
    });
    // The 1047 fault cuts n1 off with the provider's partition ability (iptables locally).
    const partition = o.galeraNodes > 1 ? need(cl, 'partition', 'the 1047 fault') : undefined;
    await partition?.prepare?.();
    const px = proxies;
    const faultOn = async (
      fault: PlayableFault,
      target: FaultTarget,
    ): Promise<() => Promise<void>> => {
      const problem = faultProblem(fault, target, o.galeraNodes);
      if (problem) throw new Error(problem);
      if (fault === 'refused') {
        await px.setEnabled(target, false);
        return async () => void (await px.setEnabled(target, true));
      }
      if (fault === 'lost-connection') {
        await px.addToxic(target, {
          type: 'reset_peer',
          name: 'lost',
          stream: 'upstream',
          attributes: { timeout: 0 },
        });
        return () => px.removeToxic(target, 'lost');
      }
      const others = cl.nodes.slice(1).map((n) => n.name);
      await partition!.cut(ISOLATE, [[n1.name], others]);
      const t0 = Date.now();
      for (;;) {
        const s = await cl.status(n1.name).catch(() => null);
        if (s && s.clusterStatus !== 'Primary') break;
        if (Date.now() - t0 > 60_000)
          throw new Error(
            `${n1.name} still Primary 60 s after it was cut off from ${others.join(', ')}`,
          );
        await new Promise((r) => setTimeout(r, 200));
      }
      log(`1047: ${n1.name} non-Primary ${((Date.now() - t0) / 1000).toFixed(1)} s after the cut`);
      return async () => {
        await partition!.heal(ISOLATE);
        await cl.waitSynced(n1.name, cl.nodes.length, 120_000);
        log(`1047: healed, ${n1.name} Synced again`);
      };
    };
    return {
      galeraNodes: o.galeraNodes,
      cluster: cl,
      sql: {
        host: `${base}.5`,
        port: 3306,
        user: cl.user,
        password: cl.password,
        database: cl.database,
        connectTimeoutMs: 2000,
      },
      etcdUrl: `http://${base}.6:${etcdPort}`,
      direct,
      etcdDirect: new EtcdBbsStore(etcd!.url),
      faultOn,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
