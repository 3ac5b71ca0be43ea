// ConvergeTasks' statements per profile, written out by hand from db/sqldb/task_convergence.go at
// each commit (db3234a7, 47049111, fd3b8213, b2385bea), and a property: every statement binds
// exactly one parameter per placeholder, whatever the cells and the guids selected.

import test from 'ava';
import fc from 'fast-check';
import {
  DEFAULT_TASK_DURATIONS,
  TASK_STEPS,
  taskConvergenceEra,
  taskConvergenceSteps,
} from '../../bbs/sql/task-convergence.ts';

const NOW = 10_000e9;
const CELLS = ['cell-0', 'cell-1'];

test('eras: none at 2016-03; statements at 2016-05; helpers 2016-11…2017-06; SELECT first at 2017-09; guid-scoped today', (t) => {
  t.is(taskConvergenceEra('2016-03'), null);
  t.is(taskConvergenceEra('2016-05'), 'raw-2016-05');
  for (const v of ['2016-11', '2017-05', '2017-06'] as const)
    t.is(taskConvergenceEra(v), 'helpers-2016-11');
  t.is(taskConvergenceEra('2017-09'), 'select-first-2017-09');
  t.is(taskConvergenceEra('today'), 'guid-scoped-today');
});

test('2016-05: the six steps as db3234a7 wrote them', (t) => {
  const s = taskConvergenceSteps('raw-2016-05', NOW, CELLS);
  t.deepEqual(
    s.map((x) => x.name),
    [...TASK_STEPS],
  );
  const expired = s[0]!;
  t.is(expired.select, null);
  t.deepEqual(expired.write!(null), {
    sql: 'UPDATE tasks SET failed = ?, failure_reason = ?, result = ?, state = ?, first_completed_at = ?, updated_at = ? WHERE state = ? AND created_at < ?',
    params: [true, 'not started within time limit', '', 3, NOW, NOW, 1, NOW - 30 * 60e9],
  });
  t.deepEqual(s[1]!.select, {
    sql: 'SELECT guid, domain, updated_at, created_at, first_completed_at, state, cell_id, result, failed, failure_reason, task_definition FROM tasks WHERE state = ? AND updated_at < ? AND created_at > ?',
    params: [1, NOW - 30e9, NOW - 30 * 60e9],
  });
  t.is(s[1]!.write, null);
  t.deepEqual(s[2]!.write!(null)?.params.slice(-3), [2, 'cell-0', 'cell-1']);
  t.true(s[2]!.write!(null)!.sql.endsWith('WHERE state = ? AND cell_id NOT IN (?, ?)'));
  t.deepEqual(s[3]!.write!(null), {
    sql: 'UPDATE tasks SET state = ? WHERE state = ? AND updated_at < ?',
    params: [3, 4, NOW - 30e9],
  });
  t.deepEqual(s[4]!.write!(null), {
    sql: 'DELETE FROM tasks WHERE state = ? AND first_completed_at < ?',
    params: [3, NOW - 2 * 60e9],
  });
  t.deepEqual(s[5]!.select?.params, [3, NOW - 30e9]);
});

test('no cells: every RUNNING task fails (no NOT IN), at every era', (t) => {
  for (const era of ['raw-2016-05', 'helpers-2016-11', 'select-first-2017-09'] as const) {
    const w = taskConvergenceSteps(era, NOW, [])[2]!.write!(null)!;
    t.true(w.sql.endsWith('WHERE state = ?'), era);
    t.deepEqual(w.params.slice(-1), [2]);
  }
});

test('2016-11: the helpers’ shapes; 2017-09 selects first and writes the same; today narrows to the guids and kicks every fresh PENDING task', (t) => {
  const h = taskConvergenceSteps('helpers-2016-11', NOW, CELLS);
  t.is(h[4]!.write!(null)!.sql, 'DELETE FROM tasks\nWHERE state = ? AND first_completed_at < ?');
  t.true(h[1]!.select!.sql.startsWith('SELECT tasks.guid, tasks.domain, '));
  t.true(
    h[1]!.select!.sql.endsWith(
      ' FROM tasks\nWHERE state = ? AND updated_at < ? AND created_at > ?',
    ),
  );
  t.is(h[0]!.select, null);

  const s = taskConvergenceSteps('select-first-2017-09', NOW, CELLS);
  for (const i of [0, 2, 3, 4]) {
    t.not(s[i]!.select, null);
    t.deepEqual(s[i]!.write!(['x']), h[i]!.write!(null), 'the same write, whatever was selected');
  }

  const d = taskConvergenceSteps('guid-scoped-today', NOW, CELLS);
  t.deepEqual(d[1]!.select!.params, [1, NOW - 30 * 60e9]);
  t.true(d[1]!.select!.sql.endsWith('WHERE state = ? AND created_at > ?'));
  t.is(d[3]!.write!([]), null, 'nothing selected: no UPDATE');
  t.deepEqual(d[3]!.write!(['a', 'b']), {
    sql: 'UPDATE tasks SET\nstate = ?\nWHERE state = ? AND updated_at < ? AND guid IN (?, ?)',
    params: [3, 4, NOW - 30e9, 'a', 'b'],
  });
});

test('every statement binds one parameter per placeholder (property)', (t) => {
  fc.assert(
    fc.property(
      fc.constantFrom(
        'raw-2016-05',
        'helpers-2016-11',
        'select-first-2017-09',
        'guid-scoped-today',
      ) as fc.Arbitrary<Parameters<typeof taskConvergenceSteps>[0]>,
      fc.array(fc.string({ minLength: 1, maxLength: 5 }), { maxLength: 4 }),
      fc.array(fc.string({ minLength: 1, maxLength: 5 }), { maxLength: 4 }),
      (era, cells, guids) => {
        for (const st of taskConvergenceSteps(era, NOW, cells, DEFAULT_TASK_DURATIONS)) {
          const all = [st.select, st.write?.(st.select ? guids : null) ?? null].filter(
            (x) => x !== null,
          );
          for (const x of all) t.is((x.sql.match(/\?/g) ?? []).length, x.params.length);
        }
      },
    ),
  );
});
