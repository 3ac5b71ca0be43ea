import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findLeftOvers,
  ownedTempDir,
  removeLeftOvers,
  OWNER_FILE,
  TEMP_PREFIX,
} from '../../lab/lifecycle/owned.ts';
import { registerCleanup, runCleanups, pendingCleanups } from '../../lab/lifecycle/cleanup.ts';
import { processAlive } from '../../lab/lifecycle/process-alive.ts';

test('cleanup kills processes running from an abandoned lab dir and removes it, and leaves other dirs alone', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'bbs-lab-test-root-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const abandoned = join(root, `${TEMP_PREFIX}dead`);
  const live = join(root, `${TEMP_PREFIX}live`);
  const foreign = join(root, `${TEMP_PREFIX}foreign`); // no owner file: not the lab's
  for (const d of [abandoned, live, foreign]) mkdirSync(join(d, 'n1'), { recursive: true });
  writeFileSync(join(abandoned, OWNER_FILE), JSON.stringify({ pid: 2 ** 22 + 12345 }));
  writeFileSync(join(live, OWNER_FILE), JSON.stringify({ pid: process.pid }));
  // A stand-in for a mariadbd left behind: its command line names a file inside the dir.
  const script = join(abandoned, 'n1', 'sleep.js');
  writeFileSync(script, 'setTimeout(() => {}, 60000)');
  const child = spawn(process.execPath, [script], { stdio: 'ignore', detached: true });
  t.teardown(() => {
    if (processAlive(child.pid!)) process.kill(child.pid!, 'SIGKILL');
  });
  await new Promise((r) => setTimeout(r, 300));

  const found = findLeftOvers(root);
  t.deepEqual(found.map((f) => f.dir).sort(), [abandoned, live].sort());
  t.deepEqual(
    found.find((f) => f.dir === abandoned)!.processes.map((p) => p.pid),
    [child.pid],
  );
  t.true(found.find((f) => f.dir === live)!.ownerAlive);

  const removed = removeLeftOvers({ root });
  t.deepEqual(
    removed.map((r) => r.dir),
    [abandoned],
  );
  await new Promise((r) => setTimeout(r, 300));
  t.false(processAlive(child.pid!), 'the leftover process was killed');
  t.false(existsSync(abandoned));
  t.true(existsSync(live), 'a dir whose lab still runs is kept');
  t.true(existsSync(foreign), 'a dir without the owner file is not ours');
});

test('cleanups run newest first, once, and one failing does not stop the others', async (t) => {
  const order: string[] = [];
  registerCleanup('a', () => {
    order.push('a');
  });
  registerCleanup('b', () => {
    throw new Error('b broke');
  });
  const unregister = registerCleanup('c', () => {
    order.push('c');
  });
  registerCleanup('d', async () => {
    order.push('d');
  });
  unregister();
  const logs: string[] = [];
  await runCleanups((m) => logs.push(m));
  t.deepEqual(order, ['d', 'a']);
  t.deepEqual(logs, ['cleanup: b failed: b broke']);
  t.deepEqual(pendingCleanups(), []);
});

test('ownedTempDir makes a dir cleanup finds (prefix, tag, owner file with pid and purpose), live while its lab runs', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'bbs-lab-test-root-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const plain = ownedTempDir({ story: 'x' }, { root });
  const tagged = ownedTempDir({ docker: 'r1' }, { root, tag: 'docker-' });
  t.true(plain.startsWith(join(root, TEMP_PREFIX)));
  t.true(tagged.startsWith(join(root, `${TEMP_PREFIX}docker-`)));
  const owner = JSON.parse(readFileSync(join(tagged, OWNER_FILE), 'utf8')) as Record<
    string,
    unknown
  >;
  t.is(owner.pid, process.pid);
  t.is(owner.docker, 'r1');
  t.is(typeof owner.started, 'string');
  const found = findLeftOvers(root);
  t.deepEqual(found.map((f) => f.dir).sort(), [plain, tagged].sort());
  t.true(found.every((f) => f.ownerAlive && f.ownerPid === process.pid));
  t.deepEqual(removeLeftOvers({ root }), [], 'a live lab keeps its dirs');
});
