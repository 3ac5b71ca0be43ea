// The shape of a SQL statement, for comparing what the store sends with what the real BBS sent:
// the same statement kind, table, WHERE clause, LIMIT and lock, and the same written columns,
// compared as a set and only over the columns the lab's schema has. Why these and no more:
// - Go's query helpers (47049111 on) build INSERT and UPDATE column lists from a map, so their
//   order changes from run to run; the set is what the statement writes.
// - The BBS's schema grew columns the lab does not model (placement_tags, max_pids, rejection_*,
//   …); writing them changes no lock and no row the lab reads.
// - Which columns a SELECT reads changes neither the rows it reads nor the locks it takes, so a
//   column list (or `*`) is just "columns"; a lock probe (`COUNT(*)`, `1`) is kept as written,
//   because it answers differently for a missing row.
// A statement the parser does not know is kept whole, so it can only match itself.

import {
  CREATE_ACTUAL_LRPS,
  CREATE_CONFIGURATIONS,
  CREATE_DESIRED_LRPS,
  CREATE_DOMAINS,
  CREATE_TASKS,
} from '../../../bbs/sql/schema.ts';
import { readStmt, squash, unqualify } from './statements.ts';

export type Columns = Readonly<Record<string, readonly string[]>>;

/**
 * The columns of each table of a CREATE TABLE statement list (not its INDEX / PRIMARY KEY lines).
 */
export function columnsOf(ddls: readonly string[]): Columns {
  const out: Record<string, string[]> = {};
  for (const ddl of ddls) {
    const m = /CREATE TABLE (?:IF NOT EXISTS )?(\w+)\s*\(([\s\S]*)\)\s*;?\s*$/i.exec(ddl);
    if (!m) throw new Error(`not a CREATE TABLE: ${ddl.slice(0, 60)}`);
    out[m[1]!] = m[2]!
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^\w+\s/.test(l) && !/^(INDEX|PRIMARY|KEY|UNIQUE)\b/i.test(l))
      .map((l) => l.split(/\s/)[0]!);
  }
  return out;
}

/** The lab's schema (bbs/sql/schema.ts, migration 1461790966). */
export const LAB_COLUMNS: Columns = columnsOf([
  CREATE_DOMAINS,
  CREATE_DESIRED_LRPS,
  CREATE_ACTUAL_LRPS,
  CREATE_TASKS,
  CREATE_CONFIGURATIONS,
]);

export interface ShapeOptions {
  /** Columns per table to compare (default: the lab's schema). */
  columns?: Columns;
  /** Columns to leave out besides: a column the lab's schema has and the commit's did not. */
  ignore?: readonly string[];
}

const where = (w: string): string => squash(unqualify(w)).replace(/\s*=\s*/g, ' = ');

function kept(table: string, cols: readonly string[], o: ShapeOptions): string[] {
  const known = new Set((o.columns ?? LAB_COLUMNS)[table] ?? []);
  const ignore = new Set(o.ignore ?? []);
  return [...new Set(cols.map((c) => unqualify(c.trim())))]
    .filter((c) => known.has(c) && !ignore.has(c))
    .sort();
}

const assigned = (list: string): string[] => list.split(',').map((a) => a.split('=')[0]!.trim());

export function statementShape(sql: string, o: ShapeOptions = {}): string {
  const w = readStmt(sql);
  switch (w?.verb) {
    case 'BEGIN':
    case 'COMMIT':
    case 'ROLLBACK':
      return w.verb;
    case 'SELECT': {
      const what = w.what.trim();
      const projection = /^count\(\*\)$/i.test(what) ? 'COUNT(*)' : what === '1' ? '1' : 'columns';
      return `SELECT ${projection} FROM ${w.table}${w.where ? ` WHERE ${where(w.where)}` : ''}${w.limit ? ' LIMIT 1' : ''}${w.lock ? ` ${w.lock.toUpperCase()}` : ''}`;
    }
    case 'INSERT': {
      if (w.replace) break;
      const dup = w.onDuplicate
        ? ` ON DUPLICATE KEY UPDATE (${kept(w.table, assigned(w.onDuplicate), o).join(', ')})`
        : '';
      return `INSERT INTO ${w.table} (${kept(w.table, w.cols.split(','), o).join(', ')})${dup}`;
    }
    case 'UPDATE':
      return `UPDATE ${w.table} SET (${kept(w.table, assigned(w.set), o).join(', ')}) WHERE ${where(w.where)}`;
    case 'DELETE':
      return `DELETE FROM ${w.table} WHERE ${where(w.where)}`;
  }
  return squash(sql);
}

export function shapes(sqls: readonly string[], o: ShapeOptions = {}): string[] {
  return sqls.map((s) => statementShape(s, o));
}
