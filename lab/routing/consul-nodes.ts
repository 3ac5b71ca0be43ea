// The Galera nodes as Consul service instances (client configuration consul-dns-nodes): every node
// is an instance of `mysql`, at the address clients reach it on, whose check is an HTTP check of
// that node's galera-healthcheck (GET / answers 200 when the node is healthy, 503 when not), so
// Consul's DNS answers only the nodes their healthcheck calls healthy.

import type { ConsulHandle, ServiceSpec } from '../consul/driver.ts';
import { SERVICE } from './leader.ts';

export interface NodeInstance {
  /** The node's name (n1…). */
  name: string;
  /** Where clients reach the node (itself, or the link in front of it). */
  host: string;
  port: number;
  /** http://host:port of its galera-healthcheck. */
  healthcheckUrl: string;
}

/**
 * Consul's check interval for the node instances: as the proxies' TCP checks
 * (lab/routing/leader.ts).
 */
export const NODE_CHECK_INTERVAL = '1s';

/** The registration of each node (pure, so a unit test reads it). */
export function nodeServiceSpecs(nodes: readonly NodeInstance[]): ServiceSpec[] {
  const hosts = new Set(nodes.map((n) => n.host));
  if (hosts.size !== nodes.length) {
    throw new Error(
      `consul-dns-nodes: the nodes share addresses (${nodes.map((n) => `${n.name} ${n.host}:${n.port}`).join(', ')}); a DNS answer names an address only, so each node needs its own (topology.provider local or ssh)`,
    );
  }
  return nodes.map((n) => ({
    id: `${SERVICE}-${n.name}`,
    name: SERVICE,
    address: n.host,
    port: n.port,
    check: { http: `${n.healthcheckUrl}/`, interval: NODE_CHECK_INTERVAL, timeout: '1s' },
  }));
}

/** Registers every node and waits until all of them pass their check. */
export async function registerNodes(
  consul: ConsulHandle,
  nodes: readonly NodeInstance[],
  timeoutMs: number,
): Promise<void> {
  for (const spec of nodeServiceSpecs(nodes)) await consul.registerService(spec);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const passing = await consul.passingAddresses(SERVICE).catch(() => [] as string[]);
    if (passing.length === nodes.length) return;
    if (Date.now() > deadline)
      throw new Error(
        `consul-dns-nodes: only ${passing.length} of ${nodes.length} nodes passed their galera-healthcheck in Consul within ${timeoutMs / 1000} s`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}
