// The launcher in a checkout whose npm dependencies are not installed yet: it must say what to run
// (exit 2, no stack trace) rather than die in Node's module resolver.

import test from 'ava';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('without node_modules, bin/bbs-lab.js names the setup command and exits 2', (t) => {
  // A copy outside the project resolves packages from the temp dir up, where no tsx is.
  const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-bin-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'bin'));
  copyFileSync('bin/bbs-lab.js', join(dir, 'bin', 'bbs-lab.js'));
  copyFileSync('bin/build-state.js', join(dir, 'bin', 'build-state.js'));
  const r = spawnSync(process.execPath, [join(dir, 'bin', 'bbs-lab.js'), 'cleanup'], {
    encoding: 'utf8',
    cwd: dir,
  });
  t.is(r.status, 2);
  t.regex(r.stderr, /npm dependencies are not installed/);
  t.regex(r.stderr, /bash scripts\/setup\.sh/);
  t.notRegex(r.stderr, /\n\s+at /, 'no stack trace');
});

test('with node_modules, the same launcher runs the CLI', (t) => {
  const r = spawnSync(process.execPath, ['bin/bbs-lab.js', 'help'], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /^usage: bbs-lab <command>/);
});

test('compare: bad --seeds and --repeat are named, exit 2, before any cluster starts', (t) => {
  const run = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [
        'bin/bbs-lab.js',
        'compare',
        'scenarios/client-configs.yaml',
        '--configs',
        'single-proxy',
        ...args,
      ],
      { encoding: 'utf8' },
    );
  const a = run('--seeds', '1,x');
  t.is(a.status, 2, a.stderr);
  t.regex(a.stderr, /--seeds: give a comma-separated list of non-negative integers/);
  const b = run('--seeds', '3,3');
  t.is(b.status, 2);
  t.regex(b.stderr, /--seeds: a seed is listed twice/);
  const c = run('--repeat', '0');
  t.is(c.status, 2);
  t.regex(c.stderr, /--repeat: must be an integer ≥ 1/);
  const d = run('--seeds', '1,2', '--repeat', '2');
  t.is(d.status, 2);
  t.regex(d.stderr, /--seeds: names every seed; drop --seed and --repeat/);
  t.notRegex(a.stderr + b.stderr + c.stderr + d.stderr, /\n\s+at /, 'no stack trace');
});

test('compare: a configuration the scenario cannot carry is refused with the validator’s line, exit 2, before any cluster starts', (t) => {
  // multi-writer.yaml: proxies: 0, via: nodes; consul-dns registers proxies in Consul, so it needs
  // some.
  const r = spawnSync(
    process.execPath,
    ['bin/bbs-lab.js', 'compare', 'scenarios/multi-writer.yaml', '--configs', 'spread,consul-dns'],
    { encoding: 'utf8' },
  );
  t.is(r.status, 2, r.stderr);
  t.is(
    r.stderr.trim(),
    'bbs-lab compare: --configs: clients.config: consul-dns registers the switchboard proxies in Consul; it needs via: proxies and topology.proxies of at least 1',
  );
});
