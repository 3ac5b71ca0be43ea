// Which code bin/bbs-lab.js runs: the build in dist/ when no source is newer than its stamp
// (dist/.built, written by scripts/setup.sh), the sources through tsx otherwise. Checked by the
// launcher's own answer (BBS_LAB_LAUNCHER=which) and by what actually runs, in a copy of the
// launcher inside a temp project whose file times the test sets; never by timing.

import test from 'ava';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function project(
  t: import('ava').ExecutionContext,
  opts: { built?: number; sources: Record<string, number> },
): string {
  const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-launcher-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'bin'));
  copyFileSync('bin/bbs-lab.js', join(dir, 'bin', 'bbs-lab.js'));
  copyFileSync('bin/build-state.js', join(dir, 'bin', 'build-state.js'));
  mkdirSync(join(dir, 'dist', 'lab', 'cli'), { recursive: true });
  // A stand-in build: proves the launcher ran dist/ when it says so.
  writeFileSync(
    join(dir, 'dist', 'lab', 'cli', 'main.js'),
    "export async function main(argv) { process.stdout.write('ran dist ' + argv.join(' ') + '\\n'); return 0; }\n",
  );
  if (opts.built !== undefined) {
    writeFileSync(join(dir, 'dist', '.built'), '');
    utimesSync(join(dir, 'dist', '.built'), opts.built, opts.built);
  }
  for (const [path, mtime] of Object.entries(opts.sources)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), '');
    utimesSync(join(dir, path), mtime, mtime);
  }
  return dir;
}

const launch = (dir: string, env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [join(dir, 'bin', 'bbs-lab.js'), 'check', 'x'], {
    encoding: 'utf8',
    cwd: dir,
    env: { ...process.env, ...env },
  });
const which = (dir: string) => launch(dir, { BBS_LAB_LAUNCHER: 'which' }).stdout.trim();

const SOURCES = {
  'lab/cli/main.ts': 1000,
  'lab/history/edn.ts': 1000,
  'specs/kv.ts': 1000,
  'tsconfig.json': 1000,
};

test('a build stamped after every source is used, and it is what runs', (t) => {
  const dir = project(t, { built: 2000, sources: SOURCES });
  t.is(which(dir), 'dist');
  const r = launch(dir);
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout, 'ran dist check x\n');
  t.is(r.stderr, '', 'nothing said about the choice');
});

test('a source newer than the build (in lab/, in specs/, or the tsconfig) means tsx', (t) => {
  t.is(
    which(project(t, { built: 2000, sources: { ...SOURCES, 'lab/history/edn.ts': 3000 } })),
    'tsx: lab/history/edn.ts is newer than the build',
  );
  t.is(
    which(project(t, { built: 2000, sources: { ...SOURCES, 'specs/kv.ts': 3000 } })),
    'tsx: specs/kv.ts is newer than the build',
  );
  t.is(
    which(project(t, { built: 2000, sources: { ...SOURCES, 'tsconfig.json': 3000 } })),
    'tsx: tsconfig.json changed',
  );
});

test('no stamp (never built, or a build that did not finish) means tsx, and tsx is what runs', (t) => {
  const dir = project(t, { sources: SOURCES });
  t.is(which(dir), 'tsx: no build (dist/.built)');
  // The temp project has no node_modules: the tsx path is taken, so it asks for the setup.
  const r = launch(dir);
  t.is(r.status, 2);
  t.regex(r.stderr, /no tsx in node_modules/);
  t.notRegex(r.stdout, /ran dist/);
});
