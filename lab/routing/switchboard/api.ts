// The real switchboard's read-only API (cf-mysql-release docs/proxy.md): GET /v0/backends lists
// each backend with healthy, active and currentSessionCount. The real one asks for basic auth and
// has more endpoints (cluster, traffic on/off); the lab serves only this list, without auth, on
// loopback.

import { createServer, type Server } from 'node:http';
import type { BackendView } from './types.ts';

export async function startBackendsApi(
  host: string,
  port: number,
  list: () => BackendView[],
): Promise<{ url: string; stop(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/+$/, '');
    if (req.method === 'GET' && path === '/v0/backends') {
      const body = JSON.stringify(list());
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('404 page not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  return {
    url: `http://${host}:${bound}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
