import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { labCommit } from '../../lab/provenance.ts';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

test('labCommit names HEAD and turns dirty only when a tracked file changes', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'prov-'));
  git(dir, 'init', '-q');
  writeFileSync(join(dir, 'a.txt'), 'one\n');
  git(dir, 'add', 'a.txt');
  git(dir, '-c', 'user.email=l@b', '-c', 'user.name=lab', 'commit', '-qm', 'one');
  const head = git(dir, 'rev-parse', 'HEAD');
  t.deepEqual(labCommit(dir), { commit: head, dirty: false });
  writeFileSync(join(dir, 'run-output.json'), '{}');
  t.deepEqual(
    labCommit(dir),
    { commit: head, dirty: false },
    'an untracked file (a run directory) is not a change',
  );
  writeFileSync(join(dir, 'a.txt'), 'two\n');
  t.deepEqual(labCommit(dir), { commit: head, dirty: true });
});

test('labCommit outside a checkout records nulls rather than failing', (t) => {
  t.deepEqual(labCommit(mkdtempSync(join(tmpdir(), 'prov-none-'))), { commit: null, dirty: null });
});
