// The proxy's connections: each client socket bridged to one backend socket, tracked per backend
// so that a change of active backend can sever exactly the connections of the one that lost it.
// Sever = destroy both sockets: the client sees its connection closed under it, as with the real
// switchboard (which closes both ends of the bridge).

import { connect, type Socket } from 'node:net';
import type { BackendStats } from './types.ts';

interface Bridge {
  client: Socket;
  server: Socket;
  backend: string;
  connected: boolean;
  closed: boolean;
}

export interface BridgeTarget {
  name: string;
  host: string;
  port: number;
}

export class ConnectionTable {
  private readonly open = new Map<string, Set<Bridge>>();
  private readonly counts = new Map<string, { total: number; severed: number }>();
  dialFailed = 0;

  constructor(backends: readonly string[]) {
    for (const b of backends) {
      this.open.set(b, new Set());
      this.counts.set(b, { total: 0, severed: 0 });
    }
  }

  /**
   * Bridges a client to a backend. The bridge counts as the backend's from now, also while
   * dialling.
   */
  route(client: Socket, target: BridgeTarget): void {
    const set = this.open.get(target.name);
    const count = this.counts.get(target.name);
    if (!set || !count) throw new Error(`unknown backend ${target.name}`);
    const server = connect({ host: target.host, port: target.port });
    const b: Bridge = { client, server, backend: target.name, connected: false, closed: false };
    set.add(b);
    count.total++;
    client.setNoDelay(true);
    server.setNoDelay(true);
    const teardown = () => {
      if (b.closed) return;
      b.closed = true;
      set.delete(b);
      client.destroy();
      server.destroy();
    };
    server.once('connect', () => {
      b.connected = true;
      // pipe() keeps backpressure both ways, so large results and large inserts pass intact.
      client.pipe(server);
      server.pipe(client);
    });
    server.on('error', () => {
      if (!b.connected && !b.closed) this.dialFailed++;
      teardown();
    });
    client.on('error', teardown);
    server.on('close', teardown);
    client.on('close', teardown);
  }

  /** Closes every connection of one backend; returns how many there were. */
  sever(backend: string): number {
    const set = this.open.get(backend);
    const count = this.counts.get(backend);
    if (!set || !count) return 0;
    const victims = [...set];
    for (const b of victims) {
      b.closed = true;
      set.delete(b);
      b.client.destroy();
      b.server.destroy();
    }
    count.severed += victims.length;
    return victims.length;
  }

  closeAll(): void {
    for (const set of this.open.values()) {
      for (const b of set) {
        b.closed = true;
        b.client.destroy();
        b.server.destroy();
      }
      set.clear();
    }
  }

  /** Counters back to zero (a proxy reused for another run starts counting afresh). */
  resetCounts(): void {
    for (const c of this.counts.values()) {
      c.total = 0;
      c.severed = 0;
    }
    this.dialFailed = 0;
  }

  openCount(backend: string): number {
    return this.open.get(backend)?.size ?? 0;
  }

  stats(backend: string): BackendStats {
    const c = this.counts.get(backend) ?? { total: 0, severed: 0 };
    return { total: c.total, open: this.openCount(backend), severed: c.severed };
  }
}
