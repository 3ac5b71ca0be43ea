// One proxy: a TCP listener on a loopback address, a connection to the upstream for every client
// it accepts, and the proxy's toxics, which apply to new connections and to live ones alike.
// Disabling closes the listener (new clients are refused) and every open connection.

import { connect, createServer, type Server, type Socket } from 'node:net';
import { formatAddress, parseLoopbackAddress } from './address.ts';
import { ProxiedConnection } from './connection.ts';
import { ApiError, toxicAlreadyExists, toxicNotFound } from './errors.ts';
import type { AppliedToxic } from './link.ts';
import { TOXIC_KINDS } from './toxics/kinds.ts';
import type { ToxicSpec } from './toxics/types.ts';

export interface ProxyView {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicSpec[];
}

const cloneSpec = (s: ToxicSpec): ToxicSpec => ({ ...s, attributes: { ...s.attributes } });

export class ToxicProxy {
  /** The bound address once started (port 0 replaced by the real port), else as configured. */
  listen: string;
  /** The listen address as it was asked for, so that /populate can recognise an unchanged proxy. */
  requestedListen: string;
  upstream: string;
  enabled = false;
  private server: Server | null = null;
  private readonly connections = new Set<ProxiedConnection>();
  /** Accepted clients still waiting for their upstream connection. */
  private readonly dialing = new Set<Socket>();
  private toxics: AppliedToxic[] = [];

  constructor(
    readonly name: string,
    listen: string,
    upstream: string,
  ) {
    parseLoopbackAddress('listen', listen);
    parseLoopbackAddress('upstream', upstream);
    this.listen = listen;
    this.requestedListen = listen;
    this.upstream = upstream;
  }

  view(): ProxyView {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
      toxics: this.toxicList(),
    };
  }

  /**
   * Upstream toxics first, then downstream, each in the order added (as the real one lists them).
   */
  toxicList(): ToxicSpec[] {
    const ordered = [
      ...this.toxics.filter((t) => t.spec.stream === 'upstream'),
      ...this.toxics.filter((t) => t.spec.stream === 'downstream'),
    ];
    return ordered.map((t) => cloneSpec(t.spec));
  }

  getToxic(name: string): ToxicSpec {
    const t = this.toxics.find((x) => x.spec.name === name);
    if (!t) throw toxicNotFound();
    return cloneSpec(t.spec);
  }

  addToxic(spec: ToxicSpec): ToxicSpec {
    if (this.toxics.some((t) => t.spec.name === spec.name)) throw toxicAlreadyExists();
    const applied: AppliedToxic = { spec: cloneSpec(spec), kind: TOXIC_KINDS[spec.type] };
    this.toxics.push(applied);
    for (const c of this.connections) c.addToxic(applied);
    return cloneSpec(applied.spec);
  }

  updateToxic(spec: ToxicSpec): ToxicSpec {
    const i = this.toxics.findIndex((t) => t.spec.name === spec.name);
    if (i < 0) throw toxicNotFound();
    const applied: AppliedToxic = { spec: cloneSpec(spec), kind: TOXIC_KINDS[spec.type] };
    this.toxics[i] = applied;
    for (const c of this.connections) c.updateToxic(applied);
    return cloneSpec(applied.spec);
  }

  removeToxic(name: string): void {
    const t = this.toxics.find((x) => x.spec.name === name);
    if (!t) throw toxicNotFound();
    this.toxics = this.toxics.filter((x) => x !== t);
    for (const c of [...this.connections]) c.removeToxic(name, t.spec.stream);
  }

  resetToxics(): void {
    for (const t of [...this.toxics]) this.removeToxic(t.spec.name);
  }

  /** Listens; a bind failure leaves the proxy disabled and answers 500 as the real one does. */
  async start(): Promise<void> {
    if (this.enabled) return;
    const at = parseLoopbackAddress('listen', this.listen);
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) =>
      this.accept(client),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(new ApiError(`listen tcp ${this.listen}: ${err.message}`, 500)),
      );
      server.listen(at.port, at.host, () => resolve());
    });
    server.on('error', () => undefined);
    const bound = server.address();
    if (bound && typeof bound === 'object')
      this.listen = formatAddress({ host: at.host, port: bound.port });
    this.server = server;
    this.enabled = true;
  }

  /** Stops listening and closes every connection. */
  async stop(): Promise<void> {
    if (!this.enabled) return;
    this.enabled = false;
    const server = this.server;
    this.server = null;
    for (const s of this.dialing) s.destroy();
    this.dialing.clear();
    for (const c of [...this.connections]) c.destroy();
    this.connections.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (!this.enabled) {
      client.destroy();
      return;
    }
    client.setNoDelay(true);
    const target = parseLoopbackAddress('upstream', this.upstream);
    this.dialing.add(client);
    const server = connect({
      host: target.host,
      port: target.port,
      allowHalfOpen: true,
      noDelay: true,
    });
    server.on('error', () => undefined);
    const giveUp = () => {
      this.dialing.delete(client);
      client.destroy();
      server.destroy();
    };
    client.once('close', () => {
      if (this.dialing.has(client)) giveUp();
    });
    server.once('close', () => {
      if (this.dialing.has(client)) giveUp();
    });
    server.once('connect', () => {
      if (!this.dialing.delete(client) || !this.enabled) {
        giveUp();
        return;
      }
      const conn = new ProxiedConnection(client, server, this.toxics, (c) =>
        this.connections.delete(c),
      );
      this.connections.add(conn);
      client.resume();
    });
  }
}
