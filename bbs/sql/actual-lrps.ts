// The actual LRP operations of db/sqldb/actual_lrp_db.go (2016): lock the (process guid, index,
// not evacuating) row, run AllowsTransitionTo in TypeScript, update the row by its primary key.
// Evacuating rows are not modelled: every statement targets evacuating = false, as these ops do.

import { unclaimedActualLRP, type ActualLRPRecord } from '../ops.ts';
import { allowsTransitionTo, CRASH_RESET_TIMEOUT_MS, nextCrashCount, stateAfterCrash, type InstanceKey } from '../rules.ts';
import { ACTUAL_LRP_COLUMNS, actualLRPFromRow, nowNs, type ActualLRPRow } from './schema.ts';
import { planted } from './plants.ts';
import { always, isDuplicateKey, lockClause, newEpoch, whenTransactionalReads, type OpContext, type SqlOps } from './sql-op.ts';

const EMPTY_NET_INFO = Buffer.from('{}');
const PK = 'process_guid = ? AND instance_index = ? AND evacuating = ?';

interface Fetched {
  record: ActualLRPRecord;
  sinceNs: number;
}

/** fetchActualLRPForUpdate (or ForShare, the earlier 2016 lock), or the unlocked read. */
async function fetchActual(ctx: OpContext, processGuid: string, index: number, lock: boolean): Promise<Fetched | null> {
  const clause = lock ? lockClause(ctx.opts, 'actual-lrp', ctx.opts.actualLRPLock) : '';
  const rows = await ctx.q<ActualLRPRow[]>(`SELECT ${ACTUAL_LRP_COLUMNS} FROM actual_lrps WHERE ${PK}${clause}`, [processGuid, index, false]);
  const row = rows[0];
  return row ? { record: actualLRPFromRow(row), sinceNs: Number(row.since) } : null;
}

function bump(r: ActualLRPRecord): ActualLRPRecord['modificationTag'] {
  return { epoch: r.modificationTag.epoch, index: r.modificationTag.index + 1 };
}

export const actualLRPOps: Pick<
  SqlOps,
  'CreateUnclaimedActualLRP' | 'ClaimActualLRP' | 'StartActualLRP' | 'CrashActualLRP' | 'FailActualLRP' | 'RemoveActualLRP' | 'ActualLRPByIndex'
> = {
  CreateUnclaimedActualLRP: {
    // Mid-2016 this was a bare INSERT on the database handle.
    transactional: whenTransactionalReads,
    async run(ctx, a) {
      const epoch = newEpoch();
      try {
        // PLANTED BUG (actual-lrp-blind-create): REPLACE overwrites an existing LRP instead of failing on its key.
        const verb = planted(ctx.opts, 'actual-lrp-blind-create') ? 'REPLACE' : 'INSERT';
        await ctx.q(
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
      const f = await fetchActual(ctx, a.processGuid, a.index, true);
      if (!f) return { error: 'ResourceNotFound' };
      const before = f.record;
      const key: InstanceKey = { instanceGuid: a.instanceGuid, cellId: a.cellId };
      // PLANTED BUG (actual-lrp-permissive-rule): the rule also lets another instance claim a CLAIMED or RUNNING LRP.
      const permissive = planted(ctx.opts, 'actual-lrp-permissive-rule') && (before.state === 'CLAIMED' || before.state === 'RUNNING');
      if (!permissive && !allowsTransitionTo(ctx.opts.actualLRPRules, before, true, key, 'CLAIMED')) return { error: 'ActualLRPCannotBeClaimed' };
      if (before.state === 'CLAIMED' && before.instanceGuid === key.instanceGuid && before.cellId === key.cellId) return { record: before };
      if (planted(ctx.opts, 'actual-lrp-split-claim')) {
        // PLANTED BUG (actual-lrp-split-claim): the check's transaction ends here, releasing the row
        // lock, and the write runs in a second one.
        await ctx.q('COMMIT');
        await ctx.q('BEGIN');
      }
      const after: ActualLRPRecord = { ...before, state: 'CLAIMED', ...key, placementError: '', modificationTag: bump(before) };
      await ctx.q(
        `UPDATE actual_lrps SET state = ?, cell_id = ?, instance_guid = ?, modification_tag_index = ?, placement_error = ?, since = ?, net_info = ? WHERE ${PK}`,
        [after.state, after.cellId, after.instanceGuid, after.modificationTag.index, '', nowNs(), EMPTY_NET_INFO, a.processGuid, a.index, false],
      );
      return { record: after };
    },
  },

  StartActualLRP: {
    transactional: always,
    async run(ctx, a) {
      const key: InstanceKey = { instanceGuid: a.instanceGuid, cellId: a.cellId };
      const f = await fetchActual(ctx, a.processGuid, a.index, true);
      if (!f) {
        // createRunningActualLRP: a start of an unknown instance creates it, with a fresh epoch.
        const record: ActualLRPRecord = {
          processGuid: a.processGuid,
          index: a.index,
          domain: a.domain ?? '',
          state: 'RUNNING',
          ...key,
          placementError: '',
          crashCount: 0,
          crashReason: '',
          modificationTag: { epoch: newEpoch(), index: 0 },
        };
        try {
          await ctx.q(
            'INSERT INTO actual_lrps (process_guid, instance_index, domain, instance_guid, cell_id, state, net_info, since, modification_tag_epoch, modification_tag_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [a.processGuid, a.index, record.domain, key.instanceGuid, key.cellId, 'RUNNING', EMPTY_NET_INFO, nowNs(), record.modificationTag.epoch, 0],
          );
        } catch (e) {
          if (isDuplicateKey(e)) return { error: 'ResourceExists' };
          throw e;
        }
        return { record };
      }
      const before = f.record;
      const lrpKeyMatches = a.domain === undefined || a.domain === before.domain;
      // The lab's ops carry no net info, so "same instance key and running" is "nothing to change".
      if (lrpKeyMatches && before.state === 'RUNNING' && before.instanceGuid === key.instanceGuid && before.cellId === key.cellId) return { record: before };
      // PLANTED BUG (actual-lrp-start-any-instance): the transition is checked as if the stored instance asked.
      const asker = planted(ctx.opts, 'actual-lrp-start-any-instance') ? { instanceGuid: before.instanceGuid, cellId: before.cellId } : key;
      if (!allowsTransitionTo(ctx.opts.actualLRPRules, before, lrpKeyMatches, asker, 'RUNNING')) return { error: 'ActualLRPCannotBeStarted' };
      const after: ActualLRPRecord = { ...before, state: 'RUNNING', ...key, placementError: '', modificationTag: bump(before) };
      await ctx.q(
        `UPDATE actual_lrps SET state = ?, cell_id = ?, instance_guid = ?, modification_tag_index = ?, placement_error = ?, since = ?, net_info = ? WHERE ${PK}`,
        [after.state, after.cellId, after.instanceGuid, after.modificationTag.index, '', nowNs(), EMPTY_NET_INFO, a.processGuid, a.index, false],
      );
      return { record: after };
    },
  },

  CrashActualLRP: {
    transactional: always,
    async run(ctx, a) {
      const f = await fetchActual(ctx, a.processGuid, a.index, true);
      if (!f) return { error: 'ResourceNotFound' };
      const before = f.record;
      const now = nowNs();
      const ranLongEnough = Number(now) - f.sinceNs > CRASH_RESET_TIMEOUT_MS * 1e6;
      const crashCount = nextCrashCount(before, ranLongEnough);
      const key: InstanceKey = { instanceGuid: a.instanceGuid, cellId: a.cellId };
      if (!allowsTransitionTo(ctx.opts.actualLRPRules, before, true, key, 'CRASHED')) return { error: 'ActualLRPCannotBeCrashed' };
      const after: ActualLRPRecord = {
        ...before,
        state: stateAfterCrash(crashCount),
        instanceGuid: '',
        cellId: '',
        crashCount,
        crashReason: a.reason,
        modificationTag: bump(before),
      };
      await ctx.q(
        `UPDATE actual_lrps SET state = ?, cell_id = ?, instance_guid = ?, modification_tag_index = ?, crash_count = ?, crash_reason = ?, since = ?, net_info = ? WHERE ${PK}`,
        [after.state, '', '', after.modificationTag.index, crashCount, a.reason, now, EMPTY_NET_INFO, a.processGuid, a.index, false],
      );
      return { record: after };
    },
  },

  FailActualLRP: {
    transactional: always,
    async run(ctx, a) {
      const f = await fetchActual(ctx, a.processGuid, a.index, true);
      if (!f) return { error: 'ResourceNotFound' };
      const before = f.record;
      // PLANTED BUG (actual-lrp-fail-any-state): the state check is skipped.
      if (!planted(ctx.opts, 'actual-lrp-fail-any-state') && before.state !== 'UNCLAIMED') return { error: 'ActualLRPCannotBeFailed' };
      const after: ActualLRPRecord = { ...before, placementError: a.placementError, modificationTag: bump(before) };
      await ctx.q(`UPDATE actual_lrps SET modification_tag_index = ?, placement_error = ?, since = ? WHERE ${PK}`, [
        after.modificationTag.index,
        a.placementError,
        nowNs(),
        a.processGuid,
        a.index,
        false,
      ]);
      return { record: after };
    },
  },

  RemoveActualLRP: {
    transactional: always,
    async run(ctx, a) {
      // A bare DELETE: the row count tells whether there was one to remove.
      let where = PK;
      const params: unknown[] = [a.processGuid, a.index, false];
      if (a.instanceGuid !== undefined) {
        where += ' AND instance_guid = ?';
        params.push(a.instanceGuid);
      }
      if (a.cellId !== undefined) {
        where += ' AND cell_id = ?';
        params.push(a.cellId);
      }
      const res = await ctx.q<{ affectedRows: number }>(`DELETE FROM actual_lrps WHERE ${where}`, params);
      if (res.affectedRows === 0) return { error: 'ResourceNotFound' };
      return { record: null };
    },
  },

  ActualLRPByIndex: {
    transactional: whenTransactionalReads,
    async run(ctx, a) {
      const f = await fetchActual(ctx, a.processGuid, a.index, false);
      return { record: f ? f.record : null };
    },
  },
};
