// The partition ability over SSH: one lab chain per host, created on the first cut, with a guard
// command held open on the host's session that removes the chain when the session ends (the lab
// closing it, crashing, or the network dropping it). Named cuts are kept so overlapping
// partitions heal one at a time.

import type { PartitionAbility, Sides } from '../cluster.ts';
import {
  chainName,
  createChainCommand,
  cutsForHost,
  cutsOf,
  guardCommand,
  removeChainCommand,
  setRulesCommand,
  type Cut,
} from './iptables.ts';
import type { SshSession } from './session.ts';

export interface HostChains extends PartitionAbility {
  /**
   * Makes every host's (empty) chain now, so the first cut costs one command per host, not three.
   */
  prepare(): Promise<void>;
  /** Removes every chain (the heal at the end, on Ctrl-C and by cleanup). */
  removeAll(): Promise<void>;
}

export function hostChains(
  runId: string,
  sessions: readonly SshSession[],
  onChain: (node: string, chain: string | null) => void,
): HostChains {
  const byNode = new Map(sessions.map((s) => [s.host.name, s]));
  const addressOf = (node: string) => {
    const s = byNode.get(node);
    if (!s)
      throw new Error(`partition: no host ${node}; hosts are ${[...byNode.keys()].join(', ')}`);
    return s.host.address;
  };
  const cuts = new Map<string, Cut[]>();
  const guards = new Map<string, { close(): void; closed: Promise<void> }>();

  const ensureChain = async (s: SshSession): Promise<string> => {
    const chain = chainName(runId, s.host.name);
    if (guards.has(s.host.name)) return chain;
    onChain(s.host.name, chain);
    await s.run(createChainCommand(chain));
    guards.set(s.host.name, await s.hold(guardCommand(chain)));
    return chain;
  };
  const apply = async () => {
    const all = [...cuts.values()].flat();
    await Promise.all(
      sessions.map(async (s) => {
        const mine = cutsForHost(all, s.host.address);
        if (mine.length === 0 && !guards.has(s.host.name)) return;
        const chain = await ensureChain(s);
        await s.run(setRulesCommand(chain, mine));
      }),
    );
  };

  return {
    refuse: (sides: Sides) => {
      for (const n of [...sides[0], ...sides[1]]) if (!byNode.has(n)) return `no host ${n}`;
      return null;
    },
    async cut(id, sides) {
      cuts.set(id, cutsOf(sides, addressOf));
      await apply();
    },
    async heal(id) {
      cuts.delete(id);
      await apply();
    },
    async prepare() {
      await Promise.all(sessions.map((s) => ensureChain(s)));
    },
    async removeAll() {
      cuts.clear();
      await Promise.allSettled(
        sessions.map(async (s) => {
          const g = guards.get(s.host.name);
          if (!g) return;
          guards.delete(s.host.name);
          // The explicit removal first (the guard's own is the fallback when the session is gone).
          await s
            .run(removeChainCommand(chainName(runId, s.host.name)), { timeoutMs: 30_000 })
            .catch(() => undefined);
          g.close();
          onChain(s.host.name, null);
        }),
      );
    },
  };
}
