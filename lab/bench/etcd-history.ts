// A generated history in the shape of Jepsen's etcd cas-register tests: one key, 5 processes
// running ops back to back (reads half the time, writes and cas of values 0..4 the rest), each op
// taking effect at a random instant inside its interval on a real register; an op that times out
// ends `info` (it took effect or not, half each) and its process continues under a new id, as in
// Jepsen. `stale` plants one stale read late in the history: a read answering the value the
// register held before the latest change, which makes most such histories non-linearizable.

import type { HistoryEvent } from '../history/event.ts';
import { seededRng } from '../random/seeded-rng.ts';

export interface EtcdHistoryOptions {
  ops: number;
  seed: number;
  /** Share of ops that time out (`info`), 0..1. */
  timeouts: number;
  stale: boolean;
  processes?: number;
}

export function etcdHistory(o: EtcdHistoryOptions): HistoryEvent[] {
  const rand = seededRng(o.seed);
  const procs = o.processes ?? 5;
  const clock = new Array<number>(procs).fill(0);
  const pid = Array.from({ length: procs }, (_, i) => i);
  type Gen = { id: number; process: number; start: number; end: number; point: number; f: 'read' | 'write' | 'cas'; a: number; b: number; info: boolean; applies: boolean };
  const gens: Gen[] = [];
  for (let id = 0; id < o.ops; id++) {
    const w = Math.floor(rand() * procs);
    const info = rand() < o.timeouts;
    const start = clock[w]! + 1 + Math.floor(rand() * 3);
    const end = start + (info ? 100 : 1 + Math.floor(rand() * 10));
    clock[w] = end;
    const roll = rand();
    const f = roll < 0.5 ? 'read' : roll < 0.75 ? 'write' : 'cas';
    gens.push({ id, process: pid[w]!, start, end, point: start + rand() * (end - start), f, a: Math.floor(rand() * 5), b: Math.floor(rand() * 5), info, applies: !info || rand() < 0.5 });
    if (info) pid[w] = pid[w]! + procs;
  }
  let reg: number | null = null;
  let previous: number | null = null;
  const outputs = new Map<number, unknown>();
  const reads: { id: number; stale: number | null }[] = [];
  for (const g of [...gens].sort((x, y) => x.point - y.point)) {
    if (g.f === 'read') {
      outputs.set(g.id, reg);
      if (previous !== reg) reads.push({ id: g.id, stale: previous });
    } else if (g.f === 'write') {
      if (g.applies && reg !== g.a) [previous, reg] = [reg, g.a];
    } else {
      const swapped = g.applies && reg === g.a;
      outputs.set(g.id, swapped);
      if (swapped && reg !== g.b) [previous, reg] = [reg, g.b];
    }
  }
  if (o.stale && reads.length > 0) {
    const r = reads[Math.floor(reads.length * (0.6 + 0.4 * rand()))] ?? reads[reads.length - 1]!;
    outputs.set(r.id, r.stale);
  }
  const events: Omit<HistoryEvent, 'index'>[] = [];
  for (const g of gens) {
    const input = g.f === 'read' ? { f: 'read' } : g.f === 'write' ? { f: 'write', value: g.a } : { f: 'cas', value: [g.a, g.b] };
    const base = { op: g.id, process: g.process, client: g.process % procs, f: g.f, key: 'r' };
    events.push({ type: 'invoke', time: g.start, ...base, value: input } as HistoryEvent);
    events.push({ type: g.info ? 'info' : 'ok', time: g.end, ...base, value: g.info ? input : (outputs.get(g.id) ?? null) } as HistoryEvent);
  }
  events.sort((a, b) => a.time - b.time || (a.type === 'invoke' ? 1 : 0) - (b.type === 'invoke' ? 1 : 0));
  return events.map((e, index) => ({ ...e, index }) as HistoryEvent);
}
