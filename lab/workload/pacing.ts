// Offered load (clients.rate): when each client's next op is due. Client c's slot k is due at
// offset(c) + k / rate seconds after the workload's start (Jepsen's stagger, without per-op
// jitter so the offered load is exact); the offsets are seeded and spread clients over one
// interval so they do not fire in lockstep. A client has one op in flight at a time, so an op
// that outlasts its interval (or a backoff pause) puts the client behind. The rule then, chosen
// so the offered load is never exceeded: a client ready behind its schedule issues at once the
// latest slot that has come due and skips the older ones (they are counted, never made up in a
// burst). Pure: times in seconds since the workload's start; lab/report/rate.ts reads the same
// rule back from the history.

import { deriveSeed, seededRng } from '../random/seeded-rng.ts';

/** The seed stream of the clients' offsets (lab/random deriveSeed), apart from the op streams. */
const RATE_STREAM = 0x72617465;

export interface Grid {
  rate: number;
  /** The client's slot 0, in seconds after the workload's start: its offset, in [0, 1 / rate). */
  origin: number;
}

/** Client `client`'s offset: seeded, uniform over one interval. */
export function clientOffsetSec(seed: number, client: number, rate: number): number {
  return seededRng(deriveSeed(seed, RATE_STREAM, client))() / rate;
}

export function slotTime(g: Grid, k: number): number {
  return g.origin + k / g.rate;
}

/** The latest slot due at or before `t` (−1 before slot 0). */
export function latestSlotAt(g: Grid, t: number): number {
  let k = Math.floor((t - g.origin) * g.rate);
  // Floating point may put k one off either way; slotTime is the reference.
  while (k >= 0 && slotTime(g, k) > t) k--;
  while (slotTime(g, k + 1) <= t) k++;
  return Math.max(-1, k);
}

export interface Take {
  slot: number;
  /** When the op is due: its slot's time, or `ready` when the client was behind (busy past it). */
  due: number;
}

/**
 * The slot a client takes when it is ready at `ready` and `next` is its first slot not yet taken
 * or skipped: `next` itself when it is not yet due (the client waits for it), else the latest slot
 * due by then, at once. Slots between `next` and the one taken are skipped.
 */
export function takeSlot(g: Grid, next: number, ready: number): Take {
  const t = slotTime(g, next);
  if (t >= ready) return { slot: next, due: t };
  return { slot: Math.max(next, latestSlotAt(g, ready)), due: ready };
}

/** Slots due before `end` (the workload's duration): what a client is offered. */
export function slotsBefore(g: Grid, end: number): number {
  if (end <= g.origin) return 0;
  const k = latestSlotAt(g, end);
  return slotTime(g, k) < end ? k + 1 : k;
}
