// A key-value map checked as one object: every history key holds a map of sub-keys. Useful when a
// tool records a whole table under one history key; otherwise prefer `register` per key, which
// splits the search (P-compositionality) and is far cheaper.
//
//   invoke value: { "f": "write", "key": K, "value": V } | { "f": "read", "key": K }
//   ok value:     a read's output is the value of K (null when never written)

import type { Model } from './model.ts';
import { inputOf, json } from './register.ts';

export type KvInput =
  | { f: 'write'; key: string | number; value: unknown }
  | { f: 'read'; key: string | number };
/** Sorted [key, JSON value] pairs, so equal maps have equal hashes. */
export type KvState = readonly (readonly [string, string])[];

function get(s: KvState, k: string): string {
  for (const [key, v] of s) if (key === k) return v;
  return 'null';
}

function set(s: KvState, k: string, v: string): KvState {
  const out = s.filter(([key]) => key !== k);
  out.push([k, v]);
  out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return out;
}

export const kvModel: Model<KvState, KvInput, unknown> = {
  name: 'kv',
  init: () => [],
  step(state, input, output) {
    const i = inputOf(input, ['read', 'write'], 'kv');
    const k = String(i.key);
    if (i.f === 'write') return [true, set(state, k, json(i.value))];
    return [output === undefined || json(output) === get(state, k), state];
  },
  equal: (a, b) => kvModel.hash(a) === kvModel.hash(b),
  hash: (s) => s.map(([k, v]) => `${k}=${v}`).join(';'),
  describeOp: (input, output) =>
    input.f === 'write'
      ? `write ${input.key}=${json(input.value)}`
      : `read ${input.key} → ${output === undefined ? '?' : json(output)}`,
  describeState: (s) =>
    s.length === 0 ? 'empty' : `{${s.map(([k, v]) => `${k}: ${v}`).join(', ')}}`,
  readOnly: (input) => input?.f === 'read',
  changesState: (input) => input?.f !== 'read',
};
