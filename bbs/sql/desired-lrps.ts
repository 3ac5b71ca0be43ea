// The desired LRP operations of db/sqldb/desired_lrp_db.go. The modification tag gets a new epoch
// on create and its index is raised in the UPDATE's SET clause (from db3234a7); it is never
// compared in a WHERE clause (only the old etcd store did compare-and-swap). docs/bbs-versions.md
// has the statements by commit, and where the lab still differs (UpdateDesiredLRP at 2a8d20a0).

import { formsOf, limitOne } from './forms.ts';
import { planted } from './plants.ts';
import { DESIRED_LRP_COLUMNS, desiredLRPFromRow, type DesiredLRPRow } from './schema.ts';
import {
  always,
  isDuplicateKey,
  lockClause,
  newEpoch,
  readRows,
  whenNotFound,
  whenTransactionalReads,
  type SqlOps,
} from './sql-op.ts';

const ROOTFS = 'preloaded:cflinuxfs2';
const EMPTY_JSON = Buffer.from('{}');

export const desiredLRPOps: Pick<
  SqlOps,
  'DesireLRP' | 'UpdateDesiredLRP' | 'RemoveDesiredLRP' | 'DesiredLRPByProcessGuid'
> = {
  DesireLRP: {
    transactional: always,
    async run(ctx, a) {
      const epoch = newEpoch();
      try {
        // PLANTED BUG (desired-lrp-blind-desire): REPLACE overwrites an existing desired LRP
        // instead of failing on its key.
        const verb = planted(ctx.opts, 'desired-lrp-blind-desire') ? 'REPLACE' : 'INSERT';
        await ctx.q(
          `${verb} INTO desired_lrps (process_guid, domain, log_guid, annotation, instances, memory_mb, disk_mb, rootfs, volume_placement,
             modification_tag_epoch, modification_tag_index, routes, run_info) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            a.processGuid,
            a.domain,
            a.processGuid,
            a.annotation,
            a.instances,
            256,
            1024,
            ROOTFS,
            EMPTY_JSON,
            epoch,
            0,
            EMPTY_JSON,
            EMPTY_JSON,
          ],
        );
      } catch (e) {
        if (isDuplicateKey(e)) return { error: 'ResourceExists' };
        throw e;
      }
      return {
        record: {
          processGuid: a.processGuid,
          domain: a.domain,
          instances: a.instances,
          annotation: a.annotation,
          modificationTag: { epoch, index: 0 },
        },
      };
    },
  },

  UpdateDesiredLRP: {
    transactional: always,
    async run(ctx, a) {
      const rows = await readRows<DesiredLRPRow>(
        ctx,
        `SELECT ${DESIRED_LRP_COLUMNS} FROM desired_lrps WHERE process_guid = ?${limitOne(ctx.opts.version)}${lockClause(ctx.opts, 'desired-lrp', ctx.opts.taskAndDesiredLRPLock)}`,
        [a.processGuid],
        true,
      );
      if (!rows[0]) return { error: 'ResourceNotFound' };
      const before = desiredLRPFromRow(rows[0]);
      const after = {
        ...before,
        modificationTag: {
          epoch: before.modificationTag.epoch,
          index: before.modificationTag.index + 1,
        },
      };
      const sets = ['modification_tag_index = ?'];
      const values: unknown[] = [after.modificationTag.index];
      if (a.annotation !== undefined) {
        sets.push('annotation = ?');
        values.push(a.annotation);
        after.annotation = a.annotation;
      }
      if (a.instances !== undefined) {
        sets.push('instances = ?');
        values.push(a.instances);
        after.instances = a.instances;
      }
      await ctx.q(`UPDATE desired_lrps SET ${sets.join(', ')} WHERE process_guid = ?`, [
        ...values,
        a.processGuid,
      ]);
      return { record: after };
    },
  },

  RemoveDesiredLRP: {
    transactional: always,
    async run(ctx, a) {
      // lockDesiredLRPByGuidForUpdate told "no rows" apart from errors, so it is never masked.
      const lock = lockClause(ctx.opts, 'desired-lrp', ctx.opts.taskAndDesiredLRPLock);
      if (formsOf(ctx.opts.version) === 'hand-written-2016') {
        // SELECT COUNT(*) always answers one row; a count of 0 is ResourceNotFound.
        const rows = await ctx.q<Record<string, unknown>[]>(
          `SELECT COUNT(*) FROM desired_lrps WHERE process_guid = ?${lock}`,
          [a.processGuid],
        );
        if (Number(Object.values(rows[0] ?? {})[0] ?? 0) === 0)
          return { error: 'ResourceNotFound' };
      } else {
        const rows = await ctx.q<unknown[]>(
          `SELECT 1 FROM desired_lrps WHERE process_guid = ? LIMIT 1${lock}`,
          [a.processGuid],
        );
        if (rows.length === 0) return { error: 'ResourceNotFound' };
      }
      await ctx.q('DELETE FROM desired_lrps WHERE process_guid = ?', [a.processGuid]);
      return { record: null };
    },
  },

  DesiredLRPByProcessGuid: {
    transactional: whenTransactionalReads,
    rollsBack: whenNotFound,
    async run(ctx, a) {
      const rows = await readRows<DesiredLRPRow>(
        ctx,
        `SELECT ${DESIRED_LRP_COLUMNS} FROM desired_lrps WHERE process_guid = ?${limitOne(ctx.opts.version)}`,
        [a.processGuid],
        true,
      );
      return { record: rows[0] ? desiredLRPFromRow(rows[0]) : null };
    },
  },
};
