// A grow-only set. One instance per key.
//
//   invoke value: { "f": "add", "value": V } | { "f": "read" }
//   ok value:     a read's output is the array of elements (any order; duplicates are an error)

import type { Model } from './model.ts';
import { inputOf, json } from './register.ts';

export type SetInput = { f: 'add'; value: unknown } | { f: 'read' };
/** The JSON of each element, sorted. */
export type SetState = readonly string[];

function canonical(elements: unknown): string[] | null {
  if (!Array.isArray(elements)) return null;
  const out = elements.map(json).sort();
  for (let i = 1; i < out.length; i++) if (out[i] === out[i - 1]) return null;
  return out;
}

export const setModel: Model<SetState, SetInput, unknown> = {
  name: 'set',
  init: () => [],
  step(state, input, output) {
    const i = inputOf(input, ['add', 'read'], 'set');
    if (i.f === 'add') {
      const v = json(i.value);
      return [true, state.includes(v) ? state : [...state, v].sort()];
    }
    if (output === undefined) return [true, state];
    const seen = canonical(output);
    return [
      seen !== null && seen.length === state.length && seen.every((v, n) => v === state[n]),
      state,
    ];
  },
  equal: (a, b) => a.length === b.length && a.every((v, n) => v === b[n]),
  hash: (s) => s.join(','),
  describeOp: (input, output) =>
    input.f === 'add'
      ? `add ${json(input.value)}`
      : `read → ${output === undefined ? '?' : json(output)}`,
  describeState: (s) => `{${s.join(', ')}}`,
  readOnly: (input) => input?.f === 'read',
  changesState: (input) => input?.f !== 'read',
};
