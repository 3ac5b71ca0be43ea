// Figures the linearizability bench prints: the median, and model steps counted as Porcupine
// counts them (every call of the model's step, cached or not), on small fixed histories.

import test from 'ava';
import { etcdHistory } from '../../lab/bench/etcd-history.ts';
import { median } from '../../lab/bench/linearizability.ts';
import {
  checkLinearizable,
  DEFAULT_BUDGET,
  toSearchOps,
} from '../../lab/checkers/linearizability/index.ts';
import { searchLinearization } from '../../lab/checkers/linearizability/search.ts';
import { StepCache } from '../../lab/checkers/linearizability/steps.ts';
import { pairOps } from '../../lab/history/event.ts';
import { casRegisterModel } from '../../specs/cas-register.ts';
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

test("a planted etcd-shaped history the search left unknown at the default budget (the bench's seed 1074) is decided in a fifth of the budget, with a witness that fails from its start states alone", (t) => {
  // 772 ops, 16 ops of unknown outcome that can change the register. Taking them eagerly, the
  // search spent 5,000,000 steps on it (every order of taking them, configurations of up to 10
  // pending at the cut before the stale read) and said unknown.
  const cas = casRegisterModel as Model;
  const ops = pairOps(etcdHistory({ ops: 772, seed: 1074, timeouts: 0.03, stale: true }));
  const k = checkLinearizable(ops, () => cas).keys[0]!;
  t.is(k.verdict, 'not-linearizable');
  // A tenth of the budget in list order, then ok ops first: about 700,000 steps in all.
  t.true(k.steps < DEFAULT_BUDGET / 5, `${k.steps} steps`);
  const f = k.failure!;
  t.notRegex(f.note ?? '', /Not shrunk/);
  const { search } = toSearchOps(ops, cas);
  const byId = new Map(search.map((o) => [o.id, o]));
  const shown = f.ops.map((o) => byId.get(o.op)!);
  const cache = new StepCache(cas);
  for (const s of f.startStates ?? []) {
    const start = cache.intern(s.replace(/^value /, ''));
    const r = searchLinearization(cache, shown, { budget: 1e6, memoryBytes: 1e8, start });
    t.is(r.verdict, 'not-linearizable', `from ${s}`);
  }
});
