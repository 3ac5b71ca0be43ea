// UpsertDomain's expiry by profile and Domains' clock rounding, and the per-commit statement forms.

import test from 'ava';
import fc from 'fast-check';
import { domainExpireTime, roundToSecondNs } from '../../bbs/sql/domains.ts';
import { formsOf, limitOne } from '../../bbs/sql/forms.ts';
import { storeOptions } from '../../bbs/sql/options.ts';
import { BBS_VERSIONS } from '../../bbs/versions/index.ts';

const MAX = 9_223_372_036_854_775_807n;

test('ttl 0: now at 2016-03 (2a8d20a0), never expiring from 2016-05 (23dfa3fb); a ttl adds its seconds at every version', (t) => {
  const now = 1_700_000_000_123_456_789n;
  t.is(domainExpireTime(storeOptions({ version: '2016-03' }), 0, now), now);
  for (const v of ['2016-05', '2016-11', 'today'] as const)
    t.is(domainExpireTime(storeOptions({ version: v }), 0, now), MAX, v);
  for (const v of BBS_VERSIONS)
    t.is(domainExpireTime(storeOptions({ version: v }), 30, now), now + 30_000_000_000n, v);
});

test('Round(time.Second): worked examples, halves up', (t) => {
  t.is(roundToSecondNs(10_499_999_999n), 10_000_000_000n);
  t.is(roundToSecondNs(10_500_000_000n), 11_000_000_000n);
  t.is(roundToSecondNs(10_000_000_000n), 10_000_000_000n);
});

test('property: the rounded clock is a whole second within half a second of now', (t) => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 4_000_000_000_000_000_000n }), (now) => {
      const r = roundToSecondNs(now);
      const d = r - now;
      return r % 1_000_000_000n === 0n && d > -500_000_000n && d <= 500_000_000n;
    }),
  );
  t.pass();
});

test('statement forms: hand-written (no LIMIT 1) at 2016-03 and 2016-05, the helpers from 2016-11; every profile has one', (t) => {
  for (const v of BBS_VERSIONS) t.notThrows(() => formsOf(v), v);
  t.is(limitOne('2016-03'), '');
  t.is(limitOne('2016-05'), '');
  for (const v of ['2016-11', '2017-05', '2017-06', '2017-09', 'today'] as const)
    t.is(limitOne(v), ' LIMIT 1', v);
});

test('task and desired LRP row locks: share at 2016-03, FOR UPDATE from ad910341 (2016-05 on)', (t) => {
  t.is(storeOptions({ version: '2016-03' }).taskAndDesiredLRPLock, 'share');
  for (const v of BBS_VERSIONS.filter((x) => x !== '2016-03'))
    t.is(storeOptions({ version: v }).taskAndDesiredLRPLock, 'for-update', v);
});
