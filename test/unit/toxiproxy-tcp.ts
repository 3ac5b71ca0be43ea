// TCP helpers for the Toxiproxy tests: an echo server that notes when bytes arrive, and a client
// that records everything it sees (data chunks, end, close, error code) with monotonic times.

import { connect, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface EchoServer {
  host: string;
  port: number;
  address: string;
  /** performance.now() of every chunk the server received. */
  arrivals: number[];
  /** Every byte the server received, over all connections. */
  received(): Buffer;
  stop(): Promise<void>;
}

/** Echoes every byte back; when the client half-closes, so does the server. */
export async function startEcho(host: string): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  const arrivals: number[] = [];
  const chunks: Buffer[] = [];
  const server: Server = createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.setNoDelay(true);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.on('data', (c) => {
      arrivals.push(performance.now());
      chunks.push(c);
      s.write(c);
    });
    s.on('end', () => s.end());
  });
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  const port = (server.address() as { port: number }).port;
  return {
    host,
    port,
    address: `${host}:${port}`,
    arrivals,
    received: () => Buffer.concat(chunks),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export class Probe {
  readonly chunks: { at: number; data: Buffer }[] = [];
  endedAt: number | null = null;
  closedAt: number | null = null;
  errorCode: string | null = null;

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => this.chunks.push({ at: performance.now(), data }));
    socket.on('end', () => (this.endedAt = performance.now()));
    socket.on('error', (err: NodeJS.ErrnoException) => (this.errorCode = err.code ?? err.message));
    socket.on('close', () => (this.closedAt = performance.now()));
  }

  static connect(address: string): Promise<Probe> {
    const [host, port] = splitAddress(address);
    return new Promise((resolve, reject) => {
      const s = connect({ host, port, allowHalfOpen: true });
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new Probe(s));
      });
      s.once('error', reject);
    });
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks.map((c) => c.data));
  }

  /** The proxy ended the connection (FIN) or it was torn down (RST, destroy). */
  get closed(): boolean {
    return this.endedAt !== null || this.closedAt !== null;
  }

  /**
   * Sends `payload` and waits until as many bytes more have come back; returns the milliseconds.
   */
  async roundTrip(payload: string | Buffer, timeoutMs = 5000): Promise<number> {
    const want = this.bytes.length + Buffer.byteLength(payload);
    const t0 = performance.now();
    this.socket.write(payload);
    await waitFor(`${want} bytes back`, () => this.bytes.length >= want, timeoutMs);
    return performance.now() - t0;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), Number(address.slice(i + 1))];
}

/** Resolves with the error code of a refused connection, or null when it connected. */
export function tryConnect(address: string): Promise<string | null> {
  const [host, port] = splitAddress(address);
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(null);
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

export async function waitFor(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
