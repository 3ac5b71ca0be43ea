// Runs a fault plan against a live topology: starts each fault at its time, heals it after its
// duration, and records both as `nemesis` events in the history (fault windows for the report).
// After a heal it watches, in the background and bounded, for the system to be back to its
// pre-fault state and records that as a `recovered` event: the fault's window lasts until then.
// stop() heals everything still active at once; it is registered for cleanup, so a Ctrl-C or a
// crash never leaves a partition, a paused node or a forced health answer behind.

import type { HistoryWriter } from '../history/writer.ts';
import { registerCleanup } from '../lifecycle/cleanup.ts';
import { FAULTS, type FaultContext, type Heal } from './faults/index.ts';
import type { FaultSpec } from './types.ts';
import { resolveTarget, roleOf, type RoleResolution, type RoleState } from './roles.ts';

export type { ProxyControl } from './faults/index.ts';

/** Reads the system's state before a fault and tells when it is back to it (lab/runner/recovery.ts). */
export interface RecoveryProbe<S = unknown> {
  snapshot(): Promise<S>;
  isBack(before: S): Promise<boolean>;
}

/** How long after a heal the nemesis waits for the pre-fault state (an SST rejoin takes tens of seconds). */
export const RECOVERY_TIMEOUT_MS = 180_000;
const RECOVERY_POLL_MS = 500;

export interface NemesisContext extends FaultContext {
  writer: HistoryWriter;
  /** The live state role targets (active-of:proxy1, most-written, a-non-active) are resolved against. */
  roles?: () => RoleState;
  /** Without it no `recovered` event is recorded, and reports end a fault's window at its heal. */
  recovery?: RecoveryProbe<unknown>;
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
  // Once per kind in the plan, before anything starts: a missing permission fails the run here.
  for (const kind of new Set(plan.map((f) => f.kind))) await FAULTS[kind].prepare?.(ctx);
  const active = new Map<string, Active>();
  const timers = new Set<NodeJS.Timeout>();
  const watchers = new Set<Promise<void>>();
  let stopped = false;
  const begin = (id: string, f: FaultSpec): Promise<Heal> => FAULTS[f.kind].start(ctx, f, id);

  const heal = async (a: Active) => {
    if (!active.delete(a.id)) return;
    try {
      await a.heal();
    } catch (e) {
      ctx.log(`nemesis: healing ${a.id} failed: ${(e as Error).message}`);
    }
    ctx.writer.append({
      type: 'nemesis',
      phase: 'stop',
      fault: a.id,
      kind: a.spec.kind,
      detail: { target: a.spec.target },
    });
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
        ctx.writer.append({
          type: 'nemesis',
          phase: 'event',
          fault: a.id,
          kind: 'recovered',
          detail: { target: a.spec.target, afterHealSec: (Date.now() - startedAt) / 1000 },
        });
        ctx.log(
          `nemesis: ${a.id}: back to the pre-fault state ${((Date.now() - startedAt) / 1000).toFixed(1)} s after the heal`,
        );
        return;
      }
      if (Date.now() > deadline) {
        ctx.log(
          `nemesis: ${a.id}: not back to the pre-fault state within ${((deadline - startedAt) / 1000).toFixed(0)} s of the heal; its window ends at the heal`,
        );
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
    unregister();
  };
  const unregister = registerCleanup('nemesis: heal every fault', stop);

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(
        () => {
          timers.delete(t);
          resolve();
        },
        Math.max(0, ms),
      );
      timers.add(t);
    });

  // A network-cut kind's sides, recorded with its start (quorum-loss reads them); null for others.
  const safeSides = (f: FaultSpec): [string[], string[]] | null => {
    try {
      return (
        FAULTS[f.kind].sides?.(
          f.target,
          ctx.cluster.nodes.map((n) => n.name),
          ctx.seed,
        ) ?? null
      );
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
      let resolution: RoleResolution | undefined;
      let resolveError: string | null = null;
      if (roleOf(FAULTS[f.kind], f.target)) {
        try {
          if (!ctx.roles) throw new Error('role targets need the live topology state');
          const r = resolveTarget(FAULTS[f.kind], f.target, ctx.roles(), ctx.seed, i);
          concrete = { ...f, target: r.target };
          node = r.node;
          resolution = r.resolution;
        } catch (e) {
          resolveError = (e as Error).message;
        }
      }
      const sides = resolveError ? null : safeSides(concrete);
      ctx.writer.append({
        type: 'nemesis',
        phase: 'start',
        fault: id,
        kind: f.kind,
        detail: {
          target: f.target,
          ...(node ? { node } : {}),
          ...(resolution ? { resolution } : {}),
          ...(sides ? { sides } : {}),
          duration: f.duration,
        },
      });
      ctx.log(
        `nemesis: ${id} on ${f.target}${node ? ` (${resolution?.text ?? node})` : ''} for ${f.duration} s`,
      );
      let healFn: () => Promise<void>;
      try {
        if (resolveError) throw new Error(resolveError);
        healFn = await begin(id, concrete);
      } catch (e) {
        ctx.writer.append({
          type: 'nemesis',
          phase: 'stop',
          fault: id,
          kind: f.kind,
          detail: { target: f.target, error: (e as Error).message },
        });
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
