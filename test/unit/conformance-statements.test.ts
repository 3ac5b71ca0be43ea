// The statement comparison of the conformance tests (test/integration/conformance/statements.ts):
// it must see every difference that matters (verb, table, lock, a column, a value, the connection,
// a missing or extra statement) and none that the Go code did not fix (the order of a Go map).

import test from 'ava';
import fc from 'fast-check';
import {
  ANY,
  parseStmt,
  sequenceProblems,
  stmtProblem,
  type Expected,
  type SentStmt,
} from '../integration/conformance/statements.ts';

test('parses the statement forms of the BBS and binds each value to its column', (t) => {
  const u = parseStmt(
    'UPDATE actual_lrps SET state = ?, cell_id = ? WHERE process_guid = ? AND evacuating = ?',
    ['CLAIMED', 'c', 'g', false],
  );
  t.deepEqual(
    [...u.cols!],
    [
      ['state', 'CLAIMED'],
      ['cell_id', 'c'],
    ],
  );
  t.deepEqual(
    [...u.where!],
    [
      ['process_guid', 'g'],
      ['evacuating', false],
    ],
  );
  const sel = parseStmt(
    'SELECT actual_lrps.a, actual_lrps.b FROM actual_lrps\nWHERE x = ?\nFOR UPDATE',
    [1],
  );
  t.is(sel.lock, 'FOR UPDATE');
  t.deepEqual([...sel.cols!.keys()], ['a', 'b']);
  t.is(parseStmt('SELECT a FROM t WHERE x = ? LOCK IN SHARE MODE', [1]).lock, 'LOCK IN SHARE MODE');
  t.deepEqual(
    [...parseStmt('INSERT INTO t\n(a, b)VALUES (?, ?)', [1, 2]).cols!],
    [
      ['a', 1],
      ['b', 2],
    ],
  );
  t.is(parseStmt('START TRANSACTION').verb, 'BEGIN');
  t.is(parseStmt('DELETE FROM t WHERE a = ? AND b = ?', [1, 2]).verb, 'DELETE');
  t.throws(() => parseStmt('UPDATE t SET a = ? WHERE b = ?', [1]), { message: /too few values/ });
  t.throws(() => parseStmt('DELETE FROM t WHERE a = ?', [1, 2]), { message: /left over/ });
});

test('each kind of difference is named', (t) => {
  const base = parseStmt('SELECT a, b FROM t WHERE x = ? FOR UPDATE', [1]);
  t.is(stmtProblem(base, parseStmt('SELECT b, a FROM t WHERE x = ? FOR UPDATE', [1])), undefined);
  t.regex(
    stmtProblem(base, parseStmt('SELECT a, b FROM t WHERE x = ? LOCK IN SHARE MODE', [1]))!,
    /lock/,
  );
  t.regex(stmtProblem(base, parseStmt('SELECT a FROM t WHERE x = ? FOR UPDATE', [1]))!, /columns/);
  t.regex(
    stmtProblem(base, parseStmt('SELECT a, b FROM t WHERE x = ? FOR UPDATE', [2]))!,
    /where x: expected 1, store sent 2/,
  );
  t.regex(stmtProblem(base, parseStmt('SELECT a, b FROM u WHERE x = ? FOR UPDATE', [1]))!, /table/);
  const upd = parseStmt('UPDATE t SET a = ?, since = ? WHERE x = ?', [1, ANY, 0]);
  t.is(
    stmtProblem(upd, parseStmt('UPDATE t SET since = ?, a = ? WHERE x = ?', [123, 1, false])),
    undefined,
    'ANY and false = 0',
  );
  t.regex(
    stmtProblem(upd, parseStmt('UPDATE t SET since = ?, a = ? WHERE x = ?', [123, 2, 0]))!,
    /columns a: expected 1, store sent 2/,
  );
  const exp: Expected[] = [
    { conn: 1, sql: 'BEGIN' },
    { conn: 2, sql: 'DELETE FROM t WHERE a = ?', args: [1] },
    { conn: 1, sql: 'COMMIT' },
  ];
  const sent: SentStmt[] = [
    { sql: 'BEGIN', params: [], lease: 7 },
    { sql: 'DELETE FROM t WHERE a = ?', params: [1], lease: 8 },
    { sql: 'COMMIT', params: [], lease: 7 },
  ];
  t.deepEqual(sequenceProblems(exp, sent), []);
  t.regex(
    sequenceProblems(
      exp,
      sent.map((s) => ({ ...s, lease: 7 })),
    )[0]!,
    /expected on connection 2, sent on 1/,
  );
  t.regex(sequenceProblems(exp, sent.slice(0, 2))[0]!, /missing COMMIT/);
  t.regex(sequenceProblems(exp.slice(0, 2), sent)[0]!, /unexpected COMMIT/);
});

test('the order of a Go map never matters; any changed value does', (t) => {
  const cols = ['state', 'cell_id', 'instance_guid', 'modification_tag_index', 'placement_error'];
  fc.assert(
    fc.property(
      fc.shuffledSubarray(cols, { minLength: 1 }),
      fc.array(fc.integer(), { minLength: 5, maxLength: 5 }),
      fc.nat(4),
      (picked, vals, which) => {
        const values = picked.map((c) => vals[cols.indexOf(c)]!);
        const sql = (order: string[]) =>
          `UPDATE t SET ${order.map((c) => `${c} = ?`).join(', ')} WHERE g = ?`;
        const want = parseStmt(sql(picked), [...values, 'g']);
        const reversed = [...picked].reverse();
        const same = parseStmt(sql(reversed), [...[...values].reverse(), 'g']);
        const k = which % picked.length;
        const changed = [...values];
        changed[k] = changed[k]! + 1;
        const other = parseStmt(sql(picked), [...changed, 'g']);
        return stmtProblem(want, same) === undefined && stmtProblem(want, other) !== undefined;
      },
    ),
  );
  t.pass();
});
