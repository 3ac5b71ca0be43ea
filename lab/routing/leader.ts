// Proxies behind Consul, the two ways CF-MySQL tried in 2016 (FACTS.md):
// - registered: every switchboard proxy is a Consul service (`mysql`) with a TCP check, so clients
//   resolving mysql.service.consul get the addresses of the proxies that answer;
// - leader: the proxies compete for one Consul lock (v1/locks/mysql_lock, as c07b699c did) and only
//   the holder serves and is registered, so every client reaches the same proxy and every write
//   the same node, even when proxies would disagree on health.
// A proxy the nemesis kills "crashes": its lock is abandoned, not released, so the next proxy only
// gets it once the session lapses on the agent (up to 2×TTL), then after the lock delay.

import type { ConsulHandle, ConsulLock } from '../consul/driver.ts';
import type { SwitchboardHandle } from './switchboard/types.ts';

export const SERVICE = 'mysql';
export const LOCK_KEY = 'v1/locks/mysql_lock';

export interface ProxyRef {
  name: string;
  host: string;
  port: number;
  /** The running switchboard of that name, or undefined while it is down. */
  handle(): SwitchboardHandle | undefined;
}

export interface ProxyConsulOptions {
  mode: 'registered' | 'leader';
  /** Session TTL of the leader lock; Consul's minimum is 10 s. */
  ttl: string;
  lockDelay: string;
  onEvent?(e: {
    proxy: string;
    event: 'leader' | 'lost-leadership' | 'registered' | 'deregistered';
    detail?: string;
  }): void;
}

export interface ProxyConsul {
  /** Resolves when a proxy serves and is registered as passing. */
  ready(timeoutMs: number): Promise<void>;
  /** The proxy process died: stop renewing its lock (it lapses), stop campaigning. */
  crashed(name: string): void;
  /** It runs again: register it / campaign again. */
  restarted(name: string): Promise<void>;
  leader(): string | null;
  stop(): Promise<void>;
}

const serviceId = (proxy: string) => `${SERVICE}-${proxy}`;

export async function startProxyConsul(
  consul: ConsulHandle,
  proxies: readonly ProxyRef[],
  o: ProxyConsulOptions,
): Promise<ProxyConsul> {
  let stopped = false;
  const alive = new Map(proxies.map((p) => [p.name, true]));
  const locks = new Map<string, ConsulLock>();
  const campaigns = new Map<string, Promise<void>>();
  // Attempts in flight: stop() waits for them, so none takes the lock after the stop.
  const attempts = new Set<Promise<unknown>>();

  const register = async (p: ProxyRef) => {
    await consul.registerService({
      id: serviceId(p.name),
      name: SERVICE,
      address: p.host,
      port: p.port,
      check: { tcp: `${p.host}:${p.port}`, interval: '1s', timeout: '1s' },
    });
    o.onEvent?.({ proxy: p.name, event: 'registered' });
  };
  const deregister = async (p: ProxyRef) => {
    await consul.deregister(serviceId(p.name)).catch(() => undefined);
    o.onEvent?.({ proxy: p.name, event: 'deregistered' });
  };

  const campaign = (p: ProxyRef): Promise<void> =>
    (async () => {
      while (!stopped && alive.get(p.name)) {
        let lock: ConsulLock | null = null;
        // Stopped while the attempt ran: it lets go cleanly inside the attempt, which stop() waits
        // for, so a stop leaves no session or lock behind.
        const attempt = (async () => {
          const l = await consul.acquireLock(LOCK_KEY, p.name, {
            ttl: o.ttl,
            lockDelay: o.lockDelay,
            behavior: 'release',
            sessionName: `switchboard-${p.name}`,
            waitMs: 2000,
            retryMs: 500,
            cancelled: () => stopped || !alive.get(p.name),
          });
          if (l && stopped) {
            await l.release().catch(() => undefined);
            return null;
          }
          return l;
        })();
        attempts.add(attempt);
        try {
          lock = await attempt;
        } catch {
          await new Promise((r) => setTimeout(r, 500));
          continue;
        } finally {
          attempts.delete(attempt);
        }
        if (!lock) continue;
        // A crashed proxy's lock is abandoned, as its process would leave it.
        if (!alive.get(p.name)) {
          lock.abandon();
          return;
        }
        locks.set(p.name, lock);
        p.handle()?.setServing(true);
        await register(p).catch(() => undefined);
        o.onEvent?.({ proxy: p.name, event: 'leader' });
        const reason = await lock.lost;
        locks.delete(p.name);
        p.handle()?.setServing(false);
        o.onEvent?.({ proxy: p.name, event: 'lost-leadership', detail: reason });
        if (alive.get(p.name)) await deregister(p);
      }
    })();

  if (o.mode === 'registered') {
    for (const p of proxies) await register(p);
  } else {
    for (const p of proxies) campaigns.set(p.name, campaign(p));
  }

  return {
    async ready(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while ((await consul.passingAddresses(SERVICE).catch(() => [])).length === 0) {
        if (Date.now() > deadline)
          throw new Error(
            `no ${SERVICE} proxy was registered and passing in Consul within ${timeoutMs / 1000} s`,
          );
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    crashed(name) {
      alive.set(name, false);
      // A dead process renews nothing; its registration stays, and its TCP check goes critical.
      locks.get(name)?.abandon();
      locks.delete(name);
    },
    async restarted(name) {
      const p = proxies.find((x) => x.name === name);
      if (!p) return;
      alive.set(name, true);
      if (o.mode === 'registered') return;
      p.handle()?.setServing(false);
      await deregister(p);
      campaigns.set(name, campaign(p));
    },
    leader: () => [...locks.keys()][0] ?? null,
    async stop() {
      stopped = true;
      await Promise.allSettled([...attempts]);
      for (const l of locks.values()) await l.release().catch(() => undefined);
      locks.clear();
    },
  };
}
