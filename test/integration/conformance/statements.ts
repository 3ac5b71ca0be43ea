// Statements compared by meaning, so that a sequence captured from the store can be held to one
// written out by hand from the Go code: the verb, the table, the lock, each column with the value
// bound to it, each WHERE condition with its value. Order inside a SET, a column list or a WHERE is
// not compared: from 47049111 on the BBS built them from a Go map (helpers.SQLAttributes), and
// before it selectActualLRPs built its WHERE from one, so their order changed from call to call.

export const ANY = Symbol('any value');

export interface Stmt {
  verb: 'BEGIN' | 'COMMIT' | 'ROLLBACK' | 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';
  table?: string;
  lock?: '' | 'FOR UPDATE' | 'LOCK IN SHARE MODE';
  /** SELECT: the columns read (values undefined). INSERT / UPDATE: column → bound value. */
  cols?: Map<string, unknown>;
  where?: Map<string, unknown>;
}

/**
 * One expected statement: the connection (1 = the op's first, 2 = the next one it took, …), the SQL
 * as the Go code wrote it, and its Go arguments in order.
 */
export interface Expected {
  conn: number;
  sql: string;
  args?: readonly unknown[];
}

export const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();
/** Drops table prefixes: actual_lrps.state → state. */
export const unqualify = (s: string): string => s.replace(/\b\w+\.(\w+)/g, '$1');

/**
 * A statement's parts as written, its whitespace squashed and table prefixes dropped; lists and
 * conditions still text. The one reader of the statement forms: parseStmt binds values to it,
 * shape.ts writes its shape.
 */
export type WrittenStmt =
  | { verb: 'BEGIN' | 'COMMIT' | 'ROLLBACK' }
  | {
      verb: 'SELECT';
      what: string;
      table: string;
      where?: string;
      limit: boolean;
      /** As written: ' FOR UPDATE' or ' LOCK IN SHARE MODE' trimmed, in its own case. */
      lock: string;
    }
  | {
      verb: 'INSERT';
      /** REPLACE INTO rather than INSERT INTO. */
      replace: boolean;
      table: string;
      cols: string;
      /** The assignments after ON DUPLICATE KEY UPDATE. */
      onDuplicate?: string;
    }
  | { verb: 'UPDATE'; table: string; set: string; where: string }
  | { verb: 'DELETE'; table: string; where: string };

/** The parts of a statement of the forms the BBS sends, or null for any other. */
export function readStmt(sqlText: string): WrittenStmt | null {
  const sql = unqualify(squash(sqlText));
  if (/^(BEGIN|START TRANSACTION)$/i.test(sql)) return { verb: 'BEGIN' };
  if (/^(COMMIT|ROLLBACK)$/i.test(sql)) return { verb: sql.toUpperCase() as 'COMMIT' };
  let m =
    /^SELECT (.+?) FROM (\w+)(?: WHERE (.+?))?( LIMIT 1)?( FOR UPDATE| LOCK IN SHARE MODE)?$/i.exec(
      sql,
    );
  if (m) {
    return {
      verb: 'SELECT',
      what: m[1]!,
      table: m[2]!,
      ...(m[3] ? { where: m[3] } : {}),
      limit: m[4] !== undefined,
      lock: m[5]?.trim() ?? '',
    };
  }
  m =
    /^(INSERT|REPLACE) INTO (\w+) ?\((.+?)\) ?VALUES ?\((.+?)\)(?: ON DUPLICATE KEY UPDATE (.+))?$/i.exec(
      sql,
    );
  if (m) {
    return {
      verb: 'INSERT',
      replace: m[1]!.toUpperCase() === 'REPLACE',
      table: m[2]!,
      cols: m[3]!,
      ...(m[5] ? { onDuplicate: m[5] } : {}),
    };
  }
  m = /^UPDATE (\w+) SET (.+?) WHERE (.+)$/i.exec(sql);
  if (m) return { verb: 'UPDATE', table: m[1]!, set: m[2]!, where: m[3]! };
  m = /^DELETE FROM (\w+) WHERE (.+)$/i.exec(sql);
  if (m) return { verb: 'DELETE', table: m[1]!, where: m[2]! };
  return null;
}

function conjuncts(where: string, take: () => unknown): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const c of where.split(/ AND /i)) {
    const [, col, op] = /^(\w+) (=|>) \?$/.exec(c.trim()) ?? [];
    if (!col) throw new Error(`cannot read the condition "${c}"`);
    m.set(op === '=' ? col : `${col} ${op}`, take());
  }
  return m;
}

/** Parses one statement with its bound values. Table prefixes (actual_lrps.x) are dropped. */
export function parseStmt(sqlText: string, params: readonly unknown[] = []): Stmt {
  const sql = unqualify(squash(sqlText));
  let i = 0;
  const take = (): unknown => {
    if (i >= params.length) throw new Error(`too few values for ${sql}`);
    return params[i++];
  };
  const done = (s: Stmt): Stmt => {
    if (i !== params.length) throw new Error(`${params.length - i} values left over for ${sql}`);
    return s;
  };
  const w = readStmt(sql);
  // A LIMIT and an ON DUPLICATE KEY UPDATE are not compared: no actual LRP statement has them.
  if (!w || (w.verb === 'SELECT' && w.limit) || (w.verb === 'INSERT' && w.onDuplicate))
    throw new Error(`cannot read the statement: ${sql}`);
  switch (w.verb) {
    case 'BEGIN':
    case 'COMMIT':
    case 'ROLLBACK':
      return done({ verb: w.verb });
    case 'SELECT':
      return done({
        verb: 'SELECT',
        table: w.table,
        lock: w.lock as Stmt['lock'],
        cols: new Map(w.what.split(',').map((c) => [c.trim(), undefined] as [string, unknown])),
        where: w.where ? conjuncts(w.where, take) : new Map(),
      });
    case 'INSERT': {
      const names = w.cols.split(',').map((c) => c.trim());
      return done({ verb: 'INSERT', table: w.table, cols: new Map(names.map((n) => [n, take()])) });
    }
    case 'UPDATE': {
      const cols = new Map<string, unknown>();
      for (const a of w.set.split(',')) {
        const [, col] = /^(\w+) = \?$/.exec(a.trim()) ?? [];
        if (!col) throw new Error(`cannot read the assignment "${a}"`);
        cols.set(col, take());
      }
      return done({ verb: 'UPDATE', table: w.table, cols, where: conjuncts(w.where, take) });
    }
    case 'DELETE':
      return done({ verb: 'DELETE', table: w.table, where: conjuncts(w.where, take) });
  }
}

const same = (want: unknown, got: unknown): boolean => {
  if (want === ANY) return true;
  if (typeof want === 'boolean' || typeof got === 'boolean') return Number(want) === Number(got);
  return String(want) === String(got);
};

function mapProblem(
  what: string,
  want: Map<string, unknown> | undefined,
  got: Map<string, unknown> | undefined,
  values: boolean,
): string | undefined {
  const w = [...(want ?? new Map()).keys()].sort();
  const g = [...(got ?? new Map()).keys()].sort();
  if (w.join(',') !== g.join(','))
    return `${what}: expected {${w.join(', ')}}, store sent {${g.join(', ')}}`;
  if (!values) return undefined;
  for (const k of w) {
    const a = want!.get(k);
    const b = got!.get(k);
    if (!same(a, b))
      return `${what} ${k}: expected ${String(a === ANY ? 'any' : a)}, store sent ${String(b)}`;
  }
  return undefined;
}

/** Where two statements differ, or undefined when they mean the same. */
export function stmtProblem(want: Stmt, got: Stmt): string | undefined {
  if (want.verb !== got.verb) return `expected ${want.verb}, store sent ${got.verb}`;
  if (want.table !== got.table) return `table: expected ${want.table}, store sent ${got.table}`;
  if ((want.lock ?? '') !== (got.lock ?? ''))
    return `lock: expected "${want.lock}", store sent "${got.lock}"`;
  return (
    mapProblem('columns', want.cols, got.cols, want.verb !== 'SELECT') ??
    mapProblem('where', want.where, got.where, true)
  );
}

export interface SentStmt {
  sql: string;
  params: unknown[];
  lease: number;
}

/**
 * Compares a captured sequence (session set-up already left out) with the expected one; the
 * captured leases are renumbered 1, 2, … in order of first use. Returns the problems, [] when
 * equal.
 */
export function sequenceProblems(
  expected: readonly Expected[],
  sent: readonly SentStmt[],
  labSchema: (s: Stmt) => Stmt = (s) => s,
): string[] {
  const order = new Map<number, number>();
  for (const s of sent) if (!order.has(s.lease)) order.set(s.lease, order.size + 1);
  const out: string[] = [];
  const n = Math.max(expected.length, sent.length);
  for (let k = 0; k < n; k++) {
    const e = expected[k];
    const s = sent[k];
    if (!e) {
      out.push(`#${k + 1}: unexpected ${s!.sql}`);
      continue;
    }
    if (!s) {
      out.push(`#${k + 1}: missing ${squash(e.sql)}`);
      continue;
    }
    const conn = order.get(s.lease)!;
    if (conn !== e.conn)
      out.push(`#${k + 1}: expected on connection ${e.conn}, sent on ${conn}: ${s.sql}`);
    const p = stmtProblem(labSchema(parseStmt(e.sql, e.args ?? [])), parseStmt(s.sql, s.params));
    if (p) out.push(`#${k + 1} (${s.sql.slice(0, 60)}…): ${p}`);
  }
  return out;
}
