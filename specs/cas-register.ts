// A register with compare-and-set (Jepsen's and Knossos's cas-register). One instance per key.
//
//   invoke value: { "f": "write", "value": V } | { "f": "read" } | { "f": "cas", "value": [FROM,
//   TO] } ok value:     a read's output is the value read (null before any write); a cas's is true
//   when
//                 it swapped and false when the register did not hold FROM
//
// A cas of unknown outcome either swapped (only possible when the register held FROM) or left the
// register as it was; the checker's "never happened" branch covers the latter.

import type { Model } from './model.ts';
import { inputOf, json, type RegisterState } from './register.ts';

export type CasRegisterInput =
  | { f: 'write'; value: unknown }
  | { f: 'read' }
  | { f: 'cas'; value: [unknown, unknown] };

export const casRegisterModel: Model<RegisterState, CasRegisterInput, unknown> = {
  name: 'cas-register',
  init: () => 'null',
  step(state, input, output) {
    const i = inputOf(input, ['read', 'write', 'cas'], 'cas-register');
    if (i.f === 'write') return [true, json(i.value)];
    if (i.f === 'read') return [output === undefined || json(output) === state, state];
    const [from, to] = Array.isArray(i.value) ? i.value : [undefined, undefined];
    const matches = json(from) === state;
    if (output === undefined) return [matches, matches ? json(to) : state];
    if (output === true) return [matches, matches ? json(to) : state];
    if (output === false) return [!matches, state];
    return [false, state];
  },
  equal: (a, b) => a === b,
  hash: (s) => s,
  describeOp: (input, output) => {
    const out = output === undefined ? '?' : json(output);
    if (input.f === 'write') return `write ${json(input.value)}`;
    if (input.f === 'read') return `read → ${out}`;
    return `cas ${json(input.value[0])}→${json(input.value[1])} → ${out}`;
  },
  describeState: (s) => `value ${s}`,
  readOnly: (input) => input?.f === 'read',
  // A cas from a value to itself leaves the register as it was whether it swaps or not: of unknown
  // outcome it constrains nothing, and the checker drops it like a read.
  changesState: (input, output) =>
    input?.f !== 'read' &&
    !(input?.f === 'cas' && output === false) &&
    !(
      input?.f === 'cas' &&
      Array.isArray(input.value) &&
      json(input.value[0]) === json(input.value[1])
    ),
};
