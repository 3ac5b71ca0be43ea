// Builds histories for the linearizability tests: ops with explicit intervals, turned into events.

import type { SearchOp } from '../../lab/checkers/linearizability/search.ts';
import type { HistoryEvent, Op } from '../../lab/history/event.ts';
import type { Model } from '../../specs/model.ts';
import { pairOps } from '../../lab/history/event.ts';

export interface TestOp {
  process?: number;
  key?: string;
  f?: string;
  input: unknown;
  output?: unknown;
  outcome?: 'ok' | 'fail' | 'info' | 'open';
  /** Invoke and completion times; any numbers, only their order matters. */
  at: [number, number];
}

export function eventsOf(ops: readonly TestOp[]): HistoryEvent[] {
  const evs: { t: number; seq: number; e: Omit<HistoryEvent, 'index'> }[] = [];
  ops.forEach((o, id) => {
    const base = {
      op: id,
      process: o.process ?? id,
      client: o.process ?? id,
      f: o.f ?? (o.input as { f?: string })?.f ?? 'op',
      ...(o.key !== undefined ? { key: o.key } : { key: 'x' }),
    };
    evs.push({
      t: o.at[0],
      seq: 2 * id,
      e: { type: 'invoke', time: o.at[0], ...base, value: o.input } as HistoryEvent,
    });
    const outcome = o.outcome ?? 'ok';
    if (outcome !== 'open') {
      evs.push({
        t: o.at[1],
        seq: 2 * id + 1,
        e: {
          type: outcome,
          time: o.at[1],
          ...base,
          value: outcome === 'ok' ? (o.output ?? null) : o.input,
        } as HistoryEvent,
      });
    }
  });
  evs.sort((a, b) => a.t - b.t || a.seq - b.seq);
  return evs.map((x, index) => ({ ...x.e, index }) as HistoryEvent);
}

export const opsOf = (ops: readonly TestOp[]): Op[] => pairOps(eventsOf(ops));

/**
 * The linearizability tests' reference: tries every order from `start` (an ok op must precede
 * every op invoked after it completed; ops of unknown outcome may be left out).
 */
export function bruteForce(model: Model, ops: readonly SearchOp[], start: unknown): boolean {
  const go = (state: unknown, left: readonly SearchOp[]): boolean => {
    if (left.every((o) => !o.known)) return true;
    for (const o of left) {
      // o can be next only if no other ok op left completed strictly before o was invoked.
      if (left.some((p) => p !== o && p.known && p.ret < o.call)) continue;
      const [legal, next] = model.step(state, o.input, o.output);
      if (
        legal &&
        go(
          next,
          left.filter((p) => p !== o),
        )
      )
        return true;
    }
    return false;
  };
  return go(start, ops);
}
