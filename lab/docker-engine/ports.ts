// Published ports: HostConfig.PortBindings checked (pure), and the forwarders that carry them,
// as docker-proxy does: 127.0.0.1:<hostPort> on the host side → <container address>:<port>.
// The lab's engine publishes on 127.0.0.1 only; any other HostIp (including "" and 0.0.0.0,
// which Docker would bind on every interface) is refused with a 400. Forwarded connections leave
// from 127.0.0.1, outside every network's /24, so a network disconnect (which cuts a container
// off from its network's addresses) leaves its published ports reachable.

import { createServer, connect, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { badRequest, EngineError } from './errors.ts';

export interface PortBinding {
  /** e.g. "3306/tcp" */
  key: string;
  port: number;
  proto: 'tcp' | 'udp';
  hostIp: '127.0.0.1';
  /** 0: a free port, picked at start. */
  hostPort: number;
}

export const PUBLISH_HOST = '127.0.0.1';

export function parsePortKey(key: string): { port: number; proto: 'tcp' | 'udp' } {
  const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/.exec(key);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535)
    throw badRequest(`invalid port specification: "${key}"`);
  if (m[2] === 'sctp') throw badRequest(`port ${key}: the lab's engine forwards tcp and udp only`);
  return { port: Number(m[1]), proto: (m[2] ?? 'tcp') as 'tcp' | 'udp' };
}

export function parsePortBindings(raw: unknown): PortBinding[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw badRequest(
      'HostConfig.PortBindings: must be a mapping of "port/proto" to a list of bindings',
    );
  const out: PortBinding[] = [];
  for (const [key, list] of Object.entries(raw as Record<string, unknown>)) {
    const { port, proto } = parsePortKey(key);
    if (list === null) continue;
    if (!Array.isArray(list))
      throw badRequest(`HostConfig.PortBindings["${key}"]: must be a list of {HostIp, HostPort}`);
    for (const b of list as { HostIp?: unknown; HostPort?: unknown }[]) {
      const hostIp = b?.HostIp ?? '';
      if (hostIp !== PUBLISH_HOST) {
        throw badRequest(
          `HostConfig.PortBindings["${key}"]: the lab's engine publishes ports on 127.0.0.1 only (it never binds another address); set HostIp to "127.0.0.1", got ${JSON.stringify(hostIp)}`,
        );
      }
      const hp = b?.HostPort ?? '';
      const hostPort = hp === '' ? 0 : Number(hp);
      if (!Number.isInteger(hostPort) || hostPort < 0 || hostPort > 65535)
        throw badRequest(
          `HostConfig.PortBindings["${key}"]: invalid HostPort ${JSON.stringify(hp)}`,
        );
      out.push({ key: `${port}/${proto}`, port, proto, hostIp: PUBLISH_HOST, hostPort });
    }
  }
  return out;
}

export interface Forwarder {
  binding: PortBinding;
  /** The host port actually bound. */
  hostPort: number;
  close(): Promise<void>;
}

async function tcpForwarder(b: PortBinding, target: string): Promise<Forwarder> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    const upstream = connect({ host: target, port: b.port, localAddress: PUBLISH_HOST });
    sockets.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', () => {
      sockets.delete(client);
      end();
    });
    upstream.on('error', end).on('close', () => {
      sockets.delete(upstream);
      end();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(b.hostPort, PUBLISH_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    binding: b,
    hostPort: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function udpForwarder(b: PortBinding, target: string): Promise<Forwarder> {
  const front = createSocket('udp4');
  // One upstream socket per client address, dropped after a minute of silence.
  const peers = new Map<string, { sock: UdpSocket; timer?: NodeJS.Timeout }>();
  front.on('message', (msg, rinfo) => {
    const id = `${rinfo.address}:${rinfo.port}`;
    let peer = peers.get(id);
    if (!peer) {
      const sock = createSocket('udp4');
      sock.bind(0, PUBLISH_HOST);
      sock.on('message', (reply) => front.send(reply, rinfo.port, rinfo.address));
      sock.on('error', () => undefined);
      peer = { sock };
      peers.set(id, peer);
    }
    const p = peer;
    clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      p.sock.close();
      peers.delete(id);
    }, 60_000);
    p.timer.unref();
    p.sock.send(msg, b.port, target);
  });
  front.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.bind(b.hostPort, PUBLISH_HOST, () => {
      front.off('error', reject);
      resolve();
    });
  });
  return {
    binding: b,
    hostPort: front.address().port,
    close: async () => {
      for (const p of peers.values()) {
        clearTimeout(p.timer);
        p.sock.close();
      }
      peers.clear();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}

/**
 * Opens every forwarder of a container, or none: a port in use fails the start as Docker's does.
 */
export async function openForwarders(
  bindings: readonly PortBinding[],
  target: string,
  endpoint: string,
): Promise<Forwarder[]> {
  const open: Forwarder[] = [];
  for (const b of bindings) {
    try {
      open.push(b.proto === 'tcp' ? await tcpForwarder(b, target) : await udpForwarder(b, target));
    } catch (e) {
      await Promise.allSettled(open.map((f) => f.close()));
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'EADDRINUSE' ? 'port is already allocated' : (e as Error).message;
      throw new EngineError(
        500,
        `driver failed programming external connectivity on endpoint ${endpoint}: Bind for ${PUBLISH_HOST}:${b.hostPort} failed: ${why}`,
      );
    }
  }
  return open;
}
