// The integration tests' child guard (test/integration/helpers.ts stopOnTeardown): a test that
// fails before it stops the lab child it started must still leave no process behind, or AVA's
// worker never exits and the suite hangs. Real child processes, no database.

import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labTempPath, stopOnTeardown } from '../integration/helpers.ts';

/** Collects teardowns as AVA would, so the test can run them as a failed test's end would. */
function fakeTest() {
  const fns: (() => Promise<void> | void)[] = [];
  return {
    teardown: (fn: () => Promise<void> | void) => void fns.push(fn),
    run: async () => {
      for (const f of fns) await f();
    },
  };
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

test('the integration tests’ own whole-BBS stretches agree with the reports’ (lab/report/stretches.ts) on generated success times', async (t) => {
  const { bbsStretches } = await import('../../lab/report/stretches.ts');
  const fc = (await import('fast-check')).default;
  const { wholeBbsStretches } = await import('../integration/helpers.ts');
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 30 }), (ticks) => {
      const oks = ticks.map((x) => x / 10);
      const end = 20;
      const mine = wholeBbsStretches(oks, end)
        .filter((g) => g.to - g.from > 0)
        .map((g) => [g.from, g.to]);
      const theirs = bbsStretches(
        [...oks].sort((a, b) => a - b),
        end,
      ).map((g) => [g.from, g.to]);
      return JSON.stringify(mine) === JSON.stringify(theirs);
    }),
  );
  // Worked by hand: successes at 1.0, 2.5 and 2.7 in [0, 5]: 1.0 has 1.0 s and 1.5 s on its sides
  // (lone, merged); 2.5 has 0.2 s after it (not lone).
  t.deepEqual(wholeBbsStretches([1, 2.5, 2.7], 5), [
    { from: 0, to: 2.5 },
    { from: 2.5, to: 2.7 },
    { from: 2.7, to: 5 },
  ]);
});
