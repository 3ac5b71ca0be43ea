// Builds histories for the linearizability tests: ops with explicit intervals, turned into events.

import type { HistoryEvent, Op } from '../../lab/history/event.ts';
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
