// Sentences for anomalies. Transactions are "T<op id>" so a reader can grep the history for them;
// long lists are cut to their end, which is where list-append anomalies show.

import type { Graph } from './graph.ts';
import { edgeKindName, PROCESS, REALTIME, RW, WR, WW } from './graph.ts';
import type { Txns } from './txns.ts';
import { splitName } from './elle-names.ts';
import type { CycleAnomaly, CycleClass, CycleStep, CycleType } from './types.ts';

export const txnName = (txns: Txns, t: number): string => `T${txns.ops[t]!.op}`;

/** "[1, 2, 3]", or "[…, 8, 9, 10] (40 elements)" past `max`. */
export function listText(list: readonly number[], max = 6): string {
  if (list.length <= max) return `[${list.join(', ')}]`;
  return `[…, ${list.slice(list.length - max).join(', ')}] (${list.length} elements)`;
}

/** Up to `n` elements of `list` on each side of `index`. */
export function around(list: readonly number[], index: number, n = 2): number[] {
  return list.slice(Math.max(0, index - n), index + n + 1);
}

const CLASS_TEXT: Record<CycleClass, (rw: number) => string> = {
  G0: () => 'a cycle of write-write dependencies only (dirty write)',
  G1c: () => 'a cycle of write-write and write-read dependencies (circular information flow)',
  'G-single-item': () => 'a cycle with exactly one read-write anti-dependency (read skew)',
  'G-nonadjacent-item': (rw) =>
    `a cycle with ${rw} read-write anti-dependencies, no two of them adjacent (which even snapshot isolation forbids)`,
  'G2-item': (rw) =>
    `a cycle with ${rw} read-write anti-dependencies, two of them adjacent (write skew)`,
};

export class CycleExplainer {
  constructor(
    private readonly txns: Txns,
    private readonly g: Graph,
    /** Version order values per key, to name the append a ww edge follows. */
    private readonly orderOf: (key: number) => readonly number[],
  ) {}

  /** The cycle `edges` (in order) as an anomaly named `type` (its Elle name, elle-names.ts). */
  cycle(type: CycleType, edges: readonly number[]): CycleAnomaly {
    const g = this.g;
    const cycle: CycleStep[] = [];
    const parts: string[] = [];
    let rw = 0;
    let extra = 0;
    for (const e of edges) {
      const kind = g.kind[e]!;
      const step: CycleStep = {
        from: this.txns.ops[g.from[e]!]!.op,
        to: this.txns.ops[g.to[e]!]!.op,
        kind: edgeKindName(kind),
      };
      if (kind & (WW | WR | RW)) {
        step.key = this.txns.keys.value(g.key[e]!);
        step.value = g.value[e]!;
      }
      if (kind === RW) rw++;
      extra |= kind & (PROCESS | REALTIME);
      cycle.push(step);
      parts.push(this.step(e));
    }
    let text = `${parts.join(', ')}: ${CLASS_TEXT[splitName(type).cls](rw)}`;
    if (extra) {
      const which = [extra & PROCESS ? 'process' : '', extra & REALTIME ? 'real-time' : ''].filter(
        Boolean,
      );
      text += `, closed by ${which.join(' and ')} order`;
    }
    text += ` (Elle's ${type})`;
    return { type, cycle, explanation: `${text[0]!.toUpperCase()}${text.slice(1)}.` };
  }

  private step(e: number): string {
    const g = this.g;
    const a = txnName(this.txns, g.from[e]!);
    const b = txnName(this.txns, g.to[e]!);
    const k = g.key[e]!;
    const kn = this.txns.keys.name(k);
    const v = g.value[e]!;
    switch (g.kind[e]) {
      case WW: {
        const order = this.orderOf(k);
        const i = order.indexOf(v);
        if (i < 0)
          return `${b} appended ${v} to list ${kn} after ${a}'s append of ${order[order.length - 1]} (no read saw ${v}, so it came after the last append any read saw) (ww)`;
        return `${b} appended ${v} to list ${kn} after ${a}'s append of ${order[i - 1]} (ww)`;
      }
      case WR:
        return `${b} read list ${kn} ending in ${a}'s ${v} (wr)`;
      case RW:
        if (!this.orderOf(k).includes(v))
          return `${a} read list ${kn} without ${b}'s ${v}, which no read saw, so it came after every append read (rw)`;
        return `${a} read list ${kn} without ${b}'s ${v} (rw)`;
      case PROCESS:
        return `${a} ran before ${b} on process ${this.txns.ops[g.from[e]!]!.process} (process)`;
      default:
        return `${a} completed before ${b} began (realtime)`;
    }
  }
}
