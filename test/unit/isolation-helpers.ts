// Small builders for hand-written list-append histories, and the checks every result must pass.

import type { ExecutionContext } from 'ava';
import type { Op } from '../../lab/history/event.ts';
import { ANOMALY_TYPES, type IsolationResult } from '../../lab/checkers/isolation/index.ts';

export type M = ['append', number, number] | ['r', number, number[] | null];

export interface TxnOpts {
  process?: number;
  /** [invoke, complete] times; by default op*10 .. op*10+5, i.e. every txn in sequence. */
  at?: [number, number];
  outcome?: 'ok' | 'fail' | 'info' | 'open';
}

/** A txn op with id `op`; reads written with their result, which only an ok completion reports. */
export function txn(op: number, micro: M[], o: TxnOpts = {}): Op {
  const [start, end] = o.at ?? [op * 10, op * 10 + 5];
  const outcome = o.outcome ?? 'ok';
  const base = { op, process: o.process ?? op, client: o.process ?? op, f: 'txn' };
  const invokeValue = micro.map((m): M => (m[0] === 'r' ? ['r', m[1], null] : m));
  const result: Op = {
    ...base,
    invoke: { type: 'invoke', index: op * 2, time: start, ...base, value: invokeValue },
  };
  if (outcome !== 'open') {
    result.complete = {
      type: outcome,
      index: op * 2 + 1,
      time: end,
      ...base,
      value: outcome === 'ok' ? micro : invokeValue,
    };
  }
  return result;
}

/** The result's invariants: counts and examples agree, and every txn it names is in the history. */
export function assertWellFormed(
  t: ExecutionContext,
  res: IsolationResult,
  ops: readonly Op[],
): void {
  const ids = new Set(ops.map((o) => o.op));
  t.deepEqual(Object.keys(res.counts).sort(), [...ANOMALY_TYPES].sort());
  t.deepEqual(Object.keys(res.anomalies).sort(), [...ANOMALY_TYPES].sort());
  t.is(
    res.valid,
    ANOMALY_TYPES.every((k) => res.counts[k] === 0),
  );
  for (const k of ANOMALY_TYPES) {
    t.true(res.anomalies[k].length <= res.counts[k]);
    t.is(res.anomalies[k].length > 0, res.counts[k] > 0);
    for (const a of res.anomalies[k]) {
      t.is(a.type, k);
      const json = JSON.stringify(a);
      t.deepEqual(JSON.parse(json), a, 'plain JSON');
      for (const m of json.matchAll(/"(?:op|from|to|txn)":\s*(-?\d+)/g))
        t.true(ids.has(Number(m[1])), `${k} names op ${m[1]}`);
    }
  }
}

/** Only the anomaly types with a non-zero count. */
export function found(res: IsolationResult): Partial<Record<string, number>> {
  return Object.fromEntries(Object.entries(res.counts).filter(([, n]) => n > 0));
}
