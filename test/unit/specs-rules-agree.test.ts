// The specification's transition rules (specs/transitions.ts, written from the BBS's documentation)
// and the store's (bbs/rules.ts) held to one hand-written table of every transition the BBS
// documents, and to each other on every (from, to, instance key) combination: a bug in either
// shows.

import test from 'ava';
import * as store from '../../bbs/rules.ts';
import * as spec from '../../specs/transitions.ts';
import { taskStep } from '../../specs/task.ts';
import {
  ACTUAL_LRP_STATES,
  TASK_STATES,
  type ActualLRPState,
  type BbsOp,
  type TaskState,
} from '../../specs/vocabulary.ts';

// models/task.go ValidateTransitionTo, read by hand: y = allowed. Rows: from; columns: to in the
// order PENDING RUNNING COMPLETED RESOLVING.
const TASK_TABLE: Record<TaskState, string> = {
  PENDING: 'n y n n',
  RUNNING: 'n n y n',
  COMPLETED: 'n n n y',
  RESOLVING: 'n n n n',
};

test('task transitions: spec and store both give the documented table', (t) => {
  for (const from of TASK_STATES) {
    const row = TASK_TABLE[from].split(' ');
    TASK_STATES.forEach((to, i) => {
      const documented = row[i] === 'y';
      t.is(spec.taskMayMove(from, to), documented, `spec ${from} → ${to}`);
      t.is(store.taskTransitionAllowed(from, to), documented, `store ${from} → ${to}`);
    });
  }
});

test('CancelTask / FailTask: spec and store both allow exactly PENDING and RUNNING', (t) => {
  for (const s of TASK_STATES) {
    const documented = s === 'PENDING' || s === 'RUNNING';
    t.is(spec.TASK_FAILABLE_FROM.includes(s), documented, `spec ${s}`);
    t.is(store.taskCanBeFailed(s), documented, `store ${s}`);
  }
  t.is(spec.TASK_CANCELLED_REASON, store.CANCELLED_REASON);
});

// models/actual_lrp.go AllowsTransitionTo by hand. The holder is the stored instance key: k1 =
// (i1, c1) for CLAIMED and RUNNING, empty for UNCLAIMED and CRASHED (the store clears it). The
// three letters are the verdict for a request by k1, by k2 = (i2, c2) (another instance on another
// cell) and by the empty key. Columns: to UNCLAIMED, CLAIMED, RUNNING, CRASHED.
const LRP_TABLE: Record<spec.ActualLRPRules, Record<ActualLRPState, string>> = {
  // permissive (hypothetical): only claimed/running → claimed/running checks the key, and claimed →
  // running never does.
  permissive: {
    UNCLAIMED: 'yyy yyy yyy yyy',
    CLAIMED: 'yyy ynn yyy yyy',
    RUNNING: 'yyy ynn ynn yyy',
    CRASHED: 'yyy yyy yyy yyy',
  },
  // per-state: "same key" for a CRASHED LRP is the empty key, since a crash clears it.
  'per-state': {
    UNCLAIMED: 'yyy yyy yyy nnn',
    CLAIMED: 'nny ynn yyy ynn',
    RUNNING: 'nny ynn ynn ynn',
    CRASHED: 'nny nny nny nnn',
  },
};

const K1 = { instanceGuid: 'i1', cellId: 'c1' };
const K2 = { instanceGuid: 'i2', cellId: 'c2' };
const EMPTY = { instanceGuid: '', cellId: '' };
const holderOf = (s: ActualLRPState) => (s === 'CLAIMED' || s === 'RUNNING' ? K1 : EMPTY);

for (const rules of ['permissive', 'per-state'] as const) {
  test(`actual LRP transitions (${rules}): spec and store both give the documented table`, (t) => {
    let checked = 0;
    for (const from of ACTUAL_LRP_STATES) {
      const cells = LRP_TABLE[rules][from].split(' ');
      ACTUAL_LRP_STATES.forEach((to, i) => {
        [K1, K2, EMPTY].forEach((by, j) => {
          const documented = cells[i]![j] === 'y';
          const holder = holderOf(from);
          const what = `${from} (held by ${holder.cellId || 'nobody'}) → ${to} by ${by.cellId || 'empty key'}`;
          t.is(
            spec.actualLRPMayMove(rules, from, holder, true, by, to),
            documented,
            `spec ${what}`,
          );
          t.is(
            store.allowsTransitionTo(rules, { state: from, ...holder }, true, by, to),
            documented,
            `store ${what}`,
          );
          checked++;
        });
      });
    }
    t.is(checked, 4 * 4 * 3);
  });

  test(`actual LRP transitions (${rules}): spec and store agree on every holder, request key and LRP key`, (t) => {
    const keys = [
      K1,
      K2,
      EMPTY,
      { instanceGuid: 'i1', cellId: 'c2' },
      { instanceGuid: 'i2', cellId: 'c1' },
    ];
    let differ = 0;
    for (const from of ACTUAL_LRP_STATES)
      for (const to of ACTUAL_LRP_STATES)
        for (const holder of keys)
          for (const by of keys)
            for (const sameLRP of [true, false]) {
              const a = spec.actualLRPMayMove(rules, from, holder, sameLRP, by, to);
              const b = store.allowsTransitionTo(
                rules,
                { state: from, ...holder },
                sameLRP,
                by,
                to,
              );
              if (a !== b) differ++;
              if (!sameLRP) t.false(a, 'another LRP key is always refused');
            }
    t.is(differ, 0);
  });
}

test('crash bookkeeping: spec and store agree, and match hand-worked cases', (t) => {
  for (const from of ACTUAL_LRP_STATES)
    for (let n = 0; n <= 5; n++)
      for (const ranLong of [false, true]) {
        const s = spec.afterCrash(from, n, ranLong);
        const count = store.nextCrashCount({ state: from, crashCount: n }, ranLong);
        t.deepEqual(
          s,
          { crashCount: count, state: store.stateAfterCrash(count) },
          `${from} count ${n} ranLong ${ranLong}`,
        );
      }
  // RUNNING with 2 crashes, short run: 2 + 1 = 3 ≥ 3 immediate restarts → stays CRASHED.
  t.deepEqual(spec.afterCrash('RUNNING', 2, false), { crashCount: 3, state: 'CRASHED' });
  // RUNNING for more than 5 min: the count starts again at 1 < 3 → restarted at once (UNCLAIMED).
  t.deepEqual(spec.afterCrash('RUNNING', 5, true), { crashCount: 1, state: 'UNCLAIMED' });
  // CLAIMED ignores the run time: 1 + 1 = 2 < 3 → UNCLAIMED.
  t.deepEqual(spec.afterCrash('CLAIMED', 1, true), { crashCount: 2, state: 'UNCLAIMED' });
  t.is(spec.CRASH_RESET_MS, store.CRASH_RESET_TIMEOUT_MS);
});

// The cell checks of the task ops (db/sqldb/task_db.go), by hand: the spec's answer for a task in
// each state held by cell c1 when the request comes from c1 or from c2.
test('task ops with their cell checks: the spec answers as the BBS documents', (t) => {
  const task = (state: TaskState) => ({
    domain: 'd',
    state,
    cellId: state === 'RUNNING' ? 'c1' : '',
    result: '',
    failed: false,
    failureReason: '',
  });
  const answer = (state: TaskState, op: BbsOp): string => {
    const o = taskStep(task(state), op)!;
    return (
      o.result.error ?? (o.result.shouldStart === false ? 'no-op' : `→${o.next?.state ?? 'absent'}`)
    );
  };
  const start = (cellId: string): BbsOp => ({ f: 'StartTask', args: { taskGuid: 'g', cellId } });
  const complete = (cellId: string): BbsOp => ({
    f: 'CompleteTask',
    args: { taskGuid: 'g', cellId, failed: false, failureReason: '', result: 'r' },
  });
  const expected: Record<TaskState, string[]> = {
    // StartTask c1, StartTask c2, CompleteTask c1, CompleteTask c2
    PENDING: ['→RUNNING', '→RUNNING', 'InvalidStateTransition', 'InvalidStateTransition'],
    RUNNING: ['no-op', 'InvalidStateTransition', '→COMPLETED', 'RunningOnDifferentCell'],
    COMPLETED: [
      'InvalidStateTransition',
      'InvalidStateTransition',
      'InvalidStateTransition',
      'InvalidStateTransition',
    ],
    RESOLVING: [
      'InvalidStateTransition',
      'InvalidStateTransition',
      'InvalidStateTransition',
      'InvalidStateTransition',
    ],
  };
  for (const s of TASK_STATES)
    t.deepEqual(
      [start('c1'), start('c2'), complete('c1'), complete('c2')].map((op) => answer(s, op)),
      expected[s],
      s,
    );
});
