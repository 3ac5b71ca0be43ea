// The planted-bug registry (bbs/sql/plants.ts) and its validation: every kind of store bug on
// more than one record type, each plant marked where it is applied, bad names rejected naming the
// field.

import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { storeOptions } from '../../bbs/sql/options.ts';
import {
  isPlantName,
  PLANT_NAMES,
  plantByName,
  plantListProblem,
  planted,
  PLANTS,
  type PlantKind,
} from '../../bbs/sql/plants.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';
import { problems } from './scenario-problems.ts';

const PAIRED: PlantKind[] = [
  'missing-lock',
  'blind-write',
  'dropped-state-check',
  'dropped-ownership-check',
  'split-transaction',
  'commit-error-as-success',
  'permissive-rule',
];

test('every kind of bug is planted on more than one record type (or is a kind only one record has), names unique', (t) => {
  t.is(new Set(PLANT_NAMES).size, PLANTS.length);
  for (const kind of PAIRED) {
    const records = PLANTS.filter((p) => p.kind === kind).map((p) => p.record);
    t.true(records.includes('task') && records.includes('actual-lrp'), kind);
  }
  // Outside tasks and actual LRPs (issue 27): desired LRPs have a missing lock, a blind write and a
  // lost COMMIT answered as failed; domains a refused upsert; the instance key an ignoring remove.
  t.deepEqual(
    PLANTS.filter((p) => p.record === 'desired-lrp')
      .map((p) => p.kind)
      .sort(),
    ['blind-write', 'commit-lost-as-failed', 'missing-lock'],
  );
  t.deepEqual(
    PLANTS.filter((p) => p.record === 'domain').map((p) => p.kind),
    ['refused-upsert'],
  );
  t.deepEqual(
    PLANTS.filter((p) => p.kind === 'commit-lost-as-failed')
      .map((p) => p.record)
      .sort(),
    ['actual-lrp', 'desired-lrp', 'task'],
  );
  t.deepEqual(
    PLANTS.filter((p) => p.kind === 'ignored-argument').map((p) => p.name),
    ['actual-lrp-remove-any-instance'],
  );
  // 7 kinds × 2 record types, and 7 outside them.
  t.is(PLANTS.length, 21);
  for (const p of PLANTS) t.true(p.description.length > 20, `${p.name} says what it breaks`);
});

test('each plant is marked "PLANTED BUG (<name>" where bbs/sql/ applies it', (t) => {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bbs', 'sql');
  const src = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && f !== 'plants.ts')
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
  const marks = [...src.matchAll(/PLANTED BUG \(([^)]*)\)/g)].flatMap((m) =>
    m[1]!.split(',').map((s) => s.trim()),
  );
  t.deepEqual([...new Set(marks)].sort(), [...PLANT_NAMES].sort());
  // Each plant is switched on by its own name in the code, not only in a comment.
  for (const name of PLANT_NAMES) t.true(src.includes(`'${name}'`), name);
});

test('plant lists: valid lists pass, others name the problem and the known plants', (t) => {
  t.is(plantListProblem([]), null);
  t.is(plantListProblem(['task-split-start', 'actual-lrp-split-claim']), null);
  t.regex(plantListProblem('task-split-start')!, /must be a list of plant names/);
  t.regex(
    plantListProblem(['task-nope'])!,
    /^unknown plant "task-nope"; known: task-no-row-lock, /,
  );
  t.is(
    plantListProblem(['task-split-start', 'task-split-start']),
    'plant "task-split-start" is listed twice; list each once',
  );
  t.true(isPlantName('task-commit-error-ok'));
  t.false(isPlantName('unsafeNoRowLocks'));
  t.is(plantByName('task-commit-error-ok').kind, 'commit-error-as-success');
});

test('store options: no plant by default; an unknown plant is an error naming the field', (t) => {
  t.deepEqual(storeOptions().plants, []);
  t.false(planted(storeOptions(), 'task-split-start'));
  t.true(planted(storeOptions({ plants: ['task-split-start'] }), 'task-split-start'));
  t.false(planted(storeOptions({ plants: ['task-split-start'] }), 'actual-lrp-split-claim'));
  t.throws(() => storeOptions({ plants: ['nope' as never] }), {
    message: /^plants: unknown plant "nope"/,
  });
});

const scenario = (bbs: string) => `
name: t
question: q
duration: 5s
topology: { nodes: 1 }
clients: { count: 2 }
bbs: ${bbs}
`;

test('scenario bbs.plant: default none, names validated with the field', (t) => {
  t.deepEqual(parseScenario(scenario('{}')).bbs.plant, []);
  t.deepEqual(parseScenario(scenario('{ plant: [task-blind-desire] }')).bbs.plant, [
    'task-blind-desire',
  ]);
  t.deepEqual(problems(scenario('{ plant: [task-blind-desir] }')), [
    `bbs.plant: unknown plant "task-blind-desir"; known: ${PLANT_NAMES.join(', ')}`,
  ]);
  t.deepEqual(problems(scenario('{ plant: task-blind-desire }')), [
    `bbs.plant: must be a list of plant names (${PLANT_NAMES.join(', ')}), got "task-blind-desire"`,
  ]);
});

test('a lost COMMIT answered as failed (the commit-lost plants) is classified a definite failure, never retried; unplanted it stays unknown', async (t) => {
  const { commitLostAsFailed } = await import('../../bbs/sql/store.ts');
  const { classifyError } = await import('../../lab/history/errors.ts');
  const lost = { phase: 'commit' as const, code: 'ECONNRESET', message: 'read ECONNRESET' };
  t.is(classifyError(lost).outcome, 'info', 'the truth: it may have committed');
  const planted = commitLostAsFailed(lost);
  t.is(classifyError(planted).outcome, 'fail', 'the plant: answered as rolled back');
  t.true(planted.final, 'marked so that no retry policy runs the op again');
});
