// Test doubles for the switchboard tests: TCP backends that greet with their name and then echo
// (as a MySQL server greets first), healthcheck endpoints whose answer the test sets, and a client
// that reads the greeting. Everything binds 127.0.3.x on a free port.

import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';

export interface EchoBackend {
  name: string;
  host: string;
  port: number;
  stop(): Promise<void>;
}

export async function startEchoBackend(name: string, host: string): Promise<EchoBackend> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.write(`${name}\n`);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as { port: number }).port;
  return {
    name,
    host,
    port,
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export interface FakeHealthState {
  healthy: boolean;
  index: number;
  /** Answer with this status instead (e.g. 500 when the node cannot be read). */
  status?: number;
  /** Hold the answer this long (to exceed the proxy's health timeout). */
  delayMs?: number;
}

export interface FakeHealth {
  url: string;
  state: FakeHealthState;
  requests: number;
  stop(): Promise<void>;
}

export async function startFakeHealth(host: string, initial: FakeHealthState): Promise<FakeHealth> {
  const fake: FakeHealth = { url: '', state: { ...initial }, requests: 0, stop: async () => {} };
  const timers = new Set<NodeJS.Timeout>();
  const server = createHttpServer((_req, res) => {
    fake.requests++;
    const s = { ...fake.state };
    const answer = () => {
      if (s.status !== undefined && s.status !== 200) {
        res.writeHead(s.status, { 'Content-Type': 'text/plain' });
        res.end('cannot read the node');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          wsrep_local_state: s.healthy ? 4 : 1,
          wsrep_local_index: s.index,
          healthy: s.healthy,
        }),
      );
    };
    if (s.delayMs) {
      const t = setTimeout(() => {
        timers.delete(t);
        answer();
      }, s.delayMs);
      timers.add(t);
    } else answer();
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  fake.url = `http://${host}:${(server.address() as { port: number }).port}/api/v1/status`;
  fake.stop = () =>
    new Promise<void>((r) => {
      for (const t of timers) clearTimeout(t);
      server.close(() => r());
      server.closeAllConnections();
    });
  return fake;
}

export interface ProxyClient {
  /** The backend's name, or null when the proxy closed the connection first. */
  greeting: string | null;
  socket: Socket;
  /** Resolves when the connection is closed (by either side). */
  closed: Promise<void>;
  isClosed(): boolean;
}

/** Connects and waits for the greeting line or the close, whichever comes first. */
export function connectClient(host: string, port: number): Promise<ProxyClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let buf = '';
    let closedFlag = false;
    let settled = false;
    const closed = new Promise<void>((r) =>
      socket.once('close', () => {
        closedFlag = true;
        r();
      }),
    );
    const done = (greeting: string | null) => {
      if (settled) return;
      settled = true;
      socket.off('data', onData);
      resolve({ greeting, socket, closed, isClosed: () => closedFlag });
    };
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(buf.slice(0, nl));
    };
    socket.on('data', onData);
    socket.on('error', (e) => {
      if (!settled) reject(e);
    });
    socket.once('close', () => done(null));
  });
}

export async function waitFor(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
