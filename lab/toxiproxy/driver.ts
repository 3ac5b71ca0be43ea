// The lab's handle on Toxiproxy, through toxiproxy-node-client. With TOXIPROXY_URL set it drives
// that (real) Toxiproxy; otherwise it starts the lab's own compatible server (server.ts) on
// 127.0.0.1 with a free port. Either way the lab only touches what it made: reset() and close()
// act on the lab's proxies, never through the global /reset, so a shared Toxiproxy keeps other
// users' proxies. close() is registered with the cleanup registry, so Ctrl-C or a crash still
// removes every proxy and toxic the lab created.
//
// Loopback only, checked here as well as in the lab's server because a real Toxiproxy would
// accept any address: the API URL, every listen and every upstream must be 127.x.y.z/localhost.

import { Toxiproxy, type Proxy as ToxiproxyProxy, type Toxic } from 'toxiproxy-node-client';
import { registerCleanup } from '../lifecycle/cleanup.ts';
import { isLoopbackHost, parseLoopbackAddress } from './address.ts';
import { startToxiproxyServer, type ToxiproxyServer } from './server.ts';
import type { StreamDirection, ToxicAttributes, ToxicSpec, ToxicType } from './toxics/types.ts';

export type { StreamDirection, ToxicSpec, ToxicType } from './toxics/types.ts';

export interface ToxicRequest {
  type: ToxicType;
  /** Defaults to "<type>_<stream>". */
  name?: string;
  /** Defaults to downstream (server -> client). */
  stream?: StreamDirection;
  /** Probability (0..1) that the toxic applies to a connection; defaults to 1. */
  toxicity?: number;
  attributes: ToxicAttributes;
}

export interface ProxyInfo {
  name: string;
  /** The bound address (a port 0 request shows the port picked). */
  listen: string;
  upstream: string;
  enabled: boolean;
}

export interface FaultProxies {
  /** The API in use. */
  readonly url: string;
  /** True when the lab started its own server, false when TOXIPROXY_URL (or opts.url) named one. */
  readonly embedded: boolean;
  createProxy(name: string, listen: string, upstream: string): Promise<ProxyInfo>;
  addToxic(proxy: string, toxic: ToxicRequest): Promise<ToxicSpec>;
  removeToxic(proxy: string, toxic: string): Promise<void>;
  setEnabled(proxy: string, enabled: boolean): Promise<ProxyInfo>;
  /** Deletes every toxic on the lab's proxies and enables them all. */
  reset(): Promise<void>;
  /** Deletes every proxy (and so every toxic) the lab created and stops the embedded server. */
  close(): Promise<void>;
}

const NAME = /^[A-Za-z0-9._-]+$/;

/** toxiproxy-node-client reports a failed request only as "Request failed with status code N". */
export function statusOf(err: unknown): number | null {
  const m = /status code (\d{3})/.exec((err as Error)?.message ?? '');
  return m ? Number(m[1]) : null;
}

function checkName(what: string, name: string): void {
  if (!NAME.test(name))
    throw new Error(`toxiproxy: ${what} name ${JSON.stringify(name)} must match ${NAME}`);
}

function checkAddress(field: 'listen' | 'upstream', value: string): void {
  try {
    parseLoopbackAddress(field, value);
  } catch (err) {
    throw new Error(`toxiproxy: ${(err as Error).message}`);
  }
}

function describe(action: string, err: unknown): Error {
  return new Error(`toxiproxy: ${action} failed: ${(err as Error).message}`, { cause: err });
}

const info = (p: ToxiproxyProxy): ProxyInfo => ({
  name: p.name,
  listen: p.listen,
  upstream: p.upstream,
  enabled: p.enabled,
});

export async function connectToxiproxy(opts: { url?: string } = {}): Promise<FaultProxies> {
  const external = opts.url ?? process.env.TOXIPROXY_URL;
  let server: ToxiproxyServer | null = null;
  let url: string;
  if (external) {
    const host = new URL(external).hostname;
    if (!isLoopbackHost(host))
      throw new Error(`toxiproxy: the API must be on a loopback address, got ${external}`);
    url = external.replace(/\/+$/, '');
  } else {
    server = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
    url = server.url;
  }
  const client = new Toxiproxy(url);
  if (!server) {
    // Fail at connect time, with the URL in the message, rather than at the first fault.
    try {
      await client.getVersion();
    } catch (err) {
      throw describe(`reaching ${url}/version`, err);
    }
  }
  const proxies = new Map<string, ToxiproxyProxy>();
  const toxics = new Map<string, Map<string, Toxic<unknown>>>();
  let closing: Promise<void> | null = null;

  const owned = (name: string): ToxiproxyProxy => {
    const p = proxies.get(name);
    if (!p) throw new Error(`toxiproxy: ${name} is not a proxy this lab created`);
    return p;
  };

  const handle: FaultProxies = {
    url,
    embedded: server !== null,

    async createProxy(name, listen, upstream) {
      checkName('proxy', name);
      checkAddress('listen', listen);
      checkAddress('upstream', upstream);
      let p: ToxiproxyProxy;
      try {
        p = await client.createProxy({ name, listen, upstream, enabled: true });
      } catch (err) {
        const hint =
          statusOf(err) === 409
            ? ` (a proxy named ${name} already exists; a killed run may have left it)`
            : '';
        throw describe(`create proxy ${name}${hint}`, err);
      }
      proxies.set(name, p);
      toxics.set(name, new Map());
      return info(p);
    },

    async addToxic(proxy, req) {
      const p = owned(proxy);
      const stream = req.stream ?? 'downstream';
      const name = req.name ?? `${req.type}_${stream}`;
      checkName('toxic', name);
      try {
        // The client's Type lists real Toxiproxy's toxics; the lab's server also knows
        // reset_on_commit.
        const t = await p.addToxic<ToxicAttributes>({
          name,
          type: req.type as 'latency',
          stream,
          toxicity: req.toxicity ?? 1,
          attributes: req.attributes,
        });
        toxics.get(proxy)!.set(t.name, t as Toxic<unknown>);
        return {
          name: t.name,
          type: t.type as ToxicType,
          stream: t.stream,
          toxicity: t.toxicity,
          attributes: { ...t.attributes },
        };
      } catch (err) {
        throw describe(`add toxic ${name} to ${proxy}`, err);
      }
    },

    async removeToxic(proxy, name) {
      const p = owned(proxy);
      const known = toxics.get(proxy)!;
      try {
        const t = known.get(name) ?? (await p.getToxic(name));
        await t.remove();
        known.delete(name);
      } catch (err) {
        throw describe(`remove toxic ${name} from ${proxy}`, err);
      }
    },

    async setEnabled(proxy, enabled) {
      const p = owned(proxy);
      try {
        const updated = await p.update({ enabled, listen: p.listen, upstream: p.upstream });
        proxies.set(proxy, updated);
        return info(updated);
      } catch (err) {
        throw describe(`${enabled ? 'enable' : 'disable'} proxy ${proxy}`, err);
      }
    },

    async reset() {
      const failures: string[] = [];
      for (const name of proxies.keys()) {
        try {
          const listed = await client.getApi().get<ToxicSpec[]>(`${url}/proxies/${name}/toxics`);
          for (const t of listed.data)
            await client.getApi().delete(`${url}/proxies/${name}/toxics/${t.name}`);
          toxics.get(name)!.clear();
          await handle.setEnabled(name, true);
        } catch (err) {
          failures.push(`${name}: ${(err as Error).message}`);
        }
      }
      if (failures.length > 0)
        throw new Error(`toxiproxy: reset failed for ${failures.join('; ')}`);
    },

    close() {
      closing ??= (async () => {
        unregister();
        const failures: string[] = [];
        for (const [name, p] of proxies) {
          try {
            await p.remove();
          } catch (err) {
            if (statusOf(err) !== 404) failures.push(`${name}: ${(err as Error).message}`);
          }
        }
        proxies.clear();
        toxics.clear();
        if (server) await server.stop();
        if (failures.length > 0)
          throw new Error(`toxiproxy: could not delete ${failures.join('; ')}`);
      })();
      return closing;
    },
  };

  const unregister = registerCleanup(
    `toxiproxy at ${url}: delete the lab's proxies and toxics`,
    () => handle.close(),
  );
  return handle;
}
