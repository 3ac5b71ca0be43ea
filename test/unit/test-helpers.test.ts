// The integration tests' child guard (test/integration/helpers.ts stopOnTeardown): a test that fails
// before it stops the lab child it started must still leave no process behind, or AVA's worker
// never exits and the suite hangs. Real child processes, no database.

import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labTempPath, stopOnTeardown } from '../integration/helpers.ts';

/** Collects teardowns as AVA would, so the test can run them as a failed test's end would. */
function fakeTest() {
  const fns: (() => Promise<void> | void)[] = [];
  return { teardown: (fn: () => Promise<void> | void) => void fns.push(fn), run: async () => { for (const f of fns) await f(); } };
}

const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

function child(ignoresSigint: boolean): Promise<ChildProcess> {
  const code = `${ignoresSigint ? "process.on('SIGINT', () => {});" : ''} setInterval(() => {}, 1000); console.log('up');`;
  const c = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((r) => c.stdout!.once('data', () => r(c)));
}

test('a child that ends on Ctrl-C is stopped by SIGINT when the test ends', async (t) => {
  const c = await child(false);
  const ft = fakeTest();
  stopOnTeardown(ft, c);
  t.true(alive(c));
  await ft.run();
  t.is(c.signalCode, 'SIGINT');
});

test('a child that ignores Ctrl-C is killed after the grace period', async (t) => {
  const c = await child(true);
  const ft = fakeTest();
  stopOnTeardown(ft, c, 'SIGINT', 300);
  await ft.run();
  t.is(c.signalCode, 'SIGKILL');
});

test('a child that already exited is left alone', async (t) => {
  const c = await child(false);
  c.kill('SIGTERM');
  await new Promise((r) => c.once('exit', r));
  const ft = fakeTest();
  stopOnTeardown(ft, c);
  await ft.run();
  t.is(c.signalCode, 'SIGTERM');
});

test("labTempPath follows TMPDIR's temp dir, not a literal /tmp", (t) => {
  const re = new RegExp(`^${labTempPath('engine-', '[^/]+')}/docker\\.sock$`);
  t.true(re.test(join(tmpdir(), 'bbs-lab-engine-AbC123', 'docker.sock')));
  t.false(re.test(join(tmpdir(), 'other-engine-AbC123', 'docker.sock')));
  t.false(re.test(join(tmpdir(), 'bbs-lab-engine-a', 'b', 'docker.sock')));
});
