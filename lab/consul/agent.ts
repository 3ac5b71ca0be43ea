// A Consul-compatible agent inside the lab (the lab's machines have no Consul binary): a
// single-node "cluster" that is its own leader, with Consul's HTTP API subset the lab uses (KV with
// CAS, locks and blocking queries; sessions with TTL and lock-delay; agent services and
// TTL/HTTP/TCP checks; catalog and health) and a UDP DNS interface for <service>.service.consul.
// README.md lists the API, the semantics and every deliberate difference from Consul.
//
// It binds loopback only (127.x.y.z), the HTTP API and DNS on free ports unless told otherwise, and
// registers its stop() with the lab's cleanup registry so Ctrl-C or a crash stops it.

import { createServer } from 'node:http';
import { registerCleanup } from '../lifecycle/cleanup.ts';
import { Catalog, newNodeId } from './catalog.ts';
import { startDnsServer, type DnsServer } from './dns.ts';
import { consulHttpHandler } from './http.ts';
import { KvStore } from './kv.ts';
import { Sessions } from './sessions.ts';
import { StateIndex } from './state.ts';
import { isLoopbackHost, normaliseLoopback, parseGoDuration } from './util.ts';

export interface ConsulAgentOptions {
  /** Loopback address for HTTP and DNS; default 127.0.0.1. */
  host?: string;
  /** HTTP API port; default 0 (a free port). Consul's is 8500. */
  port?: number;
  /** DNS (UDP) port; default 0 (a free port). Consul's is 8600. */
  dnsPort?: number;
  nodeName?: string;
  datacenter?: string;
  /** Consul's session_ttl_min: the shortest session TTL accepted; default "10s" as Consul. */
  sessionTtlMin?: string;
  /** The shortest HTTP/TCP check interval honoured; default "1s" (Consul's MinInterval). */
  minCheckInterval?: string;
  /** dns_config.only_passing; default false as Consul (only critical instances are left out). */
  dnsOnlyPassing?: boolean;
  /** dns_config.udp_answer_limit; default 3 as Consul. */
  udpAnswerLimit?: number;
}

export interface ConsulAgent {
  host: string;
  port: number;
  /** "host:port", the form CONSUL_HTTP_ADDR takes. */
  httpAddr: string;
  /** http://host:port */
  url: string;
  dns: { host: string; port: number };
  /** What /v1/status/leader answers ("host:8300"). */
  leader: string;
  nodeName: string;
  datacenter: string;
  /** Closes the HTTP API and DNS, ends pending blocking queries, stops every timer and probe. */
  stop(): Promise<void>;
}

const SERVER_RPC_PORT = 8300;
const SERF_LAN_PORT = 8301;

function durationOption(name: string, value: string | undefined, fallback: string): number {
  const ns = parseGoDuration(value ?? fallback);
  if (ns === null || ns < 0)
    throw new Error(
      `consul agent: ${name} must be a duration like "10s", got ${JSON.stringify(value)}`,
    );
  return ns;
}

export async function startConsulAgent(opts: ConsulAgentOptions = {}): Promise<ConsulAgent> {
  const hostOpt = opts.host ?? '127.0.0.1';
  if (!isLoopbackHost(hostOpt))
    throw new Error(
      `consul agent: host must be a loopback address (127.x.y.z or localhost), got ${hostOpt}`,
    );
  const host = normaliseLoopback(hostOpt);
  const datacenter = opts.datacenter ?? 'dc1';
  const nodeName = opts.nodeName ?? 'bbs-lab-consul';
  const ttlMinNs = durationOption('sessionTtlMin', opts.sessionTtlMin, '10s');
  const minCheckIntervalNs = durationOption('minCheckInterval', opts.minCheckInterval, '1s');
  const leader = `${host}:${SERVER_RPC_PORT}`;

  const state = new StateIndex();
  const kv = new KvStore(state);
  // Sessions and the catalog refer to each other (sessions look up checks; a failing check
  // invalidates sessions), so the catalog's hook reaches sessions through this late binding.
  let sessions: Sessions | null = null;
  const catalog = new Catalog(state, {
    node: { name: nodeName, id: newNodeId(), address: host, datacenter },
    minCheckIntervalNs,
    serverPort: SERVER_RPC_PORT,
    onCheckFailed: (id) => sessions?.checkFailed(id),
  });
  sessions = new Sessions(state, kv, catalog, { ttlMinNs });

  const server = createServer(
    consulHttpHandler({
      state,
      kv,
      sessions,
      catalog,
      leader,
      datacenter,
      serfPort: SERF_LAN_PORT,
    }),
  );
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 0);

  let dns: DnsServer;
  try {
    dns = await startDnsServer({
      host,
      port: opts.dnsPort ?? 0,
      catalog,
      datacenter,
      onlyPassing: opts.dnsOnlyPassing ?? false,
      udpAnswerLimit: opts.udpAnswerLimit ?? 3,
    });
  } catch (err) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    catalog.close();
    sessions.close();
    throw err;
  }

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      unregister();
      state.close();
      sessions!.close();
      catalog.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.all([closed, dns.stop()]);
    })();
    return stopping;
  };
  const unregister = registerCleanup(`consul agent ${host}:${port}`, stop);

  return {
    host,
    port,
    httpAddr: `${host}:${port}`,
    url: `http://${host}:${port}`,
    dns: { host: dns.host, port: dns.port },
    leader,
    nodeName,
    datacenter,
    stop,
  };
}
