// The BBS profiles: each names a real commit and cites every behaviour; a scenario gets today's BBS
// unless it names a version; an override no commit had is refused unless declared hypothetical,
// and then labelled.

import test from 'ava';
import {
  BBS_PROFILES,
  BEHAVIOUR_FIELDS,
  hypotheticalFields,
  hypotheticalLabel,
  profileLabel,
  profileOf,
} from '../../bbs/versions/index.ts';
import { storeOptions } from '../../bbs/sql/options.ts';
import { bbsIdentity, bbsProfileProblems } from '../../lab/scenario/bbs-profile.ts';
import { validateScenario } from '../../lab/scenario/validate.ts';

test('every profile pins a commit and cites a commit, date and file for every behaviour', (t) => {
  for (const p of BBS_PROFILES) {
    t.regex(p.commit, /^[0-9a-f]{8}$/, p.name);
    t.regex(p.date, /^\d{4}-\d{2}-\d{2}$/, p.name);
    t.deepEqual(Object.keys(p.behaviour).sort(), [...BEHAVIOUR_FIELDS].sort(), p.name);
    for (const f of BEHAVIOUR_FIELDS) {
      const c = p.cites[f];
      t.truthy(c, `${p.name} ${f}`);
      t.regex(c.commit, /^[0-9a-f]{8}$/, `${p.name} ${f}`);
      t.true(
        c.date <= p.date,
        `${p.name} ${f}: a behaviour cited from after the profile's own commit (${c.date} > ${p.date})`,
      );
      t.regex(c.file, /\.go$/, `${p.name} ${f}`);
    }
  }
  const dates = BBS_PROFILES.map((p) => p.date);
  t.deepEqual(dates, [...dates].sort(), 'profiles in date order');
});

test('no profile runs the invented permissive actual-LRP rule, and share locks never meet a retry', (t) => {
  for (const p of BBS_PROFILES) {
    t.is(p.behaviour.actualLRPRules, 'per-state', p.name);
    if (p.behaviour.actualLRPLock === 'share') t.is(p.behaviour.deadlockRetry, 'none', p.name);
  }
});

test('the store defaults to today and takes a version whole', (t) => {
  t.is(storeOptions().version, 'today');
  const o = storeOptions({ version: '2016-05' });
  // Written out from the profile's commit db3234a7, not read from the profile file.
  t.is(o.deadlockRetry, 'commit-only-2016-04');
  t.is(o.actualLRPLock, 'for-update');
  t.is(o.transactionalReads, false);
  t.is(o.maskFetchErrors, true);
  t.is(o.syncWait, 0);
  t.is(storeOptions({ version: '2016-03' }).actualLRPLock, 'share');
  t.throws(() => storeOptions({ version: '2015-01' as never }), {
    message: /unknown BBS version "2015-01"; known: 2016-03, 2016-05/,
  });
});

test('an override is a hypothetical: named field, the value and what the profile had', (t) => {
  const p = profileOf('2016-05');
  const h = hypotheticalFields(p, {
    ...p.behaviour,
    actualLRPLock: 'share',
    deadlockRetry: 'commit-only-2016-04',
  });
  t.deepEqual(h, [{ field: 'actualLRPLock', value: 'share', profileValue: 'for-update' }]);
  t.is(
    hypotheticalLabel(p, h),
    'hypothetical (no BBS commit had it): actualLRPLock=share (2016-05 had for-update)',
  );
  t.is(hypotheticalLabel(p, []), '');
  t.is(profileLabel(p), 'BBS 2016-05 (db3234a7, 2016-05-03)');
});

const base = {
  name: 'n',
  question: 'q',
  duration: 10,
  topology: { nodes: 1, proxies: 0 },
  clients: { count: 1, via: 'nodes' },
};

test('a scenario is today unless it names a version; overrides need hypothetical: true', (t) => {
  t.is(validateScenario(base).bbs.version, 'today');
  t.is(bbsIdentity(validateScenario(base)).label, 'BBS today (b2385bea, 2026-06-12)');
  const refused = t.throws(() =>
    validateScenario({ ...base, bbs: { version: '2016-05', actualLRPLock: 'share' } }),
  );
  t.regex(
    refused!.message,
    /bbs\.actualLRPLock: share is not what BBS 2016-05 \(db3234a7, 2016-05-03\) did \(it had for-update\); BBS 2016-03 had it \(set bbs\.version\), or set bbs\.hypothetical: true/,
  );
  const permissive = t.throws(() =>
    validateScenario({ ...base, bbs: { actualLRPRules: 'permissive' } }),
  );
  t.regex(permissive!.message, /bbs\.actualLRPRules: permissive .* no BBS version had it/);
  const s = validateScenario({
    ...base,
    bbs: { version: '2016-05', actualLRPLock: 'share', hypothetical: true },
  });
  t.deepEqual(bbsProfileProblems(s), []);
  t.is(
    bbsIdentity(s).hypotheticalLabel,
    'hypothetical (no BBS commit had it): actualLRPLock=share (2016-05 had for-update)',
  );
  // Setting a field to the profile's own value is not a hypothetical.
  t.deepEqual(
    bbsIdentity(
      validateScenario({ ...base, bbs: { version: '2016-05', actualLRPLock: 'for-update' } }),
    ).hypothetical,
    [],
  );
  const empty = t.throws(() => validateScenario({ ...base, bbs: { hypothetical: true } }));
  t.regex(empty!.message, /bbs\.hypothetical: true, but nothing differs from BBS today/);
});

test('wsrep_sync_wait is a database setting: the old bbs.syncWait names where it went', (t) => {
  const e = t.throws(() => validateScenario({ ...base, bbs: { syncWait: 7 } }));
  t.regex(e!.message, /bbs\.syncWait: moved to database\.syncWait/);
  t.is(validateScenario({ ...base, database: { syncWait: 7 } }).database.syncWait, 7);
});
