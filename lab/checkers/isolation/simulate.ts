// Known-valid list-append histories for tests and benchmarks: txns run one at a time against an
// in-memory store, each at a serialization point inside its [invoke, complete] window, while the
// windows of different clients overlap. The serial order is then consistent with real-time and
// process order, so every such history is serializable (strictly) and must check valid.

import type { Op } from '../../history/event.ts';
import { seededRng } from '../../random/seeded-rng.ts';

/** A planned micro-op on a key slot (slots map to keys; see maxAppendsPerKey). */
export type PlannedMicro = readonly ['append' | 'r', number];

/**
 * info-applied / open-applied: the client is not told (info, or no completion at all) but the
 * txn took effect; -lost: it did not. fail never takes effect.
 */
export type PlannedOutcome =
  | 'ok'
  | 'fail'
  | 'info-applied'
  | 'info-lost'
  | 'open-applied'
  | 'open-lost';

export interface PlannedTxn {
  micro: readonly PlannedMicro[];
  outcome: PlannedOutcome;
  /** Picks the client: client % clients. */
  client: number;
  /** Time after the previous txn's serialization point (≥ 0). */
  gap: number;
  /** How long before its serialization point the txn was invoked, at most. */
  lead: number;
  /** How long after its serialization point it completed. */
  lag: number;
}

export interface SimulateOptions {
  clients: number;
  /**
   * Retire a slot's key after this many appends and use a fresh key (bounds list length, as Elle
   * does).
   */
  maxAppendsPerKey?: number;
}

type Micro = ['append', number, number] | ['r', number, number[] | null];

export function simulateSerial(plan: readonly PlannedTxn[], opts: SimulateOptions): Op[] {
  const lists = new Map<number, number[]>();
  const appended = new Map<number, number>();
  const slotKey = new Map<number, number>();
  let nextKey = 0;
  for (const t of plan) for (const [, s] of t.micro) if (s >= nextKey) nextKey = s + 1;
  const max = opts.maxAppendsPerKey ?? Infinity;
  const free = new Array<number>(opts.clients).fill(0);
  const process = Array.from({ length: opts.clients }, (_, i) => i);
  let nextProcess = opts.clients;
  let nextValue = 1;
  let point = 0;
  let index = 0;
  const ops: Op[] = [];

  plan.forEach((p, op) => {
    const client = p.client % opts.clients;
    point = Math.max(point + 1 + p.gap, free[client]! + 1);
    const invokeTime = Math.max(free[client]! + 1, point - p.lead);
    const completeTime = point + p.lag;
    free[client] = completeTime;

    const invoke: Micro[] = p.micro.map(([f, slot]) => {
      let key = slotKey.get(slot) ?? slot;
      if ((appended.get(key) ?? 0) >= max) {
        key = nextKey++;
        slotKey.set(slot, key);
      }
      if (f === 'r') return ['r', key, null];
      appended.set(key, (appended.get(key) ?? 0) + 1);
      return ['append', key, nextValue++];
    });
    const applies =
      p.outcome === 'ok' || p.outcome === 'info-applied' || p.outcome === 'open-applied';
    const result: Micro[] = invoke.map((m) => {
      if (!applies) return m;
      const list = lists.get(m[1]) ?? [];
      if (m[0] === 'r') return ['r', m[1], list.slice()];
      list.push(m[2]);
      lists.set(m[1], list);
      return m;
    });

    const base = { op, process: process[client]!, client, f: 'txn' };
    const o: Op = {
      ...base,
      invoke: { type: 'invoke', index: index++, time: invokeTime, ...base, value: invoke },
    };
    if (p.outcome === 'ok')
      o.complete = { type: 'ok', index: index++, time: completeTime, ...base, value: result };
    else if (p.outcome === 'fail')
      o.complete = { type: 'fail', index: index++, time: completeTime, ...base, value: invoke };
    else if (p.outcome.startsWith('info'))
      o.complete = { type: 'info', index: index++, time: completeTime, ...base, value: invoke };
    // As in Jepsen, a process whose op may still be running is never reused.
    if (p.outcome !== 'ok' && p.outcome !== 'fail') process[client] = nextProcess++;
    ops.push(o);
  });
  return ops;
}

/** A plan like the lab's workload: `clients` concurrent clients, `keys` hot keys, 1–4 micro-ops. */
export function randomPlan(
  size: number,
  seed: number,
  shape: { clients: number; keys: number; infoRate?: number; failRate?: number },
): PlannedTxn[] {
  const rand = seededRng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const info = shape.infoRate ?? 0.02;
  const fail = shape.failRate ?? 0.02;
  const plan: PlannedTxn[] = [];
  for (let i = 0; i < size; i++) {
    const micro: PlannedMicro[] = [];
    for (let j = 1 + int(4); j > 0; j--)
      micro.push([rand() < 0.5 ? 'r' : 'append', int(shape.keys)]);
    const u = rand();
    const outcome: PlannedOutcome =
      u < fail ? 'fail' : u < fail + info ? (rand() < 0.5 ? 'info-applied' : 'info-lost') : 'ok';
    plan.push({
      micro,
      outcome,
      client: int(shape.clients),
      gap: int(3),
      lead: int(10 * shape.clients),
      lag: int(10 * shape.clients),
    });
  }
  return plan;
}
