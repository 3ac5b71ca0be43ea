import test from 'ava';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATE_DEFAULT_BASE, cmdMigrate, migrateBase, storyList } from '../../lab/cli/migrate.ts';
import { migrateScenarioFile } from '../../lab/runner/migration-run.ts';

test('migrate’s address base: --base, else BBS_LAB_ADDRESS_BASE, else 127.0.45', (t) => {
  t.deepEqual(migrateBase(undefined, undefined), { base: '127.0.45' });
  t.is(MIGRATE_DEFAULT_BASE, '127.0.45');
  t.deepEqual(migrateBase(undefined, ''), { base: '127.0.45' });
  t.deepEqual(migrateBase(undefined, '127.0.70'), { base: '127.0.70' });
  t.deepEqual(
    migrateBase('127.0.71', '127.0.70'),
    { base: '127.0.71' },
    '--base overrides the environment',
  );
});

test('a bad base names where it came from', (t) => {
  const env = migrateBase(undefined, '10.0.0');
  t.true(
    'problem' in env &&
      /^BBS_LAB_ADDRESS_BASE must be the first three octets of a loopback address/.test(
        env.problem,
      ),
  );
  const flag = migrateBase('127.0.300', '127.0.70');
  t.true('problem' in flag && /^--base must be/.test(flag.problem));
});

test('a bad BBS_LAB_ADDRESS_BASE stops migrate with exit 2 before anything starts', async (t) => {
  const before = process.env.BBS_LAB_ADDRESS_BASE;
  process.env.BBS_LAB_ADDRESS_BASE = 'nonsense';
  const write = process.stderr.write.bind(process.stderr);
  let err = '';
  process.stderr.write = ((s: string) => {
    err += s;
    return true;
  }) as typeof process.stderr.write;
  try {
    t.is(await cmdMigrate(['no-sql']), 2);
  } finally {
    process.stderr.write = write;
    if (before === undefined) delete process.env.BBS_LAB_ADDRESS_BASE;
    else process.env.BBS_LAB_ADDRESS_BASE = before;
  }
  t.regex(err, /^migrate: BBS_LAB_ADDRESS_BASE must be/);
});

test('a story runs as its shipped scenario file, named migrate-<story> (so its run directory is <id>-migrate-<story>)', (t) => {
  const s = migrateScenarioFile('no-sql');
  t.is(s.name, 'migrate-no-sql');
  t.is(s.story, 'no-sql');
  t.regex(s.question, /refuse to start/);
  const u = migrateScenarioFile('upgrade-dust');
  t.is(u.name, 'migrate-upgrade-dust');
  t.is(u.story, 'upgrade-dust');
  // Without a shipped file: a question of its own.
  const root = mkdtempSync(join(tmpdir(), 'bbs-lab-migrate-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'scenarios'));
  writeFileSync(
    join(root, 'scenarios', 'migration-gap.yaml'),
    'name: x\nquestion: q\nmigration: { story: redeploy }\n',
  );
  t.deepEqual(migrateScenarioFile('gap', root), {
    name: 'migrate-gap',
    description: '',
    question: 'Does the gap migration story pass its acceptance checks?',
    story: 'gap',
  });
});

test('migrate --list names every story with its options and question, in the order migrate plays them', (t) => {
  const lines = storyList().split('\n');
  t.is(lines[0], 'redeploy');
  t.true(lines.includes('startup-1047 [version, phase]'));
  const i = lines.indexOf('startup-1213 [version, phase]');
  t.regex(lines[i + 1]!, /^ {4}If SQL answered 1213 while the BBS reads the version/);
});
