// A read/write register, the simplest linearizable object (Herlihy & Wing). One instance per key.
//
//   invoke value: { "f": "write", "value": V } | { "f": "read" }
//   ok value:     a read's output is the value read (null before any write); a write's is ignored
//
// Values are compared as JSON, so any JSON value can be written.

import { ModelInputError, type Model } from './model.ts';

export type RegisterInput = { f: 'write'; value: unknown } | { f: 'read' };
export type RegisterState = string; // the JSON of the current value; 'null' before any write

export function inputOf(input: unknown, allowed: readonly string[], model: string): { f: string; value?: unknown; key?: unknown } {
  const f = (input as { f?: unknown } | null)?.f;
  if (typeof f !== 'string' || !allowed.includes(f)) {
    throw new ModelInputError(`model ${model}: an op's invoke value must be an object with "f" one of ${allowed.join(', ')}; got ${JSON.stringify(input)}`);
  }
  return input as { f: string; value?: unknown; key?: unknown };
}

export const json = (v: unknown): string => JSON.stringify(v ?? null);

export const registerModel: Model<RegisterState, RegisterInput, unknown> = {
  name: 'register',
  init: () => 'null',
  step(state, input, output) {
    const i = inputOf(input, ['read', 'write'], 'register');
    if (i.f === 'write') return [true, json(i.value)];
    return [output === undefined || json(output) === state, state];
  },
  equal: (a, b) => a === b,
  hash: (s) => s,
  describeOp: (input, output) => (input.f === 'write' ? `write ${json(input.value)}` : `read → ${output === undefined ? '?' : json(output)}`),
  describeState: (s) => `value ${s}`,
  readOnly: (input) => input?.f === 'read',
};
