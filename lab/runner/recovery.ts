// When is a fault over? Not when its heal starts: a killed node restarts, joins, receives state and
// only then serves, and a switchboard moves back to it a poll later. Until then clients still see
// 1047s and severed connections that belong to the fault. The nemesis reads the system's state
// just before a fault and, after its heal, waits until the state is back (recovery.ts decides,
// purely; the probe reads the live topology).

import type { Cluster } from '../providers/cluster.ts';
import type { SwitchboardHandle } from '../routing/switchboard/proxy.ts';
import type { RecoveryProbe } from '../nemesis/nemesis.ts';

export interface ProxyState {
  name: string;
  active: string | null;
  /** Backends the proxy's last poll found healthy. */
  healthy: string[];
  serving: boolean;
}

export interface SystemState {
  /** Nodes that are Synced members of a Primary component and ready for clients. */
  up: string[];
  /** The running proxies. */
  proxies: ProxyState[];
}

/**
 * Back to the state before the fault: every node that was up is up again; every proxy that ran
 * runs, sees healthy again every backend it saw healthy, and routes to a healthy one (a proxy
 * re-chooses its active backend right after each poll, so once it sees the rejoined node healthy
 * it has also moved back if its rule moves back); at least as many proxies serve as before (a
 * leader-elected proxy may be another one than before).
 */
export function isBackTo(before: SystemState, now: SystemState): boolean {
  if (!before.up.every((n) => now.up.includes(n))) return false;
  for (const p of before.proxies) {
    const q = now.proxies.find((x) => x.name === p.name);
    if (!q) return false;
    if (!p.healthy.every((b) => q.healthy.includes(b))) return false;
    if (p.active !== null && (q.active === null || !q.healthy.includes(q.active))) return false;
  }
  const serving = (s: SystemState) => s.proxies.filter((p) => p.serving).length;
  return serving(now) >= serving(before);
}

const within = <T>(p: Promise<T>, ms: number, fallback: T): Promise<T> =>
  Promise.race([
    p.catch(() => fallback),
    new Promise<T>((r) => setTimeout(() => r(fallback), ms).unref()),
  ]);

/** Reads the live state; a node that does not answer within a second (paused, killed) is not up. */
export async function readSystemState(
  cluster: Pick<Cluster, 'nodes' | 'status'>,
  proxies: readonly SwitchboardHandle[],
): Promise<SystemState> {
  const up = await Promise.all(
    cluster.nodes.map(async (n) => {
      const st = await within(cluster.status(n.name), 1000, null);
      return st !== null && st.localState === 4 && st.clusterStatus === 'Primary' && st.ready
        ? n.name
        : null;
    }),
  );
  return {
    up: up.filter((n): n is string => n !== null),
    proxies: proxies.map((p) => ({
      name: p.name,
      active: p.activeBackend(),
      healthy: p
        .backends()
        .filter((b) => b.healthy)
        .map((b) => b.name),
      serving: p.isServing(),
    })),
  };
}

/** The probe the nemesis uses; `proxies` is the topology's live list (a killed proxy leaves it). */
export function recoveryProbe(
  cluster: Pick<Cluster, 'nodes' | 'status'>,
  proxies: readonly SwitchboardHandle[],
): RecoveryProbe<SystemState> {
  return {
    snapshot: () => readSystemState(cluster, proxies),
    isBack: async (before) => isBackTo(before, await readSystemState(cluster, proxies)),
  };
}
