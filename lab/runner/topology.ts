// What a scenario runs on: the Galera cluster, a galera-healthcheck per node, the switchboard
// proxies, and the client side (one mysql2 pool per target, the BBS SQL store on each). Addresses:
// node i on <base>.(11+i), proxy p on <base>.(21+p), all port 3306; healthchecks on the node's
// address, port 9200, as galera-healthcheck runs beside each node.

import mysql from 'mysql2/promise';
import type { HistoryWriter } from '../history/writer.ts';
import { registerCleanup } from '../lifecycle/cleanup.ts';
import { startLocalCluster, type LocalCluster } from '../providers/local/cluster.ts';
import { connectExternal } from '../providers/external/cluster.ts';
import { startDockerCluster } from '../providers/docker/provider.ts';
import { loadTarget, TargetError } from '../providers/external/target.ts';
import { startHealthchecks, type HealthcheckHandle } from '../routing/healthcheck/server.ts';
import { startSwitchboard, type SwitchboardHandle, type SwitchboardOptions } from '../routing/switchboard/proxy.ts';
import type { ProxyControl } from '../nemesis/nemesis.ts';
import type { Scenario } from '../scenario/types.ts';
import { usesToxiproxy } from '../scenario/validate.ts';
import { connectToxiproxy, type FaultProxies } from '../toxiproxy/driver.ts';
import { recordExternalProxies } from '../toxiproxy/leftovers.ts';
import type { Executor, Workload } from '../workload/types.ts';
import type { ConnectionLender } from '../../bbs/db/connection.ts';
import { createDialPool } from '../client/dial-pool.ts';
import { Resolver } from 'node:dns/promises';
import { connectConsul, type ConsulHandle } from '../consul/driver.ts';
import { LOCK_KEY, SERVICE, startProxyConsul, type ProxyConsul, type ProxyRef } from '../routing/leader.ts';

export interface Target {
  name: string;
  host: string;
  port: number;
}

export interface Topology {
  cluster: LocalCluster;
  /** Toxiproxy, when the links go through it (topology.links); link faults act on it. */
  links: FaultProxies | null;
  proxies: SwitchboardHandle[];
  healthchecks: HealthcheckHandle[];
  /** Stops and restarts proxies by name (the nemesis's proxy-kill). */
  proxyControl: ProxyControl;
  /** What the history records as a client's proxy: its target, or its configuration's name when each connection picks anew. */
  clientLabel(client: number): string;
  executorFor(client: number): Executor;
  /** Waits for every node to be Synced, then records a FinalRead op of every BBS table. */
  finalRead(writer: HistoryWriter, nextOpId: () => number): Promise<void>;
  stop(): Promise<void>;
}

export interface TopologyOptions {
  addressBase: string;
  logDir: string;
  log: (msg: string) => void;
  writer: HistoryWriter;
  /** Lab events worth a line in the report. */
  notes: string[];
}

/** Galera options of `failureDetection: fast`: a departed node is noticed in seconds, not ~10 s. */
export const FAST_FAILURE_DETECTION = 'evs.suspect_timeout=PT2S;evs.inactive_timeout=PT3S;evs.keepalive_period=PT0.5S';
export const HEALTHCHECK_PORT = 9200;

export async function startTopology(s: Scenario, workload: Workload, o: TopologyOptions): Promise<Topology> {
  const t0 = Date.now();
  let cluster: LocalCluster;
  if (s.topology.provider === 'external') {
    const target = loadTarget(s.topology.target!);
    if (target.hosts.length !== s.topology.nodes) {
      throw new TargetError(s.topology.target!, [`hosts: the scenario's topology.nodes is ${s.topology.nodes} but the target lists ${target.hosts.length} host(s); make them equal`]);
    }
    const ext = await connectExternal(target, o.log);
    // Registered like the local cluster's stop, so Ctrl-C removes the owned temp dir too.
    const unregisterExt = registerCleanup('external target temp dir', () => ext.stop());
    cluster = {
      ...ext,
      async stop() {
        unregisterExt();
        await ext.stop();
      },
    };
  } else if (s.topology.provider === 'ssh') {
    cluster = await (await import('../providers/ssh/run.ts')).startSshTopology(s, o, FAST_FAILURE_DETECTION);
  } else if (s.topology.provider === 'docker') {
    o.log(`cluster: starting ${s.topology.nodes} Galera node(s) as containers of the MariaDB image…`);
    const docker = await startDockerCluster({
      nodes: s.topology.nodes,
      engine: s.topology.engine ?? 'auto',
      logDir: o.logDir,
      log: o.log,
      ...(s.topology.failureDetection === 'fast' ? { providerOptions: FAST_FAILURE_DETECTION } : {}),
    });
    o.notes.push(`cluster: Docker containers on ${docker.engine === 'lab' ? "the lab's own Docker-compatible engine (lab/docker-engine)" : 'a Docker engine'}`);
    cluster = docker;
    o.log(`cluster: ${cluster.nodes.length} node(s) Synced in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } else {
    o.log(`cluster: starting ${s.topology.nodes} Galera node(s) on ${o.addressBase}.${11}…`);
    cluster = await startLocalCluster({
      nodes: s.topology.nodes,
      addressBase: o.addressBase,
      firstHost: 11,
      logDir: o.logDir,
      log: o.log,
      ...(s.topology.failureDetection === 'fast' ? { extraProviderOptions: FAST_FAILURE_DETECTION } : {}),
    });
    o.log(`cluster: ${cluster.nodes.length} node(s) Synced in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  // TLS settings of an external target (the local nodes need none).
  const tls = cluster.ssl ? { ssl: cluster.ssl } : {};
  const healthchecks: HealthcheckHandle[] = [];
  const proxies: SwitchboardHandle[] = [];
  const pools = new Map<string, mysql.Pool>();
  const shared = new Map<string, { lender: ConnectionLender; end(): Promise<void> }>();
  let proxyConsul: ProxyConsul | null = null;
  let consul: ConsulHandle | null = null;
  const stopSide = async () => {
    await proxyConsul?.stop();
    await consul?.close();
    await Promise.allSettled([...pools.values()].map((p) => p.end()));
    pools.clear();
    await Promise.allSettled([...shared.values()].map((x) => x.end()));
    shared.clear();
    await Promise.allSettled(proxies.map((p) => p.stop()));
    await Promise.allSettled(healthchecks.map((h) => h.stop()));
  };
  const unregisterSide = registerCleanup('proxies, healthchecks and client pools', stopSide);

  // Links through Toxiproxy: switchboard -> node at <base>.(41 + p*N + i), client -> target at
  // <base>.(31 + t); every listen on port 3306 like the real hops.
  const links = usesToxiproxy(s) ? await connectToxiproxy() : null;
  if (links) o.log(`links: through ${links.embedded ? "the lab's own Toxiproxy-compatible server" : 'Toxiproxy'} at ${links.url}`);
  const externalLinks: string[] = [];
  const throughLink = async (name: string, host: string, upstream: Target): Promise<Target> => {
    if (!links) return upstream;
    await links.createProxy(name, `${host}:3306`, `${upstream.host}:${upstream.port}`);
    if (!links.embedded) {
      // So `bbs-lab cleanup` can delete them from a real Toxiproxy if this lab is SIGKILLed.
      externalLinks.push(name);
      recordExternalProxies(cluster.workDir, links.url, externalLinks);
    }
    return { name: upstream.name, host, port: 3306 };
  };

  const viaConsul = s.clients.config === 'consul-dns' || s.clients.config === 'leader-proxy';
  consul = viaConsul ? await connectConsul({ agent: { host: `${o.addressBase}.9` } }) : null;
  if (consul) o.log(`consul: ${consul.embedded ? "the lab's own Consul-compatible agent" : 'Consul'} at ${consul.url}, DNS ${consul.dnsAddress.host}:${consul.dnsAddress.port}`);

  const targets: Target[] = [];
  const proxyOptions = new Map<string, SwitchboardOptions>();
  const proxyControl: ProxyControl = {
    names: () => [...proxyOptions.keys()],
    async kill(name) {
      const i = proxies.findIndex((p) => p.name === name);
      if (i < 0) throw new Error(`no running proxy ${name}`);
      const [p] = proxies.splice(i, 1);
      proxyConsul?.crashed(name);
      await p!.stop();
    },
    async start(name) {
      const opts = proxyOptions.get(name);
      if (!opts) throw new Error(`no proxy ${name}`);
      if (proxies.some((p) => p.name === name)) return;
      proxies.push(await startSwitchboard(opts));
      await proxyConsul?.restarted(name);
    },
  };
  if (s.topology.proxies > 0) {
    // Docker nodes share 127.0.0.1 (each its own published port): their healthchecks take free ports.
    healthchecks.push(...(await startHealthchecks(cluster.nodes, cluster, { port: s.topology.provider === 'docker' ? 0 : HEALTHCHECK_PORT })));
    for (let p = 0; p < s.topology.proxies; p++) {
      const name = `proxy${p + 1}`;
      const host = `${o.addressBase}.${21 + p}`;
      const backends = [];
      for (const [i, n] of cluster.nodes.entries()) {
        const via = await throughLink(`${name}-${n.name}`, `${o.addressBase}.${41 + p * cluster.nodes.length + i}`, { name: n.name, host: n.host, port: n.port });
        backends.push({ name: n.name, host: via.host, port: via.port, healthUrl: healthchecks[i]!.statusUrl });
      }
      const opts: SwitchboardOptions = {
          name,
          listen: { host, port: 3306 },
          backends,
          rule: s.topology.proxyRule,
          seed: (s.seed ?? 0) + p,
          // A leader-elected proxy serves only while it holds the Consul lock.
          serving: s.clients.config !== 'leader-proxy',
          // The report lists active-backend changes from the history, with their times.
          onEvent: (e) => o.writer.append({ type: 'nemesis', phase: 'event', fault: name, kind: `proxy-${e.type}`, detail: e }),
      };
      proxyOptions.set(name, opts);
      proxies.push(await startSwitchboard(opts));
      targets.push({ name, host, port: 3306 });
    }
    // Clients connecting before a proxy's first poll would be turned away (no active backend yet).
    const deadline = Date.now() + 30_000;
    while (proxies.some((p) => p.activeBackend() === null)) {
      if (Date.now() > deadline) throw new Error(`proxies found no healthy backend within 30 s: ${proxies.map((p) => `${p.name} → ${p.activeBackend() ?? 'none'}`).join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    o.log(`proxies: ${proxies.map((p) => `${p.name} → ${p.activeBackend() ?? 'no active backend'}`).join(', ')}`);
    if (consul) {
      const refs: ProxyRef[] = [...proxyOptions.values()].map((opts) => ({ name: opts.name, host: opts.listen.host, port: opts.listen.port, handle: () => proxies.find((x) => x.name === opts.name) }));
      proxyConsul = await startProxyConsul(consul, refs, {
        mode: s.clients.config === 'leader-proxy' ? 'leader' : 'registered',
        ttl: '10s',
        lockDelay: '1s',
        // Leadership changes reach the report from the history, with their times.
        onEvent: (e) => o.writer.append({ type: 'nemesis', phase: 'event', fault: e.proxy, kind: `consul-${e.event}`, detail: e }),
      });
      await proxyConsul.ready(60_000);
      o.log(`consul: ${s.clients.config === 'leader-proxy' ? `${proxyConsul.leader()} holds ${LOCK_KEY} and serves` : `${refs.length} proxies registered as ${SERVICE}.service.consul`}`);
    }
  } else {
    for (const n of cluster.nodes) targets.push({ name: n.name, host: n.host, port: n.port });
  }

  if (links) {
    for (const [i, t] of targets.entries()) targets[i] = await throughLink(`client-${t.name}`, `${o.addressBase}.${31 + i}`, t);
  }

  const poolFor = (t: Target): mysql.Pool => {
    let p = pools.get(t.name);
    if (!p) {
      p = mysql.createPool({
        host: t.host,
        port: t.port,
        user: cluster.user,
        password: cluster.password,
        database: cluster.database,
        ...tls,
        connectionLimit: s.clients.poolSize,
        connectTimeout: 5000,
        enableKeepAlive: true,
      });
      // A pool emits errors of idle connections (a proxy severing them); the next op sees its own.
      p.on('connection', (c) => c.on('error', () => {}));
      pools.set(t.name, p);
    }
    return p;
  };

  // The schema, created once through the first target, as the BBS's migration would.
  const executors = new Map<string, Executor>();
  await workload.setup(poolFor(targets[0]!));
  const sharedSource = (name: string, make: () => { lender: ConnectionLender; end(): Promise<void> }) => {
    let x = shared.get(name);
    if (!x) shared.set(name, (x = make()));
    return x.lender;
  };
  let rotation = 0;
  /** The source a client's ops go through, and the name the history records as its proxy. */
  const sourceFor = (c: number): { name: string; lender: ConnectionLender } => {
    switch (s.clients.config) {
      case 'spread': {
        const t = targets[c % targets.length]!;
        return { name: t.name, lender: poolFor(t) };
      }
      case 'single-proxy':
        return { name: targets[0]!.name, lender: poolFor(targets[0]!) };
      case 'proxies-by-hostname':
        return {
          name: 'by-hostname',
          lender: sharedSource('by-hostname', () => {
            const pool = createDialPool({
              // Round-robin DNS: every lookup answers all addresses, the first one rotating.
              candidates: async () => {
                const first = rotation++ % targets.length;
                return targets.map((_, i) => targets[(first + i) % targets.length]!);
              },
              user: cluster.user,
              password: cluster.password,
              database: cluster.database,
              ...tls,
              limit: s.clients.poolSize * targets.length,
              connectTimeoutMs: 5000,
            });
            return { lender: pool, end: () => pool.end() };
          }),
        };
      case 'consul-dns':
      case 'leader-proxy':
        return {
          name: s.clients.config,
          lender: sharedSource(s.clients.config, () => {
            const resolver = new Resolver({ timeout: 1000, tries: 2 });
            const dns = consul!.dnsAddress;
            resolver.setServers([`${dns.host}:${dns.port}`]);
            const pool = createDialPool({
              // Every new connection looks the name up again, as Go's dialer does; Consul answers
              // the passing instances, shuffled, at most 3.
              candidates: async () => {
                const addrs = await resolver.resolve4(`${SERVICE}.service.consul`).catch(() => [] as string[]);
                return addrs.map((a) => ({ name: a, host: a, port: 3306 }));
              },
              user: cluster.user,
              password: cluster.password,
              database: cluster.database,
              ...tls,
              limit: s.clients.poolSize * Math.max(1, targets.length),
              connectTimeoutMs: 5000,
            });
            return { lender: pool, end: () => pool.end() };
          }),
        };
      case 'multi-ip':
        return {
          name: 'multi-ip',
          lender: sharedSource('multi-ip', () => {
            // mysql2 drops a node after removeNodeErrorCount connection errors and, with
            // restoreNodeTimeout, tries it again after that long (0 would drop it for good).
            const pc = mysql.createPoolCluster({ removeNodeErrorCount: 1, restoreNodeTimeout: 1000, defaultSelector: s.clients.selector, canRetry: true });
            for (const t of targets) {
              pc.add(t.name, { host: t.host, port: t.port, user: cluster.user, password: cluster.password, database: cluster.database, connectionLimit: s.clients.poolSize, connectTimeout: 5000, ...tls });
            }
            return { lender: { getConnection: () => pc.getConnection('*', s.clients.selector) }, end: () => pc.end() };
          }),
        };
    }
  };

  return {
    cluster,
    links,
    proxies,
    healthchecks,
    proxyControl,
    clientLabel: (c) => sourceFor(c).name,
    executorFor(c) {
      const src = sourceFor(c);
      let e = executors.get(src.name);
      if (!e) {
        e = workload.executor(src.lender);
        executors.set(src.name, e);
      }
      return e;
    },
    async finalRead(writer, nextOpId) {
      const deadline = Date.now() + 60_000;
      for (const n of cluster.nodes) {
        for (;;) {
          const st = await cluster.status(n.name).catch(() => null);
          if (st && st.localState === 4 && st.clusterStatus === 'Primary') break;
          if (Date.now() > deadline) {
            o.notes.push(`final read: ${n.name} was not Synced within 60 s after the workload`);
            break;
          }
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      const n1 = cluster.nodes[0]!;
      const direct = poolFor({ name: `final-${n1.name}`, host: n1.host, port: n1.port });
      const id = nextOpId();
      const base = { op: id, process: -1, client: -1, f: 'FinalRead', key: 'final' } as const;
      writer.append({ type: 'invoke', ...base });
      try {
        const value = await workload.finalRead(direct);
        writer.append({ type: 'ok', ...base, value, node: n1.name, proxy: n1.name });
      } catch (e) {
        writer.append({ type: 'fail', ...base, error: { message: (e as Error).message } });
        o.notes.push(`final read failed: ${(e as Error).message}`);
      }
    },
    async stop() {
      unregisterSide();
      await stopSide();
      await links?.close();
      await cluster.stop();
    },
  };
}
