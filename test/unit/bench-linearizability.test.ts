// Figures the linearizability bench prints: the median, and model steps counted as Porcupine
// counts them (every call of the model's step, cached or not), on small fixed histories.

import test from 'ava';
import { median } from '../../lab/bench/linearizability.ts';
import { checkLinearizable } from '../../lab/checkers/linearizability/index.ts';
import { registerModel } from '../../specs/register.ts';
import type { Model } from '../../specs/model.ts';
import { opsOf, type TestOp } from './lin-history.ts';

test('median: the middle value, the mean of the two middle ones, NaN for none', (t) => {
  t.is(median([3, 1, 2]), 2);
  t.is(median([4, 1, 2, 3]), 2.5);
  t.true(Number.isNaN(median([])));
});

test('model steps: one call per op on a sequential key, and one per attempt when ops overlap', (t) => {
  const reg = registerModel as Model;
  const seq: TestOp[] = [
    { input: { f: 'write', value: 1 }, at: [0, 1] },
    { input: { f: 'read' }, output: 1, at: [2, 3] },
    { input: { f: 'write', value: 2 }, at: [4, 5] },
  ];
  const k = checkLinearizable(opsOf(seq), () => reg).keys[0]!;
  t.is(k.modelSteps, 3);
  t.is(k.steps, 3);
  // w1 ‖ w2, then read 2 after a quiescent cut. The search takes w1 then w2 (2 calls), crosses
  // the cut with value 2, and the read is legal there (1): 3. Every attempt is one call of the
  // model's step, as in Porcupine.
  const par: TestOp[] = [
    { input: { f: 'write', value: 1 }, at: [0, 10] },
    { input: { f: 'write', value: 2 }, at: [0, 10] },
    { input: { f: 'read' }, output: 2, at: [20, 30] },
  ];
  const p = checkLinearizable(opsOf(par), () => reg).keys[0]!;
  t.is(p.verdict, 'linearizable');
  t.is(p.modelSteps, 3);
  // Read 1 instead: from value 2 the read fails, so the search comes back for w2 then w1 (2 more
  // calls) and reads 1 (1): 6.
  const back = checkLinearizable(opsOf([par[0]!, par[1]!, { ...par[2]!, output: 1 }]), () => reg)
    .keys[0]!;
  t.is(back.verdict, 'linearizable');
  t.is(back.modelSteps, 6);
});
