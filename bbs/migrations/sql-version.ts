// The BBS version in SQL: `configurations` row id 'version', value JSON, written by UPDATE and
// then INSERT if no row changed (sqldb.go SetVersion).

import type { Queryable } from '../sql/schema.ts';
import type { Version } from './versions.ts';

export const SELECT_VERSION = "SELECT value FROM configurations WHERE id = 'version'";

/** The version in the result of SELECT_VERSION; null when there is no row. */
export function versionOfRows(result: unknown): Version | null {
  const [rows] = result as [{ value: string }[], unknown];
  const row = rows[0];
  if (!row) return null;
  return JSON.parse(row.value) as Version;
}

export async function readSqlVersion(q: Queryable): Promise<Version | null> {
  return versionOfRows(await q.query(SELECT_VERSION));
}

export async function writeSqlVersion(q: Queryable, v: Version): Promise<void> {
  const value = JSON.stringify(v);
  const [res] = (await q.query("UPDATE configurations SET value = ? WHERE id = 'version'", [
    value,
  ])) as [{ affectedRows: number }, unknown];
  if (res.affectedRows > 0) return;
  try {
    await q.query("INSERT INTO configurations (id, value) VALUES ('version', ?)", [value]);
  } catch (e) {
    // An UPDATE to the same value reports 0 changed rows without CLIENT_FOUND_ROWS: the row is
    // there.
    if ((e as { errno?: number }).errno !== 1062) throw e;
  }
}
