// What the started routing holds, filled part by part as it starts (lab/runner/routing-start.ts),
// so a start that fails half-way can still stop what it started.

import type { Target } from '../client/configs/index.ts';
import type { ConsulHandle } from '../consul/driver.ts';
import type { HealthcheckHandle } from '../routing/healthcheck/server.ts';
import type { ProxyConsul } from '../routing/leader.ts';
import type { SwitchboardHandle, SwitchboardOptions } from '../routing/switchboard/proxy.ts';
import type { FaultProxies } from '../toxiproxy/driver.ts';

export interface Routing {
  /** Toxiproxy, when the links go through it (topology.links); link faults act on it. */
  links: FaultProxies | null;
  /** The names of the Toxiproxy proxies the start created (what a kept routing is checked against). */
  linkNames: string[];
  consul: ConsulHandle | null;
  proxyConsul: ProxyConsul | null;
  healthchecks: HealthcheckHandle[];
  /** The running switchboards (a killed one is out until started again). */
  proxies: SwitchboardHandle[];
  /** Every switchboard's options, running or not, by name. */
  proxyOptions: Map<string, SwitchboardOptions>;
  /** What clients reach (the proxies, or the nodes with no proxies), through links when routed. */
  targets: Target[];
}

/**
 * The upstream as clients or proxies reach it: itself, or a link listening on `host`:3306 in front
 * of it.
 */
export type ThroughLink = (name: string, host: string, upstream: Target) => Promise<Target>;

export const emptyRouting = (): Routing => ({
  links: null,
  linkNames: [],
  consul: null,
  proxyConsul: null,
  healthchecks: [],
  proxies: [],
  proxyOptions: new Map(),
  targets: [],
});
