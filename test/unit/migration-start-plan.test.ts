// The migration manager's start-up decisions per BBS profile, each expectation written out by hand
// from migration/manager.go (and db/sqldb/configuration_db.go) at the profile's commit; and the
// outcomes of the start-up fault stories derived from them.

import test from 'ava';
import fc from 'fast-check';
import {
  afterEtcdRead,
  afterSqlRead,
  etcdCopyOf,
  startPlan,
  type StartPlan,
} from '../../bbs/migrations/start-plan.ts';
import {
  ETCD_TO_SQL_VERSION as E2S,
  LAST_ETCD_VERSION as LAST,
} from '../../bbs/migrations/versions.ts';
import { BBS_PROFILES, profileOf } from '../../bbs/versions/index.ts';
import {
  startupOutcome,
  FAULT_PHASES,
  STARTUP_FAULTS,
} from '../../lab/migration/startup-outcomes.ts';

const b = (name: string) => profileOf(name).behaviour;
const v = (c: number, t = c) => ({ CurrentVersion: c, TargetVersion: t });
const dual = { sql: true, etcd: true, known: [LAST, E2S], lastEtcd: LAST };

test('db3234a7 (2016-05) configuration_db.go: any error reading the SQL version is "not found", so etcd is read next', (t) => {
  t.deepEqual(afterSqlRead(b('2016-05'), { error: '1047' }, true), {
    next: 'read-etcd',
    masked: '1047',
  });
  t.deepEqual(afterSqlRead(b('2016-05'), { value: null }, true), { next: 'read-etcd' });
  t.deepEqual(afterSqlRead(b('2016-05'), { value: v(E2S) }, true), {
    next: 'use',
    version: v(E2S),
  });
  // 47049111 (2016-11) still masks: getConfigurationValue returns models.ErrResourceNotFound.
  t.deepEqual(afterSqlRead(b('2016-11'), { error: 'ECONNREFUSED' }, true), {
    next: 'read-etcd',
    masked: 'ECONNREFUSED',
  });
});

test('8eda15e2 (2017-05-18): a failed SQL version read is fatal from 2017-05 on, and today', (t) => {
  for (const p of ['2017-05', '2017-06', '2017-09', 'today'])
    t.deepEqual(
      afterSqlRead(b(p), { error: '1047' }, p !== 'today'),
      { next: 'fatal', reason: 'reading the SQL version: 1047' },
      p,
    );
  // A real not-found still falls back to etcd (resolveStoredVersion), or is a fresh start today.
  t.deepEqual(afterSqlRead(b('2017-05'), { value: null }, true), { next: 'read-etcd' });
  t.deepEqual(afterSqlRead(b('today'), { value: null }, false), { next: 'use', version: null });
  t.deepEqual(afterEtcdRead({ error: 'refused' }), {
    next: 'fatal',
    reason: 'reading the etcd version: refused',
  });
});

test('db3234a7: a fresh SQL start writes {lastETCD, max} and migrates from lastETCD with the etcd client; once after all', (t) => {
  const expected: StartPlan = {
    kind: 'migrate',
    writesBefore: [{ version: v(LAST, E2S) }],
    migrations: [{ version: E2S, etcdClient: true }],
    writesAfter: [{ version: v(E2S) }],
  };
  t.deepEqual(startPlan(b('2016-05'), null, dual), expected);
  t.deepEqual(
    startPlan(b('2016-11'), null, dual),
    expected,
    '47049111: lastETCD ≤ lastETCD, so the client is handed over',
  );
});

test('db3234a7 vs b1857ef9 (2016-06-13): etcd gets the same version, then Current capped at lastETCD+1', (t) => {
  t.deepEqual(etcdCopyOf(b('2016-05'), v(E2S), LAST), v(E2S));
  t.deepEqual(etcdCopyOf(b('2016-11'), v(E2S), LAST), v(LAST + 1, E2S));
  t.deepEqual(etcdCopyOf(b('2016-11'), v(LAST, E2S), LAST), v(LAST, E2S));
});

test("b1857ef9: from etcd's capped version the etcd-to-SQL migration reruns without the etcd client; db3234a7 serves", (t) => {
  t.deepEqual(startPlan(b('2016-11'), v(LAST + 1, E2S), dual), {
    kind: 'migrate',
    writesBefore: [],
    migrations: [{ version: E2S, etcdClient: false }],
    writesAfter: [{ version: v(E2S) }],
  });
  t.deepEqual(startPlan(b('2016-05'), v(E2S), dual), { kind: 'serve', writes: [] });
});

test('642c8ac7 (2017-08-17): from 2017-09 the version is written after each migration', (t) => {
  t.deepEqual(startPlan(b('2017-09'), v(LAST), dual), {
    kind: 'migrate',
    writesBefore: [{ version: v(LAST, E2S), errorIgnored: true }],
    migrations: [{ version: E2S, etcdClient: true, writeAfter: v(E2S, E2S) }],
    writesAfter: [],
  });
  t.deepEqual(
    startPlan(b('2017-06'), v(LAST), dual).kind === 'migrate' &&
      (startPlan(b('2017-06'), v(LAST), dual) as { writesAfter: unknown }).writesAfter,
    [{ version: v(E2S) }],
  );
});

test('db3234a7: Target < Current and Current > max are fatal; a legacy (etcd-only) BBS caps max at lastETCD', (t) => {
  t.deepEqual(startPlan(b('2016-11'), v(E2S, LAST), dual), {
    kind: 'fatal',
    reason: `Existing DB target version (${LAST}) exceeds current version (${E2S})`,
  });
  const etcdOnly = { sql: false, etcd: true, known: [LAST], lastEtcd: LAST };
  t.deepEqual(startPlan(b('2016-03'), v(LAST + 1, E2S), etcdOnly), {
    kind: 'fatal',
    reason: `Existing DB version (${LAST + 1}) exceeds bbs version (${LAST})`,
  });
  t.deepEqual(startPlan(b('2016-03'), null, etcdOnly), {
    kind: 'serve',
    writes: [{ version: v(LAST) }],
  });
  // A Target above its own is written down to its own, the error ignored (2a8d20a0).
  t.deepEqual(startPlan(b('2016-03'), v(LAST, E2S), etcdOnly), {
    kind: 'serve',
    writes: [{ version: v(LAST), errorIgnored: true }],
  });
});

test('today (09fd338b, ecdd1f99, 43fc9d1d): SQL only, a fresh start writes 0 and runs every migration with its version; no Target check', (t) => {
  const sqlOnly = { sql: true, etcd: true, known: [E2S, E2S + 10], lastEtcd: LAST };
  t.deepEqual(startPlan(b('today'), null, sqlOnly), {
    kind: 'migrate',
    writesBefore: [{ version: v(0, 0) }],
    migrations: [
      { version: E2S, etcdClient: false, writeAfter: v(E2S, 0) },
      { version: E2S + 10, etcdClient: false, writeAfter: v(E2S + 10, 0) },
    ],
    writesAfter: [],
  });
  t.deepEqual(startPlan(b('today'), v(E2S + 10, 0), sqlOnly), { kind: 'serve', writes: [] });
  t.deepEqual(startPlan(b('today'), v(E2S + 11, 0), sqlOnly), {
    kind: 'fatal',
    reason: `Existing DB version (${E2S + 11}) exceeds bbs version (${E2S + 10})`,
  });
});

/** The version the stores hold after a plan ran to the end without a fault: its last write. */
function afterPlan(p: StartPlan, stored: { CurrentVersion: number; TargetVersion: number } | null) {
  if (p.kind === 'fatal') return stored;
  const ws =
    p.kind === 'serve'
      ? p.writes.map((w) => w.version)
      : [
          ...p.writesBefore.map((w) => w.version),
          ...p.migrations.flatMap((m) => (m.writeAfter ? [m.writeAfter] : [])),
          ...p.writesAfter.map((w) => w.version),
        ];
  return ws.length ? ws[ws.length - 1]! : stored;
}

test('property: on every profile with SQL, a start that completes leaves a version the next start serves, and migrations run in order above Current', (t) => {
  const withSql = BBS_PROFILES.filter((p) => p.behaviour.migrationStores !== 'etcd');
  fc.assert(
    fc.property(
      fc.constantFrom(...withSql),
      fc.option(fc.constantFrom(LAST, LAST + 1, E2S), { nil: null }),
      fc.constantFrom(LAST, E2S),
      (p, cur, tgt) => {
        const stored = cur === null ? null : v(cur, Math.max(cur, tgt));
        const plan = startPlan(p.behaviour, stored, dual);
        if (plan.kind === 'migrate') {
          const vs = plan.migrations.map((m) => m.version);
          if (JSON.stringify(vs) !== JSON.stringify([...vs].sort((a, c) => a - c))) return false;
          if (stored && vs.some((x) => x <= stored.CurrentVersion)) return false;
        }
        const next = startPlan(p.behaviour, afterPlan(plan, stored), dual);
        return plan.kind === 'fatal' || next.kind === 'serve';
      },
    ),
  );
  t.pass();
});

test('start-up faults, by hand from each commit: 2016-05 falls back to etcd and serves; 2016-11 reruns without etcd and loses every record; 2017-05 on exit', (t) => {
  for (const f of STARTUP_FAULTS) {
    t.like(startupOutcome(b('2016-03'), 'version-read', f), { applies: false }, f);
    t.like(
      startupOutcome(b('2016-05'), 'version-read', f),
      { applies: true, exits: false, reruns: 0, exactlyOnce: true, lost: 'none' },
      f,
    );
    t.like(
      startupOutcome(b('2016-11'), 'version-read', f),
      { exits: false, reruns: 1, exactlyOnce: false, lost: 'every SQL record' },
      f,
    );
    for (const p of ['2017-05', '2017-06', '2017-09', 'today'])
      t.like(
        startupOutcome(b(p), 'version-read', f),
        { exits: true, reruns: 0, exactlyOnce: true, lost: 'none' },
        `${p} ${f}`,
      );
  }
  t.regex(
    startupOutcome(b('2016-11'), 'version-read', '1047').why,
    /without the etcd client, copying nothing/,
  );
});

test('start-up faults during the copy: every profile with the migration loses the domains and desired LRPs and marks itself migrated', (t) => {
  for (const p of ['2016-05', '2016-11', '2017-05', '2017-06', '2017-09']) {
    for (const phase of ['copy-sql', 'copy-etcd'] as const)
      t.like(
        startupOutcome(b(p), phase, 'refused'),
        {
          applies: true,
          exits: false,
          reruns: 0,
          exactlyOnce: true,
          lost: 'domains and desired LRPs',
        },
        `${p} ${phase}`,
      );
  }
  t.like(startupOutcome(b('today'), 'copy-sql', '1047'), { applies: false });
  // The hypothetical of a failing etcd read: the migration fails and the next start reruns it.
  t.like(startupOutcome({ ...b('2016-11'), etcdReadErrors: 'fail' }, 'copy-etcd', 'refused'), {
    exits: true,
    lost: 'none',
  });
  t.is(FAULT_PHASES.length, 3);
});
