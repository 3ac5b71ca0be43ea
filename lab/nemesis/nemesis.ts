// Runs a fault plan against a live topology: starts each fault at its time, heals it after its
// duration, and records both as `nemesis` events in the history (fault windows for the report).
// After a heal it watches, in the background and bounded, for the system to be back to its
// pre-fault state and records that as a `recovered` event: the fault's window lasts until then.
// stop() heals everything still active at once; it is registered for cleanup, so a Ctrl-C or a
// crash never leaves a partition, a paused node or a forced health answer behind.

import type { HistoryWriter } from '../history/writer.ts';
import { registerCleanup } from '../lifecycle/cleanup.ts';
import type { LocalCluster } from '../providers/local/cluster.ts';
import type { HealthcheckHandle } from '../routing/healthcheck/server.ts';
import { createPartitionChain, cutsBetween, type Cut, type PartitionChain } from '../network/iptables.ts';
import { partitionSides } from './schedule.ts';
import { loneNode } from '../providers/docker/disconnect.ts';
import type { FaultProxies } from '../toxiproxy/driver.ts';
import { toxicsFor } from './links.ts';
import type { FaultSpec } from './types.ts';
import { resolveTarget, roleOf, type RoleState } from './roles.ts';

function linksOf(ctx: NemesisContext): FaultProxies {
  if (!ctx.links) throw new Error('nemesis: link faults need the links routed through Toxiproxy (topology.links: toxiproxy)');
  return ctx.links;
}

export interface ProxyControl {
  names(): string[];
  kill(name: string): Promise<void>;
  start(name: string): Promise<void>;
}

/** Reads the system's state before a fault and tells when it is back to it (lab/runner/recovery.ts). */
export interface RecoveryProbe<S = unknown> {
  snapshot(): Promise<S>;
  isBack(before: S): Promise<boolean>;
}

/** How long after a heal the nemesis waits for the pre-fault state (an SST rejoin takes tens of seconds). */
export const RECOVERY_TIMEOUT_MS = 180_000;
const RECOVERY_POLL_MS = 500;

export interface NemesisContext {
  cluster: LocalCluster;
  /** Toxiproxy, when the topology routes its links through it (link faults need it). */
  links?: FaultProxies | null;
  healthchecks: HealthcheckHandle[];
  proxies: ProxyControl;
  writer: HistoryWriter;
  seed: number;
  log: (msg: string) => void;
  /** The live state role targets (active-of:proxy1, most-written, a-non-active) are resolved against. */
  roles?: () => RoleState;
  /** Without it no `recovered` event is recorded, and reports end a fault's window at its heal. */
  recovery?: RecoveryProbe<any>;
  recoveryTimeoutMs?: number;
}

export interface NemesisRun {
  /** Resolves when every planned fault has started and been healed. */
  done: Promise<void>;
  /** Heals every active fault now and cancels the rest of the plan. */
  stop(): Promise<void>;
}

interface Active {
  id: string;
  spec: FaultSpec;
  heal: () => Promise<void>;
  /** The system's state just before the fault (null: no probe, or it could not be read). */
  before: unknown;
}

export async function startNemesis(plan: FaultSpec[], ctx: NemesisContext): Promise<NemesisRun> {
  // A provider that partitions by network disconnect (Docker) needs no chain of the nemesis's own.
  const byDisconnect = ctx.cluster.disconnectNode !== undefined && ctx.cluster.connectNode !== undefined;
  const needsChain = plan.some((f) => f.kind === 'partition') && !byDisconnect;
  const disconnected = new Map<string, number>();
  const chain: PartitionChain | null = needsChain ? await createPartitionChain() : null;
  const partitions = new Map<string, Cut[]>();
  const active = new Map<string, Active>();
  const timers = new Set<NodeJS.Timeout>();
  const watchers = new Set<Promise<void>>();
  let stopped = false;
  const hostOf = (name: string) => {
    const n = ctx.cluster.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`nemesis: no node ${name}`);
    return n.host;
  };
  const applyPartitions = async () => chain!.set([...partitions.values()].flat());

  const begin = async (id: string, f: FaultSpec): Promise<() => Promise<void>> => {
    switch (f.kind) {
      case 'partition': {
        const names = ctx.cluster.nodes.map((n) => n.name);
        const [a, b] = partitionSides(f.target, names, ctx.seed);
        if (byDisconnect) {
          const alone = loneNode([a, b]);
          if (!alone) throw new Error(`partition ${f.target} splits ${a.join(',')} from ${b.join(',')}; this provider partitions by network disconnect, which cuts off one node only`);
          const n = disconnected.get(alone) ?? 0;
          if (n === 0) await ctx.cluster.disconnectNode!(alone);
          disconnected.set(alone, n + 1);
          return async () => {
            const left = (disconnected.get(alone) ?? 1) - 1;
            disconnected.set(alone, left);
            if (left === 0) await ctx.cluster.connectNode!(alone);
          };
        }
        partitions.set(id, cutsBetween(a.map(hostOf), b.map(hostOf)));
        await applyPartitions();
        return async () => {
          partitions.delete(id);
          await applyPartitions();
        };
      }
      case 'kill':
        await ctx.cluster.killNode(f.target);
        return async () => ctx.cluster.restartNode(f.target);
      case 'pause':
        ctx.cluster.pauseNode(f.target);
        return async () => ctx.cluster.resumeNode(f.target);
      case 'health-flap': {
        const h = ctx.healthchecks.find((x) => x.name === f.target);
        if (!h) throw new Error(`nemesis: no healthcheck for ${f.target} (health-flap needs topology.proxies ≥ 1)`);
        h.setOverride('unhealthy');
        return async () => h.setOverride(null);
      }
      case 'proxy-kill':
        await ctx.proxies.kill(f.target);
        return async () => ctx.proxies.start(f.target);
      case 'link-down': {
        const links = linksOf(ctx);
        await links.setEnabled(f.target, false);
        return async () => void (await links.setEnabled(f.target, true));
      }
      case 'link-latency':
      case 'link-reset':
      case 'link-timeout':
      case 'link-bandwidth': {
        const links = linksOf(ctx);
        const added: string[] = [];
        try {
          for (const t of toxicsFor(f, id)) added.push((await links.addToxic(f.target, t)).name);
        } catch (e) {
          for (const name of added) await links.removeToxic(f.target, name).catch(() => {});
          throw e;
        }
        return async () => {
          for (const name of added) await links.removeToxic(f.target, name);
        };
      }
    }
  };

  const heal = async (a: Active) => {
    if (!active.delete(a.id)) return;
    try {
      await a.heal();
    } catch (e) {
      ctx.log(`nemesis: healing ${a.id} failed: ${(e as Error).message}`);
    }
    ctx.writer.append({ type: 'nemesis', phase: 'stop', fault: a.id, kind: a.spec.kind, detail: { target: a.spec.target } });
    ctx.log(`nemesis: healed ${a.id}`);
    // In the background: the schedule goes on while the system recovers.
    if (!stopped && ctx.recovery && a.before !== null) {
      const w = watchRecovery(a).finally(() => watchers.delete(w));
      watchers.add(w);
    }
  };

  const watchRecovery = async (a: Active) => {
    const startedAt = Date.now();
    const deadline = startedAt + (ctx.recoveryTimeoutMs ?? RECOVERY_TIMEOUT_MS);
    while (!stopped) {
      const back = await ctx.recovery!.isBack(a.before).catch(() => false);
      if (stopped) return;
      if (back) {
        ctx.writer.append({ type: 'nemesis', phase: 'event', fault: a.id, kind: 'recovered', detail: { target: a.spec.target, afterHealSec: (Date.now() - startedAt) / 1000 } });
        ctx.log(`nemesis: ${a.id}: back to the pre-fault state ${((Date.now() - startedAt) / 1000).toFixed(1)} s after the heal`);
        return;
      }
      if (Date.now() > deadline) {
        ctx.log(`nemesis: ${a.id}: not back to the pre-fault state within ${((deadline - startedAt) / 1000).toFixed(0)} s of the heal; its window ends at the heal`);
        return;
      }
      // Not in `timers`: stop() clears those, and a cleared sleep would never wake this watcher.
      await new Promise((r) => setTimeout(r, RECOVERY_POLL_MS));
    }
  };

  const stop = async () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    for (const a of [...active.values()].reverse()) await heal(a);
    // A watcher sees `stopped` after its current probe; none appends once stop() returns.
    await Promise.allSettled([...watchers]);
    if (chain) await chain.remove();
    unregister();
  };
  const unregister = registerCleanup('nemesis: heal every fault', stop);

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, Math.max(0, ms));
      timers.add(t);
    });

  const safeSides = (target: string): [string[], string[]] | null => {
    try {
      return partitionSides(target, ctx.cluster.nodes.map((n) => n.name), ctx.seed);
    } catch {
      return null;
    }
  };

  const t0 = Date.now();
  const done = Promise.all(
    plan.map(async (f, i) => {
      const id = `${f.kind}-${i + 1}`;
      await wait(f.at * 1000 - (Date.now() - t0));
      if (stopped) return;
      const before = ctx.recovery ? await ctx.recovery.snapshot().catch(() => null) : null;
      if (stopped) return;
      // A role target is resolved now, at the fault's start, and both are recorded: the report says
      // "active-of:proxy1 (n2)" and the quorum-loss finder knows which node the fault meant.
      let concrete: FaultSpec = f;
      let node: string | undefined;
      let resolveError: string | null = null;
      if (roleOf(f.kind, f.target)) {
        try {
          if (!ctx.roles) throw new Error('role targets need the live topology state');
          const r = resolveTarget(f.kind, f.target, ctx.roles(), ctx.seed, i);
          concrete = { ...f, target: r.target };
          node = r.node;
        } catch (e) {
          resolveError = (e as Error).message;
        }
      }
      const sides = concrete.kind === 'partition' && !resolveError ? safeSides(concrete.target) : null;
      ctx.writer.append({ type: 'nemesis', phase: 'start', fault: id, kind: f.kind, detail: { target: f.target, ...(node ? { node } : {}), ...(sides ? { sides } : {}), duration: f.duration } });
      ctx.log(`nemesis: ${id} on ${f.target}${node ? ` (${node})` : ''} for ${f.duration} s`);
      let healFn: () => Promise<void>;
      try {
        if (resolveError) throw new Error(resolveError);
        healFn = await begin(id, concrete);
      } catch (e) {
        ctx.writer.append({ type: 'nemesis', phase: 'stop', fault: id, kind: f.kind, detail: { target: f.target, error: (e as Error).message } });
        ctx.log(`nemesis: ${id} could not start: ${(e as Error).message}`);
        return;
      }
      const a: Active = { id, spec: concrete, heal: healFn, before };
      active.set(id, a);
      await wait(f.duration * 1000);
      if (!stopped) await heal(a);
    }),
  ).then(() => undefined);
  return { done, stop };
}
