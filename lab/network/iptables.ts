// Network partitions between Galera nodes with iptables DROP rules, in a chain the lab owns.
// The machine is shared: rules live only in chains named CHAIN_PREFIX-<id>, match only the
// cluster's own loopback addresses (never `lo` as a whole), and are jumped to from INPUT (every
// loopback packet passes INPUT once). Removing the jump and the chain heals everything at once.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { registerCleanup } from '../lifecycle/cleanup.ts';
import { processAlive } from '../lifecycle/process-alive.ts';

const exec = promisify(execFile);

export const CHAIN_PREFIX = 'BBSLAB';
const IPTABLES = 'iptables';

async function ipt(args: string[]): Promise<string> {
  const { stdout } = await exec(IPTABLES, ['-w', '5', ...args], { timeout: 15_000 });
  return stdout;
}

const LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** A directed cut: packets from `from` to `to` are dropped. */
export interface Cut {
  from: string;
  to: string;
}

export interface PartitionChain {
  name: string;
  /** Replaces the chain's rules with exactly these cuts (both directions must be listed). */
  set(cuts: Cut[]): Promise<void>;
  /** Drops every rule: the network is whole again. */
  heal(): Promise<void>;
  rules(): Promise<string[]>;
  /** Removes the jump and the chain. */
  remove(): Promise<void>;
}

export async function createPartitionChain(): Promise<PartitionChain> {
  // The owner's pid is in the name so that `cleanup` can tell a live run's chain from a dead one's.
  const name = `${CHAIN_PREFIX}-${process.pid}-${randomBytes(3).toString('hex')}`;
  await ipt(['-N', name]);
  await ipt(['-I', 'INPUT', '-j', name]);
  let removed = false;
  const remove = async () => {
    if (removed) return;
    removed = true;
    unregister();
    await removeChain(name);
  };
  const unregister = registerCleanup(`iptables chain ${name}`, remove);
  return {
    name,
    async set(cuts) {
      for (const c of cuts) {
        if (!LOOPBACK.test(c.from) || !LOOPBACK.test(c.to))
          throw new Error(`partition: only loopback addresses may be cut, got ${c.from} → ${c.to}`);
      }
      await ipt(['-F', name]);
      for (const c of cuts)
        await ipt(['-A', name, '-s', `${c.from}/32`, '-d', `${c.to}/32`, '-j', 'DROP']);
    },
    async heal() {
      await ipt(['-F', name]);
    },
    async rules() {
      return (await ipt(['-S', name])).split('\n').filter((l) => l.startsWith('-A '));
    },
    remove,
  };
}

async function removeChain(name: string): Promise<void> {
  // Delete every jump to it (there is one, but a crashed run may have left more), then the chain.
  for (;;) {
    try {
      await ipt(['-D', 'INPUT', '-j', name]);
    } catch {
      break;
    }
  }
  await ipt(['-F', name]).catch(() => {});
  await ipt(['-X', name]).catch(() => {});
}

/** The lab's chains that exist now (from any run, live or dead). */
export async function listLabChains(): Promise<string[]> {
  let out: string;
  try {
    out = await ipt(['-S']);
  } catch {
    return [];
  }
  return out
    .split('\n')
    .filter((l) => l.startsWith(`-N ${CHAIN_PREFIX}-`))
    .map((l) => l.slice(3).trim());
}

export function chainOwner(chain: string): number | null {
  const m = new RegExp(`^${CHAIN_PREFIX}-(\\d+)-`).exec(chain);
  return m ? Number(m[1]) : null;
}

/**
 * For `bbs-lab cleanup`: removes the lab's chains whose run is gone (all with `force`) and the
 * jumps to them.
 */
export async function removeLabChains(
  opts: { force?: boolean } = {},
): Promise<{ removed: string[]; kept: string[] }> {
  const removed: string[] = [];
  const kept: string[] = [];
  for (const c of await listLabChains()) {
    const owner = chainOwner(c);
    if (!opts.force && owner !== null && owner !== process.pid && processAlive(owner)) {
      kept.push(c);
      continue;
    }
    await removeChain(c);
    removed.push(c);
  }
  return { removed, kept };
}

/** Both directions between every node of `a` and every node of `b`. */
export function cutsBetween(a: readonly string[], b: readonly string[]): Cut[] {
  const cuts: Cut[] = [];
  for (const x of a) for (const y of b) cuts.push({ from: x, to: y }, { from: y, to: x });
  return cuts;
}

/**
 * The rules of this process's chains (a reused cluster must have none naming its nodes); [] without
 * iptables.
 */
export async function ownChainRules(): Promise<string[]> {
  const rules: string[] = [];
  for (const c of await listLabChains()) {
    if (chainOwner(c) !== process.pid) continue;
    const out = await ipt(['-S', c]).catch(() => '');
    rules.push(...out.split('\n').filter((l) => l.startsWith('-A ')));
  }
  return rules;
}
