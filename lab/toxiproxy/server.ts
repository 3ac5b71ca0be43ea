// A server compatible with Shopify Toxiproxy's HTTP API, shipped inside the lab because the lab's
// machines have no Toxiproxy binary. The lab drives it with toxiproxy-node-client (driver.ts) and
// can be pointed at a real Toxiproxy instead with TOXIPROXY_URL; nothing the lab relies on may
// behave differently between the two.
//
// Implemented (api.ts for routes, codes and JSON shapes):
// - GET/POST /proxies, POST /populate, GET/POST/PATCH/DELETE /proxies/{name},
//   GET/POST /proxies/{name}/toxics, GET/POST/PATCH/DELETE /proxies/{name}/toxics/{toxic},
//   POST /reset, GET /version ({"version": "2.12.0-bbs-lab"}); the 403 for browser user agents.
//   As in the real api.go, creating a proxy answers 201 but creating a toxic answers 200.
// - Toxics (toxics/*.ts): latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data,
//   on the upstream (client -> server) or downstream (server -> client) stream. Whether a toxic
//   applies is drawn against its toxicity per connection, and drawn again when the toxic is
//   updated (the real one draws each time a toxic (re)starts on a link). Adding, updating and
//   deleting a toxic act on live connections too (link.ts); a deleted toxic hands on what it holds.
// - Disabling a proxy closes its listener and its connections; /reset re-enables every proxy and
//   deletes every toxic.
//
// Deliberate differences:
// - Loopback only: the API and every proxy listen on 127.x.y.z, and upstreams must be 127.x.y.z;
//   any other listen or upstream is refused with 400 naming the field. "localhost" is taken as
//   127.0.0.1. A create without listen gets 127.0.0.1:0 (the real one would bind every interface).
// - /populate keeps a proxy whose listen is the port-0 address it was created from (the real one
//   would compare with the bound port and replace it).
// - Toxic attributes must be non-negative integers; slicer needs average_size >= 1 (the real one
//   would loop or panic). Unknown routes answer JSON 404/405 rather than mux's plain text.
// - A source's FIN becomes a FIN (half-close) to the destination after the toxics; the real one
//   closes the destination fully. An RST from either peer aborts both sides.
// - latency counts each chunk's delay from its arrival (chunks never overtake each other).
// - timeout: like the real one, data is dropped (not held) and deleting the toxic closes the
//   connections it applied to — but only those it applied to (the real one closes all of them).
//   Its countdown starts when it is attached (some real versions restart it on each dropped chunk).
// - reset_peer deleted after it has seen data resets at once instead of after its timeout.
// - Not implemented: the metrics endpoint, the toxics beyond the seven above (e.g. slow_open,
//   limit_time), TLS, and loading a config file at start.

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

export async function startToxiproxyServer(opts: { host: string; port: number }): Promise<ToxiproxyServer> {
  if (!isLoopbackHost(opts.host)) throw new Error(`toxiproxy server: host must be a loopback address (127.x.y.z or localhost), got ${opts.host}`);
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
