// The generic models a converted history can be checked against with `--model NAME`.

import { appendKvModel } from './append-kv.ts';
import { casRegisterModel } from './cas-register.ts';
import { kvModel } from './kv.ts';
import type { Model } from './model.ts';
import { json, registerModel } from './register.ts';
import { setModel } from './set.ts';

/** The models whose initial value `--initial-value` sets. */
export const REGISTER_MODELS = ['register', 'cas-register'] as const;

/**
 * A register model starting at `value` instead of null (Knossos's tests use `(cas-register 0)`).
 * Null when the model has no initial value to set.
 */
export function withInitialValue(name: string, value: unknown): Model | null {
  if (!(REGISTER_MODELS as readonly string[]).includes(name)) return null;
  const m = genericModels[name]!;
  const init = json(value);
  return { ...m, init: () => init };
}

export const genericModels: Record<string, Model> = {
  register: registerModel as Model,
  'cas-register': casRegisterModel as Model,
  kv: kvModel as Model,
  set: setModel as Model,
  'append-kv': appendKvModel as Model,
};
