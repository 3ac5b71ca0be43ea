// BBS nodes as OS processes (lab/migration/bbs-node-child.ts via `bbs-lab bbs-node`): a node whose
// lab dies (SIGKILL, so nothing of the lab's own clean-up runs) dies with it, and `bbs-lab cleanup`
// removes the config dir it leaves; a bad config file is refused naming the field.

import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { processAlive } from '../../lab/lifecycle/process-alive.ts';
import { stopOnTeardown } from './helpers.ts';

const labScript = `
import { Deployment } from './lab/migration/deployment.ts';
const dep = await Deployment.start({ base: '127.0.49', etcdUrl: 'http://127.0.49.1:2379', sql: { host: '127.0.49.11', port: 3306, user: 'x', password: 'x', database: 'x' } });
const n = await dep.startNode('legacy');
console.log(JSON.stringify({ node: n.id, state: n.state }));
setInterval(() => {}, 1000);
`;

function nodePids(): { pid: number; cmdline: string }[] {
  const out = spawnSync('pgrep', ['-af', 'bbs-lab.js bbs-node'], {
    encoding: 'utf8',
  }).stdout.trim();
  return out
    ? out
        .split('\n')
        .map((l) => ({ pid: Number(l.split(' ')[0]), cmdline: l }))
        .filter((p) => p.cmdline.includes('127.0.49') || p.cmdline.includes('bbs-node-legacy'))
    : [];
}

test('a BBS node process dies with the lab that started it, and cleanup removes what is left', async (t) => {
  t.timeout(60_000);
  const before = new Set(nodePids().map((p) => p.pid));
  const lab = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', labScript], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  stopOnTeardown(t, lab, 'SIGKILL');
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: lab.stdout! }).once('line', resolve);
    lab.once('exit', (c) => reject(new Error(`the lab script exited ${c}`)));
  });
  t.deepEqual(JSON.parse(first), { node: 'legacy-1', state: 'waiting' });
  const mine = nodePids().filter((p) => !before.has(p.pid));
  t.is(mine.length, 1, 'one node process');
  const configPath = /(\S+bbs-node-legacy-1\.json)/.exec(mine[0]!.cmdline)![1]!;
  t.true(existsSync(configPath));
  t.is(JSON.parse(readFileSync(configPath, 'utf8')).host, '127.0.49.21');
  lab.kill('SIGKILL');
  const deadline = Date.now() + 10_000;
  while (processAlive(mine[0]!.pid) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  t.false(processAlive(mine[0]!.pid), 'the node died with its lab');
  const r = spawnSync(process.execPath, ['bin/bbs-lab.js', 'cleanup'], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  t.false(existsSync(configPath), 'cleanup removed the node config dir');
});

test('bbs-lab bbs-node refuses a bad config, naming the fields', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-node-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = join(dir, 'node.json');
  writeFileSync(
    cfg,
    JSON.stringify({
      id: 'n',
      host: '10.0.0.1',
      lockTtl: '1s',
      retryMs: 500,
      pauseAt: ['sideways'],
    }),
  );
  const r = spawnSync(process.execPath, ['bin/bbs-lab.js', 'bbs-node', cfg], { encoding: 'utf8' });
  t.not(r.status, 0);
  t.regex(r.stderr, /consulUrl: required/);
  t.regex(r.stderr, /host: must be a loopback address/);
  t.regex(r.stderr, /etcdUrl \/ sql: give etcd, SQL or both/);
  t.regex(r.stderr, /pauseAt: unknown hook point sideways/);
  t.notRegex(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
});
