// The actual LRP forms of the BBS's history, as the specification states them (specs/actual-lrp.ts
// with specs/transitions.ts ActualLRPForm), on short histories worked out by hand from
// db/sqldb/actual_lrp_db.go at each commit; and what the BBS's client was told for each database
// error, per profile (bbs/sql/caller-error.ts), from db/sqldb/sqldb.go and helpers/errors.go.

import test from 'ava';
import fc from 'fast-check';
import type { ActualLRPRecord } from '../../bbs/ops.ts';
import { callerErrorName, type CallerErrorName } from '../../bbs/sql/caller-error.ts';
import { HANDLER_PANIC } from '../../bbs/sql/sql-op.ts';
import { BBS_PROFILES, profileOf } from '../../bbs/versions/index.ts';
import type { OpError } from '../../lab/history/event.ts';
import { actualLRPModel } from '../../specs/actual-lrp.ts';
import { afterCrash } from '../../specs/transitions.ts';
import { nextCrashCount, stateAfterCrash } from '../../bbs/rules.ts';
import {
  actualRecord,
  createActual,
  LRP_GUID,
  op,
  replay,
  type Step,
} from './specs-bbs-helpers.ts';

const P = LRP_GUID;
const prerelease = actualLRPModel('per-state', 'prerelease-2016-03');
const shipped = actualLRPModel('per-state', 'no-instance-key-2016-03-24');
const current = actualLRPModel('per-state');

const lrp = actualRecord;
const create = createActual;
const a = { instanceGuid: 'cell-a-i', cellId: 'cell-a' };
const claimA = (out: ActualLRPRecord): Step => [
  op('ClaimActualLRP', { processGuid: P, index: 0, ...a }),
  { record: out },
];
const startA = (out: ActualLRPRecord): Step => [
  op('StartActualLRP', { processGuid: P, index: 0, ...a }),
  { record: out },
];
const crashA = (out: ActualLRPRecord): Step => [
  op('CrashActualLRP', { processGuid: P, index: 0, ...a, reason: 'exit 1' }),
  { record: out },
];

test('2a8d20a0: a second claim by the claiming instance writes again (660efc68 made it a no-op)', (t) => {
  const claimed = lrp(1, { state: 'CLAIMED', ...a });
  const again = lrp(2, { state: 'CLAIMED', ...a });
  t.true(replay(prerelease, [create, claimA(claimed), claimA(again)]).legal);
  t.false(replay(prerelease, [create, claimA(claimed), claimA(claimed)]).legal);
  t.true(replay(shipped, [create, claimA(claimed), claimA(claimed)]).legal);
  t.false(replay(shipped, [create, claimA(claimed), claimA(again)]).legal);
});

test('2a8d20a0: a start of a missing LRP makes it RUNNING by nobody; a start keeps the placement error', (t) => {
  const byNobody = {
    processGuid: P,
    index: 0,
    domain: '',
    state: 'RUNNING' as const,
    instanceGuid: '',
    cellId: '',
    placementError: '',
    crashCount: 0,
    crashReason: '',
    modificationTag: { epoch: 'E9', index: 0 },
  };
  t.true(replay(prerelease, [startA(byNobody)]).legal);
  t.false(replay(current, [startA(byNobody)]).legal);
  t.true(replay(current, [startA({ ...byNobody, ...a })]).legal);
  const failed: Step = [
    op('FailActualLRP', { processGuid: P, index: 0, placementError: 'no room' }),
    { record: lrp(1, { placementError: 'no room' }) },
  ];
  t.true(
    replay(prerelease, [
      create,
      failed,
      startA(lrp(2, { state: 'RUNNING', ...a, placementError: 'no room' })),
    ]).legal,
  );
  t.false(replay(prerelease, [create, failed, startA(lrp(2, { state: 'RUNNING', ...a }))]).legal);
  t.true(replay(current, [create, failed, startA(lrp(2, { state: 'RUNNING', ...a }))]).legal);
});

test('2a8d20a0: the crash count before the crash decides: the third crash still restarts at once', (t) => {
  // Three claim → crash cycles; each crash below three leaves it UNCLAIMED.
  const cycle = (
    tag: number,
    crashesBefore: number,
    stateAfter: 'UNCLAIMED' | 'CRASHED',
  ): Step[] => [
    claimA(
      lrp(tag, {
        state: 'CLAIMED',
        ...a,
        crashCount: crashesBefore,
        crashReason: crashesBefore ? 'exit 1' : '',
      }),
    ),
    crashA(
      lrp(tag + 1, { state: stateAfter, crashCount: crashesBefore + 1, crashReason: 'exit 1' }),
    ),
  ];
  const third = (s: 'UNCLAIMED' | 'CRASHED') => [
    create,
    ...cycle(1, 0, 'UNCLAIMED'),
    ...cycle(3, 1, 'UNCLAIMED'),
    ...cycle(5, 2, s),
  ];
  t.true(replay(prerelease, third('UNCLAIMED')).legal);
  t.false(replay(prerelease, third('CRASHED')).legal);
  t.true(replay(current, third('CRASHED')).legal);
  t.false(replay(current, third('UNCLAIMED')).legal);
});

test('before 1f4fe8c6 an instance key in RemoveActualLRP is ignored', (t) => {
  const claimed = lrp(1, { state: 'CLAIMED', ...a });
  const removeB: Step = [
    op('RemoveActualLRP', { processGuid: P, index: 0, instanceGuid: 'cell-b-i', cellId: 'cell-b' }),
    { record: null },
  ];
  const notFound: Step = [removeB[0], { error: 'ResourceNotFound' }];
  t.true(replay(shipped, [create, claimA(claimed), removeB]).legal);
  t.true(replay(prerelease, [create, claimA(claimed), removeB]).legal);
  t.false(replay(current, [create, claimA(claimed), removeB]).legal);
  t.true(replay(current, [create, claimA(claimed), notFound]).legal);
});

test('the store and the spec agree on the crash state in every form', (t) => {
  fc.assert(
    fc.property(
      fc.constantFrom('CLAIMED' as const, 'RUNNING' as const),
      fc.nat(6),
      fc.boolean(),
      fc.boolean(),
      (from, count, ranLong, pre) => {
        const n = nextCrashCount({ state: from, crashCount: count }, ranLong);
        const store = stateAfterCrash(pre ? count : n);
        const spec = afterCrash(
          from,
          count,
          ranLong,
          pre ? 'prerelease-2016-03' : 'instance-key-2016-06',
        );
        return spec.crashCount === n && spec.state === store;
      },
    ),
  );
  t.pass();
});

// --- what the client was told ------------------------------------------------------------------

const e = (over: Partial<OpError>): OpError => ({ message: 'x', phase: 'statement', ...over });
const deadlockStmt = e({ errno: 1213 });
const deadlockCommit = e({ errno: 1213, phase: 'commit' });
const lostCommit = e({ code: 'PROTOCOL_CONNECTION_LOST', phase: 'commit' });
const nonPrimary = e({ errno: 1047 });
const dup = e({ errno: 1062 });
const panic = e({ code: HANDLER_PANIC });

test('caller errors per profile, from convertSQLError and the handlers at each pinned commit', (t) => {
  // [profile, op, error, what the client got], worked out from the Go code of each commit.
  const table: [string, Parameters<typeof callerErrorName>[1], OpError, CallerErrorName][] = [
    // 2a8d20a0: convertMySQLError knows 1062 and 1406 only; COMMIT errors go back raw.
    ['2016-03', 'ClaimActualLRP', deadlockStmt, 'UnknownError'],
    ['2016-03', 'ClaimActualLRP', panic, 'ConnectionDropped'],
    ['2016-03', 'StartActualLRP', dup, 'ResourceExists'],
    // db3234a7: 1213 is ErrDeadlock on a statement; COMMIT's raw error becomes UnknownError.
    ['2016-05', 'ClaimActualLRP', deadlockStmt, 'Deadlock'],
    ['2016-05', 'ClaimActualLRP', deadlockCommit, 'UnknownError'],
    ['2016-05', 'ClaimActualLRP', nonPrimary, 'UnknownError'],
    // 47049111: CreateUnclaimedActualLRP converts its transact error, ClaimActualLRP does not.
    ['2016-11', 'CreateUnclaimedActualLRP', deadlockCommit, 'Deadlock'],
    ['2016-11', 'ClaimActualLRP', deadlockCommit, 'UnknownError'],
    ['2016-11', 'ClaimActualLRP', e({ errno: 1146 }), 'Unrecoverable'],
    // 196209c9 on: transact converts everything.
    ['2017-05', 'ClaimActualLRP', deadlockCommit, 'Deadlock'],
    ['2017-06', 'CrashActualLRP', lostCommit, 'UnknownError'],
    ['today', 'RemoveActualLRP', nonPrimary, 'UnknownError'],
    ['today', 'CreateUnclaimedActualLRP', dup, 'ResourceExists'],
  ];
  for (const [version, f, err, want] of table)
    t.is(
      callerErrorName(profileOf(version).date, f, err),
      want,
      `${version} ${f} ${err.errno ?? err.code} at ${err.phase}`,
    );
});

test('a lost connection is UnknownError at every profile, and only a panic drops the connection', (t) => {
  for (const p of BBS_PROFILES) {
    t.is(callerErrorName(p.date, 'ClaimActualLRP', lostCommit), 'UnknownError', p.name);
    t.is(
      callerErrorName(p.date, 'ClaimActualLRP', e({ code: 'ECONNRESET' })),
      'UnknownError',
      p.name,
    );
  }
});
