// A read/write register, the simplest linearizable object (Herlihy & Wing). One instance per key.
//
//   invoke value: { "f": "write", "value": V } | { "f": "read" }
//   ok value:     a read's output is the value read (null before any write); a write's is ignored
//
// Values are compared as JSON values, structurally: objects with the same members in another key
// order are equal (the state is the canonical JSON text, keys sorted, so equal values hash alike).

import { ModelInputError, type Model } from './model.ts';

export type RegisterInput = { f: 'write'; value: unknown } | { f: 'read' };
export type RegisterState = string; // the JSON of the current value; 'null' before any write

export function inputOf(
  input: unknown,
  allowed: readonly string[],
  model: string,
): { f: string; value?: unknown; key?: unknown } {
  const f = (input as { f?: unknown } | null)?.f;
  if (typeof f !== 'string' || !allowed.includes(f)) {
    throw new ModelInputError(
      `model ${model}: an op's invoke value must be an object with "f" one of ${allowed.join(', ')}; got ${JSON.stringify(input)}`,
    );
  }
  return input as { f: string; value?: unknown; key?: unknown };
}

/**
 * Canonical JSON: object keys sorted at every depth, so structurally equal values give one text.
 */
export function json(v: unknown): string {
  if (v === null || v === undefined || typeof v !== 'object')
    return JSON.stringify(v ?? null) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : json(x))).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${json(o[k])}`).join(',')}}`;
}

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
  describeOp: (input, output) =>
    input.f === 'write'
      ? `write ${json(input.value)}`
      : `read → ${output === undefined ? '?' : json(output)}`,
  describeState: (s) => `value ${s}`,
  readOnly: (input) => input?.f === 'read',
  changesState: (input) => input?.f !== 'read',
};
