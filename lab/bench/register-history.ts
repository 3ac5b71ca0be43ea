// A generated cas-register history for benchmarks: C concurrent processes, each running ops back to
// back with random durations; every op takes effect at a random instant inside its interval, in
// the order of those instants, on a real register per key. A share of ops end `info` (half of them
// took effect, half did not). The history is linearizable by construction.

import type { HistoryEvent } from '../history/event.ts';
import { seededRng } from '../random/seeded-rng.ts';

export interface RegisterHistoryOptions {
  ops: number;
  processes: number;
  keys: number;
  /** Share of ops that end `info`, 0..1. */
  infoShare: number;
  seed: number;
}

export function registerHistory(o: RegisterHistoryOptions): HistoryEvent[] {
  const rand = seededRng(o.seed);
  const clock = new Array<number>(o.processes).fill(0);
  type Gen = {
    id: number;
    process: number;
    key: string;
    start: number;
    end: number;
    point: number;
    kind: 'read' | 'write' | 'cas';
    info: boolean;
    applies: boolean;
  };
  const gens: Gen[] = [];
  for (let id = 0; id < o.ops; id++) {
    const p = Math.floor(rand() * o.processes);
    const start = clock[p]! + 1 + Math.floor(rand() * 5);
    const end = start + 1 + Math.floor(rand() * 20);
    clock[p] = end;
    const roll = rand();
    const info = rand() < o.infoShare;
    gens.push({
      id,
      process: p,
      key: `k${Math.floor(rand() * o.keys)}`,
      start,
      end,
      point: start + rand() * (end - start),
      kind: roll < 0.5 ? 'read' : roll < 0.8 ? 'write' : 'cas',
      info,
      applies: !info || rand() < 0.5,
    });
  }
  const reg = new Map<string, number | null>();
  const events: Omit<HistoryEvent, 'index'>[] = [];
  const completions = new Map<number, Omit<HistoryEvent, 'index'>>();
  for (const g of [...gens].sort((a, b) => a.point - b.point)) {
    const cur = reg.get(g.key) ?? null;
    let input: unknown;
    let output: unknown = null;
    if (g.kind === 'read') {
      input = { f: 'read' };
      output = cur;
    } else if (g.kind === 'write') {
      input = { f: 'write', value: g.id };
      if (g.applies) reg.set(g.key, g.id);
    } else {
      const from = rand() < 0.7 ? cur : -1;
      input = { f: 'cas', value: [from, g.id] };
      output = g.applies && from === cur;
      if (output === true) reg.set(g.key, g.id);
    }
    const base = { op: g.id, process: g.process, client: g.process, f: g.kind, key: g.key };
    events.push({ type: 'invoke', time: g.start, ...base, value: input } as HistoryEvent);
    completions.set(g.id, {
      type: g.info ? 'info' : 'ok',
      time: g.end,
      ...base,
      value: g.info ? input : output,
    } as HistoryEvent);
  }
  const all = [...events, ...completions.values()];
  // Completions after invokes at equal times: an op that ends at t and one that starts at t
  // overlap.
  all.sort(
    (a, b) => a.time - b.time || (a.type === 'invoke' ? 1 : 0) - (b.type === 'invoke' ? 1 : 0),
  );
  return all.map((e, index) => ({ ...e, index }) as HistoryEvent);
}
