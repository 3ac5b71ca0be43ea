// A key-value store with append, the shape of Porcupine's kv model and of many Raft labs' tests
// (get / put / append per key). One instance per key, like `register`: the history's `key` is the
// store's key, so keys are searched separately (P-compositionality).
//
//   invoke value: { "f": "get" } | { "f": "put", "value": S } | { "f": "append", "value": S }
//   ok value:     a get's output is the key's string ("" before any put or append); put and
//                 append outputs are ignored
//
// Values are strings, as in Porcupine; anything else is refused rather than coerced, so a history
// with numbers is not judged by a rule it did not mean.

import { ModelInputError, type Model } from './model.ts';
import { inputOf } from './register.ts';

export type AppendKvInput =
  | { f: 'get' }
  | { f: 'put'; value: string }
  | { f: 'append'; value: string };
/** The key's current string. */
export type AppendKvState = string;

function stringArg(input: { value?: unknown }, f: string): string {
  if (typeof input.value !== 'string')
    throw new ModelInputError(
      `model append-kv: a ${f}'s invoke value must carry a string "value"; got ${JSON.stringify(input)}`,
    );
  return input.value;
}

export const appendKvModel: Model<AppendKvState, AppendKvInput, unknown> = {
  name: 'append-kv',
  init: () => '',
  step(state, input, output) {
    const i = inputOf(input, ['get', 'put', 'append'], 'append-kv');
    if (i.f === 'put') return [true, stringArg(i, 'put')];
    if (i.f === 'append') return [true, state + stringArg(i, 'append')];
    return [output === undefined || output === state, state];
  },
  equal: (a, b) => a === b,
  hash: (s) => s,
  describeOp: (input, output) =>
    input.f === 'get'
      ? `get → ${output === undefined ? '?' : JSON.stringify(output)}`
      : `${input.f} ${JSON.stringify(input.value)}`,
  describeState: (s) => `value ${JSON.stringify(s)}`,
  readOnly: (input) => input?.f === 'get',
};
