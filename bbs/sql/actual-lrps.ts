// The actual LRP operations of db/sqldb/actual_lrp_db.go: lock the (process guid, index, not
// evacuating) row, run AllowsTransitionTo in TypeScript, update the row by its primary key, in the
// form of the profile's commit (`actualLRPForm`, bbs/versions/types.ts; every statement and its
// commit is in docs/bbs-versions.md (actual LRP section), and
// test/integration/conformance/actual-lrps.test.ts holds the store to sequences written out from
// the Go code). Evacuating rows are not modelled:
// every statement targets evacuating = false, as these ops do. Today's BBS names that column
// `presence` (fccfa05d, 2018-07-20); the lab keeps the schema of migration 1461790966.

import { unclaimedActualLRP, type ActualLRPRecord } from '../ops.ts';
import {
  allowsTransitionTo,
  CRASH_RESET_TIMEOUT_MS,
  nextCrashCount,
  stateAfterCrash,
  type InstanceKey,
} from '../rules.ts';
import { ACTUAL_LRP_COLUMNS, actualLRPFromRow, nowNs, type ActualLRPRow } from './schema.ts';
import { planted } from './plants.ts';
import {
  always,
  isDuplicateKey,
  lockClause,
  newEpoch,
  onTxOrPool,
  panicsOnError,
  whenTransactionalReads,
  type OpContext,
  type SqlOps,
} from './sql-op.ts';

const EMPTY_NET_INFO = Buffer.from('{}');
const PK = 'process_guid = ? AND instance_index = ? AND evacuating = ?';

interface Fetched {
  record: ActualLRPRecord;
  sinceNs: number;
}

/** fetchActualLRPForUpdate (or ForShare, the earlier 2016 lock), or the unlocked read. */
async function fetchActual(
  ctx: OpContext,
  processGuid: string,
  index: number,
): Promise<Fetched | null> {
  const clause = lockClause(ctx.opts, 'actual-lrp', ctx.opts.actualLRPLock);
  const rows = await ctx.q<ActualLRPRow[]>(
    `SELECT ${ACTUAL_LRP_COLUMNS} FROM actual_lrps WHERE ${PK}${clause}`,
    [processGuid, index, false],
  );
  const row = rows[0];
  return row ? { record: actualLRPFromRow(row), sinceNs: Number(row.since) } : null;
}

/** The pre-release store (2a8d20a0): claim and start always write, UPDATE/DELETE errors panic, … */
const prerelease = (ctx: OpContext): boolean => ctx.opts.actualLRPForm === 'prerelease-2016-03';

function bump(r: ActualLRPRecord): ActualLRPRecord['modificationTag'] {
  return { epoch: r.modificationTag.epoch, index: r.modificationTag.index + 1 };
}

export const actualLRPOps: Pick<
  SqlOps,
  | 'CreateUnclaimedActualLRP'
  | 'ClaimActualLRP'
  | 'StartActualLRP'
  | 'CrashActualLRP'
  | 'FailActualLRP'
  | 'RemoveActualLRP'
  | 'ActualLRPByIndex'
> = {
  CreateUnclaimedActualLRP: {
    // A bare INSERT on db.db before 47049111 (autocommit); in a transact since, on db.db until
    // b33de3b0 (statementsOnPool), on the transaction after.
    transactional: whenTransactionalReads,
    async run(ctx, a) {
      const epoch = newEpoch();
      try {
        // PLANTED BUG (actual-lrp-blind-create): REPLACE overwrites an existing LRP instead of
        // failing on its key.
        const verb = planted(ctx.opts, 'actual-lrp-blind-create') ? 'REPLACE' : 'INSERT';
        await onTxOrPool(ctx)(
          `${verb} INTO actual_lrps (process_guid, instance_index, domain, state, since, net_info, modification_tag_epoch, modification_tag_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          [a.processGuid, a.index, a.domain, 'UNCLAIMED', nowNs(), EMPTY_NET_INFO, epoch, 0],
        );
      } catch (e) {
        if (isDuplicateKey(e)) return { error: 'ResourceExists' };
        throw e;
      }
      return { record: unclaimedActualLRP(a, epoch) };
    },
  },

  ClaimActualLRP: {
    transactional: always,
    async run(ctx, a) {
      const f = await fetchActual(ctx, a.processGuid, a.index);
      if (!f) return { error: 'ResourceNotFound' };
      const before = f.record;
      const key: InstanceKey = { instanceGuid: a.instanceGuid, cellId: a.cellId };
      // PLANTED BUG (actual-lrp-permissive-rule): the rule also lets another instance claim a
      // CLAIMED or RUNNING LRP.
      const permissive =
        planted(ctx.opts, 'actual-lrp-permissive-rule') &&
        (before.state === 'CLAIMED' || before.state === 'RUNNING');
      if (!permissive && !allowsTransitionTo(ctx.opts.actualLRPRules, before, true, key, 'CLAIMED'))
        return { error: 'ActualLRPCannotBeClaimed' };
      // 660efc68 (2016-04-14): a claim by the instance that holds the claim changes nothing.
      if (
        !prerelease(ctx) &&
        before.state === 'CLAIMED' &&
        before.instanceGuid === key.instanceGuid &&
        before.cellId === key.cellId
      )
        return { record: before };
      if (planted(ctx.opts, 'actual-lrp-split-claim')) {
        // PLANTED BUG (actual-lrp-split-claim): the check's transaction ends here, releasing the
        // row lock, and the write runs in a second one.
        await ctx.q('COMMIT');
        await ctx.q('BEGIN');
      }
      const after: ActualLRPRecord = {
        ...before,
        state: 'CLAIMED',
        ...key,
        placementError: '',
        modificationTag: bump(before),
      };
      await panicsOnError(
        () =>
          ctx.q(
            `UPDATE actual_lrps SET state = ?, cell_id = ?, instance_guid = ?, modification_tag_index = ?, placement_error = ?, since = ?, net_info = ? WHERE ${PK}`,
            [
              after.state,
              after.cellId,
              after.instanceGuid,
              after.modificationTag.index,
              '',
              nowNs(),
              EMPTY_NET_INFO,
              a.processGuid,
              a.index,
              false,
            ],
          ),
        prerelease(ctx),
      );
      return { record: after };
    },
  },

  StartActualLRP: {
    transactional: always,
    async run(ctx, a) {
      const key: InstanceKey = { instanceGuid: a.instanceGuid, cellId: a.cellId };
      let f: Fetched | null;
      try {
        f = await fetchActual(ctx, a.processGuid, a.index);
      } catch (e) {
        // 2a8d20a0: any error of the read, not only "no row", sends the start down the create path.
        if (!prerelease(ctx)) throw e;
        f = null;
      }
      if (!f) {
        // createRunningActualLRP: a start of an unknown instance creates it, with a fresh epoch.
        // 2a8d20a0's INSERT named no instance guid or cell: the row is RUNNING by nobody.
        const owner = prerelease(ctx) ? { instanceGuid: '', cellId: '' } : key;
        const record: ActualLRPRecord = {
          processGuid: a.processGuid,
          index: a.index,
          domain: a.domain ?? '',
          state: 'RUNNING',
          ...owner,
          placementError: '',
          crashCount: 0,
          crashReason: '',
          modificationTag: { epoch: newEpoch(), index: 0 },
        };
        try {
          if (prerelease(ctx)) {
            await ctx.q(
              'INSERT INTO actual_lrps (process_guid, instance_index, domain, state, net_info, since, modification_tag_epoch, modification_tag_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
              [
                a.processGuid,
                a.index,
                record.domain,
                'RUNNING',
                EMPTY_NET_INFO,
                nowNs(),
                record.modificationTag.epoch,
                0,
              ],
            );
          } else {
            await ctx.q(
              'INSERT INTO actual_lrps (process_guid, instance_index, domain, instance_guid, cell_id, state, net_info, since, modification_tag_epoch, modification_tag_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
              [
                a.processGuid,
                a.index,
                record.domain,
                key.instanceGuid,
                key.cellId,
                'RUNNING',
                EMPTY_NET_INFO,
                nowNs(),
                record.modificationTag.epoch,
                0,
              ],
            );
          }
        } catch (e) {
          if (isDuplicateKey(e)) return { error: 'ResourceExists' };
          throw e;
        }
        return { record };
      }
      const before = f.record;
      const lrpKeyMatches = a.domain === undefined || a.domain === before.domain;
      // 31b2b5a2 (2016-03-24): "nothing to change" when the same instance already runs it. The
      // lab's ops carry no net info, so "same instance key and running" is that test.
      if (
        !prerelease(ctx) &&
        lrpKeyMatches &&
        before.state === 'RUNNING' &&
        before.instanceGuid === key.instanceGuid &&
        before.cellId === key.cellId
      )
        return { record: before };
      // PLANTED BUG (actual-lrp-start-any-instance): the transition is checked as if the stored
      // instance asked.
      const asker = planted(ctx.opts, 'actual-lrp-start-any-instance')
        ? { instanceGuid: before.instanceGuid, cellId: before.cellId }
        : key;
      if (!allowsTransitionTo(ctx.opts.actualLRPRules, before, lrpKeyMatches, asker, 'RUNNING'))
        return { error: 'ActualLRPCannotBeStarted' };
      if (prerelease(ctx)) {
        // 2a8d20a0's UPDATE left placement_error as it was.
        const after: ActualLRPRecord = {
          ...before,
          state: 'RUNNING',
          ...key,
          modificationTag: bump(before),
        };
        await ctx.q(
          `UPDATE actual_lrps SET instance_guid = ?, cell_id = ?, net_info = ?, state = ?, since = ?, modification_tag_index = ? WHERE ${PK}`,
          [
            key.instanceGuid,
            key.cellId,
            EMPTY_NET_INFO,
            'RUNNING',
            nowNs(),
            after.modificationTag.index,
            a.processGuid,
            a.index,
            false,
          ],
        );
        return { record: after };
      }
      const after: ActualLRPRecord = {
        ...before,
        state: 'RUNNING',
        ...key,
        placementError: '',
        modificationTag: bump(before),
      };
      await ctx.q(
        `UPDATE actual_lrps SET state = ?, cell_id = ?, instance_guid = ?, modification_tag_index = ?, placement_error = ?, since = ?, net_info = ? WHERE ${PK}`,
        [
          after.state,
          after.cellId,
          after.instanceGuid,
          after.modificationTag.index,
          '',
          nowNs(),
          EMPTY_NET_INFO,
          a.processGuid,
          a.index,
          false,
        ],
      );
      return { record: after };
    },
  },

  CrashActualLRP: {
    transactional: always,
    async run(ctx, a) {
      const f = await fetchActual(ctx, a.processGuid, a.index);
      if (!f) return { error: 'ResourceNotFound' };
      const before = f.record;
      const now = nowNs();
      const ranLongEnough = Number(now) - f.sinceNs > CRASH_RESET_TIMEOUT_MS * 1e6;
      const crashCount = nextCrashCount(before, ranLongEnough);
      const key: InstanceKey = { instanceGuid: a.instanceGuid, cellId: a.cellId };
      if (!allowsTransitionTo(ctx.opts.actualLRPRules, before, true, key, 'CRASHED'))
        return { error: 'ActualLRPCannotBeCrashed' };
      // 2a8d20a0 asked ShouldRestartImmediately before storing the new count: the old count
      // decides.
      const state = stateAfterCrash(prerelease(ctx) ? before.crashCount : crashCount);
      const after: ActualLRPRecord = {
        ...before,
        state,
        instanceGuid: '',
        cellId: '',
        crashCount,
        crashReason: a.reason,
        modificationTag: bump(before),
      };
      if (prerelease(ctx)) {
        // … and its UPDATE also cleared placement_error (31b2b5a2 dropped it).
        after.placementError = '';
        await panicsOnError(
          () =>
            ctx.q(
              `UPDATE actual_lrps SET state = ?, instance_guid = ?, cell_id = ?, placement_error = ?, modification_tag_index = ?, since = ?, net_info = ?, crash_count = ?, crash_reason = ? WHERE ${PK}`,
              [
                state,
                '',
                '',
                '',
                after.modificationTag.index,
                now,
                EMPTY_NET_INFO,
                crashCount,
                a.reason,
                a.processGuid,
                a.index,
                false,
              ],
            ),
          true,
        );
        return { record: after };
      }
      await ctx.q(
        `UPDATE actual_lrps SET state = ?, cell_id = ?, instance_guid = ?, modification_tag_index = ?, crash_count = ?, crash_reason = ?, since = ?, net_info = ? WHERE ${PK}`,
        [
          state,
          '',
          '',
          after.modificationTag.index,
          crashCount,
          a.reason,
          now,
          EMPTY_NET_INFO,
          a.processGuid,
          a.index,
          false,
        ],
      );
      return { record: after };
    },
  },

  FailActualLRP: {
    transactional: always,
    async run(ctx, a) {
      const f = await fetchActual(ctx, a.processGuid, a.index);
      if (!f) return { error: 'ResourceNotFound' };
      const before = f.record;
      // PLANTED BUG (actual-lrp-fail-any-state): the state check is skipped.
      if (!planted(ctx.opts, 'actual-lrp-fail-any-state') && before.state !== 'UNCLAIMED')
        return { error: 'ActualLRPCannotBeFailed' };
      const after: ActualLRPRecord = {
        ...before,
        placementError: a.placementError,
        modificationTag: bump(before),
      };
      await panicsOnError(
        () =>
          ctx.q(
            `UPDATE actual_lrps SET modification_tag_index = ?, placement_error = ?, since = ? WHERE ${PK}`,
            [after.modificationTag.index, a.placementError, nowNs(), a.processGuid, a.index, false],
          ),
        prerelease(ctx),
      );
      return { record: after };
    },
  },

  RemoveActualLRP: {
    transactional: always,
    async run(ctx, a) {
      if (prerelease(ctx)) {
        // 2a8d20a0: read the row (locked as the other mutations lock it), then DELETE it.
        const f = await fetchActual(ctx, a.processGuid, a.index);
        if (!f) return { error: 'ResourceNotFound' };
        await panicsOnError(
          () => ctx.q(`DELETE FROM actual_lrps WHERE ${PK}`, [a.processGuid, a.index, false]),
          true,
        );
        return { record: null };
      }
      // A bare DELETE: the row count tells whether there was one to remove. The instance key is
      // matched from 1f4fe8c6 (2016-06-17); before, the request had no such field.
      let where = PK;
      const params: unknown[] = [a.processGuid, a.index, false];
      // PLANTED BUG (actual-lrp-remove-any-instance): the instance key given is not matched.
      if (
        ctx.opts.actualLRPForm === 'instance-key-2016-06' &&
        !planted(ctx.opts, 'actual-lrp-remove-any-instance')
      ) {
        // The real request carries a whole ActualLRPInstanceKey (both conditions); the lab's op may
        // give one half, which then alone must match.
        if (a.instanceGuid !== undefined) {
          where += ' AND instance_guid = ?';
          params.push(a.instanceGuid);
        }
        if (a.cellId !== undefined) {
          where += ' AND cell_id = ?';
          params.push(a.cellId);
        }
      }
      const res = await ctx.q<{ affectedRows: number }>(
        `DELETE FROM actual_lrps WHERE ${where}`,
        params,
      );
      if (res.affectedRows === 0) return { error: 'ResourceNotFound' };
      return { record: null };
    },
  },

  ActualLRPByIndex: {
    // ActualLRPGroupByProcessGuidAndIndex: no lock, no evacuating condition (the group holds both
    // rows; the lab answers with the instance). On db.db before 47049111 and until b33de3b0.
    transactional: whenTransactionalReads,
    async run(ctx, a) {
      const rows = await onTxOrPool(ctx)<ActualLRPRow[]>(
        `SELECT ${ACTUAL_LRP_COLUMNS} FROM actual_lrps WHERE process_guid = ? AND instance_index = ?`,
        [a.processGuid, a.index],
      );
      const row = rows.find((r) => !Number((r as { evacuating?: unknown }).evacuating));
      return { record: row ? actualLRPFromRow(row) : null };
    },
  },
};
