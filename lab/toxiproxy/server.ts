// A server compatible with Shopify Toxiproxy's HTTP API, shipped inside the lab because the lab's
// machines have no Toxiproxy binary; nothing the lab relies on may behave differently from a real
// Toxiproxy (TOXIPROXY_URL). What it implements and where it differs, deliberately: README.md here.

import { createServer } from 'node:http';
import { isLoopbackHost } from './address.ts';
import { apiHandler } from './api.ts';
import { ProxyCollection } from './collection.ts';

export interface ToxiproxyServer {
  /** Base URL of the API, e.g. http://127.0.0.1:8474 */
  url: string;
  /** Closes the API, every proxy listener and every proxied connection. */
  stop(): Promise<void>;
}

export const DEFAULT_API_PORT = 8474;

export async function startToxiproxyServer(opts: {
  host: string;
  port: number;
}): Promise<ToxiproxyServer> {
  if (!isLoopbackHost(opts.host))
    throw new Error(
      `toxiproxy server: host must be a loopback address (127.x.y.z or localhost), got ${opts.host}`,
    );
  const host = opts.host === 'localhost' ? '127.0.0.1' : opts.host;
  const proxies = new ProxyCollection();
  const server = createServer(apiHandler(proxies));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  let stopping: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    stop() {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await proxies.exclusive(() => proxies.stopAll());
        await closed;
      })();
      return stopping;
    },
  };
}
