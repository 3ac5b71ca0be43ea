// The local provider's partition ability: cuts between loopback addresses as iptables DROP rules in
// one chain of the cluster's own (lab/network/iptables.ts). The chain is made when the nemesis
// prepares a plan with partitions (or at the first cut), so a run without them needs no iptables,
// and removed by the cluster's stop().

import {
  createPartitionChain,
  cutsBetween,
  type Cut,
  type PartitionChain,
} from '../../network/iptables.ts';
import type { PartitionAbility, Sides } from '../cluster.ts';

export interface IptablesPartition extends PartitionAbility {
  /** Removes the chain (every cut with it). */
  remove(): Promise<void>;
}

export function iptablesPartition(hostOf: (node: string) => string): IptablesPartition {
  let chain: Promise<PartitionChain> | null = null;
  const cuts = new Map<string, Cut[]>();
  // The chain is created once; every caller awaits the same creation.
  const theChain = (): Promise<PartitionChain> => {
    chain ??= createPartitionChain();
    return chain;
  };
  const apply = async () => (await theChain()).set([...cuts.values()].flat());
  return {
    refuse: () => null,
    async prepare() {
      await theChain();
    },
    async cut(id: string, [a, b]: Sides) {
      cuts.set(id, cutsBetween(a.map(hostOf), b.map(hostOf)));
      await apply();
    },
    async heal(id: string) {
      if (!cuts.delete(id)) return;
      await apply();
    },
    async healAll() {
      if (cuts.size === 0) return;
      cuts.clear();
      await apply();
    },
    async remove() {
      cuts.clear();
      const c = chain;
      chain = null;
      if (c !== null) await (await c).remove();
    },
  };
}
