// What one client configuration is: how clients find their server. Each configuration is one file
// beside this one and one line in index.ts; the validator, the topology, the report and the CLI
// read that table instead of switching on the name.
//
// lab/client reads nothing of lab/scenario: a configuration sees the scenario through the narrow
// `ScenarioView` below (a Scenario has these fields, so it is one), and the started routing
// through `SourceContext`.

import type mysql from 'mysql2/promise';
import type { ConnectionLender } from '../../../bbs/db/connection.ts';
import type { GoPoolOptions } from '../go-pool-policy.ts';

/** The fields of a scenario a configuration's rule and description read. */
export interface ScenarioView {
  topology: { nodes: number; proxies: number };
  clients: {
    via: 'proxies' | 'nodes';
    poolSize: number;
    selector: 'ORDER' | 'RR' | 'RANDOM';
    maxOpenConnections: number;
    maxIdleConnections: number;
    /** Seconds; 0 = forever. */
    connectionMaxLifetime: number;
  };
}

/** The Go pool options of a scenario's clients (the dial pool's `pool`). */
export const goPoolOf = (s: ScenarioView): GoPoolOptions => ({
  maxOpen: s.clients.maxOpenConnections,
  maxIdle: s.clients.maxIdleConnections,
  maxLifetimeMs: Math.round(s.clients.connectionMaxLifetime * 1000),
});

/** The pool's part of a configuration's description. */
export const describeGoPool = (s: ScenarioView): string => {
  const p = goPoolOf(s);
  const life =
    p.maxLifetimeMs > 0 ? `closed after ${p.maxLifetimeMs / 1000} s` : 'kept until they break';
  return `Go database/sql pool: ${p.maxOpen > 0 ? `at most ${p.maxOpen} open` : 'no open limit'}, ${p.maxIdle} idle, connections ${life}`;
};

/** An address clients connect to: a switchboard proxy or a node, or the link in front of one. */
export interface Target {
  name: string;
  host: string;
  port: number;
}

/** Where a client's ops go, and the name the history records as its proxy. */
export interface ConnectionSource {
  name: string;
  lender: ConnectionLender;
}

/** What the started routing offers a configuration to build a client's connection source from. */
export interface SourceContext {
  /** What clients reach (proxies or nodes, as `clients.via` says), through links when routed. */
  targets: readonly Target[];
  /** The one mysql2 pool of a target (the schema setup uses it too). */
  pool(t: Target): ConnectionLender;
  /**
   * A source shared by every client that asks for it by this name, made on the first ask and
   * ended with the topology.
   */
  shared(
    name: string,
    make: () => { lender: ConnectionLender; end(): Promise<void> },
  ): ConnectionLender;
  /** The login of every connection a configuration opens itself. */
  login: { user: string; password: string; database: string; ssl?: mysql.SslOptions };
  /**
   * Consul's DNS and the name the proxies register under; null when the configuration needs no
   * Consul.
   */
  consul: { dns: { host: string; port: number }; serviceName: string } | null;
  /** The run's seed, for a configuration's seeded choices. */
  seed?: number;
}

export interface ClientConfigDef<N extends string = string> {
  /** The value of `clients.config`. */
  name: N;
  /**
   * Whether the switchboard proxies join Consul: null (no Consul), 'registered' (every proxy a
   * service with a TCP check) or 'leader' (the proxies take a lock; only the holder is registered);
   * or 'nodes': the Galera nodes themselves are the service, each checked by its
   * galera-healthcheck.
   */
  consul: null | 'registered' | 'leader' | 'nodes';
  /** Which proxies serve: every one, or only the one holding the Consul lock. */
  serve: 'every-proxy' | 'lock-holder';
  /**
   * The problem line when a scenario cannot use this configuration (naming the field and the fix),
   * or null.
   */
  problem(s: ScenarioView): string | null;
  /** How clients reach the targets, for the report's topology sentence ("…: <this>"). */
  describe(s: ScenarioView): string;
  /** Client `client`'s connection source; clients with the same source name share it. */
  source(s: ScenarioView, ctx: SourceContext, client: number): ConnectionSource;
}

/** Keeps the name's literal type, so the registry's names make the `ClientConfig` union. */
export const defineClientConfig = <N extends string>(def: ClientConfigDef<N>): ClientConfigDef<N> =>
  def;
