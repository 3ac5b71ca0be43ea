// The statement shape the conformance tests compare: worked examples from the real BBS's
// statements, and properties against a plain reference (a set of written columns).

import test from 'ava';
import fc from 'fast-check';
import { columnsOf, LAB_COLUMNS, statementShape } from '../integration/conformance/shape.ts';

test('the lab schema is read from its CREATE TABLE statements', (t) => {
  t.deepEqual(LAB_COLUMNS.domains, ['domain', 'expire_time']);
  t.deepEqual(LAB_COLUMNS.tasks, [
    'guid',
    'domain',
    'updated_at',
    'created_at',
    'first_completed_at',
    'state',
    'cell_id',
    'result',
    'failed',
    'failure_reason',
    'task_definition',
  ]);
  t.true(LAB_COLUMNS.desired_lrps!.includes('volume_placement'));
  t.false(LAB_COLUMNS.desired_lrps!.includes('placement_tags'));
  t.deepEqual(columnsOf(['CREATE TABLE t(\n a INT,\n b TEXT,\n PRIMARY KEY(a),\n INDEX(b)\n)']), {
    t: ['a', 'b'],
  });
});

test('worked examples: 2016 hand-written statements and 47049111 helper statements', (t) => {
  // db3234a7 fetchTaskForUpdate, with the table-qualified column list.
  t.is(
    statementShape(
      'SELECT tasks.guid, tasks.domain,\n tasks.state FROM tasks WHERE guid = ? FOR UPDATE',
    ),
    'SELECT columns FROM tasks WHERE guid = ? FOR UPDATE',
  );
  // 2a8d20a0 fetchTaskForShare.
  t.is(
    statementShape('SELECT * FROM tasks WHERE guid = ? LOCK IN SHARE MODE'),
    'SELECT columns FROM tasks WHERE guid = ? LOCK IN SHARE MODE',
  );
  // 47049111 db.one(…, LockRow): LIMIT 1 then FOR UPDATE on their own lines.
  t.is(
    statementShape(
      'SELECT tasks.guid, tasks.domain FROM tasks\nWHERE guid = ?\nLIMIT 1\nFOR UPDATE',
    ),
    'SELECT columns FROM tasks WHERE guid = ? LIMIT 1 FOR UPDATE',
  );
  t.is(
    statementShape('SELECT COUNT(*) FROM desired_lrps WHERE process_guid = ? FOR UPDATE'),
    'SELECT COUNT(*) FROM desired_lrps WHERE process_guid = ? FOR UPDATE',
  );
  t.is(
    statementShape('SELECT count(*) FROM desired_lrps WHERE process_guid = ? LOCK IN SHARE MODE'),
    'SELECT COUNT(*) FROM desired_lrps WHERE process_guid = ? LOCK IN SHARE MODE',
  );
  t.is(
    statementShape('SELECT 1 FROM desired_lrps\nWHERE process_guid = ?\nLIMIT 1\nFOR UPDATE'),
    'SELECT 1 FROM desired_lrps WHERE process_guid = ? LIMIT 1 FOR UPDATE',
  );
  // 47049111 db.insert: "INSERT INTO t\n(cols)VALUES (…)", map order, columns the lab lacks.
  t.is(
    statementShape('INSERT INTO tasks\n(state, guid, rejection_count, domain)VALUES (?, ?, ?, ?)'),
    'INSERT INTO tasks (domain, guid, state)',
  );
  t.is(
    statementShape(
      'INSERT INTO domains (domain, expire_time) VALUES (?, ?)\n ON DUPLICATE KEY UPDATE expire_time = ?',
    ),
    'INSERT INTO domains (domain, expire_time) ON DUPLICATE KEY UPDATE (expire_time)',
  );
  t.is(
    statementShape('UPDATE tasks SET\nupdated_at = ?, state = ?\nWHERE guid = ?'),
    'UPDATE tasks SET (state, updated_at) WHERE guid = ?',
  );
  t.is(statementShape('DELETE FROM tasks\nWHERE guid = ?'), 'DELETE FROM tasks WHERE guid = ?');
  t.is(
    statementShape('SELECT domains.domain FROM domains\nWHERE expire_time > ?'),
    'SELECT columns FROM domains WHERE expire_time > ?',
  );
  t.is(statementShape('begin'), 'BEGIN');
  // A column the lab's schema has and the commit's did not (volume_placement before db3234a7).
  t.is(
    statementShape('INSERT INTO desired_lrps (process_guid, volume_placement) VALUES (?, ?)', {
      ignore: ['volume_placement'],
    }),
    'INSERT INTO desired_lrps (process_guid)',
  );
});

test('shapes tell apart what matters: lock, LIMIT, probe, written columns, kind, where', (t) => {
  const a = 'SELECT guid FROM tasks WHERE guid = ? LIMIT 1 FOR UPDATE';
  for (const b of [
    'SELECT guid FROM tasks WHERE guid = ? LIMIT 1 LOCK IN SHARE MODE',
    'SELECT guid FROM tasks WHERE guid = ? LIMIT 1',
    'SELECT guid FROM tasks WHERE guid = ? FOR UPDATE',
    'SELECT 1 FROM tasks WHERE guid = ? LIMIT 1 FOR UPDATE',
    'SELECT guid FROM tasks WHERE domain = ? LIMIT 1 FOR UPDATE',
    'SELECT guid FROM domains WHERE guid = ? LIMIT 1 FOR UPDATE',
  ]) {
    t.not(statementShape(a), statementShape(b), b);
  }
  t.not(
    statementShape('UPDATE tasks SET state = ?, cell_id = ? WHERE guid = ?'),
    statementShape('UPDATE tasks SET state = ? WHERE guid = ?'),
  );
  t.not(
    statementShape('INSERT INTO domains (domain, expire_time) VALUES (?, ?)'),
    statementShape(
      'INSERT INTO domains (domain, expire_time) VALUES (?, ?) ON DUPLICATE KEY UPDATE expire_time = ?',
    ),
  );
  t.is(statementShape('SHOW TABLES'), 'SHOW TABLES');
});

const TASK = LAB_COLUMNS.tasks!;
const EXTRA = ['rejection_count', 'rejection_reason', 'max_pids'];

test('property: an UPDATE or INSERT shape is the set of written lab columns, whatever their order and whatever other columns', (t) => {
  const cols = fc.subarray([...TASK, ...EXTRA], { minLength: 1 });
  fc.assert(
    fc.property(cols, fc.integer(), cols, (written, seed, other) => {
      const shuffled = [...written].sort(
        (x, y) => ((x.length * 31 + seed) % 7) - ((y.length * 31 + seed) % 7) || x.localeCompare(y),
      );
      const upd = (cs: string[]) =>
        statementShape(`UPDATE tasks SET ${cs.map((c) => `${c} = ?`).join(', ')} WHERE guid = ?`);
      const ins = (cs: string[]) =>
        statementShape(
          `INSERT INTO tasks (${cs.join(', ')}) VALUES (${cs.map(() => '?').join(', ')})`,
        );
      // The reference: two statements write the same thing iff their sets of lab columns agree.
      const ref = (cs: string[]) =>
        [...new Set(cs.filter((c) => TASK.includes(c)))].sort().join(',');
      if (upd(written) !== upd(shuffled) || ins(written) !== ins(shuffled)) return false;
      return (
        (upd(written) === upd(other)) === (ref(written) === ref(other)) &&
        (ins(written) === ins(other)) === (ref(written) === ref(other))
      );
    }),
  );
  t.pass();
});
