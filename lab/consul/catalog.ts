// The agent's one node, its services and checks, and the catalog and health views over them.
// The agent is a single-node cluster: its own node (with the always-passing serfHealth check and
// the "consul" service a server registers for itself) is the whole catalog, and services and
// checks registered through /v1/agent/* go straight into it.
//
// Shapes follow Consul's API docs: /v1/agent/services is an object keyed by service ID,
// /v1/agent/checks by check ID; /v1/catalog/service/<name> lists ServiceNode rows;
// /v1/health/service/<name> lists {Node, Service, Checks} with the node's checks included, and
// ?passing keeps only entries whose every check (node checks too) is passing.

import { randomUUID } from 'node:crypto';
import {
  parseCheck,
  startProbe,
  TtlTimer,
  type CheckDefinition,
  type CheckType,
  type Runner,
} from './checks.ts';
import type { CheckLookup, CheckStatus } from './sessions.ts';
import { SERF_CHECK_ID } from './sessions.ts';
import type { StateIndex } from './state.ts';
import {
  badRequest,
  field,
  formatGoDuration,
  isObject,
  notFound,
  serverError,
  nsToMs,
  numberField,
  stringField,
  stringListField,
  type Json,
} from './util.ts';

export interface NodeInfo {
  name: string;
  id: string;
  address: string;
  datacenter: string;
}

export interface ServiceRecord {
  ID: string;
  Service: string;
  Tags: string[];
  Meta: Record<string, string>;
  Address: string;
  Port: number;
  EnableTagOverride: boolean;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface CheckRecord {
  Node: string;
  CheckID: string;
  Name: string;
  Status: CheckStatus;
  Notes: string;
  Output: string;
  ServiceID: string;
  ServiceName: string;
  ServiceTags: string[];
  Type: CheckType | '';
  Interval: string;
  Timeout: string;
  CreateIndex: number;
  ModifyIndex: number;
}

interface LiveCheck {
  rec: CheckRecord;
  def: CheckDefinition | null;
  runner: Runner | null;
  ttl: TtlTimer | null;
}

export interface CatalogOptions {
  node: NodeInfo;
  /** Consul's MinInterval for HTTP/TCP checks (1s). */
  minCheckIntervalNs: number;
  /** The server RPC port shown for the "consul" service (8300). */
  serverPort: number;
  /**
   * Called when a check goes critical or is deregistered (sessions bound to it are invalidated).
   */
  onCheckFailed: (checkId: string) => void;
}

export interface HealthEntry {
  Node: Json;
  Service: Json;
  Checks: Json[];
}

export class Catalog implements CheckLookup {
  private readonly services = new Map<string, ServiceRecord>();
  private readonly checks = new Map<string, LiveCheck>();
  private readonly serf: CheckRecord;
  private readonly consulService: ServiceRecord;
  private readonly nodeIndex: number;
  private closed = false;

  constructor(
    private readonly state: StateIndex,
    private readonly opts: CatalogOptions,
  ) {
    const idx = state.latest;
    this.nodeIndex = idx;
    this.serf = {
      Node: opts.node.name,
      CheckID: SERF_CHECK_ID,
      Name: 'Serf Health Status',
      Status: 'passing',
      Notes: '',
      Output: 'Agent alive and reachable',
      ServiceID: '',
      ServiceName: '',
      ServiceTags: [],
      Type: '',
      Interval: '',
      Timeout: '',
      CreateIndex: idx,
      ModifyIndex: idx,
    };
    this.consulService = {
      ID: 'consul',
      Service: 'consul',
      Tags: [],
      Meta: {},
      Address: '',
      Port: opts.serverPort,
      EnableTagOverride: false,
      CreateIndex: idx,
      ModifyIndex: idx,
    };
  }

  get nodeName(): string {
    return this.opts.node.name;
  }

  get node(): NodeInfo {
    return this.opts.node;
  }

  // ---- CheckLookup (sessions) ----

  checkStatus(id: string): CheckStatus | undefined {
    if (id === SERF_CHECK_ID) return this.serf.Status;
    return this.checks.get(id)?.rec.Status;
  }

  isServiceCheck(id: string): boolean {
    return (this.checks.get(id)?.rec.ServiceID ?? '') !== '';
  }

  // ---- agent endpoints ----

  registerService(body: unknown): void {
    if (!isObject(body))
      throw badRequest('Request decode failed: the service definition must be a JSON object');
    const name = stringField(body, 'Name') ?? '';
    if (name === '') throw badRequest('Missing service name');
    const id = stringField(body, 'ID') || name;
    const port = numberField(body, 'Port') ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw badRequest(`Invalid service port ${port}`);
    const meta = field(body, 'Meta');
    const rawChecks: unknown[] = [];
    const one = field(body, 'Check');
    if (one !== undefined && one !== null) rawChecks.push(one);
    const many = field(body, 'Checks');
    if (Array.isArray(many)) rawChecks.push(...many);
    else if (many !== undefined && many !== null)
      throw badRequest('Request decode failed: Checks must be a list');
    const defs = rawChecks.map((c, i) =>
      parseCheck(c, {
        id: rawChecks.length > 1 ? `service:${id}:${i + 1}` : `service:${id}`,
        name: `Service '${name}' check`,
        serviceId: id,
      }),
    );
    for (const d of defs) d.serviceId = id;

    const idx = this.state.next();
    const existing = this.services.get(id);
    const svc: ServiceRecord = {
      ID: id,
      Service: name,
      Tags: stringListField(body, 'Tags') ?? [],
      Meta: isObject(meta)
        ? Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, String(v)]))
        : {},
      Address: stringField(body, 'Address') ?? '',
      Port: port,
      EnableTagOverride: field(body, 'EnableTagOverride') === true,
      CreateIndex: existing?.CreateIndex ?? idx,
      ModifyIndex: idx,
    };
    this.services.set(id, svc);
    // Checks of the previous registration that the new one no longer defines are removed.
    const keep = new Set(defs.map((d) => d.id));
    for (const [cid, c] of [...this.checks]) {
      if (c.rec.ServiceID === id && !keep.has(cid)) this.removeCheck(cid);
    }
    for (const d of defs) this.addCheck(d, idx, svc);
    this.state.publish(idx, { table: 'catalog' });
  }

  deregisterService(id: string): void {
    if (!this.services.has(id))
      throw notFound(
        `Unknown service ID "${id}". Ensure that the service ID is passed, not the service name.`,
      );
    const idx = this.state.next();
    this.services.delete(id);
    for (const [cid, c] of [...this.checks]) if (c.rec.ServiceID === id) this.removeCheck(cid);
    this.state.publish(idx, { table: 'catalog' });
  }

  registerCheck(body: unknown): void {
    if (!isObject(body))
      throw badRequest('Request decode failed: the check definition must be a JSON object');
    const name = stringField(body, 'Name') ?? '';
    if (name === '') throw badRequest('Missing check name');
    const def = parseCheck(body, { id: name, name, serviceId: '' });
    let svc: ServiceRecord | undefined;
    if (def.serviceId !== '') {
      svc = this.services.get(def.serviceId);
      if (!svc) throw notFound(`ServiceID "${def.serviceId}" does not exist`);
    }
    const idx = this.state.next();
    this.addCheck(def, idx, svc);
    this.state.publish(idx, { table: 'catalog' });
  }

  deregisterCheck(id: string): void {
    if (!this.checks.has(id))
      throw notFound(
        `Unknown check ID "${id}". Ensure that the check ID is passed, not the check name.`,
      );
    const idx = this.state.next();
    this.removeCheck(id);
    this.state.publish(idx, { table: 'catalog' });
  }

  /** /v1/agent/check/pass|warn|fail|update for TTL checks. */
  updateTtl(id: string, status: CheckStatus, output: string): void {
    const c = this.checks.get(id);
    if (!c)
      throw notFound(
        `Unknown check ID "${id}". Ensure that the check ID is passed, not the check name.`,
      );
    if (!c.ttl) throw serverError(`CheckID "${id}" does not have associated TTL`);
    c.ttl.reset();
    this.setStatus(c, status, output);
  }

  agentServices(): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (const s of this.sortedServices()) {
      out[s.ID] = {
        ID: s.ID,
        Service: s.Service,
        Tags: s.Tags,
        Meta: s.Meta,
        Port: s.Port,
        Address: s.Address,
        TaggedAddresses: {},
        Weights: { Passing: 1, Warning: 1 },
        EnableTagOverride: s.EnableTagOverride,
        Datacenter: this.opts.node.datacenter,
      };
    }
    return out;
  }

  agentService(id: string): Json | undefined {
    return this.agentServices()[id];
  }

  agentChecks(): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (const c of this.sortedChecks()) out[c.CheckID] = this.checkJson(c);
    return out;
  }

  // ---- catalog and health ----

  catalogServices(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const s of this.allServices())
      out[s.Service] = [...new Set([...(out[s.Service] ?? []), ...s.Tags])];
    return out;
  }

  catalogService(name: string, tag?: string): Json[] {
    const n = this.opts.node;
    return this.instances(name, tag).map((s) => ({
      ID: n.id,
      Node: n.name,
      Address: n.address,
      Datacenter: n.datacenter,
      TaggedAddresses: { lan: n.address, wan: n.address },
      NodeMeta: {},
      ServiceKind: '',
      ServiceID: s.ID,
      ServiceName: s.Service,
      ServiceTags: s.Tags,
      ServiceAddress: s.Address,
      ServiceMeta: s.Meta,
      ServicePort: s.Port,
      ServiceEnableTagOverride: s.EnableTagOverride,
      ServiceWeights: { Passing: 1, Warning: 1 },
      CreateIndex: s.CreateIndex,
      ModifyIndex: s.ModifyIndex,
    }));
  }

  nodes(): Json[] {
    return [this.nodeJson()];
  }

  healthService(name: string, opts: { passing?: boolean; tag?: string } = {}): HealthEntry[] {
    const out: HealthEntry[] = [];
    for (const s of this.instances(name, opts.tag)) {
      const checks = this.checksOf(s.ID);
      if (opts.passing && checks.some((c) => c.Status !== 'passing')) continue;
      out.push({
        Node: this.nodeJson(),
        Service: {
          ID: s.ID,
          Service: s.Service,
          Tags: s.Tags,
          Address: s.Address,
          Meta: s.Meta,
          Port: s.Port,
          Weights: { Passing: 1, Warning: 1 },
          EnableTagOverride: s.EnableTagOverride,
          CreateIndex: s.CreateIndex,
          ModifyIndex: s.ModifyIndex,
        },
        Checks: checks.map((c) => this.checkJson(c)),
      });
    }
    return out;
  }

  healthChecksOfService(name: string): Json[] {
    return this.allChecks()
      .filter((c) => c.ServiceName === name)
      .map((c) => this.checkJson(c));
  }

  healthNode(node: string): Json[] {
    return node === this.opts.node.name ? this.allChecks().map((c) => this.checkJson(c)) : [];
  }

  healthState(state: string): Json[] {
    return this.allChecks()
      .filter((c) => state === 'any' || c.Status === state)
      .map((c) => this.checkJson(c));
  }

  /**
   * DNS: the IPv4 addresses of `name` instances (service Address, else the node's), leaving out
   * instances with a critical check, or, with onlyPassing, any check not passing (Consul's
   * dns_config.only_passing, default false). Deduplicated, in registration order.
   */
  dnsAddresses(name: string, tag: string | undefined, onlyPassing: boolean): string[] {
    const out: string[] = [];
    for (const s of this.instances(name, tag)) {
      const checks = this.checksOf(s.ID);
      if (checks.some((c) => c.Status === 'critical' || (onlyPassing && c.Status !== 'passing')))
        continue;
      const addr = s.Address !== '' ? s.Address : this.opts.node.address;
      if (!out.includes(addr)) out.push(addr);
    }
    return out;
  }

  hasService(name: string): boolean {
    return this.allServices().some((s) => s.Service.toLowerCase() === name.toLowerCase());
  }

  close(): void {
    this.closed = true;
    for (const c of this.checks.values()) {
      c.runner?.stop();
      c.ttl?.stop();
    }
  }

  // ---- internals ----

  private nodeJson(): Json {
    const n = this.opts.node;
    return {
      ID: n.id,
      Node: n.name,
      Address: n.address,
      Datacenter: n.datacenter,
      TaggedAddresses: { lan: n.address, lan_ipv4: n.address, wan: n.address, wan_ipv4: n.address },
      Meta: { 'consul-network-segment': '' },
      CreateIndex: this.nodeIndex,
      ModifyIndex: this.nodeIndex,
    };
  }

  private checkJson(c: CheckRecord): Json {
    return { ...c, ExposedPort: 0, Definition: {}, Namespace: '' };
  }

  private allServices(): ServiceRecord[] {
    return [this.consulService, ...this.sortedServices()];
  }

  private sortedServices(): ServiceRecord[] {
    return [...this.services.values()].sort((a, b) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0));
  }

  private sortedChecks(): CheckRecord[] {
    return [...this.checks.values()]
      .map((c) => c.rec)
      .sort((a, b) => (a.CheckID < b.CheckID ? -1 : a.CheckID > b.CheckID ? 1 : 0));
  }

  private allChecks(): CheckRecord[] {
    return [this.serf, ...this.sortedChecks()];
  }

  /** Instances of a service by name (case-insensitive, as Consul's catalog), optionally by tag. */
  private instances(name: string, tag?: string): ServiceRecord[] {
    const want = name.toLowerCase();
    return this.allServices().filter(
      (s) =>
        s.Service.toLowerCase() === want &&
        (tag === undefined || s.Tags.some((t) => t.toLowerCase() === tag.toLowerCase())),
    );
  }

  /** The checks that decide an instance's health: the node's checks and the service's own. */
  private checksOf(serviceId: string): CheckRecord[] {
    const nodeChecks = this.allChecks().filter((c) => c.ServiceID === '');
    const own =
      serviceId === 'consul' ? [] : this.sortedChecks().filter((c) => c.ServiceID === serviceId);
    return [...nodeChecks, ...own];
  }

  private addCheck(def: CheckDefinition, idx: number, svc: ServiceRecord | undefined): void {
    const existing = this.checks.get(def.id);
    if (existing) {
      existing.runner?.stop();
      existing.ttl?.stop();
    }
    // Re-registering a check keeps its current status unless the definition sets one.
    const keepStatus = existing && existing.rec.Type === def.type ? existing.rec.Status : undefined;
    const rec: CheckRecord = {
      Node: this.opts.node.name,
      CheckID: def.id,
      Name: def.name,
      Status: keepStatus ?? def.status,
      Notes: def.notes,
      Output: existing?.rec.Output ?? '',
      ServiceID: svc?.ID ?? '',
      ServiceName: svc?.Service ?? '',
      ServiceTags: svc?.Tags ?? [],
      Type: def.type,
      Interval: def.intervalNs > 0 ? formatGoDuration(def.intervalNs) : '',
      Timeout: def.type === 'ttl' ? '' : formatGoDuration(def.timeoutNs),
      CreateIndex: existing?.rec.CreateIndex ?? idx,
      ModifyIndex: idx,
    };
    const live: LiveCheck = { rec, def, runner: null, ttl: null };
    this.checks.set(def.id, live);
    if (this.closed) return;
    if (def.type === 'ttl') {
      live.ttl = new TtlTimer(nsToMs(def.ttlNs), () => {
        if (this.checks.get(def.id) === live) this.setStatus(live, 'critical', 'TTL expired');
      });
    } else {
      live.runner = startProbe(def, this.opts.minCheckIntervalNs, (status, output) => {
        if (this.checks.get(def.id) === live) this.setStatus(live, status, output);
      });
    }
  }

  private removeCheck(id: string): void {
    const c = this.checks.get(id);
    if (!c) return;
    c.runner?.stop();
    c.ttl?.stop();
    this.checks.delete(id);
    this.opts.onCheckFailed(id);
  }

  private setStatus(c: LiveCheck, status: CheckStatus, output: string): void {
    if (c.rec.Status === status && c.rec.Output === output) return;
    const idx = this.state.next();
    const wasCritical = c.rec.Status === 'critical';
    c.rec.Status = status;
    c.rec.Output = output;
    c.rec.ModifyIndex = idx;
    this.state.publish(idx, { table: 'catalog' });
    if (status === 'critical' && !wasCritical) this.opts.onCheckFailed(c.rec.CheckID);
  }
}

export const newNodeId = (): string => randomUUID();
