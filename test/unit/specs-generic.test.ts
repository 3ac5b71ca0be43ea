// The generic models: values compared structurally as JSON, and changesState (which ops the
// evidence may leave out) never claiming "unchanged" for a step that changes the state.

import test from 'ava';
import fc from 'fast-check';
import { checkLinearizable } from '../../lab/checkers/linearizability/index.ts';
import { casRegisterModel } from '../../specs/cas-register.ts';
import { kvModel } from '../../specs/kv.ts';
import type { Model } from '../../specs/model.ts';
import { json, registerModel } from '../../specs/register.ts';
import { setModel } from '../../specs/set.ts';
import { opsOf } from './lin-history.ts';

test('a read of {"b":2,"a":1} after a write of {"a":1,"b":2} is linearizable (structural JSON)', (t) => {
  const ops = opsOf([
    { input: { f: 'write', value: { a: 1, b: 2 } }, at: [0, 1] },
    { input: { f: 'read' }, output: { b: 2, a: 1 }, at: [2, 3] },
  ]);
  t.is(checkLinearizable(ops, () => registerModel as Model).keys[0]!.verdict, 'linearizable');
  // A different value is still a different value.
  const bad = opsOf([
    { input: { f: 'write', value: { a: 1, b: 2 } }, at: [0, 1] },
    { input: { f: 'read' }, output: { b: 2, a: 2 }, at: [2, 3] },
  ]);
  t.is(checkLinearizable(bad, () => registerModel as Model).keys[0]!.verdict, 'not-linearizable');
  // cas compares structurally too: cas {"b":[1,{"y":1,"x":0}],"a":null} → 3 from the written value
  // swaps.
  const c = opsOf([
    { input: { f: 'write', value: { a: null, b: [1, { x: 0, y: 1 }] } }, at: [0, 1] },
    {
      input: { f: 'cas', value: [{ b: [1, { y: 1, x: 0 }], a: null }, 3] },
      output: true,
      at: [2, 3],
    },
    { input: { f: 'read' }, output: 3, at: [4, 5] },
  ]);
  t.is(checkLinearizable(c, () => casRegisterModel as Model).keys[0]!.verdict, 'linearizable');
});

test('canonical JSON: keys sorted at every depth, so equal values hash alike; arrays keep their order', (t) => {
  t.is(json({ b: 2, a: { d: [1, 2], c: null } }), '{"a":{"c":null,"d":[1,2]},"b":2}');
  t.is(json({ a: 1, b: 2 }), json({ b: 2, a: 1 }));
  t.not(json([1, 2]), json([2, 1]));
  t.is(json(undefined), 'null');
  t.is(
    registerModel.hash(registerModel.step('null', { f: 'write', value: { y: 1, x: 2 } }, null)[1]),
    registerModel.hash(registerModel.step('null', { f: 'write', value: { x: 2, y: 1 } }, null)[1]),
  );
});

const value = fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 2 }), fc.constant({ a: 1 }));

test('generated: an op a model says cannot change the state leaves every state it is legal in as it was', (t) => {
  const cases: [Model, fc.Arbitrary<unknown>, fc.Arbitrary<unknown>][] = [
    [
      registerModel as Model,
      fc.oneof(
        fc.record({ f: fc.constant('read') }),
        fc.record({ f: fc.constant('write'), value }),
      ),
      fc.oneof(value, fc.constant(undefined)),
    ],
    [
      casRegisterModel as Model,
      fc.oneof(
        fc.record({ f: fc.constant('read') }),
        fc.record({ f: fc.constant('write'), value }),
        fc.record({ f: fc.constant('cas'), value: fc.tuple(value, value) }),
      ),
      fc.oneof(value, fc.boolean(), fc.constant(undefined)),
    ],
    [
      kvModel as Model,
      fc.oneof(
        fc.record({ f: fc.constant('read'), key: fc.constantFrom('a', 'b') }),
        fc.record({ f: fc.constant('write'), key: fc.constantFrom('a', 'b'), value }),
      ),
      fc.oneof(value, fc.constant(undefined)),
    ],
    [
      setModel as Model,
      fc.oneof(fc.record({ f: fc.constant('read') }), fc.record({ f: fc.constant('add'), value })),
      fc.oneof(fc.array(value, { maxLength: 3 }), fc.constant(undefined)),
    ],
  ];
  for (const [model, input, output] of cases) {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(input, output), { maxLength: 6 }),
        fc.tuple(input, output),
        (prefix, [i, o]) => {
          // A reachable state: the prefix applied with unknown outputs (always legal for writes).
          let s = model.init();
          for (const [pi] of prefix) {
            const [legal, next] = model.step(s, pi, undefined);
            if (legal) s = next;
          }
          const [legal, next] = model.step(s, i, o);
          return !legal || model.changesState!(i, o) || model.hash(next) === model.hash(s);
        },
      ),
      { numRuns: 500 },
    );
  }
  t.pass();
});
