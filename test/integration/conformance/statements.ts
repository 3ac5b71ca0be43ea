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

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

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
  const sql = squash(sqlText).replace(/\b\w+\.(\w+)/g, '$1');
  let i = 0;
  const take = (): unknown => {
    if (i >= params.length) throw new Error(`too few values for ${sql}`);
    return params[i++];
  };
  const done = (s: Stmt): Stmt => {
    if (i !== params.length) throw new Error(`${params.length - i} values left over for ${sql}`);
    return s;
  };
  if (/^(BEGIN|START TRANSACTION)$/i.test(sql)) return done({ verb: 'BEGIN' });
  if (/^(COMMIT|ROLLBACK)$/i.test(sql)) return done({ verb: sql.toUpperCase() as 'COMMIT' });
  let m = /^SELECT (.+?) FROM (\w+)(?: WHERE (.+?))?( FOR UPDATE| LOCK IN SHARE MODE)?$/i.exec(sql);
  if (m) {
    const cols = new Map(m[1]!.split(',').map((c) => [c.trim(), undefined] as [string, unknown]));
    return done({
      verb: 'SELECT',
      table: m[2]!,
      lock: (m[4]?.trim() ?? '') as Stmt['lock'],
      cols,
      where: m[3] ? conjuncts(m[3], take) : new Map(),
    });
  }
  m = /^(?:INSERT|REPLACE) INTO (\w+) ?\((.+?)\) ?VALUES ?\((.+)\)$/i.exec(sql);
  if (m) {
    const names = m[2]!.split(',').map((c) => c.trim());
    return done({ verb: 'INSERT', table: m[1]!, cols: new Map(names.map((n) => [n, take()])) });
  }
  m = /^UPDATE (\w+) SET (.+?) WHERE (.+)$/i.exec(sql);
  if (m) {
    const cols = new Map<string, unknown>();
    for (const a of m[2]!.split(',')) {
      const [, col] = /^(\w+) = \?$/.exec(a.trim()) ?? [];
      if (!col) throw new Error(`cannot read the assignment "${a}"`);
      cols.set(col, take());
    }
    return done({ verb: 'UPDATE', table: m[1]!, cols, where: conjuncts(m[3]!, take) });
  }
  m = /^DELETE FROM (\w+) WHERE (.+)$/i.exec(sql);
  if (m) return done({ verb: 'DELETE', table: m[1]!, where: conjuncts(m[2]!, take) });
  throw new Error(`cannot read the statement: ${sql}`);
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
