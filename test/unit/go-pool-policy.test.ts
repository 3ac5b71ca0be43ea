// Go database/sql's pool decisions as the lab models them (lab/client/go-pool-policy.ts), and the
// order multi-ip tries its addresses in.

import test from 'ava';
import fc from 'fast-check';
import {
  BBS_POOL_DEFAULTS,
  effectiveMaxIdle,
  expired,
  mayOpen,
  onRelease,
} from '../../lab/client/go-pool-policy.ts';
import { selectorOrder } from '../../lab/client/configs/multi-ip.ts';

test("the BBS's defaults: 200 open, 200 idle, connections kept for ever", (t) => {
  t.deepEqual({ ...BBS_POOL_DEFAULTS }, { maxOpen: 200, maxIdle: 200, maxLifetimeMs: 0 });
  t.false(expired(0, 10 * 3600_000, BBS_POOL_DEFAULTS), 'never too old');
  t.true(mayOpen(199, BBS_POOL_DEFAULTS));
  t.false(mayOpen(200, BBS_POOL_DEFAULTS));
});

test('a released connection: broken is closed, expired is closed, kept while the idle list has room', (t) => {
  const o = { maxOpen: 10, maxIdle: 2, maxLifetimeMs: 3000 };
  t.is(onRelease({ createdAt: 0, broken: true }, 100, 0, o), 'broken');
  t.is(
    onRelease({ createdAt: 0, broken: false }, 3000, 0, o),
    'expired',
    'exactly the lifetime old',
  );
  t.is(onRelease({ createdAt: 0, broken: false }, 2999, 1, o), 'keep');
  t.is(onRelease({ createdAt: 0, broken: false }, 2999, 2, o), 'idle-full');
});

test("Go's idle rules: 0 keeps none, and the idle limit never exceeds a positive open limit", (t) => {
  t.is(effectiveMaxIdle({ maxOpen: 0, maxIdle: 0, maxLifetimeMs: 0 }), 0);
  t.is(
    onRelease({ createdAt: 0, broken: false }, 1, 0, { maxOpen: 0, maxIdle: 0, maxLifetimeMs: 0 }),
    'idle-full',
    'every op dials anew',
  );
  t.is(effectiveMaxIdle({ maxOpen: 5, maxIdle: 200, maxLifetimeMs: 0 }), 5);
  t.is(effectiveMaxIdle({ maxOpen: 0, maxIdle: 7, maxLifetimeMs: 0 }), 7, 'no open limit');
  t.true(mayOpen(10_000, { maxOpen: 0, maxIdle: 0, maxLifetimeMs: 0 }), '0 open: no limit');
});

test('onRelease matches a plain reading of the rules', (t) => {
  fc.assert(
    fc.property(
      fc.nat(20),
      fc.nat(20),
      fc.nat(5000),
      fc.nat(5000),
      fc.nat(5000),
      fc.nat(25),
      fc.boolean(),
      (maxOpen, maxIdle, life, born, age, idle, broken) => {
        const o = { maxOpen, maxIdle, maxLifetimeMs: life };
        let cap = maxIdle;
        if (maxOpen > 0 && cap > maxOpen) cap = maxOpen;
        const want = broken
          ? 'broken'
          : life > 0 && age >= life
            ? 'expired'
            : idle < cap
              ? 'keep'
              : 'idle-full';
        t.is(onRelease({ createdAt: born, broken }, born + age, idle, o), want);
      },
    ),
  );
});

const T = ['a', 'b', 'c'].map((name) => ({ name, host: name, port: 1 }));

test('multi-ip orders: ORDER always the same, RR rotated per dial, RANDOM a permutation', (t) => {
  const names = (xs: { name: string }[]) => xs.map((x) => x.name).join('');
  t.is(names(selectorOrder('ORDER', T, 5, Math.random)), 'abc');
  t.deepEqual(
    [0, 1, 2, 3].map((n) => names(selectorOrder('RR', T, n, Math.random))),
    ['abc', 'bca', 'cab', 'abc'],
  );
  // rand 0 each time: Fisher–Yates swaps i with 0: abc → cba (i=2↔0) → bca (i=1↔0).
  t.is(names(selectorOrder('RANDOM', T, 0, () => 0)), 'bca');
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 2, maxLength: 2 }),
      (rs) => {
        let i = 0;
        t.is([...names(selectorOrder('RANDOM', T, 0, () => rs[i++]!))].sort().join(''), 'abc');
      },
    ),
  );
});
