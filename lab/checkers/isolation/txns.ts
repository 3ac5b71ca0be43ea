// The history's txn ops as dense arrays indexed 0..n-1 (the graph's vertices), and every append
// indexed by its key and value. As in Elle, a value is unique per key (the same value appended to
// two keys is fine), so a value seen in a read of key k names its one writer among k's appends.

import type { Op } from '../../history/event.ts';
import type { AnomalySink } from './collect.ts';
import type { ListKey } from './types.ts';

export const OK = 0;
export const INFO = 1;
export const FAIL = 2;

export type AppendMicro = readonly ['append', number, number];
/**
 * A read's list is null when the txn did not complete ok, so what it saw is unknown. An ok txn's
 * read of null is the empty list (Elle's reading of a key never written), stored as [].
 */
export type ReadMicro = readonly ['r', number, readonly number[] | null];
export type Micro = AppendMicro | ReadMicro;

/**
 * Keys inside the checker are numbers (typed arrays, cheap compares). A history whose keys are all
 * numbers uses them as they are; any string key makes every key a dense id, keyed by its JSON.
 */
export interface KeyNames {
  /** The key as written in the history, for anomalies in results.json. */
  value(k: number): ListKey;
  /** The key for sentences. */
  name(k: number): string;
}

const NUMBER_KEYS: KeyNames = { value: (k) => k, name: (k) => String(k) };

export interface Txns {
  n: number;
  ops: readonly Op[];
  /** OK, INFO (info or never completed) or FAIL. */
  status: Uint8Array;
  micro: (readonly Micro[])[];
  keys: KeyNames;
}

/** A txn's value the checker cannot read; `event` says which of the op's two events holds it. */
export class TxnInputError extends Error {
  constructor(
    readonly op: number,
    readonly event: 'invoke' | 'ok',
    message: string,
  ) {
    super(message);
  }
}

export function parseTxns(all: readonly Op[]): Txns {
  const ops = all.filter((o) => o.f === 'txn');
  const status = new Uint8Array(ops.length);
  const sources: unknown[][] = [];
  let stringKeys = false;
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i]!;
    const type = o.complete?.type;
    status[i] = type === 'ok' ? OK : type === 'fail' ? FAIL : INFO;
    // Only an ok completion says what the reads saw; anything else keeps the invoke's micro-ops.
    const fromOk = type === 'ok' && o.complete!.value !== undefined;
    const source = fromOk ? o.complete!.value : o.invoke.value;
    const event = fromOk ? 'ok' : 'invoke';
    if (!Array.isArray(source))
      throw new TxnInputError(
        o.op,
        event,
        `txn ${o.op}: its value must be a list of micro-ops like ["append", key, 3] or ["r", key, [1, 2]], got ${JSON.stringify(source) ?? 'nothing'}`,
      );
    source.forEach((m, j) => {
      const problem = microProblem(m, type === 'ok');
      if (problem)
        throw new TxnInputError(
          o.op,
          event,
          `txn ${o.op}, micro-op ${j} (${JSON.stringify(m)}): ${problem}`,
        );
      if (typeof (m as unknown[])[1] === 'string') stringKeys = true;
    });
    sources.push(source);
  }
  const keys = stringKeys ? new KeyTable() : null;
  const micro = sources.map((source, i) => normalise(source, status[i] === OK, keys));
  return { n: ops.length, ops, status, micro, keys: keys ?? NUMBER_KEYS };
}

function microProblem(m: unknown, readsKnown: boolean): string | null {
  if (!Array.isArray(m) || m.length !== 3)
    return 'a micro-op is a list of three: ["append", key, value] or ["r", key, list]';
  const [f, k, v] = m as unknown[];
  if (f !== 'append' && f !== 'r')
    return `the first element must be "append" or "r", got ${JSON.stringify(f)}`;
  if (!(typeof k === 'string' || (typeof k === 'number' && Number.isFinite(k))))
    return `the key must be a number or a string, got ${JSON.stringify(k)}`;
  if (f === 'append' && !(typeof v === 'number' && Number.isFinite(v)))
    return `an appended value must be a number (unique per key), got ${JSON.stringify(v)}`;
  if (f === 'r' && readsKnown) {
    // null is the empty list (as Elle reads it); a missing list says nothing and is refused.
    if (v === null) return null;
    if (!Array.isArray(v))
      return `an ok txn's read must carry the list it read (an array; [] or null for an empty list), got ${JSON.stringify(v) ?? 'nothing'}`;
    if (!v.every((x) => typeof x === 'number' && Number.isFinite(x)))
      return 'a read list holds appended values, which are numbers';
  }
  return null;
}

class KeyTable implements KeyNames {
  private readonly ids = new Map<string, number>();
  private readonly originals: ListKey[] = [];
  private mixed = false;
  private kinds = new Set<string>();

  id(k: ListKey): number {
    const json = JSON.stringify(k);
    let id = this.ids.get(json);
    if (id === undefined) {
      id = this.originals.length;
      this.ids.set(json, id);
      this.originals.push(k);
      this.kinds.add(typeof k);
      this.mixed = this.kinds.size > 1;
    }
    return id;
  }

  value(k: number): ListKey {
    return this.originals[k]!;
  }

  name(k: number): string {
    const v = this.originals[k]!;
    // With both kinds present, "1" and 1 are different keys: quote the strings.
    return typeof v === 'string' && !this.mixed ? v : JSON.stringify(v);
  }
}

const EMPTY: readonly number[] = Object.freeze([]);

function normalise(value: unknown[], readsKnown: boolean, keys: KeyTable | null): readonly Micro[] {
  // The common case, number keys and every read as expected, is used as it is: no copy of 100k
  // arrays.
  const asIs = (m: unknown[]) => m[0] !== 'r' || (readsKnown ? m[2] !== null : m[2] === null);
  if (keys === null && (value as unknown[][]).every(asIs)) return value as unknown as Micro[];
  return (value as unknown[][]).map((m): Micro => {
    const k = keys ? keys.id(m[1] as ListKey) : (m[1] as number);
    if (m[0] === 'append') return ['append', k, m[2] as number];
    return ['r', k, readsKnown ? ((m[2] as number[] | null) ?? EMPTY) : null];
  });
}

export interface Appends {
  count: number;
  /** Per key, each appended value's append index. */
  byKey: Map<number, Map<number, number>>;
  txn: number[];
  key: number[];
  value: number[];
  /**
   * 1 when the append is its txn's last to that key: reading any other one of its appends is G1b.
   */
  final: Uint8Array;
}

/** The append of `value` to `key`, or -1 when no txn appended it there. */
export function appendOf(appends: Appends, key: number, value: number): number {
  return appends.byKey.get(key)?.get(value) ?? -1;
}

export function indexAppends(txns: Txns, sink: AnomalySink): Appends {
  const byKey = new Map<number, Map<number, number>>();
  const txn: number[] = [];
  const key: number[] = [];
  const value: number[] = [];
  const finalList: number[] = [];
  for (let t = 0; t < txns.n; t++) {
    const first = txn.length;
    for (const m of txns.micro[t]!) {
      if (m[0] !== 'append') continue;
      const v = m[2];
      let byValue = byKey.get(m[1]);
      if (byValue === undefined) {
        byValue = new Map();
        byKey.set(m[1], byValue);
      }
      const prior = byValue.get(v);
      if (prior !== undefined) {
        // The checker's premise is broken: reads can no longer name one writer. Keep the first.
        const other = txn[prior]!;
        sink.add('duplicate-append', () => ({
          type: 'duplicate-append',
          op: txns.ops[t]!.op,
          txn: txns.ops[other]!.op,
          key: txns.keys.value(m[1]),
          value: v,
          explanation:
            other === t
              ? `T${txns.ops[t]!.op} appends ${v} to list ${txns.keys.name(m[1])} twice; a value may be appended to a key only once.`
              : `T${txns.ops[t]!.op} and T${txns.ops[other]!.op} both append ${v} to list ${txns.keys.name(m[1])}; a value may be appended to a key only once.`,
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
  return { count: txn.length, byKey, txn, key, value, final: Uint8Array.from(finalList) };
}
