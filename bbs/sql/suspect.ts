// Today's Suspect actual LRPs (the `today` profile, b2385bea 2026-06-12): an instance on a cell that
// has gone is not unclaimed any more; the convergence controller marks it Suspect (presence 2) and
// creates an UNCLAIMED replacement beside it, so the instance keeps serving if the cell comes back.
// Later passes remove the Suspect once its replacement is RUNNING, promote it back to ordinary
// (deleting the replacement) when its cell is present again, and remove it when its desired LRP is
// gone. The `presence` column came with migration 1529530809 (fb6ceaa1 2018-07-20), the convergence
// with fccfa05d (2018-07-20); `applyPresenceMigration` adds it to the lab's schema.
//
// Statements and transactions (db/sqldb/suspect_db.go, db/sqldb/actual_lrp_db.go at b2385bea):
// - ChangeActualLRPPresence: in a transaction, SELECT … FOR UPDATE the ordinary row, UPDATE its
//   presence to Suspect;
// - PromoteSuspectActualLRP: in a transaction, lock the Suspect row and the ordinary one, DELETE the
//   ordinary one if there, UPDATE the Suspect's presence to ordinary;
// - RemoveSuspectActualLRP: in a transaction, lock the Suspect row, DELETE it (none: nothing done).

import type { ConnectionSource } from '../db/connection.ts';
import type { Queryable } from './schema.ts';
import type { StoreOptions } from './options.ts';
import { nowNs } from './schema.ts';
import { RolledBack, runUnit, type UnitContext } from './transact.ts';

/** models.ActualLRP_Presence. */
export const PRESENCE = { ordinary: 0, evacuating: 1, suspect: 2 } as const;

export interface ActualKey {
  processGuid: string;
  index: number;
}

/**
 * Migration 1529530809_add_presence_to_actual_lrp (fb6ceaa1 2018-07-20), MySQL branch: the column,
 * evacuating rows given presence 1, and the primary key on (process_guid, instance_index, presence).
 * The lab keeps `evacuating` (the migration did too). Idempotent.
 */
export async function applyPresenceMigration(conn: Queryable): Promise<void> {
  await conn.query(
    'ALTER TABLE actual_lrps ADD COLUMN IF NOT EXISTS presence INT NOT NULL DEFAULT 0',
  );
  await conn.query(
    `UPDATE actual_lrps SET presence = ${PRESENCE.evacuating} WHERE evacuating = true`,
  );
  await conn.query(
    'ALTER TABLE actual_lrps DROP PRIMARY KEY, ADD PRIMARY KEY (process_guid, instance_index, presence)',
  );
}

const KEY_WHERE = 'process_guid = ? AND instance_index = ? AND presence = ?';
const lockRow = (q: UnitContext['q'], k: ActualKey, p: number) =>
  q<{ state: string; cell_id: string; modification_tag_index: number }[]>(
    `SELECT state, cell_id, modification_tag_index FROM actual_lrps WHERE ${KEY_WHERE} FOR UPDATE`,
    [k.processGuid, k.index, p],
  );

/** ChangeActualLRPPresence(ordinary → Suspect). */
export function makeSuspect(source: ConnectionSource, opts: StoreOptions, k: ActualKey) {
  return runUnit(source, opts, true, async ({ q }) => {
    const rows = await lockRow(q, k, PRESENCE.ordinary);
    if (!rows[0]) throw new RolledBack('ResourceNotFound' as const);
    await q(`UPDATE actual_lrps SET presence = ? WHERE ${KEY_WHERE}`, [
      PRESENCE.suspect,
      k.processGuid,
      k.index,
      PRESENCE.ordinary,
    ]);
    return 'suspect' as const;
  });
}

/** PromoteSuspectActualLRP: the replacement (if any) deleted, the Suspect made ordinary again. */
export function promoteSuspect(source: ConnectionSource, opts: StoreOptions, k: ActualKey) {
  return runUnit(source, opts, true, async ({ q }) => {
    const suspect = await lockRow(q, k, PRESENCE.suspect);
    if (!suspect[0]) throw new RolledBack('ResourceNotFound' as const);
    const ordinary = await lockRow(q, k, PRESENCE.ordinary);
    if (ordinary[0])
      await q(`DELETE FROM actual_lrps WHERE ${KEY_WHERE}`, [
        k.processGuid,
        k.index,
        PRESENCE.ordinary,
      ]);
    await q(`UPDATE actual_lrps SET presence = ? WHERE ${KEY_WHERE}`, [
      PRESENCE.ordinary,
      k.processGuid,
      k.index,
      PRESENCE.suspect,
    ]);
    return ordinary[0] ? ('promoted, replacement removed' as const) : ('promoted' as const);
  });
}

/** RemoveSuspectActualLRP: nothing to do when the Suspect is already gone. */
export function removeSuspect(source: ConnectionSource, opts: StoreOptions, k: ActualKey) {
  return runUnit(source, opts, true, async ({ q }) => {
    const rows = await lockRow(q, k, PRESENCE.suspect);
    if (!rows[0]) return 'gone' as const;
    await q(`DELETE FROM actual_lrps WHERE ${KEY_WHERE}`, [
      k.processGuid,
      k.index,
      PRESENCE.suspect,
    ]);
    return 'removed' as const;
  });
}

/** UnclaimActualLRP on the ordinary row (today's unclaimActualLRP: `presence = ordinary`). */
export function unclaimOrdinary(source: ConnectionSource, opts: StoreOptions, k: ActualKey) {
  return runUnit(source, opts, true, async ({ q }) => {
    const rows = await lockRow(q, k, PRESENCE.ordinary);
    const row = rows[0];
    if (!row) throw new RolledBack('ResourceNotFound' as const);
    if (row.state === 'UNCLAIMED') throw new RolledBack('ActualLRPCannotBeUnclaimed' as const);
    await q(
      `UPDATE actual_lrps SET state = ?, instance_guid = ?, cell_id = ?, modification_tag_index = ?, since = ?, net_info = ? WHERE ${KEY_WHERE}`,
      [
        'UNCLAIMED',
        '',
        '',
        Number(row.modification_tag_index ?? 0) + 1,
        nowNs(),
        Buffer.from('{}'),
        k.processGuid,
        k.index,
        PRESENCE.ordinary,
      ],
    );
    return 'unclaimed' as const;
  });
}

/**
 * RetireActualLRP of the ordinary row: read it, then RemoveActualLRP (lock, DELETE, on the ordinary
 * presence), or its live cell stops it and removes it the same way (the lab's simulated cell).
 */
export async function retireOrdinary(
  source: ConnectionSource,
  opts: StoreOptions,
  k: ActualKey,
  cells: ReadonlySet<string>,
): Promise<'removed' | 'stopped-by-cell' | string> {
  const read = await runUnit(source, opts, true, ({ q }) =>
    q<{ state: string; cell_id: string }[]>(
      `SELECT state, cell_id FROM actual_lrps WHERE ${KEY_WHERE}`,
      [k.processGuid, k.index, PRESENCE.ordinary],
    ),
  );
  if (read.error) return read.error.message;
  const rec = read.value?.[0];
  if (!rec) return 'ResourceNotFound';
  const rm = await runUnit(source, opts, true, async ({ q }) => {
    const rows = await lockRow(q, k, PRESENCE.ordinary);
    if (!rows[0]) throw new RolledBack('ResourceNotFound' as const);
    await q(`DELETE FROM actual_lrps WHERE ${KEY_WHERE}`, [
      k.processGuid,
      k.index,
      PRESENCE.ordinary,
    ]);
    return 'ok' as const;
  });
  if (rm.error) return rm.error.message;
  if (rm.value !== 'ok') return String(rm.value);
  return rec.state === 'UNCLAIMED' || rec.state === 'CRASHED' || !cells.has(rec.cell_id)
    ? 'removed'
    : 'stopped-by-cell';
}
