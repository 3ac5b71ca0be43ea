// The client configurations, one line each (a configuration's file says what it is). Adding one:
// a file beside these defining it with defineClientConfig, and its line here.

import { consulDns } from './consul-dns.ts';
import { consulDnsNodes } from './consul-dns-nodes.ts';
import { leaderProxy } from './leader-proxy.ts';
import { multiIp } from './multi-ip.ts';
import { proxiesByHostname } from './proxies-by-hostname.ts';
import { singleProxy } from './single-proxy.ts';
import { spread } from './spread.ts';
import type { ClientConfigDef, ScenarioView } from './types.ts';

/** In the order the CLI and the README list them; the first is the default. */
const REGISTRY = [
  spread,
  singleProxy,
  proxiesByHostname,
  multiIp,
  consulDns,
  leaderProxy,
  consulDnsNodes,
] as const;

/** The values `clients.config` may take. */
export type ClientConfig = (typeof REGISTRY)[number]['name'];

export const CLIENT_CONFIG_NAMES: readonly [ClientConfig, ...ClientConfig[]] = REGISTRY.map(
  (c) => c.name,
) as [ClientConfig, ...ClientConfig[]];

const BY_NAME = new Map<string, ClientConfigDef>(REGISTRY.map((c) => [c.name, c]));

/** The configuration of a validated name. */
export function clientConfig(name: ClientConfig): ClientConfigDef<ClientConfig> {
  const c = BY_NAME.get(name);
  if (!c)
    throw new Error(
      `no client configuration ${JSON.stringify(name)}; known: ${CLIENT_CONFIG_NAMES.join(', ')}`,
    );
  return c as ClientConfigDef<ClientConfig>;
}

/** The problem of a scenario's configuration for the validator (null when it fits the topology). */
export function clientConfigProblem(
  s: ScenarioView & { clients: { config: ClientConfig } },
): string | null {
  return clientConfig(s.clients.config).problem(s);
}

export type {
  ClientConfigDef,
  ConnectionSource,
  ScenarioView,
  SourceContext,
  Target,
} from './types.ts';
