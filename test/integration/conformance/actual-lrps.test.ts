// Conformance of the store's actual LRP ops with cloudfoundry/bbs, profile by profile, on a real
// Galera node: the statements the store sends (captured, session set-up left out) against the
// statements written out BY HAND from db/sqldb/actual_lrp_db.go (and sqldb.go / helpers) at each
// profile's commit, each refusal, each error mapping, and the retry loop with injected faults.
// Nothing expected here is produced by the store; every sequence names its commit and file.
//
// Reading the Go: `db.transact` is BEGIN (go-sql-driver sends START TRANSACTION) … COMMIT, with
// `defer tx.Rollback()` sending ROLLBACK when f returns an error; `db.db.Exec` is an autocommit
// statement on any pooled connection. Values the lab cannot know or does not model (since, epochs,
// net_info payloads) are ANY. Today's BBS reads and writes columns the lab's schema (migration
// 1461790966) has not, and names `evacuating` `presence` (fccfa05d, 2018-07-20): `labSchema` maps
// today's statements onto the lab's schema, and says so.

import test from 'ava';
import { schemaNodeForFile } from './node.ts';
import type { BbsErrorType, BbsOp, BbsOpArgs } from '../../../bbs/ops.ts';
import { SqlBbsStore, type ExecResult } from '../../../bbs/sql/store.ts';
import type { CallerErrorName } from '../../../bbs/sql/caller-error.ts';
import { BBS_VERSIONS, profileOf, type BbsVersion } from '../../../bbs/versions/index.ts';
import { recordingSource, type InjectedError } from './capture.ts';
import { ANY, sequenceProblems, type Expected, type Stmt } from './statements.ts';

const node = schemaNodeForFile('127.0.88', 21, 6);

// --- the Go statements, by commit ---------------------------------------------------------------

const COLS_2016 =
  'process_guid, instance_index, evacuating, domain, state, instance_guid, cell_id, placement_error, since, net_info, modification_tag_epoch, modification_tag_index, crash_count, crash_reason';
const COLS_HELPERS = COLS_2016.split(', ')
  .map((c) => `actual_lrps.${c}`)
  .join(', ');
const COLS_TODAY =
  'actual_lrps.process_guid, actual_lrps.instance_index, actual_lrps.presence, actual_lrps.domain, actual_lrps.state, actual_lrps.instance_guid, actual_lrps.cell_id, actual_lrps.placement_error, actual_lrps.since, actual_lrps.net_info, actual_lrps.internal_routes, actual_lrps.metric_tags, actual_lrps.routable, actual_lrps.availability_zone, actual_lrps.modification_tag_epoch, actual_lrps.modification_tag_index, actual_lrps.crash_count, actual_lrps.crash_reason';

/**
 * Today's columns the lab's schema lacks (internal routes 90b8ff8e, metric tags, routable f31f3c43,
 * zone 9b797d8d), and presence = evacuating.
 */
const NOT_IN_LAB = new Set(['internal_routes', 'metric_tags', 'routable', 'availability_zone']);
function labSchema(s: Stmt): Stmt {
  const rename = (m?: Map<string, unknown>) =>
    m &&
    new Map(
      [...m]
        .filter(([k]) => !NOT_IN_LAB.has(k))
        .map(
          ([k, v]) =>
            [k === 'presence' ? 'evacuating' : k, k === 'presence' && v === 0 ? false : v] as [
              string,
              unknown,
            ],
        ),
    );
  return {
    ...s,
    ...(s.cols ? { cols: rename(s.cols)! } : {}),
    ...(s.where ? { where: rename(s.where)! } : {}),
  };
}

type Era = 'E2a8d20a0' | 'Edb3234a7' | 'E47049111' | 'Eb08a6ca0' | 'Eb2385bea';
/**
 * The commit whose actual_lrp_db.go each profile runs (b08a6ca0, 18ba2854 and fd3b8213 share it for
 * these ops).
 */
const ERA: Record<BbsVersion, Era> = {
  '2016-03': 'E2a8d20a0',
  '2016-05': 'Edb3234a7',
  '2016-11': 'E47049111',
  '2017-05': 'Eb08a6ca0',
  '2017-06': 'Eb08a6ca0',
  '2017-09': 'Eb08a6ca0',
  today: 'Eb2385bea',
};

const s = (conn: number, sql: string, args?: unknown[]): Expected =>
  args ? { conn, sql, args } : { conn, sql };
const BEGIN = (c = 1) => s(c, 'START TRANSACTION');
const COMMIT = (c = 1) => s(c, 'COMMIT');
const ROLLBACK = (c = 1) => s(c, 'ROLLBACK');

/** fetchActualLRPForShare / ForUpdate: the (process guid, index, not evacuating) row, locked. */
function fetch(era: Era, g: string, i: number): Expected {
  switch (era) {
    case 'E2a8d20a0': // selectActualLRPs(…, LockForShare); WHERE from a Go map
      return s(
        1,
        `SELECT ${COLS_2016} FROM actual_lrps WHERE process_guid = ? AND instance_index = ? AND evacuating = ? LOCK IN SHARE MODE`,
        [g, i, false],
      );
    case 'Edb3234a7':
      return s(
        1,
        `SELECT ${COLS_2016} FROM actual_lrps WHERE process_guid = ? AND instance_index = ? AND evacuating = ? FOR UPDATE`,
        [g, i, false],
      );
    case 'E47049111':
    case 'Eb08a6ca0': // db.all(…, LockRow, "process_guid = ? AND instance_index = ? AND evacuating = ?")
      return s(
        1,
        `SELECT ${COLS_HELPERS} FROM actual_lrps WHERE process_guid = ? AND instance_index = ? AND evacuating = ? FOR UPDATE`,
        [g, i, false],
      );
    case 'Eb2385bea':
      return s(
        1,
        `SELECT ${COLS_TODAY} FROM actual_lrps WHERE process_guid = ? AND instance_index = ? AND presence = ? FOR UPDATE`,
        [g, i, 0],
      );
  }
}
const pk = (era: Era) =>
  era === 'Eb2385bea'
    ? 'process_guid = ? AND instance_index = ? AND presence = ?'
    : 'process_guid = ? AND instance_index = ? AND evacuating = ?';
const pkArgs = (era: Era, g: string, i: number) => [g, i, era === 'Eb2385bea' ? 0 : false];

/** The expected statements of one op at one commit, for the state set up before it. */
type Case = {
  name: string;
  /** Ops run first with a plain store, not captured. */
  setup: (g: string) => BbsOp[];
  op: (g: string) => BbsOp;
  expect: (era: Era, g: string) => Expected[];
  /** The op's answer: a refusal's error, or the state written. */
  answer: (era: Era) => {
    error?: BbsErrorType;
    state?: string;
    index?: number;
    instanceGuid?: string;
    placementError?: string;
  };
};

const A = { instanceGuid: 'ia', cellId: 'ca' };
const B = { instanceGuid: 'ib', cellId: 'cb' };
const create = (g: string): BbsOp => ({
  f: 'CreateUnclaimedActualLRP',
  args: { processGuid: g, index: 0, domain: 'd' },
});
const claim = (g: string, k = A): BbsOp => ({
  f: 'ClaimActualLRP',
  args: { processGuid: g, index: 0, ...k },
});
const start = (g: string, k = A): BbsOp => ({
  f: 'StartActualLRP',
  args: { processGuid: g, index: 0, domain: 'd', ...k },
});
const crash = (g: string, k = A): BbsOp => ({
  f: 'CrashActualLRP',
  args: { processGuid: g, index: 0, ...k, reason: 'exit 1' },
});
const fail = (g: string): BbsOp => ({
  f: 'FailActualLRP',
  args: { processGuid: g, index: 0, placementError: 'no room' },
});
const remove = (g: string, extra: Partial<BbsOpArgs['RemoveActualLRP']> = {}): BbsOp => ({
  f: 'RemoveActualLRP',
  args: { processGuid: g, index: 0, ...extra },
});
const byIndex = (g: string): BbsOp => ({
  f: 'ActualLRPByIndex',
  args: { processGuid: g, index: 0 },
});

/** The claim UPDATE of each commit (ClaimActualLRP). */
function claimUpdate(era: Era, g: string, k: typeof A, index: number): Expected {
  if (era === 'E2a8d20a0' || era === 'Edb3234a7')
    return s(
      1,
      `UPDATE actual_lrps SET state = ?, instance_guid = ?, cell_id = ?, placement_error = ?, modification_tag_index = ?, ${era === 'E2a8d20a0' ? 'since = ?, net_info = ?' : 'net_info = ?, since = ?'} WHERE process_guid = ? AND instance_index = ? AND evacuating = ?`,
      ['CLAIMED', k.instanceGuid, k.cellId, '', index, ANY, ANY, g, 0, false],
    );
  return s(
    1,
    `UPDATE actual_lrps SET state = ?, cell_id = ?, instance_guid = ?, modification_tag_index = ?, placement_error = ?, since = ?, net_info = ? WHERE ${pk(era)}`,
    ['CLAIMED', k.cellId, k.instanceGuid, index, '', ANY, ANY, ...pkArgs(era, g, 0)],
  );
}

const cases: Case[] = [
  {
    name: 'CreateUnclaimedActualLRP of a new LRP',
    setup: () => [],
    op: create,
    expect: (era, g) => {
      const v = [g, 0, 'd', 'UNCLAIMED', ANY, ANY, ANY, 0];
      const insert = (c: number) =>
        s(
          c,
          'INSERT INTO actual_lrps (process_guid, instance_index, domain, state, since, net_info, modification_tag_epoch, modification_tag_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          v,
        );
      // 2a8d20a0 / db3234a7: db.db.Exec, no transaction. 47049111: transact, but db.insert(…,
      // db.db, …).
      if (era === 'E2a8d20a0' || era === 'Edb3234a7') return [insert(1)];
      if (era === 'E47049111') return [BEGIN(1), insert(2), COMMIT(1)];
      return [BEGIN(), insert(1), COMMIT()];
    },
    answer: () => ({ state: 'UNCLAIMED', index: 0 }),
  },
  {
    name: 'CreateUnclaimedActualLRP of an existing LRP is ResourceExists (1062)',
    setup: (g) => [create(g)],
    op: create,
    expect: (era, g) => {
      const v = [g, 0, 'd', 'UNCLAIMED', ANY, ANY, ANY, 0];
      const insert = (c: number) =>
        s(
          c,
          'INSERT INTO actual_lrps (process_guid, instance_index, domain, state, since, net_info, modification_tag_epoch, modification_tag_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          v,
        );
      if (era === 'E2a8d20a0' || era === 'Edb3234a7') return [insert(1)];
      if (era === 'E47049111') return [BEGIN(1), insert(2), ROLLBACK(1)];
      return [BEGIN(), insert(1), ROLLBACK()];
    },
    answer: () => ({ error: 'ResourceExists' }),
  },
  {
    name: 'ClaimActualLRP of an unclaimed LRP',
    setup: (g) => [create(g)],
    op: claim,
    expect: (era, g) => [BEGIN(), fetch(era, g, 0), claimUpdate(era, g, A, 1), COMMIT()],
    answer: () => ({ state: 'CLAIMED', index: 1, instanceGuid: 'ia' }),
  },
  {
    name: 'ClaimActualLRP again by the claiming instance (a write at 2a8d20a0, a no-op from 660efc68)',
    setup: (g) => [create(g), claim(g)],
    op: claim,
    expect: (era, g) =>
      era === 'E2a8d20a0'
        ? [BEGIN(), fetch(era, g, 0), claimUpdate(era, g, A, 2), COMMIT()]
        : [BEGIN(), fetch(era, g, 0), COMMIT()],
    answer: (era) => ({ state: 'CLAIMED', index: era === 'E2a8d20a0' ? 2 : 1 }),
  },
  {
    name: 'ClaimActualLRP by another instance is ActualLRPCannotBeClaimed',
    setup: (g) => [create(g), claim(g)],
    op: (g) => claim(g, B),
    expect: (era, g) => [BEGIN(), fetch(era, g, 0), ROLLBACK()],
    answer: () => ({ error: 'ActualLRPCannotBeClaimed' }),
  },
  {
    name: 'ClaimActualLRP of a missing LRP is ResourceNotFound',
    setup: () => [],
    op: claim,
    expect: (era, g) => [BEGIN(), fetch(era, g, 0), ROLLBACK()],
    answer: () => ({ error: 'ResourceNotFound' }),
  },
  {
    name: 'StartActualLRP of a claimed LRP',
    setup: (g) => [create(g), claim(g)],
    op: start,
    expect: (era, g) => {
      const upd =
        era === 'E2a8d20a0'
          ? s(
              1,
              'UPDATE actual_lrps SET instance_guid = ?, cell_id = ?, net_info = ?, state = ?, since = ?, modification_tag_index = ? WHERE process_guid = ? AND instance_index = ? AND evacuating = ?',
              ['ia', 'ca', ANY, 'RUNNING', ANY, 2, g, 0, false],
            )
          : era === 'Edb3234a7'
            ? s(
                1,
                'UPDATE actual_lrps SET instance_guid = ?, cell_id = ?, net_info = ?, state = ?, since = ?, modification_tag_index = ?, placement_error = ? WHERE process_guid = ? AND instance_index = ? AND evacuating = ?',
                ['ia', 'ca', ANY, 'RUNNING', ANY, 2, '', g, 0, false],
              )
            : s(
                1,
                `UPDATE actual_lrps SET state = ?, cell_id = ?, instance_guid = ?, modification_tag_index = ?, placement_error = ?, since = ?, net_info = ?${era === 'Eb2385bea' ? ', internal_routes = ?, metric_tags = ?, routable = ?, availability_zone = ?' : ''} WHERE ${pk(era)}`,
                [
                  'RUNNING',
                  'ca',
                  'ia',
                  2,
                  '',
                  ANY,
                  ANY,
                  ...(era === 'Eb2385bea' ? [ANY, ANY, ANY, ANY] : []),
                  ...pkArgs(era, g, 0),
                ],
              );
      return [BEGIN(), fetch(era, g, 0), upd, COMMIT()];
    },
    answer: () => ({ state: 'RUNNING', index: 2, instanceGuid: 'ia' }),
  },
  {
    name: 'StartActualLRP of a missing LRP creates it RUNNING (by nobody at 2a8d20a0)',
    setup: () => [],
    op: start,
    expect: (era, g) => {
      if (era === 'E2a8d20a0')
        return [
          BEGIN(),
          fetch(era, g, 0),
          s(
            1,
            'INSERT INTO actual_lrps (process_guid, instance_index, domain, state, net_info, since, modification_tag_epoch, modification_tag_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
            [g, 0, 'd', 'RUNNING', ANY, ANY, ANY, 0],
          ),
          COMMIT(),
        ];
      const extra =
        era === 'Eb2385bea' ? ', internal_routes, metric_tags, routable, availability_zone' : '';
      const extraV = era === 'Eb2385bea' ? [ANY, ANY, ANY, ANY] : [];
      return [
        BEGIN(),
        fetch(era, g, 0),
        s(
          1,
          `INSERT INTO actual_lrps (process_guid, instance_index, domain, instance_guid, cell_id, state, net_info, since, modification_tag_epoch, modification_tag_index${extra}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?${extra ? ', ?, ?, ?, ?' : ''})`,
          [g, 0, 'd', 'ia', 'ca', 'RUNNING', ANY, ANY, ANY, 0, ...extraV],
        ),
        COMMIT(),
      ];
    },
    answer: (era) => ({
      state: 'RUNNING',
      index: 0,
      instanceGuid: era === 'E2a8d20a0' ? '' : 'ia',
    }),
  },
  {
    name: 'StartActualLRP by another instance of a running LRP is ActualLRPCannotBeStarted',
    setup: (g) => [create(g), claim(g), start(g)],
    op: (g) => start(g, B),
    expect: (era, g) => [BEGIN(), fetch(era, g, 0), ROLLBACK()],
    answer: () => ({ error: 'ActualLRPCannotBeStarted' }),
  },
  {
    name: 'CrashActualLRP of a running LRP (first crash: UNCLAIMED)',
    setup: (g) => [create(g), claim(g), start(g)],
    op: crash,
    expect: (era, g) => {
      const upd =
        era === 'E2a8d20a0'
          ? s(
              1,
              'UPDATE actual_lrps SET state = ?, instance_guid = ?, cell_id = ?, placement_error = ?, modification_tag_index = ?, since = ?, net_info = ?, crash_count = ?, crash_reason = ? WHERE process_guid = ? AND instance_index = ? AND evacuating = ?',
              ['UNCLAIMED', '', '', '', 3, ANY, ANY, 1, 'exit 1', g, 0, false],
            )
          : era === 'Edb3234a7'
            ? s(
                1,
                'UPDATE actual_lrps SET state = ?, instance_guid = ?, cell_id = ?, modification_tag_index = ?, since = ?, net_info = ?, crash_count = ?, crash_reason = ? WHERE process_guid = ? AND instance_index = ? AND evacuating = ?',
                ['UNCLAIMED', '', '', 3, ANY, ANY, 1, 'exit 1', g, 0, false],
              )
            : s(
                1,
                `UPDATE actual_lrps SET state = ?, cell_id = ?, instance_guid = ?, modification_tag_index = ?, crash_count = ?, crash_reason = ?, since = ?, net_info = ? WHERE ${pk(era)}`,
                ['UNCLAIMED', '', '', 3, 1, 'exit 1', ANY, ANY, ...pkArgs(era, g, 0)],
              );
      return [BEGIN(), fetch(era, g, 0), upd, COMMIT()];
    },
    answer: () => ({ state: 'UNCLAIMED', index: 3 }),
  },
  {
    name: 'CrashActualLRP of an unclaimed LRP is ActualLRPCannotBeCrashed',
    setup: (g) => [create(g)],
    op: crash,
    expect: (era, g) => [BEGIN(), fetch(era, g, 0), ROLLBACK()],
    answer: () => ({ error: 'ActualLRPCannotBeCrashed' }),
  },
  {
    name: 'FailActualLRP of an unclaimed LRP',
    setup: (g) => [create(g)],
    op: fail,
    expect: (era, g) => [
      BEGIN(),
      fetch(era, g, 0),
      era === 'E2a8d20a0' || era === 'Edb3234a7'
        ? s(
            1,
            'UPDATE actual_lrps SET since = ?, modification_tag_index = ?, placement_error = ? WHERE process_guid = ? AND instance_index = ? AND evacuating = ?',
            [ANY, 1, 'no room', g, 0, false],
          )
        : s(
            1,
            `UPDATE actual_lrps SET modification_tag_index = ?, placement_error = ?, since = ? WHERE ${pk(era)}`,
            [1, 'no room', ANY, ...pkArgs(era, g, 0)],
          ),
      COMMIT(),
    ],
    answer: () => ({ state: 'UNCLAIMED', index: 1, placementError: 'no room' }),
  },
  {
    name: 'FailActualLRP of a claimed LRP is ActualLRPCannotBeFailed',
    setup: (g) => [create(g), claim(g)],
    op: fail,
    expect: (era, g) => [BEGIN(), fetch(era, g, 0), ROLLBACK()],
    answer: () => ({ error: 'ActualLRPCannotBeFailed' }),
  },
  {
    name: 'RemoveActualLRP of an existing LRP',
    setup: (g) => [create(g)],
    op: (g) => remove(g),
    expect: (era, g) =>
      era === 'E2a8d20a0'
        ? [
            BEGIN(),
            fetch(era, g, 0),
            s(
              1,
              'DELETE FROM actual_lrps WHERE process_guid = ? AND instance_index = ? AND evacuating = ?',
              [g, 0, false],
            ),
            COMMIT(),
          ]
        : [BEGIN(), s(1, `DELETE FROM actual_lrps WHERE ${pk(era)}`, pkArgs(era, g, 0)), COMMIT()],
    answer: () => ({}),
  },
  {
    name: 'RemoveActualLRP of a missing LRP is ResourceNotFound',
    setup: () => [],
    op: (g) => remove(g),
    expect: (era, g) =>
      era === 'E2a8d20a0'
        ? [BEGIN(), fetch(era, g, 0), ROLLBACK()]
        : [
            BEGIN(),
            s(1, `DELETE FROM actual_lrps WHERE ${pk(era)}`, pkArgs(era, g, 0)),
            ROLLBACK(),
          ],
    answer: () => ({ error: 'ResourceNotFound' }),
  },
  {
    name: 'RemoveActualLRP with another instance key (ignored before 1f4fe8c6, ResourceNotFound after)',
    setup: (g) => [create(g), claim(g)],
    op: (g) => remove(g, B),
    expect: (era, g) => {
      if (era === 'E2a8d20a0')
        return [
          BEGIN(),
          fetch(era, g, 0),
          s(
            1,
            'DELETE FROM actual_lrps WHERE process_guid = ? AND instance_index = ? AND evacuating = ?',
            [g, 0, false],
          ),
          COMMIT(),
        ];
      if (era === 'Edb3234a7')
        return [
          BEGIN(),
          s(
            1,
            'DELETE FROM actual_lrps WHERE process_guid = ? AND instance_index = ? AND evacuating = ?',
            [g, 0, false],
          ),
          COMMIT(),
        ];
      return [
        BEGIN(),
        s(1, `DELETE FROM actual_lrps WHERE ${pk(era)} AND instance_guid = ? AND cell_id = ?`, [
          ...pkArgs(era, g, 0),
          'ib',
          'cb',
        ]),
        ROLLBACK(),
      ];
    },
    answer: (era) =>
      era === 'E2a8d20a0' || era === 'Edb3234a7' ? {} : { error: 'ResourceNotFound' },
  },
  {
    name: 'ActualLRPByIndex (ActualLRPGroupByProcessGuidAndIndex; ActualLRPs with a guid and index today)',
    setup: (g) => [create(g)],
    op: byIndex,
    expect: (era, g) => {
      const where = 'WHERE process_guid = ? AND instance_index = ?';
      if (era === 'E2a8d20a0' || era === 'Edb3234a7')
        return [s(1, `SELECT ${COLS_2016} FROM actual_lrps ${where}`, [g, 0])];
      if (era === 'E47049111')
        return [
          BEGIN(1),
          s(2, `SELECT ${COLS_HELPERS} FROM actual_lrps ${where}`, [g, 0]),
          COMMIT(1),
        ];
      return [
        BEGIN(),
        s(
          1,
          `SELECT ${era === 'Eb2385bea' ? COLS_TODAY : COLS_HELPERS} FROM actual_lrps ${where}`,
          [g, 0],
        ),
        COMMIT(),
      ];
    },
    answer: () => ({ state: 'UNCLAIMED', index: 0 }),
  },
];

let n = 0;
const guid = (v: string) => `p${++n}-${v}`;

async function runCaptured(
  version: BbsVersion,
  setup: BbsOp[],
  op: BbsOp,
  failWhen?: (sql: string, k: number) => InjectedError | undefined,
) {
  const plain = new SqlBbsStore(node.pool(), { version: 'today' });
  for (const o of setup) {
    const r = await plain.execute(o);
    if (r.error || r.value?.error)
      throw new Error(`setup ${o.f}: ${r.error?.message ?? r.value?.error}`);
  }
  const rec = recordingSource(node.pool(), failWhen ? { failWhen } : {});
  const store = new SqlBbsStore(rec.source, { version });
  const res = await store.execute(op);
  const sent = rec.sent.filter(
    (x) => !/^(SHOW VARIABLES LIKE 'wsrep_node_name'|SET SESSION wsrep_sync_wait)/i.test(x.sql),
  );
  return { res, sent };
}

for (const version of BBS_VERSIONS) {
  const era = ERA[version]!;
  const commit = era.slice(1);
  for (const c of cases) {
    test.serial(
      `${version}: ${c.name}: statements of ${commit} db/sqldb/actual_lrp_db.go`,
      async (t) => {
        const g = guid(version);
        const { res, sent } = await runCaptured(version, c.setup(g), c.op(g));
        t.is(res.error, undefined, res.error?.message);
        t.deepEqual(
          sequenceProblems(c.expect(era, g), sent, labSchema),
          [],
          sent.map((x) => `[${x.lease}] ${x.sql}`).join('\n'),
        );
        const want = c.answer(era);
        const got = res.value!;
        if (want.error) t.is(got.error, want.error);
        else {
          t.is(got.error, undefined);
          const r = got.record as
            | {
                state?: string;
                modificationTag?: { index: number };
                instanceGuid?: string;
                placementError?: string;
              }
            | null
            | undefined;
          if (want.state !== undefined) t.is(r?.state, want.state);
          if (want.index !== undefined) t.is(r?.modificationTag?.index, want.index);
          if (want.instanceGuid !== undefined) t.is(r?.instanceGuid, want.instanceGuid);
          if (want.placementError !== undefined) t.is(r?.placementError, want.placementError);
        }
      },
    );
  }
}

// --- the retry loop and what the client is told
// -----------------------------------------------------

const deadlock: InjectedError = {
  message: 'Deadlock found when trying to get lock; try restarting transaction',
  errno: 1213,
  code: 'ER_LOCK_DEADLOCK',
  sqlState: '40001',
};
const nonPrimary: InjectedError = {
  message: 'WSREP has not yet prepared node for application use',
  errno: 1047,
  code: 'ER_UNKNOWN_COM_ERROR',
  sqlState: '08S01',
};
const lost: InjectedError = {
  message: 'Connection lost: The server closed the connection.',
  code: 'PROTOCOL_CONNECTION_LOST',
  fatal: true,
};

/** Fault the first `times` statements that match. */
function faultOn(match: RegExp, fault: InjectedError, times = 1) {
  let left = times;
  return (sql: string) => (match.test(sql) && left-- > 0 ? fault : undefined);
}

interface RetryWant {
  attempts: number;
  /** The client's answer: an error name (caller-error.ts), or the state the op answered. */
  bbsError?: CallerErrorName;
  state?: string;
  refusal?: BbsErrorType;
}

/**
 * Per profile, from the transact of its commit: 2a8d20a0 (no loop; 1213 was UnknownError),
 * db3234a7 and 47049111 (db/sqldb/sqldb.go: `convertSQLError(err) != models.ErrDeadlock`; at
 * db3234a7 a statement's error was already a models.Error, so only COMMIT's raw 1213 matched),
 * b08a6ca0 (db/sqldb/helpers/transact.go), 18ba2854 (+ driver.ErrBadConn), fd3b8213 and today
 * (+ mysql.ErrInvalidConn).
 */
const RETRY: Record<string, Record<BbsVersion, RetryWant>> = {
  'a 1213 on the locking SELECT of ClaimActualLRP (inside the transaction)': {
    '2016-03': { attempts: 1, bbsError: 'UnknownError' },
    '2016-05': { attempts: 1, bbsError: 'Deadlock' },
    '2016-11': { attempts: 2, state: 'CLAIMED' },
    '2017-05': { attempts: 2, state: 'CLAIMED' },
    '2017-06': { attempts: 2, state: 'CLAIMED' },
    '2017-09': { attempts: 2, state: 'CLAIMED' },
    today: { attempts: 2, state: 'CLAIMED' },
  },
  'a 1213 on the COMMIT of ClaimActualLRP': {
    '2016-03': { attempts: 1, bbsError: 'UnknownError' },
    '2016-05': { attempts: 2, state: 'CLAIMED' },
    '2016-11': { attempts: 2, state: 'CLAIMED' },
    '2017-05': { attempts: 2, state: 'CLAIMED' },
    '2017-06': { attempts: 2, state: 'CLAIMED' },
    '2017-09': { attempts: 2, state: 'CLAIMED' },
    today: { attempts: 2, state: 'CLAIMED' },
  },
  'a 1213 on every COMMIT of ClaimActualLRP (three attempts, then the error)': {
    '2016-03': { attempts: 1, bbsError: 'UnknownError' },
    '2016-05': { attempts: 3, bbsError: 'UnknownError' },
    '2016-11': { attempts: 3, bbsError: 'UnknownError' },
    '2017-05': { attempts: 3, bbsError: 'Deadlock' },
    '2017-06': { attempts: 3, bbsError: 'Deadlock' },
    '2017-09': { attempts: 3, bbsError: 'Deadlock' },
    today: { attempts: 3, bbsError: 'Deadlock' },
  },
  'a 1047 on the locking SELECT of ClaimActualLRP (never retried)': Object.fromEntries(
    BBS_VERSIONS.map((v) => [v, { attempts: 1, bbsError: 'UnknownError' }]),
  ) as Record<BbsVersion, RetryWant>,
  // The COMMIT ran; its answer was lost. The retry of 2017-06 on runs the op again on the state it
  // had itself written: a second FailActualLRP writes again (the index moves twice).
  'a connection lost after the COMMIT of FailActualLRP was sent': {
    '2016-03': { attempts: 1, bbsError: 'UnknownError' },
    '2016-05': { attempts: 1, bbsError: 'UnknownError' },
    '2016-11': { attempts: 1, bbsError: 'UnknownError' },
    '2017-05': { attempts: 1, bbsError: 'UnknownError' },
    '2017-06': { attempts: 2, state: 'UNCLAIMED' },
    '2017-09': { attempts: 2, state: 'UNCLAIMED' },
    today: { attempts: 2, state: 'UNCLAIMED' },
  },
  // … and a retried CrashActualLRP finds its own crash: the client is told it cannot crash it.
  'a connection lost after the COMMIT of CrashActualLRP was sent': {
    '2016-03': { attempts: 1, bbsError: 'UnknownError' },
    '2016-05': { attempts: 1, bbsError: 'UnknownError' },
    '2016-11': { attempts: 1, bbsError: 'UnknownError' },
    '2017-05': { attempts: 1, bbsError: 'UnknownError' },
    '2017-06': { attempts: 2, refusal: 'ActualLRPCannotBeCrashed' },
    '2017-09': { attempts: 2, refusal: 'ActualLRPCannotBeCrashed' },
    today: { attempts: 2, refusal: 'ActualLRPCannotBeCrashed' },
  },
};

const RETRY_RUN: Record<
  string,
  {
    setup: (g: string) => BbsOp[];
    op: (g: string) => BbsOp;
    fault: (v: BbsVersion) => (sql: string) => InjectedError | undefined;
  }
> = {
  'a 1213 on the locking SELECT of ClaimActualLRP (inside the transaction)': {
    setup: (g) => [create(g)],
    op: claim,
    fault: () => faultOn(/^SELECT .* (FOR UPDATE|LOCK IN SHARE MODE)$/, deadlock),
  },
  'a 1213 on the COMMIT of ClaimActualLRP': {
    setup: (g) => [create(g)],
    op: claim,
    fault: () => faultOn(/^COMMIT$/, deadlock),
  },
  'a 1213 on every COMMIT of ClaimActualLRP (three attempts, then the error)': {
    setup: (g) => [create(g)],
    op: claim,
    fault: () => faultOn(/^COMMIT$/, deadlock, 99),
  },
  'a 1047 on the locking SELECT of ClaimActualLRP (never retried)': {
    setup: (g) => [create(g)],
    op: claim,
    fault: () => faultOn(/^SELECT .* (FOR UPDATE|LOCK IN SHARE MODE)$/, nonPrimary),
  },
  'a connection lost after the COMMIT of FailActualLRP was sent': {
    setup: (g) => [create(g)],
    op: fail,
    fault: () => faultOn(/^COMMIT$/, { ...lost, afterSend: true }),
  },
  'a connection lost after the COMMIT of CrashActualLRP was sent': {
    setup: (g) => [create(g), claim(g), start(g)],
    op: crash,
    fault: () => faultOn(/^COMMIT$/, { ...lost, afterSend: true }),
  },
};

for (const [what, byVersion] of Object.entries(RETRY)) {
  for (const version of BBS_VERSIONS) {
    const p = profileOf(version);
    test.serial(
      `${version}: retry loop, ${what}: ${p.cites.deadlockRetry.commit} ${p.cites.deadlockRetry.file}`,
      async (t) => {
        const want = byVersion[version]!;
        const run = RETRY_RUN[what]!;
        const g = guid(version);
        const { res } = await runCaptured(version, run.setup(g), run.op(g), run.fault(version));
        t.is(res.attempts, want.attempts, 'attempts');
        const r = res as ExecResult;
        if (want.bbsError) {
          t.truthy(r.error, 'the op ends in an error');
          t.is(r.bbsError, want.bbsError);
        } else if (want.refusal) {
          t.is(r.error, undefined, r.error?.message);
          t.is(r.value?.error, want.refusal);
        } else {
          t.is(r.error, undefined, r.error?.message);
          t.is((r.value?.record as { state?: string } | undefined)?.state, want.state);
        }
        if (what.includes('lost after the COMMIT of FailActualLRP')) {
          // The first COMMIT ran: the row moved once, or twice when the retry ran it again.
          const [rows] = await node
            .pool()
            .query('SELECT modification_tag_index AS i FROM actual_lrps WHERE process_guid = ?', [
              g,
            ]);
          t.is(
            Number((rows as { i: number }[])[0]!.i),
            want.attempts,
            'modification index: one write per attempt that committed',
          );
        }
      },
    );
  }
}

// 2a8d20a0's handler panicked on an UPDATE error: the client's connection drops, the transaction
// is rolled back by the deferred tx.Rollback().
test.serial(
  "2016-03: an error of ClaimActualLRP's UPDATE panics the handler (2a8d20a0 db/sqldb/actual_lrp_db.go `panic(err)`)",
  async (t) => {
    const g = guid('panic');
    const { res, sent } = await runCaptured(
      '2016-03',
      [create(g)],
      claim(g),
      faultOn(/^UPDATE actual_lrps SET state/, deadlock),
    );
    t.is(res.bbsError, 'ConnectionDropped');
    t.is(res.attempts, 1);
    t.is(sent.at(-1)?.sql, 'ROLLBACK');
    const [rows] = await node
      .pool()
      .query('SELECT state FROM actual_lrps WHERE process_guid = ?', [g]);
    t.is((rows as { state: string }[])[0]!.state, 'UNCLAIMED');
  },
);

// 2a8d20a0's StartActualLRP took any error of its read for "not found" and INSERTed: a 1213 on the
// share-locked SELECT of an existing LRP ends as ResourceExists.
test.serial(
  "2016-03: a 1213 on StartActualLRP's read sends it down the create path: ResourceExists (2a8d20a0 db/sqldb/actual_lrp_db.go)",
  async (t) => {
    const g = guid('start-read');
    const { res, sent } = await runCaptured(
      '2016-03',
      [create(g), claim(g)],
      start(g),
      faultOn(/LOCK IN SHARE MODE$/, deadlock),
    );
    t.is(res.error, undefined, res.error?.message);
    t.is(res.value?.error, 'ResourceExists');
    t.regex(sent.map((x) => x.sql).join('\n'), /^START TRANSACTION|^BEGIN/);
    t.true(sent.some((x) => /^INSERT INTO actual_lrps/.test(x.sql)));
  },
);
