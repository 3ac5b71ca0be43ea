// Networks of the lab's engine: each a loopback /24 of its own (addresses.ts), its endpoints (one
// per container, with the container's names and aliases, which is what "DNS" answers inside it:
// names.ts), and network disconnects.
//
// A disconnect cannot take an address away from processes bound to it, so it is done the way the
// lab partitions Galera nodes (lab/network/iptables.ts, a chain of the lab's own jumped to from
// INPUT): DROP rules both ways between the container's address and every other address of the
// network (the other containers and the gateway). The container keeps its address, and its
// endpoint is gone from inspect and from the others' name snapshots; connect removes the rules.

import { randomBytes } from 'node:crypto';
import {
  createPartitionChain,
  cutsBetween,
  type Cut,
  type PartitionChain,
} from '../network/iptables.ts';
import { existsSync, readFileSync } from 'node:fs';
import {
  AddressPool,
  boundSubnets,
  gatewayOf,
  subnetOf,
  type SubnetPool,
  type SubnetBase,
} from './addresses.ts';
import { badRequest, conflict, EngineError, notFound } from './errors.ts';
import { matchesFilters, type Filters } from './filters.ts';
import { findByIdOrName } from './lookup.ts';

export interface Endpoint {
  containerId: string;
  containerName: string;
  /** The names other containers reach it by: its name, the aliases, its short id. */
  names: string[];
  aliases: string[];
  address: string;
  endpointId: string;
  mac: string;
  /** false after a disconnect: the address is still held, but cut off from the network. */
  connected: boolean;
}

export interface Network {
  id: string;
  name: string;
  base: SubnetBase;
  labels: Record<string, string>;
  created: string;
  internal: boolean;
  attachable: boolean;
  options: Record<string, string>;
  addresses: AddressPool;
  endpoints: Map<string, Endpoint>;
  /** The default "bridge" network cannot be removed. */
  builtIn: boolean;
}

export const NETWORK_FILTERS = ['label', 'name', 'id', 'driver', 'type', 'scope'] as const;

const newId = () => randomBytes(32).toString('hex');
const macOf = (address: string) =>
  `02:42:${address
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0'))
    .join(':')}`;

export class NetworkStore {
  private readonly networks = new Map<string, Network>();
  private chain: PartitionChain | null = null;
  private chainUpdate: Promise<void> = Promise.resolve();

  constructor(private readonly subnets: SubnetPool) {}

  create(body: Record<string, unknown>, builtIn = false): Network {
    const name = body.Name;
    if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name))
      throw badRequest(
        `network name: must match [a-zA-Z0-9][a-zA-Z0-9_.-]*, got ${JSON.stringify(name)}`,
      );
    const driver = body.Driver ?? 'bridge';
    if (driver !== 'bridge')
      throw new EngineError(
        404,
        `plugin "${String(driver)}" not found: the lab's engine has only the bridge driver`,
      );
    const ipam = body.IPAM as { Config?: unknown[] } | undefined;
    if (ipam?.Config && ipam.Config.length > 0)
      throw badRequest(
        "IPAM.Config: the lab's engine gives each network a loopback /24 of its own and takes no subnet; leave IPAM out",
      );
    if (body.EnableIPv6 === true)
      throw badRequest("EnableIPv6: the lab's engine has IPv4 loopback networks only");
    if (this.find(name)) throw conflict(`network with name ${name} already exists`);
    // Another lab (or another engine) may use a /24 of the range: one with bound sockets is
    // skipped.
    const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
    const bound = boundSubnets([read('/proc/net/tcp')], [read('/proc/net/udp')]);
    const base = this.subnets.allocate((b) => bound.has(b));
    if (!base)
      throw new EngineError(
        500,
        `could not find an available, non-overlapping IPv4 address pool among the lab engine's subnets (${this.subnets.inUse()} in use)`,
      );
    const n: Network = {
      id: newId(),
      name,
      base,
      labels: { ...((body.Labels as Record<string, string> | undefined) ?? {}) },
      created: new Date().toISOString(),
      internal: body.Internal === true,
      attachable: body.Attachable === true,
      options: { ...((body.Options as Record<string, string> | undefined) ?? {}) },
      addresses: new AddressPool(base),
      endpoints: new Map(),
      builtIn,
    };
    this.networks.set(n.id, n);
    return n;
  }

  find(idOrName: string): Network | undefined {
    return findByIdOrName(this.networks, idOrName);
  }

  get(idOrName: string): Network {
    const n = this.find(idOrName);
    if (!n) throw notFound('network', idOrName);
    return n;
  }

  /** "bridge" (the default network), made on first use. */
  defaultNetwork(): Network {
    return this.find('bridge') ?? this.create({ Name: 'bridge', Driver: 'bridge' }, true);
  }

  list(filters: Filters): Network[] {
    return [...this.networks.values()].filter((n) =>
      matchesFilters(
        {
          labels: n.labels,
          id: n.id,
          name: n.name,
          fields: { driver: 'bridge', type: n.builtIn ? 'builtin' : 'custom', scope: 'local' },
        },
        filters,
      ),
    );
  }

  async remove(idOrName: string): Promise<void> {
    const n = this.get(idOrName);
    if (n.builtIn)
      throw new EngineError(403, `${n.name} is a pre-defined network and cannot be removed`);
    const attached = [...n.endpoints.values()];
    if (attached.length > 0) {
      const held = attached
        .filter((e) => !e.connected)
        .map((e) => `${e.containerName} (disconnected, but its processes still hold ${e.address})`);
      throw new EngineError(
        403,
        `error while removing network: network ${n.name} id ${n.id} has active endpoints${held.length > 0 ? `: ${held.join(', ')}; remove those containers first` : ''}`,
      );
    }
    this.networks.delete(n.id);
    this.subnets.release(n.base);
  }

  /** A new container's endpoint (at create): its address, held until the container is removed. */
  attach(n: Network, c: { id: string; name: string; aliases: string[] }): Endpoint {
    const address = n.addresses.allocate();
    if (!address) throw new EngineError(500, `no available IPv4 address on network ${n.name}`);
    const e: Endpoint = {
      containerId: c.id,
      containerName: c.name,
      aliases: c.aliases,
      names: [...new Set([c.name, ...c.aliases, c.id.slice(0, 12)])],
      address,
      endpointId: newId(),
      mac: macOf(address),
      connected: true,
    };
    n.endpoints.set(c.id, e);
    return e;
  }

  /** The container is removed: its address is free again. */
  async release(n: Network, containerId: string): Promise<void> {
    const e = n.endpoints.get(containerId);
    if (!e) return;
    n.endpoints.delete(containerId);
    n.addresses.release(e.address);
    await this.applyCuts();
  }

  async disconnect(n: Network, containerId: string, containerName: string): Promise<void> {
    const e = n.endpoints.get(containerId);
    if (!e?.connected)
      throw new EngineError(
        403,
        `container ${containerName} is not connected to network ${n.name}`,
      );
    e.connected = false;
    await this.applyCuts();
  }

  async connect(
    n: Network,
    containerId: string,
    containerName: string,
    aliases: string[] = [],
  ): Promise<void> {
    const e = n.endpoints.get(containerId);
    if (!e)
      throw badRequest(
        `container ${containerName} is not on network ${n.name}: the lab's engine gives a container the one network it was created on (its processes bind one address), so connect only reconnects a disconnected container`,
      );
    if (e.connected)
      throw new EngineError(
        403,
        `endpoint with name ${containerName} already exists in network ${n.name}`,
      );
    e.connected = true;
    for (const a of aliases) {
      if (e.names.includes(a)) continue;
      e.names.push(a);
      e.aliases.push(a);
    }
    await this.applyCuts();
  }

  /** Names → addresses of the connected endpoints: what a name lookup in the network answers. */
  hosts(n: Network): Map<string, string> {
    const out = new Map<string, string>();
    for (const e of n.endpoints.values())
      if (e.connected) for (const name of e.names) out.set(name, e.address);
    return out;
  }

  /** Every DROP rule the disconnects of every network need (pure given the endpoints). */
  cuts(): Cut[] {
    const cuts: Cut[] = [];
    for (const n of this.networks.values()) cuts.push(...disconnectCuts(n));
    return cuts;
  }

  private async applyCuts(): Promise<void> {
    const run = async () => {
      const cuts = this.cuts();
      if (cuts.length === 0 && !this.chain) return;
      this.chain ??= await createPartitionChain();
      await this.chain.set(cuts);
    };
    // One update at a time, in order: each sets the whole rule set.
    this.chainUpdate = this.chainUpdate.then(run, run);
    await this.chainUpdate;
  }

  /** Removes the iptables chain (the engine's stop). */
  async close(): Promise<void> {
    await this.chainUpdate.catch(() => undefined);
    await this.chain?.remove();
    this.chain = null;
  }

  all(): Network[] {
    return [...this.networks.values()];
  }
}

/** Both directions between each disconnected endpoint and every other address of its network. */
export function disconnectCuts(n: {
  base: SubnetBase;
  endpoints: ReadonlyMap<string, Pick<Endpoint, 'address' | 'connected'>>;
}): Cut[] {
  const all = [...n.endpoints.values()];
  const cuts: Cut[] = [];
  const done = new Set<string>();
  for (const d of all.filter((e) => !e.connected)) {
    const others = [gatewayOf(n.base), ...all.filter((e) => e !== d).map((e) => e.address)].filter(
      (a) => !done.has(a),
    );
    cuts.push(...cutsBetween([d.address], others));
    done.add(d.address);
  }
  return cuts;
}

export function networkInspect(
  n: Network,
  containerNames: (id: string) => string,
): Record<string, unknown> {
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: 'local',
    Driver: 'bridge',
    EnableIPv6: false,
    IPAM: {
      Driver: 'default',
      Options: null,
      Config: [{ Subnet: subnetOf(n.base), Gateway: gatewayOf(n.base) }],
    },
    Internal: n.internal,
    Attachable: n.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: Object.fromEntries(
      [...n.endpoints.values()]
        .filter((e) => e.connected)
        .map((e) => [
          e.containerId,
          {
            Name: containerNames(e.containerId),
            EndpointID: e.endpointId,
            MacAddress: e.mac,
            IPv4Address: `${e.address}/24`,
            IPv6Address: '',
          },
        ]),
    ),
    Options: n.options,
    Labels: n.labels,
  };
}
