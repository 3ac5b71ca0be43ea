// The history's txn ops as dense arrays indexed 0..n-1 (the graph's vertices), and every append
// indexed by its value: values are unique, so a value seen in a read names its writer.

import type { Op } from '../../history/event.ts';
import type { AnomalySink } from './collect.ts';

export const OK = 0;
export const INFO = 1;
export const FAIL = 2;

export type AppendMicro = readonly ['append', number, number];
/** A read's list is null when the txn did not complete ok, so what it saw is unknown. */
export type ReadMicro = readonly ['r', number, readonly number[] | null];
export type Micro = AppendMicro | ReadMicro;

export interface Txns {
  n: number;
  ops: readonly Op[];
  /** OK, INFO (info or never completed) or FAIL. */
  status: Uint8Array;
  micro: (readonly Micro[])[];
}

export function parseTxns(all: readonly Op[]): Txns {
  const ops = all.filter((o) => o.f === 'txn');
  const status = new Uint8Array(ops.length);
  const micro: (readonly Micro[])[] = [];
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i]!;
    const type = o.complete?.type;
    status[i] = type === 'ok' ? OK : type === 'fail' ? FAIL : INFO;
    // Only an ok completion says what the reads saw; anything else keeps the invoke's micro-ops.
    const source = type === 'ok' && Array.isArray(o.complete!.value) ? o.complete!.value : o.invoke.value;
    micro.push(normalise(source, type === 'ok'));
  }
  return { n: ops.length, ops, status, micro };
}

function normalise(value: unknown, readsKnown: boolean): readonly Micro[] {
  if (!Array.isArray(value)) return [];
  // The common case, a well-formed list, is used as it is: no copy of 100k arrays.
  if (value.every((m) => wellFormed(m, readsKnown))) return value as Micro[];
  const out: Micro[] = [];
  for (const m of value as unknown[]) {
    if (!Array.isArray(m) || typeof m[1] !== 'number') continue;
    if (m[0] === 'append' && typeof m[2] === 'number') out.push(m as unknown as AppendMicro);
    else if (m[0] === 'r') out.push(readsKnown && Array.isArray(m[2]) ? (m as unknown as ReadMicro) : ['r', m[1], null]);
  }
  return out;
}

function wellFormed(m: unknown, readsKnown: boolean): boolean {
  if (!Array.isArray(m) || typeof m[1] !== 'number') return false;
  if (m[0] === 'append') return typeof m[2] === 'number';
  return m[0] === 'r' && (readsKnown ? Array.isArray(m[2]) : m[2] === null);
}

export interface Appends {
  count: number;
  byValue: Map<number, number>;
  txn: number[];
  key: number[];
  value: number[];
  /** 1 when the append is its txn's last to that key: reading any other one of its appends is G1b. */
  final: Uint8Array;
}

export function indexAppends(txns: Txns, sink: AnomalySink): Appends {
  const byValue = new Map<number, number>();
  const txn: number[] = [];
  const key: number[] = [];
  const value: number[] = [];
  const finalList: number[] = [];
  for (let t = 0; t < txns.n; t++) {
    const first = txn.length;
    for (const m of txns.micro[t]!) {
      if (m[0] !== 'append') continue;
      const v = m[2];
      const prior = byValue.get(v);
      if (prior !== undefined) {
        // The checker's premise is broken: reads can no longer name one writer. Keep the first.
        const other = txn[prior]!;
        sink.add('duplicate-append', () => ({
          type: 'duplicate-append',
          op: txns.ops[t]!.op,
          txn: txns.ops[other]!.op,
          key: m[1],
          value: v,
          explanation: `T${txns.ops[t]!.op} and T${txns.ops[other]!.op} both append ${v}; appended values must be unique.`,
        }));
        continue;
      }
      byValue.set(v, txn.length);
      txn.push(t);
      key.push(m[1]);
      value.push(v);
      finalList.push(0);
    }
    // Walking back, the first append seen for each key is the txn's final one to it.
    const seen: number[] = [];
    for (let a = txn.length - 1; a >= first; a--) {
      if (!seen.includes(key[a]!)) {
        seen.push(key[a]!);
        finalList[a] = 1;
      }
    }
  }
  return { count: txn.length, byValue, txn, key, value, final: Uint8Array.from(finalList) };
}
