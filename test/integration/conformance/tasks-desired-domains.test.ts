// Conformance of the SQL store's task, desired LRP and domain ops with the real BBS, profile by
// profile: for every op the workload runs, the statements the store sends (captured on a real
// connection to one real MariaDB Galera node) against the statements written out by hand from
// cloudfoundry/bbs at the profile's commit (expected.ts, compared by shape.ts), for the op's
// success and each of its refusals; and each error mapping: a database error in the locked read
// masked as ResourceNotFound until 47049111, reads and DesireTask outside a transaction (so never
// retried) before it, a 1213 retried by the profile's policy, UpsertDomain's ttl 0.
// Each test names the profile, its commit and the file its expected statements come from.

import test, { type ExecutionContext } from 'ava';
import type mysql from 'mysql2/promise';
import { schemaNodeForFile } from './node.ts';
import type { BbsOp, BbsOpArgs, BbsOpName, TaskRecord } from '../../../bbs/ops.ts';
import { SqlBbsStore, type ExecResult } from '../../../bbs/sql/store.ts';
import type { BbsVersion } from '../../../bbs/versions/index.ts';
import { recordingSource, type InjectedError } from './capture.ts';
import {
  COMPLETE_TASK_UPDATE,
  DELETE_TASK,
  desiredIgnore,
  desiredLRPByProcessGuid,
  desireLRP,
  desireTask,
  domains,
  PROFILE_CODE,
  RESOLVING_TASK_UPDATE,
  removeDesiredLRP,
  START_TASK_UPDATE,
  startTaskAgain,
  taskByGuid,
  taskMutation,
  updateDesiredLRP,
  upsertDomain,
  type Era,
} from './expected.ts';
import { shapes } from './shape.ts';

const node = schemaNodeForFile('127.0.85', 11, 8);

let keyNo = 0;
const key = (what: string): string => `${what}-${++keyNo}`;

const DEADLOCK: InjectedError = {
  message: 'Deadlock found when trying to get lock; try restarting transaction',
  errno: 1213,
  code: 'ER_LOCK_DEADLOCK',
  sqlState: '40001',
};
const NOT_READY: InjectedError = {
  message: 'WSREP has not yet prepared node for application use',
  errno: 1047,
  code: 'ER_UNKNOWN_COM_ERROR',
  sqlState: '08S01',
};

/** Puts entities in place through today's store, outside the recording. */
async function given(...ops: BbsOp[]): Promise<void> {
  const store = new SqlBbsStore(node.pool());
  for (const op of ops) {
    const r = await store.execute(op);
    if (r.error || r.value?.error) throw new Error(`setting up ${op.f}: ${JSON.stringify(r)}`);
  }
}

interface Ran {
  result: ExecResult;
  /** The op's statements as sent, without the lab's session setup. */
  sent: string[];
  /** Leases used: one per attempt. */
  leases: number;
}

/** Runs one op through a store of the profile on a recording connection source. */
async function run<F extends BbsOpName>(
  version: BbsVersion,
  f: F,
  args: BbsOpArgs[F],
  fault?: { when: RegExp; error: InjectedError },
): Promise<Ran> {
  let faulted = false;
  const rec = recordingSource(node.pool(), {
    failWhen: (sql) => {
      if (!fault || faulted || !fault.when.test(sql)) return undefined;
      faulted = true;
      return fault.error;
    },
  });
  const store = new SqlBbsStore(rec.source, { version });
  const result = await store.execute({ f, args } as BbsOp);
  return { result, sent: rec.opStatements(), leases: new Set(rec.sent.map((s) => s.lease)).size };
}

function sameStatements(
  t: ExecutionContext,
  got: readonly string[],
  expected: readonly string[],
  ignore: readonly string[] = [],
): void {
  t.deepEqual(shapes(got, { ignore }), shapes(expected, { ignore }), `sent:\n${got.join('\n')}`);
}

const TASK_FILE = 'db/sqldb/task_db.go';
const DESIRED_FILE = 'db/sqldb/desired_lrp_db.go';
const DOMAIN_FILE = 'db/sqldb/domain_db.go';
const early = (e: Era): boolean => e === '2a8d20a0' || e === 'db3234a7';

const desire = (taskGuid: string): BbsOp => ({
  f: 'DesireTask',
  args: { taskGuid, domain: 'cf-tasks' },
});
const start = (taskGuid: string, cellId = 'cell-a'): BbsOp => ({
  f: 'StartTask',
  args: { taskGuid, cellId },
});
const complete = (taskGuid: string, cellId = 'cell-a'): BbsOp => ({
  f: 'CompleteTask',
  args: { taskGuid, cellId, failed: false, failureReason: '', result: 'ok' },
});
const resolving = (taskGuid: string): BbsOp => ({ f: 'ResolvingTask', args: { taskGuid } });
const lrp = (processGuid: string): BbsOp => ({
  f: 'DesireLRP',
  args: { processGuid, domain: 'cf-apps', instances: 1, annotation: 'a' },
});

for (const p of PROFILE_CODE) {
  const e = p.era;
  const at = (file: string): string => `at ${p.version} (${p.commit} ${file})`;

  // --- tasks ------------------------------------------------------------------------------------

  test(`DesireTask ${at(TASK_FILE)}: a new task is ${early(e) ? 'one autocommit INSERT' : 'an INSERT in a transaction'}; an existing one is ResourceExists (1062)`, async (t) => {
    const g = key('t');
    const fresh = await run(p.version, 'DesireTask', { taskGuid: g, domain: 'cf-tasks' });
    t.is(fresh.result.value?.error, undefined);
    sameStatements(t, fresh.sent, desireTask(e, 'inserted'));
    const again = await run(p.version, 'DesireTask', { taskGuid: g, domain: 'cf-tasks' });
    t.is(again.result.value?.error, 'ResourceExists');
    sameStatements(t, again.sent, desireTask(e, 'exists'));
  });

  test(`DesireTask ${at(TASK_FILE)}: a 1213 on the INSERT is ${early(e) ? 'not retried (no transaction)' : 'retried (47049111 retries any 1213 of the transaction)'}`, async (t) => {
    const g = key('t');
    const r = await run(
      p.version,
      'DesireTask',
      { taskGuid: g, domain: 'cf-tasks' },
      { when: /^INSERT INTO tasks/, error: DEADLOCK },
    );
    if (early(e)) {
      t.is(r.result.error?.errno, 1213);
      t.is(r.result.attempts, 1);
      sameStatements(t, r.sent, desireTask(e, 'exists'));
    } else {
      t.is(r.result.error, undefined);
      t.is(r.result.attempts, 2);
      sameStatements(t, r.sent, [...desireTask(e, 'exists'), ...desireTask(e, 'inserted')]);
    }
  });

  test(`StartTask ${at(TASK_FILE)}: PENDING → RUNNING; again on the same cell writes nothing and commits; on another cell and a missing task are refused`, async (t) => {
    const g = key('t');
    await given(desire(g));
    const started = await run(p.version, 'StartTask', { taskGuid: g, cellId: 'cell-a' });
    t.true(started.result.value?.shouldStart);
    sameStatements(t, started.sent, taskMutation(e, START_TASK_UPDATE));
    const same = await run(p.version, 'StartTask', { taskGuid: g, cellId: 'cell-a' });
    t.false(same.result.value?.shouldStart);
    sameStatements(t, same.sent, startTaskAgain(e));
    const other = await run(p.version, 'StartTask', { taskGuid: g, cellId: 'cell-b' });
    t.is(other.result.value?.error, 'InvalidStateTransition');
    sameStatements(t, other.sent, taskMutation(e, null));
    const missing = await run(p.version, 'StartTask', {
      taskGuid: key('absent'),
      cellId: 'cell-a',
    });
    t.is(missing.result.value?.error, 'ResourceNotFound');
    sameStatements(t, missing.sent, taskMutation(e, null));
  });

  test(`CompleteTask ${at(TASK_FILE)}: RUNNING on the cell → COMPLETED; another cell is RunningOnDifferentCell; PENDING is InvalidStateTransition`, async (t) => {
    const g = key('t');
    const pending = key('t');
    await given(desire(g), start(g), desire(pending));
    const wrongCell = await run(p.version, 'CompleteTask', {
      taskGuid: g,
      cellId: 'cell-b',
      failed: false,
      failureReason: '',
      result: 'x',
    });
    t.is(wrongCell.result.value?.error, 'RunningOnDifferentCell');
    sameStatements(t, wrongCell.sent, taskMutation(e, null));
    const done = await run(p.version, 'CompleteTask', {
      taskGuid: g,
      cellId: 'cell-a',
      failed: false,
      failureReason: '',
      result: 'x',
    });
    t.is((done.result.value?.record as TaskRecord | undefined)?.state, 'COMPLETED');
    sameStatements(t, done.sent, taskMutation(e, COMPLETE_TASK_UPDATE));
    const notRunning = await run(p.version, 'CompleteTask', {
      taskGuid: pending,
      cellId: 'cell-a',
      failed: false,
      failureReason: '',
      result: 'x',
    });
    t.is(notRunning.result.value?.error, 'InvalidStateTransition');
    sameStatements(t, notRunning.sent, taskMutation(e, null));
  });

  test(`CancelTask and FailTask ${at(TASK_FILE)}: PENDING or RUNNING → COMPLETED (failed) by completeTask; COMPLETED is InvalidStateTransition`, async (t) => {
    const a = key('t');
    const b = key('t');
    await given(desire(a), desire(b), start(b));
    const cancelled = await run(p.version, 'CancelTask', { taskGuid: a });
    t.like(cancelled.result.value?.record as TaskRecord, {
      state: 'COMPLETED',
      failed: true,
      failureReason: 'task was cancelled',
    });
    sameStatements(t, cancelled.sent, taskMutation(e, COMPLETE_TASK_UPDATE));
    const failed = await run(p.version, 'FailTask', { taskGuid: b, failureReason: 'boom' });
    t.like(failed.result.value?.record as TaskRecord, {
      state: 'COMPLETED',
      failed: true,
      failureReason: 'boom',
    });
    sameStatements(t, failed.sent, taskMutation(e, COMPLETE_TASK_UPDATE));
    for (const f of ['CancelTask', 'FailTask'] as const) {
      const refused =
        f === 'CancelTask'
          ? await run(p.version, f, { taskGuid: a })
          : await run(p.version, f, { taskGuid: a, failureReason: 'again' });
      t.is(refused.result.value?.error, 'InvalidStateTransition', f);
      sameStatements(t, refused.sent, taskMutation(e, null));
    }
  });

  test(`ResolvingTask ${at(TASK_FILE)}: COMPLETED → RESOLVING writes state and updated_at only; RUNNING is InvalidStateTransition`, async (t) => {
    const g = key('t');
    const running = key('t');
    await given(desire(g), start(g), complete(g), desire(running), start(running));
    const ok = await run(p.version, 'ResolvingTask', { taskGuid: g });
    t.is((ok.result.value?.record as TaskRecord | undefined)?.state, 'RESOLVING');
    sameStatements(t, ok.sent, taskMutation(e, RESOLVING_TASK_UPDATE));
    const refused = await run(p.version, 'ResolvingTask', { taskGuid: running });
    t.is(refused.result.value?.error, 'InvalidStateTransition');
    sameStatements(t, refused.sent, taskMutation(e, null));
  });

  test(`DeleteTask ${at(TASK_FILE)}: RESOLVING is deleted; COMPLETED is InvalidStateTransition`, async (t) => {
    const g = key('t');
    const completed = key('t');
    await given(
      desire(g),
      start(g),
      complete(g),
      resolving(g),
      desire(completed),
      start(completed),
      complete(completed),
    );
    const ok = await run(p.version, 'DeleteTask', { taskGuid: g });
    t.is(ok.result.value?.record, null);
    sameStatements(t, ok.sent, taskMutation(e, DELETE_TASK));
    const refused = await run(p.version, 'DeleteTask', { taskGuid: completed });
    t.is(refused.result.value?.error, 'InvalidStateTransition');
    sameStatements(t, refused.sent, taskMutation(e, null));
  });

  test(`TaskByGuid ${at(TASK_FILE)}: ${early(e) ? 'one autocommit SELECT' : 'a SELECT in a transaction, rolled back when the task is missing'}`, async (t) => {
    const g = key('t');
    await given(desire(g));
    const found = await run(p.version, 'TaskByGuid', { taskGuid: g });
    t.is((found.result.value?.record as TaskRecord | undefined)?.taskGuid, g);
    sameStatements(t, found.sent, taskByGuid(e, true));
    const missing = await run(p.version, 'TaskByGuid', { taskGuid: key('absent') });
    t.is(missing.result.value?.record, null);
    sameStatements(t, missing.sent, taskByGuid(e, false));
  });

  test(`task errors ${at(TASK_FILE)}: a 1213 on StartTask's locked read ${early(e) ? 'is masked as ResourceNotFound and not retried' : 'is the error, and retried'}; a 1047 on TaskByGuid ${early(e) ? 'is masked as "not found"' : 'is the error'}`, async (t) => {
    const g = key('t');
    await given(desire(g));
    const locked = await run(
      p.version,
      'StartTask',
      { taskGuid: g, cellId: 'cell-a' },
      { when: /^SELECT .* FROM tasks/, error: DEADLOCK },
    );
    if (early(e)) {
      // fetchTask: any Scan error → models.ErrResourceNotFound, an *Error, never a deadlock to
      // retry.
      t.is(locked.result.value?.error, 'ResourceNotFound');
      t.is(locked.result.attempts, 1);
      sameStatements(t, locked.sent, taskMutation(e, null));
    } else {
      t.is(locked.result.error, undefined);
      t.is(locked.result.attempts, 2);
      t.is(locked.result.retried?.[0]?.errno, 1213);
      t.true(locked.result.value?.shouldStart);
      sameStatements(t, locked.sent, [
        ...taskMutation(e, null),
        ...taskMutation(e, START_TASK_UPDATE),
      ]);
    }
    const read = await run(
      p.version,
      'TaskByGuid',
      { taskGuid: g },
      { when: /^SELECT .* FROM tasks/, error: NOT_READY },
    );
    if (early(e)) {
      t.is(read.result.error, undefined);
      t.is(read.result.value?.record, null);
    } else {
      t.is(read.result.error?.errno, 1047);
      t.is(read.result.attempts, 1);
    }
    sameStatements(t, read.sent, taskByGuid(e, false));
  });

  // --- desired LRPs -----------------------------------------------------------------------------

  test(`DesireLRP ${at(DESIRED_FILE)}: an INSERT in a transaction with a new epoch at index 0; an existing one is ResourceExists`, async (t) => {
    const g = key('p');
    const fresh = await run(p.version, 'DesireLRP', {
      processGuid: g,
      domain: 'cf-apps',
      instances: 2,
      annotation: 'a',
    });
    t.like(fresh.result.value?.record as object, {
      processGuid: g,
      instances: 2,
      modificationTag: { index: 0 },
    });
    sameStatements(t, fresh.sent, desireLRP(e, 'inserted'), desiredIgnore(e));
    const again = await run(p.version, 'DesireLRP', {
      processGuid: g,
      domain: 'cf-apps',
      instances: 2,
      annotation: 'a',
    });
    t.is(again.result.value?.error, 'ResourceExists');
    sameStatements(t, again.sent, desireLRP(e, 'exists'), desiredIgnore(e));
  });

  // 2a8d20a0 probed the row with a share-locked count and left the modification tag alone; the lab
  // reads the row (share-locked) and raises the index, as db3234a7 did: a known difference
  // (docs/bbs-versions.md), kept failing here until the lab models it.
  const updateTest = e === '2a8d20a0' ? test.failing : test;
  updateTest(
    `UpdateDesiredLRP ${at(DESIRED_FILE)}: lock the row, UPDATE instances${e === '2a8d20a0' ? '' : ' and raise modification_tag_index'}; a missing LRP is ResourceNotFound`,
    async (t) => {
      const g = key('p');
      await given(lrp(g));
      const ok = await run(p.version, 'UpdateDesiredLRP', { processGuid: g, instances: 3 });
      t.like(ok.result.value?.record as object, { instances: 3 });
      sameStatements(t, ok.sent, updateDesiredLRP(e, true));
      const missing = await run(p.version, 'UpdateDesiredLRP', {
        processGuid: key('absent'),
        instances: 3,
      });
      t.is(missing.result.value?.error, 'ResourceNotFound');
      sameStatements(t, missing.sent, updateDesiredLRP(e, false));
    },
  );

  test(`RemoveDesiredLRP ${at(DESIRED_FILE)}: probe-lock then DELETE; a missing LRP is ResourceNotFound; an error of the probe is never masked`, async (t) => {
    const g = key('p');
    await given(lrp(g));
    const ok = await run(p.version, 'RemoveDesiredLRP', { processGuid: g });
    t.is(ok.result.value?.record, null);
    sameStatements(t, ok.sent, removeDesiredLRP(e, true));
    const missing = await run(p.version, 'RemoveDesiredLRP', { processGuid: g });
    t.is(missing.result.value?.error, 'ResourceNotFound');
    sameStatements(t, missing.sent, removeDesiredLRP(e, false));
    // lockDesiredLRPByGuidFor…: convertSQLError, at every commit. A 1047 is no deadlock: not
    // retried.
    await given(lrp(g));
    const failed = await run(
      p.version,
      'RemoveDesiredLRP',
      { processGuid: g },
      { when: /FROM desired_lrps/, error: NOT_READY },
    );
    t.is(failed.result.error?.errno, 1047);
    t.is(failed.result.attempts, 1);
    sameStatements(t, failed.sent, removeDesiredLRP(e, false));
  });

  test(`DesiredLRPByProcessGuid ${at(DESIRED_FILE)}: ${early(e) ? 'one autocommit SELECT, errors masked as "not found"' : 'a SELECT in a transaction, rolled back when missing; errors are errors'}`, async (t) => {
    const g = key('p');
    await given(lrp(g));
    const found = await run(p.version, 'DesiredLRPByProcessGuid', { processGuid: g });
    t.like(found.result.value?.record as object, { processGuid: g });
    sameStatements(t, found.sent, desiredLRPByProcessGuid(e, true));
    const missing = await run(p.version, 'DesiredLRPByProcessGuid', { processGuid: key('absent') });
    t.is(missing.result.value?.record, null);
    sameStatements(t, missing.sent, desiredLRPByProcessGuid(e, false));
    const failed = await run(
      p.version,
      'DesiredLRPByProcessGuid',
      { processGuid: g },
      { when: /FROM desired_lrps/, error: NOT_READY },
    );
    if (early(e)) t.is(failed.result.value?.record, null);
    else t.is(failed.result.error?.errno, 1047);
    sameStatements(t, failed.sent, desiredLRPByProcessGuid(e, false));
  });

  if (e === 'db3234a7') {
    test(`UpdateDesiredLRP ${at(DESIRED_FILE)}: fetchDesiredLRP masks a 1213 of the locked read as ResourceNotFound, not retried`, async (t) => {
      const g = key('p');
      await given(lrp(g));
      const r = await run(
        p.version,
        'UpdateDesiredLRP',
        { processGuid: g, instances: 3 },
        { when: /FROM desired_lrps/, error: DEADLOCK },
      );
      t.is(r.result.value?.error, 'ResourceNotFound');
      t.is(r.result.attempts, 1);
      sameStatements(t, r.sent, updateDesiredLRP(e, false));
    });
  }

  // --- domains
  // ------------------------------------------------------------------------------------ Serial:
  // from b08a6ca0 two first upserts of neighbouring domains at once can deadlock (each UPDATE of a
  // missing row takes a gap lock, each INSERT then waits for the other's): a real 1213, retried by
  // the BBS, but a second attempt these sequences do not expect.

  test.serial(
    `UpsertDomain ${at(DOMAIN_FILE)}: ${early(e) ? 'one autocommit INSERT … ON DUPLICATE KEY UPDATE' : e === '47049111' ? 'INSERT … ON DUPLICATE KEY UPDATE in a transaction' : 'UPDATE, and INSERT when no row changed, in a transaction'}, new and existing`,
    async (t) => {
      const d = key('d');
      const fresh = await run(p.version, 'UpsertDomain', { domain: d, ttl: 30 });
      t.deepEqual(fresh.result.value?.record, { domain: d, ttl: 30 });
      sameStatements(t, fresh.sent, upsertDomain(e, 'missing'));
      const again = await run(p.version, 'UpsertDomain', { domain: d, ttl: 60 });
      t.deepEqual(again.result.value?.record, { domain: d, ttl: 60 });
      sameStatements(t, again.sent, upsertDomain(e, 'changed'));
    },
  );

  test.serial(
    `UpsertDomain ${at(DOMAIN_FILE)}: ttl 0 ${
      e === '2a8d20a0'
        ? 'stores now, so the domain is never fresh (before 23dfa3fb)'
        : e === 'db3234a7' || e === '47049111'
          ? 'never expires, and again succeeds'
          : 'never expires; again, the UPDATE changes nothing and the INSERT is ResourceExists'
    }`,
    async (t) => {
      const d = key('d');
      const first = await run(p.version, 'UpsertDomain', { domain: d, ttl: 0 });
      t.is(first.result.value?.error, undefined);
      // Never expiring: listed. Stored as now (2a8d20a0): whether Domains lists it for the moment
      // depends on Round(time.Second) of the read's clock, so only the stored value is checked
      // below.
      if (e !== '2a8d20a0')
        t.true((await run(p.version, 'Domains', {})).result.value?.domains?.includes(d));
      const again = await run(p.version, 'UpsertDomain', { domain: d, ttl: 0 });
      if (e === '2a8d20a0' || e === 'db3234a7' || e === '47049111') {
        t.is(again.result.value?.error, undefined);
        sameStatements(t, again.sent, upsertDomain(e, 'changed'));
      } else {
        t.is(again.result.value?.error, 'ResourceExists');
        sameStatements(t, again.sent, upsertDomain(e, 'unchanged'));
      }
      const [rows] = await node
        .pool()
        .query<mysql.RowDataPacket[]>(
          'SELECT CAST(expire_time AS CHAR) AS e FROM domains WHERE domain = ?',
          [d],
        );
      const stored = BigInt(String(rows[0]?.e));
      if (e === '2a8d20a0')
        t.true(
          stored <= BigInt(Date.now() + 1) * 1_000_000n &&
            stored > BigInt(Date.now() - 60_000) * 1_000_000n,
          String(stored),
        );
      else t.is(stored, 9_223_372_036_854_775_807n);
    },
  );

  test.serial(
    `Domains ${at(DOMAIN_FILE)}: ${early(e) ? 'one autocommit SELECT' : 'a SELECT in a transaction'} of the domains expiring after now`,
    async (t) => {
      const d = key('d');
      await given({ f: 'UpsertDomain', args: { domain: d, ttl: 30 } });
      const r = await run(p.version, 'Domains', {});
      t.true(r.result.value?.domains?.includes(d));
      sameStatements(t, r.sent, domains(e));
    },
  );
}
