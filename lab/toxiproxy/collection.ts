// The set of proxies, by name. Every change runs alone (exclusive), because starting or stopping a
// listener awaits, and two requests interleaving across that await could both create one name.

import { parseLoopbackAddress } from './address.ts';
import type { ProxyInput } from './bodies.ts';
import { ApiError, proxyAlreadyExists, proxyNotFound } from './errors.ts';
import { ToxicProxy } from './proxy.ts';

export interface PopulateOutcome {
  proxies: ToxicProxy[];
  error: ApiError | null;
}

export class ProxyCollection {
  private readonly proxies = new Map<string, ToxicProxy>();
  private tail: Promise<unknown> = Promise.resolve();

  exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  list(): ToxicProxy[] {
    return [...this.proxies.values()];
  }

  get(name: string): ToxicProxy {
    const p = this.proxies.get(name);
    if (!p) throw proxyNotFound();
    return p;
  }

  async add(input: ProxyInput): Promise<ToxicProxy> {
    const proxy = new ToxicProxy(input.name, input.listen, input.upstream);
    if (this.proxies.has(input.name)) throw proxyAlreadyExists();
    if (input.enabled) await proxy.start();
    this.proxies.set(input.name, proxy);
    return proxy;
  }

  async update(name: string, input: Omit<ProxyInput, 'name'>): Promise<ToxicProxy> {
    const proxy = this.get(name);
    parseLoopbackAddress('listen', input.listen);
    parseLoopbackAddress('upstream', input.upstream);
    if (input.listen !== proxy.listen || input.upstream !== proxy.upstream) {
      // A new address means a new listener (and the old connections go), as in the real Update.
      await proxy.stop();
      proxy.listen = input.listen;
      proxy.requestedListen = input.listen;
      proxy.upstream = input.upstream;
    }
    if (input.enabled && !proxy.enabled) await proxy.start();
    if (!input.enabled && proxy.enabled) await proxy.stop();
    return proxy;
  }

  async remove(name: string): Promise<void> {
    const proxy = this.get(name);
    this.proxies.delete(name);
    await proxy.stop();
  }

  /**
   * Creates or replaces each listed proxy. One whose listen and upstream are unchanged is kept as
   * it is (toxics, connections and enabled state included) — which makes /populate idempotent. A
   * listen given with port 0 matches the proxy made from it, whose bound port is not 0.
   */
  async populate(inputs: readonly ProxyInput[]): Promise<PopulateOutcome> {
    for (const i of inputs) {
      parseLoopbackAddress('listen', i.listen);
      parseLoopbackAddress('upstream', i.upstream);
    }
    const done: ToxicProxy[] = [];
    try {
      for (const input of inputs) {
        const existing = this.proxies.get(input.name);
        if (existing) {
          const sameListen =
            input.listen === existing.listen || input.listen === existing.requestedListen;
          if (sameListen && input.upstream === existing.upstream) {
            done.push(existing);
            continue;
          }
          await this.remove(input.name);
        }
        done.push(await this.add(input));
      }
      return { proxies: done, error: null };
    } catch (err) {
      if (err instanceof ApiError) return { proxies: done, error: err };
      throw err;
    }
  }

  /** Enables every proxy and removes every toxic. */
  async reset(): Promise<void> {
    for (const p of this.proxies.values()) {
      await p.start();
      p.resetToxics();
    }
  }

  async stopAll(): Promise<void> {
    const all = this.list();
    this.proxies.clear();
    await Promise.all(all.map((p) => p.stop()));
  }
}
