import test from 'ava';
import {
  decide,
  ETCD_TO_SQL_VERSION,
  etcdVersionOf,
  LAST_ETCD_VERSION,
  pending,
  VersionTooNewError,
} from '../../bbs/migrations/versions.ts';
import { compareMigrated } from '../../bbs/migrations/compare.ts';

const v = (c: number, t = c) => ({ CurrentVersion: c, TargetVersion: t });

test('decide: no record → init; behind → migrate; equal → serve whatever Target; ahead → too-new', (t) => {
  t.is(decide(null, ETCD_TO_SQL_VERSION), 'init');
  t.is(decide(v(LAST_ETCD_VERSION), ETCD_TO_SQL_VERSION), 'migrate');
  t.is(
    decide(v(LAST_ETCD_VERSION, ETCD_TO_SQL_VERSION), LAST_ETCD_VERSION),
    'serve',
    'a legacy BBS keeps serving while a migration is pending',
  );
  t.is(decide(v(ETCD_TO_SQL_VERSION), ETCD_TO_SQL_VERSION), 'serve');
  t.is(
    decide(v(LAST_ETCD_VERSION + 1, ETCD_TO_SQL_VERSION), LAST_ETCD_VERSION),
    'too-new',
    'the capped etcd version stops a legacy BBS',
  );
  t.is(decide(v(ETCD_TO_SQL_VERSION + 5), ETCD_TO_SQL_VERSION), 'too-new');
});

test('etcd gets Current capped at lastETCD+1; lower versions pass unchanged', (t) => {
  t.deepEqual(etcdVersionOf(v(ETCD_TO_SQL_VERSION)), v(LAST_ETCD_VERSION + 1, ETCD_TO_SQL_VERSION));
  t.deepEqual(
    etcdVersionOf(v(LAST_ETCD_VERSION, ETCD_TO_SQL_VERSION)),
    v(LAST_ETCD_VERSION, ETCD_TO_SQL_VERSION),
  );
});

test('pending migrations run in order from the stored Current', (t) => {
  t.deepEqual(
    pending([ETCD_TO_SQL_VERSION + 9, ETCD_TO_SQL_VERSION, LAST_ETCD_VERSION], LAST_ETCD_VERSION),
    [ETCD_TO_SQL_VERSION, ETCD_TO_SQL_VERSION + 9],
  );
  t.deepEqual(pending([LAST_ETCD_VERSION], LAST_ETCD_VERSION), []);
});

test('the too-new error has the real BBS wording', (t) => {
  t.is(
    new VersionTooNewError(1461790966, 1451635200).message,
    'Existing DB version (1461790966) exceeds bbs version (1451635200)',
  );
});

test('compareMigrated: evacuating actual LRPs are not expected in SQL; a missing task and a changed LRP are found', (t) => {
  const tag = { epoch: 'e', index: 1 };
  const actual = {
    processGuid: 'p',
    index: 0,
    domain: 'd',
    state: 'RUNNING' as const,
    instanceGuid: 'i',
    cellId: 'c',
    placementError: '',
    crashCount: 0,
    crashReason: '',
    modificationTag: tag,
  };
  const task = {
    taskGuid: 't',
    domain: 'd',
    state: 'PENDING' as const,
    cellId: '',
    result: '',
    failed: false,
    failureReason: '',
  };
  const desired = {
    processGuid: 'p',
    domain: 'd',
    instances: 1,
    annotation: 'a',
    modificationTag: tag,
  };
  const etcd = {
    domains: [{ domain: 'd', ttl: 100 }],
    desiredLRPs: [desired],
    incompleteDesiredLRPs: [],
    actualLRPs: [
      { record: actual, evacuating: false },
      { record: { ...actual, cellId: 'x' }, evacuating: true },
    ],
    tasks: [task],
  };
  t.deepEqual(
    compareMigrated(etcd, {
      domains: [{ domain: 'd', ttl: 98 }],
      desiredLRPs: [desired],
      actualLRPs: [actual],
      tasks: [task],
    }),
    [],
  );
  const d = compareMigrated(etcd, {
    domains: [{ domain: 'd', ttl: 98 }],
    desiredLRPs: [{ ...desired, instances: 2 }],
    actualLRPs: [actual],
    tasks: [],
  });
  t.deepEqual(
    d.map((x) => `${x.kind}:${x.key}`),
    ['desiredLRP:p', 'task:t'],
  );
});
