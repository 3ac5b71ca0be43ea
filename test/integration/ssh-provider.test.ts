// The SSH provider over real SSH: three sshd on 127.105.0.11-13 (scripts/ssh-lab-hosts.sh, a host
// key and a client key made for the test, root login by that key only), so the "hosts" are this
// machine. Install mode brings up Galera through SSH, a partition and a kill show 1047 and
// recovery, attach mode runs only the allowed commands against a cluster the test starts, nothing
// is left on the hosts, and a refused key, a changed host key and a failing command each name the
// host.

import test from 'ava';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { startLocalCluster } from '../../lab/providers/local/cluster.ts';
import { refusal } from '../../lab/providers/ssh/allow-list.ts';
import { startSshCluster, type SshCluster } from '../../lab/providers/ssh/cluster.ts';
import { chainName } from '../../lab/providers/ssh/iptables.ts';
import { readRecord } from '../../lab/providers/ssh/record.ts';
import { removeSshLeftovers } from '../../lab/providers/ssh/cleanup.ts';
import { openSession } from '../../lab/providers/ssh/session.ts';
import { parseSshTarget, refusedFaults, type SshTarget } from '../../lab/providers/ssh/target.ts';
import { TEMP_PREFIX } from '../../lab/lifecycle/owned.ts';
import { processesMentioning, stopOnTeardown, waitFor } from './helpers.ts';

const ADDRS = ['127.105.0.11', '127.105.0.12', '127.105.0.13'];
const SSH_PORT = 2231;
const FAST = 'evs.suspect_timeout=PT2S;evs.inactive_timeout=PT3S;evs.keepalive_period=PT0.5S';
const dir = mkdtempSync(join(tmpdir(), 'ssh-provider-test-'));
const script = new URL('../../scripts/ssh-lab-hosts.sh', import.meta.url).pathname;

test.before(() => {
  execFileSync('bash', [script, 'start', dir, String(SSH_PORT), ...ADDRS], { stdio: 'pipe' });
});
test.after.always(() => {
  execFileSync('bash', [script, 'stop', dir], { stdio: 'pipe' });
  rmSync(dir, { recursive: true, force: true });
});

const hostsYaml = (extra: (i: number) => string = () => '') =>
  ADDRS.map(
    (a, i) => `  - { address: ${a}, sshPort: ${SSH_PORT}, mysqlPort: 3306${extra(i)} }`,
  ).join('\n');
const target = (name: string, body: string): SshTarget => {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, body);
  return parseSshTarget(body, file);
};
const auth = (key = 'id_ed25519', known = 'known_hosts') =>
  `ssh: { user: root, identityFile: ${key}, knownHosts: ${known} }`;

/**
 * Every trace of a cluster on the hosts: its chains, processes and dirs (this machine is every
 * host).
 */
function leftovers(c: SshCluster, dirs: string[]): string[] {
  const found: string[] = [];
  const rules = execFileSync('iptables', ['-w', '5', '-S'], { encoding: 'utf8' });
  if (rules.includes(`BBSSSH-${c.runId}-`)) found.push(`chain BBSSSH-${c.runId}-*`);
  for (const d of dirs) {
    if (existsSync(d)) found.push(`dir ${d}`);
    for (const p of processesMentioning(`${d}/`)) found.push(`process ${p} (${d})`);
  }
  if (existsSync(c.workDir)) found.push(`control-side dir ${c.workDir}`);
  return found;
}

/** The error a query on a node gets (null when it succeeds), over a fresh connection. */
async function queryError(
  c: SshCluster,
  node: string,
  sql: string,
): Promise<number | string | null> {
  const n = c.nodes.find((x) => x.name === node)!;
  const conn = await mysql
    .createConnection({
      host: n.host,
      port: n.port,
      user: c.user,
      password: c.password,
      database: c.database,
      connectTimeout: 3000,
    })
    .catch((e: { code?: string }) => e);
  if (!('query' in conn)) return String(conn.code);
  try {
    await conn.query(sql);
    return null;
  } catch (e) {
    return (e as { errno?: number }).errno ?? String(e);
  } finally {
    await conn.end().catch(() => undefined);
  }
}

test.serial(
  'install mode: 3 nodes through SSH; a partition and a kill through SSH show 1047 and recover; nothing is left',
  async (t) => {
    const tg = target(
      'install',
      `name: install\nmode: install\n${auth()}\nhosts:\n${hostsYaml()}\n`,
    );
    const logDir = join(dir, 'logs');
    const c = await startSshCluster(tg, {
      logDir,
      extraProviderOptions: FAST,
      log: (m) => t.log(m),
    });
    const dirs = Object.values(readRecord(c.workDir)!.hosts).map((h) => h.dir!);
    try {
      t.deepEqual(
        c.nodes.map((n) => `${n.name}=${n.host}:${n.port}`),
        ['n1=127.105.0.11:3306', 'n2=127.105.0.12:3306', 'n3=127.105.0.13:3306'],
      );
      for (const n of c.nodes)
        t.like(await c.status(n.name), { localState: 4, clusterStatus: 'Primary', clusterSize: 3 });
      t.true(
        dirs.every((d) => d.startsWith('/tmp/bbslab-host-')),
        `the lab's dirs on the hosts: ${dirs.join(', ')}`,
      );
      await c.abilities.admin!.query(
        'n1',
        'CREATE TABLE bbs.t (id INT PRIMARY KEY); INSERT INTO bbs.t VALUES (1);',
      );

      // isolate n3: its own chain drops what n1 and n2 send it, theirs what it sends them.
      await c.abilities.partition!.cut('p1', [['n3'], ['n1', 'n2']]);
      const rules = execFileSync('iptables', ['-w', '5', '-S', chainName(c.runId, 'n3')], {
        encoding: 'utf8',
      });
      t.regex(rules, /-A BBSSSH-\w+-n3 -s 127\.105\.0\.11\/32 -d 127\.105\.0\.13\/32 -j DROP/);
      await waitFor(
        'n3 to answer 1047',
        async () => (await queryError(c, 'n3', 'SELECT * FROM bbs.t')) === 1047,
        60_000,
      );
      t.is(await queryError(c, 'n1', 'SELECT * FROM bbs.t'), null, 'the majority side serves');
      await c.abilities.partition!.heal('p1');
      await c.waitSynced('n3', 3, 90_000);
      t.is(await queryError(c, 'n3', 'SELECT * FROM bbs.t'), null);

      // kill -9 of n2 through SSH, then its restart (position recovered) and rejoin.
      await c.abilities.kill!.kill('n2');
      t.regex(
        String(await queryError(c, 'n2', 'SELECT 1')),
        /^ECONN(REFUSED|RESET)$/,
        'nothing serves on n2',
      );
      await c.abilities.kill!.restart('n2');
      await c.waitSynced('n2', 3, 120_000);
      t.is(await queryError(c, 'n2', 'SELECT * FROM bbs.t'), null);
    } finally {
      await c.stop();
    }
    t.deepEqual(leftovers(c, dirs), []);
    t.deepEqual(readdirSync(logDir).sort(), ['n1.err', 'n2.err', 'n3.err']);
    t.regex(readFileSync(join(logDir, 'n2.err'), 'utf8'), /WSREP/);
  },
);

test.serial(
  'attach mode: only the commands the target allows run on the hosts; a fault it does not allow is refused',
  async (t) => {
    const local = await startLocalCluster({
      nodes: 3,
      addressBase: '127.105.0',
      firstHost: 11,
      extraProviderOptions: FAST,
    });
    let c: SshCluster | null = null;
    try {
      process.env.SSH_TEST_DB_PASSWORD = local.password;
      const pid = (i: number) => `$(cat ${local.workDir}/n${i + 1}/mariadbd.pid)`;
      const cmds = (i: number) =>
        `, partitions: true, commands: { pause: "kill -STOP ${pid(i)}", resume: "kill -CONT ${pid(i)}", log: "cat ${local.workDir}/n${i + 1}/error.log" }`;
      const tg = target(
        'attach',
        `name: attach\nmode: attach\n${auth()}\ndatabase: bbs\nuser: ${local.user}\npasswordEnv: SSH_TEST_DB_PASSWORD\nhosts:\n${hostsYaml(cmds)}\n`,
      );
      t.deepEqual(refusedFaults(tg, ['kill']).slice(0, 1), [
        'hosts[0].commands.kill: the scenario has a kill fault but 127.105.0.11 names no kill command; add one or remove the fault',
      ]);
      c = await startSshCluster(tg, { logDir: join(dir, 'attach-logs') });
      t.is(c.abilities.kill, undefined, 'no kill command: no kill ability');
      t.is(c.abilities.admin, undefined);
      t.like(await c.status('n2'), { localState: 4, clusterSize: 3 });

      await c.abilities.pause!.pause('n2');
      t.is(
        await c.status('n2').catch(() => 'no answer'),
        'no answer',
        'a paused node does not answer',
      );
      await c.abilities.pause!.resume('n2');
      await c.waitSynced('n2', 3, 60_000);
      await c.abilities.partition!.cut('p', [['n1'], ['n2', 'n3']]);
      await c.abilities.partition!.heal('p');
      await c.waitSynced('n1', 3, 60_000);

      await c.stop();
      for (const s of c.sessions) {
        t.true(s.commands.length > 0);
        for (const cmd of s.commands)
          t.is(
            refusal(s.host, chainName(c.runId, s.host.name), cmd),
            null,
            `${s.label} ran ${cmd}`,
          );
      }
      t.true(c.sessions[1]!.commands.includes(tg.hosts[1]!.commands.pause!));
      t.regex(readFileSync(join(dir, 'attach-logs', 'n1.err'), 'utf8'), /WSREP/);
      t.deepEqual(leftovers(c, []), []);
      // As the lab found it: every node back in one Primary component of 3 (after the cut, n1's
      // rejoin can take a view change or two).
      for (const n of ['n1', 'n2', 'n3']) await local.waitSynced(n, 3, 90_000);
      t.like(await local.status('n2'), { localState: 4, clusterSize: 3 });
    } finally {
      await c?.stop();
      await local.stop();
    }
  },
);

test.serial(
  'a refused key, a changed host key and a failing command each name the host; nothing is left',
  async (t) => {
    const records = () =>
      readdirSync(tmpdir()).filter(
        (n) => n.startsWith(TEMP_PREFIX) && existsSync(join(tmpdir(), n, 'ssh-touched.json')),
      ).length;
    const before = records();

    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'stranger')]);
    const stranger = target(
      'stranger',
      `name: s\nmode: install\n${auth('stranger')}\nhosts:\n${hostsYaml()}\n`,
    );
    await t.throwsAsync(startSshCluster(stranger), {
      message:
        /^ssh n\d \(127\.105\.0\.1\d:2231\): the host refused the key .*stranger for user root/,
    });

    // n2's line in known_hosts holds n1's key: what a rebuilt (or impersonated) host looks like.
    const known = readFileSync(join(dir, 'known_hosts'), 'utf8').split('\n');
    const n1Key = known[0]!.split(' ').slice(1).join(' ');
    writeFileSync(
      join(dir, 'known_changed'),
      [known[0], `[127.105.0.12]:${SSH_PORT} ${n1Key}`, known[2], ''].join('\n'),
    );
    const changed = target(
      'changed',
      `name: c\nmode: install\n${auth('id_ed25519', 'known_changed')}\nhosts:\n${hostsYaml()}\n`,
    );
    await t.throwsAsync(startSshCluster(changed), {
      message:
        /^ssh n2 \(127\.105\.0\.12:2231\): refused: its host key CHANGED: .*known_changed line 2/,
    });

    writeFileSync(join(dir, 'known_empty'), '');
    const unknown = target(
      'unknown',
      `name: u\nmode: install\n${auth('id_ed25519', 'known_empty')}\nhosts:\n${hostsYaml()}\n`,
    );
    await t.throwsAsync(openSession(unknown, unknown.hosts[0]!), {
      message:
        /^ssh n1 \(127\.105\.0\.11:2231\): refused: its host key is not in .*known_empty; .*acceptNewHostKeys/,
    });

    process.env.SSH_TEST_DB_PASSWORD = 'unused';
    const failing = target(
      'failing',
      `name: f\nmode: attach\n${auth()}\nuser: lab\npasswordEnv: SSH_TEST_DB_PASSWORD\nhosts:\n${hostsYaml(() => ', commands: { kill: "echo no such service >&2; exit 3", start: "true" }')}\n`,
    );
    const c = await startSshCluster(failing);
    try {
      await t.throwsAsync(c.abilities.kill!.kill('n3'), {
        message:
          /^ssh n3 \(127\.105\.0\.13:2231\): `echo no such service >&2; exit 3` failed \(exit 3\): no such service/,
      });
    } finally {
      await c.stop();
    }
    t.is(records(), before, 'no control-side record is left');
    t.deepEqual(leftovers(c, []), []);
  },
);

test.serial(
  'a lab SIGKILLed mid-partition: the hosts heal themselves, and cleanup removes the rest from its record',
  async (t) => {
    const tg = target('crash', `name: crash\nmode: install\n${auth()}\nhosts:\n${hostsYaml()}\n`);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', new URL('./ssh-crash-child.ts', import.meta.url).pathname, tg.file],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    stopOnTeardown(t, child, 'SIGKILL');
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise((r) => child.once('exit', r));
    try {
      await waitFor(
        'the child lab to start its cluster',
        () => out.includes('\n') || child.exitCode !== null,
        150_000,
      );
    } catch (e) {
      child.kill('SIGKILL');
      throw e;
    }
    t.is(child.exitCode, null, err);
    const { runId, workDir } = JSON.parse(out) as { runId: string; workDir: string };
    const dirs = Object.values(readRecord(workDir)!.hosts).map((h) => h.dir!);
    const chains = () =>
      execFileSync('iptables', ['-w', '5', '-S'], { encoding: 'utf8' }).includes(
        `BBSSSH-${runId}-`,
      );
    t.true(chains(), 'the partition is in place');
    child.kill('SIGKILL');
    await exited;
    // The guard on each host's session removes its chain when the session drops.
    await waitFor('the hosts to remove their chains', () => !chains(), 30_000);
    t.true(
      dirs.every((d) => existsSync(d)),
      'the nodes outlive a SIGKILLed lab until cleanup',
    );
    const r = await removeSshLeftovers();
    t.deepEqual(r.failed, []);
    t.is(r.removed.length, 3);
    for (const d of dirs) {
      t.false(existsSync(d), d);
      t.deepEqual(processesMentioning(`${d}/`), []);
    }
    t.false(existsSync(workDir));
  },
);
