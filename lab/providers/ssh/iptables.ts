// Partitions on SSH hosts: each host gets an iptables chain of the lab's own, jumped to from INPUT,
// holding DROP rules for the cuts whose destination is that host. Rules name both addresses
// (source and destination), so when several "hosts" share one kernel (the tests here) their chains
// never drop each other's traffic. Pure command building; the provider runs them over SSH.

import type { Sides } from '../cluster.ts';

/** Not the local nemesis's BBSLAB- prefix: its `cleanup` would take these chains for its own. */
export const SSH_CHAIN_PREFIX = 'BBSSSH';
const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const IPT = 'iptables -w 5';

export interface Cut {
  from: string;
  to: string;
}

/** iptables chain names are at most 28 characters. */
export function chainName(runId: string, node: string): string {
  const name = `${SSH_CHAIN_PREFIX}-${runId}-${node}`;
  if (name.length > 28 || !/^[A-Za-z0-9-]+$/.test(name))
    throw new Error(`iptables chain name ${name} is not valid (at most 28 letters, digits and -)`);
  return name;
}

/** Both directions between every address of side a and every address of side b. */
export function cutsOf(sides: Sides, addressOf: (node: string) => string): Cut[] {
  const cuts: Cut[] = [];
  for (const x of sides[0])
    for (const y of sides[1])
      cuts.push({ from: addressOf(x), to: addressOf(y) }, { from: addressOf(y), to: addressOf(x) });
  return cuts;
}

/**
 * The cuts one host enforces: those arriving at it (its INPUT sees only packets for it on a real
 * host).
 */
export function cutsForHost(cuts: readonly Cut[], address: string): Cut[] {
  const seen = new Set<string>();
  return cuts.filter((c) => {
    const k = `${c.from}>${c.to}`;
    if (c.to !== address || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function createChainCommand(chain: string): string {
  return `${IPT} -N ${chain} && ${IPT} -I INPUT -j ${chain}`;
}

/** Removes every jump to the chain, then the chain; succeeds when it is already gone. */
export function removeChainCommand(chain: string): string {
  return `while ${IPT} -D INPUT -j ${chain} 2>/dev/null; do :; done; ${IPT} -F ${chain} 2>/dev/null; ${IPT} -X ${chain} 2>/dev/null; true`;
}

/**
 * Held open for the run over the host's SSH session: it waits for its stdin to end, which happens
 * when the lab closes it or when the session drops (the lab crashed, the network went), and then
 * removes the chain. So a host never stays partitioned by a lab that is gone.
 */
export function guardCommand(chain: string): string {
  return `trap '' HUP INT TERM PIPE; cat >/dev/null; ${removeChainCommand(chain)}`;
}

/** Replaces the chain's rules with exactly these cuts (already filtered to this host). */
export function setRulesCommand(chain: string, cuts: readonly Cut[]): string {
  for (const c of cuts) {
    if (!IPV4.test(c.from) || !IPV4.test(c.to))
      throw new Error(
        `partition: rules need IPv4 addresses, got ${c.from} → ${c.to}; give the hosts by address in the target`,
      );
  }
  return [
    `${IPT} -F ${chain}`,
    ...cuts.map((c) => `${IPT} -A ${chain} -s ${c.from}/32 -d ${c.to}/32 -j DROP`),
  ].join(' && ');
}

/**
 * Whether `command` is one the lab's chain code builds for this chain (attach mode's allow-list).
 */
export function isChainCommand(command: string, chain: string): boolean {
  if (
    command === createChainCommand(chain) ||
    command === removeChainCommand(chain) ||
    command === guardCommand(chain)
  )
    return true;
  const parts = command.split(' && ');
  if (parts[0] !== `${IPT} -F ${chain}`) return false;
  const rule = new RegExp(
    `^${IPT.replace(/ /g, ' ')} -A ${chain} -s (\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3})/32 -d (\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3})/32 -j DROP$`,
  );
  return parts.slice(1).every((p) => rule.test(p));
}
