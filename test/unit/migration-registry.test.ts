// The migration story registry (lab/migration/stories/index.ts): every story a shipped scenario
// names has a file of its own, registered under its name, and the validator takes its options
// from there.

import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseMigrationScenario } from '../../lab/runner/migration-run.ts';
import { STORIES, STORY_NAMES, storyNamed } from '../../lab/migration/stories/index.ts';
import { ScenarioError } from '../../lab/scenario/validate.ts';

const storyFile = (name: string) => `lab/migration/stories/${name}.ts`;

test('every story a shipped scenario names is registered and has its own file', async (t) => {
  const named = readdirSync('scenarios')
    .filter((f) => f.endsWith('.yaml'))
    .map(
      (f) =>
        (parse(readFileSync(`scenarios/${f}`, 'utf8')) as { migration?: { story?: string } })
          .migration?.story,
    )
    .filter((s): s is string => s !== undefined);
  // Five migration-*.yaml, the two upgrade-dust files and the four start-up fault stories.
  t.is(named.length, 11);
  for (const name of new Set(named)) {
    t.true(STORY_NAMES.includes(name), `${name} is in the registry`);
    t.true(existsSync(storyFile(name)), `${storyFile(name)} exists`);
    const mod = (await import(`../../${storyFile(name)}`)) as Record<string, unknown>;
    t.true(
      Object.values(mod).includes(storyNamed(name)),
      `${storyFile(name)} exports the registered story`,
    );
  }
});

test('the registry: one entry per story, each in a file of its name, in the order migrate plays them', (t) => {
  t.deepEqual(STORY_NAMES, [
    'redeploy',
    'mixed-lock',
    'failure',
    'gap',
    'no-sql',
    'upgrade-dust',
    'startup-refused',
    'startup-lost-connection',
    'startup-1047',
    'startup-1213',
  ]);
  t.is(new Set(STORY_NAMES).size, STORIES.length);
  for (const s of STORIES) t.true(existsSync(storyFile(s.name)), storyFile(s.name));
  const files = readdirSync('lab/migration/stories').filter(
    (f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'kit.ts',
  );
  t.deepEqual(
    files.map((f) => f.replace(/\.ts$/, '')).sort(),
    [...STORY_NAMES].sort(),
    'no story file left out of the registry',
  );
  t.throws(() => storyNamed('sideways'), {
    message: /unknown migration story "sideways"; one of redeploy, mixed-lock/,
  });
});

test('a story’s options come from its registry entry: upgrade-dust takes stop, the others refuse it', (t) => {
  t.deepEqual(storyNamed('upgrade-dust').takes, ['stop', 'maxOutageSec']);
  t.like(
    parseMigrationScenario(
      'name: d\nquestion: q?\nmigration: { story: upgrade-dust, stop: kill }\n',
      'd.yaml',
    ),
    { story: 'upgrade-dust', stop: 'kill' },
  );
  const e = t.throws(
    () =>
      parseMigrationScenario(
        'name: d\nquestion: q?\nmigration: { story: gap, stop: kill }\n',
        'd.yaml',
      ),
    { instanceOf: ScenarioError },
  );
  t.deepEqual(e!.problems, ['migration.stop: only used by story upgrade-dust; remove it']);
});
