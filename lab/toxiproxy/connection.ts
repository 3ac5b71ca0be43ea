// One client connection through a proxy: the client socket, the socket to the upstream, and two
// links — upstream (client -> server) and downstream (server -> client) — each carrying the
// proxy's toxics for its direction.
//
// Closing: the end of a source (its FIN) travels through that direction's chain and becomes a FIN
// to the destination once every toxic has let it through, so slow_close and latency delay it. The
// real one closes the destination fully at that point; here only the write side is closed and the
// other direction keeps flowing until its own end, as a plain TCP path would. A socket error (a
// peer's RST) aborts both sides at once. Backpressure: a source is paused while its link holds more
// than HIGH_WATER_BYTES or the destination's buffer is full, as the real one stalls its reader on
// unbuffered channels.

import type { Socket } from 'node:net';
import { Link, type AppliedToxic } from './link.ts';
import type { StreamDirection } from './toxics/types.ts';

const HIGH_WATER_BYTES = 1 << 20;
/** How long a graceful close may wait for the peer to take the last bytes. */
const CLOSE_GRACE_MS = 5000;

function finishThenDestroy(s: Socket): void {
  if (s.destroyed) return;
  const fallback = setTimeout(() => s.destroy(), CLOSE_GRACE_MS);
  fallback.unref();
  const done = () => {
    clearTimeout(fallback);
    s.destroy();
  };
  if (s.writableFinished) done();
  else if (s.writableEnded) s.once('finish', done);
  else s.end(done);
}

function resetSocket(s: Socket): void {
  if (s.destroyed) return;
  try {
    s.resetAndDestroy();
  } catch {
    s.destroy();
  }
}

export class ProxiedConnection {
  private readonly links: Record<StreamDirection, Link>;
  private socketsOpen = 2;
  private gone = false;

  constructor(
    private readonly client: Socket,
    private readonly server: Socket,
    toxics: readonly AppliedToxic[],
    private readonly onGone: (c: ProxiedConnection) => void,
  ) {
    this.links = {
      upstream: this.wire(
        client,
        server,
        toxics.filter((t) => t.spec.stream === 'upstream'),
      ),
      downstream: this.wire(
        server,
        client,
        toxics.filter((t) => t.spec.stream === 'downstream'),
      ),
    };
    for (const s of [client, server]) {
      s.on('error', () => undefined); // every failure is handled through 'close'
      s.once('close', (hadError) => {
        if (hadError) this.destroy();
        this.socketsOpen -= 1;
        if (this.socketsOpen === 0) this.finishGone();
      });
    }
  }

  addToxic(t: AppliedToxic): void {
    this.links[t.spec.stream].add(t);
  }

  updateToxic(t: AppliedToxic): void {
    this.links[t.spec.stream].update(t);
  }

  removeToxic(name: string, stream: StreamDirection): void {
    this.links[stream].remove(name);
  }

  /** Closes both sockets at once (proxy disabled, deleted, or server stopped). */
  destroy(): void {
    this.client.destroy();
    this.server.destroy();
    this.disposeLinks();
  }

  private close(): void {
    finishThenDestroy(this.client);
    finishThenDestroy(this.server);
    this.disposeLinks();
  }

  private reset(): void {
    resetSocket(this.client);
    resetSocket(this.server);
    this.disposeLinks();
  }

  private disposeLinks(): void {
    this.links?.upstream.dispose();
    this.links?.downstream.dispose();
  }

  private finishGone(): void {
    if (this.gone) return;
    this.gone = true;
    this.disposeLinks();
    this.onGone(this);
  }

  private wire(source: Socket, dest: Socket, toxics: readonly AppliedToxic[]): Link {
    const flow = () => {
      if (source.destroyed) return;
      const blocked = link.backlog > HIGH_WATER_BYTES || dest.writableNeedDrain;
      if (blocked && !source.isPaused()) source.pause();
      else if (!blocked && source.isPaused()) source.resume();
    };
    const link: Link = new Link(
      toxics,
      {
        write: (chunk) => {
          if (dest.writable) dest.write(chunk);
        },
        end: () => {
          if (dest.writable) dest.end();
        },
      },
      {
        onProgress: flow,
        onFinish: (closeConnection) => {
          if (closeConnection) this.close();
        },
        onReset: () => this.reset(),
      },
    );
    source.on('data', (chunk: Buffer) => {
      link.write(chunk);
      flow();
    });
    source.on('end', () => link.end());
    dest.on('drain', flow);
    return link;
  }
}
