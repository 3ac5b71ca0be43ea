// A generated history in the shape of Jepsen's etcd cas-register tests: one key, 5 processes
// running ops back to back (reads half the time, writes and cas of values 0..4 the rest), each op
// taking effect at a random instant inside its interval on a real register; an op that times out
// ends `info` (it took effect or not, half each) and its process continues under a new id, as in
// Jepsen. Without `stale` the history is linearizable by construction.
//
// `stale` plants one stale read late in the history, chosen so that the history is certainly not
// linearizable (plantStaleRead says why); a read answering merely the value before the latest
// change is often still explainable with values 0..4 (another write of it, an `info` op that may
// take effect late), so the read is re-answered only with a value no linearization can give it.

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

export interface Gen {
  id: number;
  process: number;
  start: number;
  end: number;
  point: number;
  f: 'read' | 'write' | 'cas';
  a: number;
  b: number;
  info: boolean;
  applies: boolean;
}

export function etcdHistory(o: EtcdHistoryOptions): HistoryEvent[] {
  const rand = seededRng(o.seed);
  const procs = o.processes ?? 5;
  const clock = new Array<number>(procs).fill(0);
  const pid = Array.from({ length: procs }, (_, i) => i);
  const gens: Gen[] = [];
  for (let id = 0; id < o.ops; id++) {
    const w = Math.floor(rand() * procs);
    const info = rand() < o.timeouts;
    const start = clock[w]! + 1 + Math.floor(rand() * 3);
    const end = start + (info ? 100 : 1 + Math.floor(rand() * 10));
    clock[w] = end;
    const roll = rand();
    const f = roll < 0.5 ? 'read' : roll < 0.75 ? 'write' : 'cas';
    gens.push({
      id,
      process: pid[w]!,
      start,
      end,
      point: start + rand() * (end - start),
      f,
      a: Math.floor(rand() * 5),
      b: Math.floor(rand() * 5),
      info,
      applies: !info || rand() < 0.5,
    });
    if (info) pid[w] = pid[w]! + procs;
  }
  let reg: number | null = null;
  let previous: number | null = null;
  const outputs = new Map<number, unknown>();
  // ok reads in the order they took effect, with the value the register held before its latest
  // change.
  const reads: { id: number; stale: number | null }[] = [];
  for (const g of [...gens].sort((x, y) => x.point - y.point)) {
    if (g.f === 'read') {
      outputs.set(g.id, reg);
      if (!g.info) reads.push({ id: g.id, stale: previous });
    } else if (g.f === 'write') {
      if (g.applies && reg !== g.a) [previous, reg] = [reg, g.a];
    } else {
      const swapped = g.applies && reg === g.a;
      outputs.set(g.id, swapped);
      if (swapped && reg !== g.b) [previous, reg] = [reg, g.b];
    }
  }
  if (o.stale) {
    const tail = reads.slice(Math.floor(reads.length * 0.6));
    const planted = plantStaleRead(gens, outputs, tail, Math.floor(rand() * tail.length));
    if (!planted)
      throw new Error(
        `etcdHistory: no read to plant a stale answer in (seed ${o.seed}, ${o.ops} ops): use more ops`,
      );
  }
  const events: Omit<HistoryEvent, 'index'>[] = [];
  for (const g of gens) {
    const input =
      g.f === 'read'
        ? { f: 'read' }
        : g.f === 'write'
          ? { f: 'write', value: g.a }
          : { f: 'cas', value: [g.a, g.b] };
    const base = { op: g.id, process: g.process, client: g.process % procs, f: g.f, key: 'r' };
    events.push({ type: 'invoke', time: g.start, ...base, value: input } as HistoryEvent);
    events.push({
      type: g.info ? 'info' : 'ok',
      time: g.end,
      ...base,
      value: g.info ? input : (outputs.get(g.id) ?? null),
    } as HistoryEvent);
  }
  events.sort(
    (a, b) => a.time - b.time || (a.type === 'invoke' ? 1 : 0) - (b.type === 'invoke' ? 1 : 0),
  );
  return events.map((e, index) => ({ ...e, index }) as HistoryEvent);
}

/** The value an op leaves in the register when it takes effect (undefined: it cannot change it). */
function setsTo(g: Gen, output: unknown): number | undefined {
  if (g.f === 'write') return g.a;
  if (g.f === 'cas' && (g.info || output === true)) return g.b;
  return undefined;
}

/**
 * Re-answers one of `reads` (tried from `first` on, wrapping round) with a value v it cannot have
 * read in any linearization. The proof: an ok op W that sets u ≠ v completed before the read was
 * invoked, so W takes effect before the read; every op that can set v and is invoked by the read's
 * completion is an ok op that completed before W was invoked, so it takes effect before W; no
 * `info` op that can set v is invoked by then (it could take effect at any later time). So
 * whatever the order, the last op setting the register before the read sets something other than
 * v. v = null always qualifies once some write completed before the read (no op writes null);
 * the register's value before its latest change is tried first, as etcd's stale reads would show.
 * Returns false when no read qualifies (a history too short to have a completed write first).
 */
export function plantStaleRead(
  gens: readonly Gen[],
  outputs: Map<number, unknown>,
  reads: readonly { id: number; stale: number | null }[],
  first: number,
): boolean {
  for (let n = 0; n < reads.length; n++) {
    const r = reads[(first + n) % reads.length]!;
    const read = gens[r.id]!;
    const actual = outputs.get(read.id) ?? null;
    for (const v of [r.stale, null, 0, 1, 2, 3, 4]) {
      if (v === actual) continue;
      // The latest-invoked ok op that sets something other than v and completed before the read
      // began.
      let w: Gen | undefined;
      for (const g of gens) {
        const to = setsTo(g, outputs.get(g.id));
        if (
          !g.info &&
          to !== undefined &&
          to !== v &&
          g.end < read.start &&
          (!w || g.start > w.start)
        )
          w = g;
      }
      if (!w) continue;
      const wStart = w.start;
      const restorable = gens.some(
        (g) =>
          setsTo(g, outputs.get(g.id)) === v && g.start <= read.end && (g.info || g.end >= wStart),
      );
      if (restorable) continue;
      outputs.set(read.id, v);
      return true;
    }
  }
  return false;
}
