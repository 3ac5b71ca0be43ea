// The generic models a converted history can be checked against with `--model NAME`.

import { appendKvModel } from './append-kv.ts';
import { casRegisterModel } from './cas-register.ts';
import { kvModel } from './kv.ts';
import type { Model } from './model.ts';
import { registerModel } from './register.ts';
import { setModel } from './set.ts';

export const genericModels: Record<string, Model> = {
  register: registerModel as Model,
  'cas-register': casRegisterModel as Model,
  kv: kvModel as Model,
  set: setModel as Model,
  'append-kv': appendKvModel as Model,
};
