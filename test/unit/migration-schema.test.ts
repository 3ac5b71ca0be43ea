// The `migration:` block of a scenario file (lab/scenario/migration.ts through validate.ts): each
// bad field is named with what to do, a story's own options are refused on stories that do not
// take them, and which stories exist comes from the list passed in (the registry in the lab).

import test from 'ava';
import { checkMigrationDoc, isMigrationDoc, migrationDoc } from '../../lab/scenario/migration.ts';
import { ScenarioError, validateMigrationScenario } from '../../lab/scenario/validate.ts';

// Two made-up stories: the rules must come from the list, not from the lab's story names.
const STORIES = [
  { name: 'calm', takes: [] },
  { name: 'rolling', takes: ['stop', 'maxOutageSec'] },
] as const;

const problems = (doc: Record<string, unknown>) => checkMigrationDoc(doc, STORIES).problems;

test('a document is a migration scenario when it has a migration: block', (t) => {
  t.true(isMigrationDoc({ name: 'x', migration: { story: 'calm' } }));
  t.true(isMigrationDoc({ migration: null }), 'a broken block is still this validator’s to name');
  t.false(isMigrationDoc({ name: 'x', duration: '10s' }));
  t.false(isMigrationDoc(null));
  t.false(isMigrationDoc(['migration']));
});

test('a valid block: only the options given come out', (t) => {
  const r = checkMigrationDoc(
    {
      name: 'r',
      question: 'q?',
      migration: {
        story: 'rolling',
        stop: 'kill',
        maxOutageSec: 30,
        lock: { ttlSec: 10, retryMs: 5000 },
        workload: { seed: 7 },
      },
    },
    STORIES,
  );
  t.deepEqual(r.problems, []);
  t.deepEqual(r.scenario, {
    name: 'r',
    description: '',
    question: 'q?',
    story: 'rolling',
    stop: 'kill',
    maxOutageSec: 30,
    lock: { ttlSec: 10, retryMs: 5000 },
    workload: { seed: 7 },
  });
  // And back as a run directory stores it.
  t.deepEqual(migrationDoc(r.scenario), {
    name: 'r',
    description: '',
    question: 'q?',
    migration: {
      story: 'rolling',
      stop: 'kill',
      maxOutageSec: 30,
      workload: { seed: 7 },
      lock: { ttlSec: 10, retryMs: 5000 },
    },
  });
});

test('an unknown story is named with the stories there are', (t) => {
  t.deepEqual(problems({ name: 'm', question: 'q', migration: { story: 'sideways' } }), [
    'migration.story: must be calm, rolling, got "sideways"',
  ]);
  t.deepEqual(problems({ name: 'm', question: 'q', migration: {} }), [
    'migration.story: must be calm, rolling, got null',
  ]);
});

test('a block that is not a map says what it should look like, once', (t) => {
  t.deepEqual(problems({ name: 'm', question: 'q', migration: 'calm' }), [
    'migration: a map naming the story, e.g. migration: { story: redeploy }',
  ]);
});

test('a story option on a story that does not take it: named, with the stories that do, and "remove it"', (t) => {
  t.deepEqual(
    problems({
      name: 'm',
      question: 'q',
      migration: { story: 'calm', stop: 'kill', maxOutageSec: 5 },
    }),
    [
      'migration.stop: only used by story rolling; remove it',
      'migration.maxOutageSec: only used by story rolling; remove it',
    ],
  );
});

test('every bad field is named, each with what is allowed', (t) => {
  t.deepEqual(
    problems({
      question: '',
      speed: 1,
      migration: {
        story: 'rolling',
        stop: 'gently',
        maxOutageSec: -1,
        lock: { ttlSec: 0, retryMs: 5 },
        workload: { clients: 33, seed: 1.5, burst: 1 },
        nodes: 3,
      },
    }),
    [
      'speed: unknown field in a migration scenario; allowed: name, description, question, migration',
      'name: required, a non-empty string',
      'question: required, a non-empty string',
      'migration.nodes: unknown field; allowed: story, stop, maxOutageSec, version, phase, workload, lock',
      'migration.stop: must be graceful or kill, got "gently"',
      'migration.maxOutageSec: a number of seconds above 0, got -1',
      'migration.workload.burst: unknown field; allowed: clients, seed',
      'migration.workload.clients: an integer from 1 to 32, got 33',
      'migration.workload.seed: an integer, got 1.5',
      'migration.lock.ttlSec: whole seconds from 1 to 86400 (the BBS used 10, then 15), got 0',
      'migration.lock.retryMs: milliseconds, at least 10 (the BBS retried every 5000), got 5',
    ],
  );
  t.deepEqual(
    problems({ name: 'm', question: 'q', migration: { story: 'calm', lock: 10, workload: [] } }),
    [
      'migration.workload: a map with clients and/or seed, e.g. { clients: 3, seed: 1 }',
      'migration.lock: a map { ttlSec, retryMs }, e.g. { ttlSec: 10, retryMs: 5000 } for the 2016 BBS',
    ],
  );
});

test('through the validator: problems are a ScenarioError of the file, as for any scenario', (t) => {
  const e = t.throws(
    () =>
      validateMigrationScenario(
        { name: 'm', question: 'q', migration: { story: 'calm', stop: 'kill' } },
        'm.yaml',
        STORIES,
      ),
    { instanceOf: ScenarioError },
  );
  t.is(e!.file, 'm.yaml');
  t.deepEqual(e!.problems, ['migration.stop: only used by story rolling; remove it']);
  t.deepEqual(
    validateMigrationScenario(
      { name: 'm', question: 'q', migration: { story: 'calm' } },
      'm.yaml',
      STORIES,
    ),
    { name: 'm', description: '', question: 'q', story: 'calm' },
  );
});
