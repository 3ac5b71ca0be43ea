// The SSH provider's pure parts: the target file (every bad field named with its fix, secrets only
// ever named), known_hosts checking, the iptables rules each host gets, and attach mode's
// allow-list of commands.

import test from 'ava';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { refusal } from '../../lab/providers/ssh/allow-list.ts';
import {
  chainName,
  createChainCommand,
  cutsForHost,
  cutsOf,
  guardCommand,
  isChainCommand,
  removeChainCommand,
  setRulesCommand,
} from '../../lab/providers/ssh/iptables.ts';
import { checkHostKey, hostPattern, verifyHostKey } from '../../lab/providers/ssh/known-hosts.ts';
import { shq, wrapSudo } from '../../lab/providers/ssh/session.ts';
import {
  loginSecrets,
  parseSshTarget,
  refusedFaults,
  TargetError,
  type SshTarget,
} from '../../lab/providers/ssh/target.ts';
import { createRunDir } from '../../lab/runner/run-dir.ts';
import { parseScenario, ScenarioError } from '../../lab/scenario/validate.ts';

const dir = mkdtempSync(join(tmpdir(), 'ssh-provider-unit-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const KEY_TEXT =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nNOT-A-REAL-KEY-BUT-SECRET-1234\n-----END OPENSSH PRIVATE KEY-----\n';
writeFileSync(join(dir, 'id_test'), KEY_TEXT);
const file = join(dir, 'target.yaml');

const INSTALL = `name: vms
mode: install
ssh: { user: root, identityFile: id_test, knownHosts: known_hosts }
hosts:
  - { address: 10.0.0.1, sshPort: 2201, mysqlPort: 3306 }
  - { address: 10.0.0.2 }
  - { address: 10.0.0.3, mysqlPort: 3307 }
`;
const ATTACH = `name: cf
mode: attach
ssh: { user: vcap, identityEnv: LAB_SSH_KEY, sudo: true }
database: bbs
user: bbs
passwordEnv: BBS_DB_PASSWORD
hosts:
  - address: 10.0.0.1
    commands: { kill: "monit stop mariadb", start: "monit start mariadb", log: "cat /var/vcap/sys/log/mysql/mysql.err.log" }
    partitions: true
  - address: 10.0.0.2
    commands: { kill: "monit stop mariadb", start: "monit start mariadb" }
`;

const problemsOf = (text: string): string[] => {
  try {
    parseSshTarget(text, file);
  } catch (e) {
    if (e instanceof TargetError) return e.problems;
    throw e;
  }
  return [];
};

test('an install target: defaults filled in, paths relative to the target file, nodes named in order', (t) => {
  const x = parseSshTarget(INSTALL, file);
  t.is(x.mode, 'install');
  t.is(x.ssh.identityFile, join(dir, 'id_test'));
  t.is(x.ssh.knownHosts, join(dir, 'known_hosts'));
  t.false(x.ssh.acceptNewHostKeys);
  t.false(x.ssh.sudo);
  t.deepEqual(
    x.hosts.map((h) => [h.name, h.address, h.sshPort, h.mysqlPort, h.partitions]),
    [
      ['n1', '10.0.0.1', 2201, 3306, true],
      ['n2', '10.0.0.2', 22, 3306, true],
      ['n3', '10.0.0.3', 22, 3307, true],
    ],
  );
  t.deepEqual(refusedFaults(x, ['kill', 'pause', 'partition']), []);
});

test('every bad field is named with its fix', (t) => {
  const p = problemsOf(`name: x
mode: bootstrap
ssh: { identityFile: nowhere, password: hunter2, passwordEnv: "not a name" }
hosts:
  - { address: "a b", sshPort: 70000, colour: red, commands: { kill: "x" } }
  - { address: 10.0.0.2 }
  - { address: 10.0.0.2 }
user: bbs
`);
  const has = (re: RegExp) =>
    t.true(
      p.some((x) => re.test(x)),
      `expected ${re} in:\n${p.join('\n')}`,
    );
  has(/^mode: must be install .* or attach/);
  has(/^ssh\.identityFile: no such file .*nowhere; give the path of the private key/);
  has(/^ssh\.password: secrets are never written in the target; use ssh.identityFile/);
  has(/^ssh\.passwordEnv: must name an environment variable/);
  has(/^hosts\[0\]\.address: must be a host name or IP address/);
  has(/^hosts\[0\]\.sshPort: must be a port from 1 to 65535, got 70000/);
  has(
    /^hosts\[0\]\.colour: unknown field; allowed: address, sshPort, mysqlPort, commands, partitions/,
  );
  has(/^hosts\[0\]\.commands\.start: required with commands\.kill/);
  has(/^hosts\[2\]: 10\.0\.0\.2:3306 is also hosts\[1\]/);
  t.deepEqual(
    problemsOf('name: x\nmode: install\nssh: { user: root }\nhosts: [{ address: h }]\n'),
    [
      'ssh: no way to log in; set ssh.identityFile (a private key file), ssh.identityEnv, ssh.passwordEnv or ssh.agent: true',
    ],
  );
  t.deepEqual(
    problemsOf('name: x\nmode: attach\nssh: { agent: true }\nhosts: [{ address: h }]\n'),
    [
      'user: required; the MySQL user the workload connects as',
      'passwordEnv: required in attach mode; name the environment variable that holds the MySQL password',
    ],
  );
  t.deepEqual(
    problemsOf(
      'name: x\nmode: install\nssh: { agent: true }\nhosts: [{ address: h, commands: { kill: k, start: s } }]\n',
    ),
    [
      'hosts[0].commands: only used in attach mode (in install mode the lab runs the node itself); remove it or set mode: attach',
    ],
  );
});

test('attach mode: a fault a host has no command for is refused, naming the field', (t) => {
  const x = parseSshTarget(ATTACH, file);
  t.deepEqual(refusedFaults(x, ['kill']), []);
  t.deepEqual(refusedFaults(x, ['pause', 'partition', 'health-flap']), [
    'hosts[0].commands.pause: the scenario has a pause fault but 10.0.0.1 names no pause command; add one or remove the fault',
    'hosts[0].commands.resume: the scenario has a pause fault but 10.0.0.1 names no resume command; add one or remove the fault',
    'hosts[1].commands.pause: the scenario has a pause fault but 10.0.0.2 names no pause command; add one or remove the fault',
    'hosts[1].commands.resume: the scenario has a pause fault but 10.0.0.2 names no resume command; add one or remove the fault',
    "hosts[1].partitions: the scenario has a partition fault but 10.0.0.2 does not allow the lab's iptables chain; set partitions: true or remove the fault",
  ]);
});

test('secrets come from files and the environment only, and never reach the run directory', (t) => {
  const x = parseSshTarget(ATTACH, file);
  t.is(loginSecrets(x, { LAB_SSH_KEY: KEY_TEXT }).privateKey!.toString(), KEY_TEXT);
  const err = t.throws(() => loginSecrets(x, {}), { instanceOf: TargetError });
  t.regex(err!.message, /ssh\.identityEnv: the environment variable LAB_SSH_KEY is not set/);
  writeFileSync(file, INSTALL);
  const s = parseScenario(
    `name: s\nquestion: q\nduration: 10s\ntopology: { nodes: 3, proxies: 0, provider: ssh, target: ${file} }\nclients: { count: 2, via: nodes }\n`,
  );
  const run = createRunDir(s, 7, join(dir, 'runs'));
  const stored = readFileSync(join(run.path, 'scenario.yaml'), 'utf8');
  t.true(stored.includes(`target: ${file}`));
  t.false(stored.includes('NOT-A-REAL-KEY'));
  t.false(stored.includes('PRIVATE KEY'));
});

test('the scenario validator: provider ssh needs a target', (t) => {
  const err = t.throws(
    () =>
      parseScenario(
        'name: s\nquestion: q\nduration: 10s\ntopology: { nodes: 3, proxies: 0, provider: ssh }\nclients: { count: 2, via: nodes }\n',
      ),
    { instanceOf: ScenarioError },
  );
  t.true(
    err!.problems.includes(
      'topology.target: required with provider: ssh (an SSH target YAML file, see docs/ssh-targets.md)',
    ),
  );
});

// A made-up ed25519 public key in SSH wire format: string "ssh-ed25519", string <32 bytes>.
const wire = (type: string, body: Buffer) => {
  const t = Buffer.from(type);
  const l1 = Buffer.alloc(4);
  l1.writeUInt32BE(t.length);
  const l2 = Buffer.alloc(4);
  l2.writeUInt32BE(body.length);
  return Buffer.concat([l1, t, l2, body]);
};

test('known_hosts: a listed key matches (plain or hashed), a different one is a change, an unlisted host is unknown', (t) => {
  const key = wire('ssh-ed25519', Buffer.alloc(32, 1));
  const other = wire('ssh-ed25519', Buffer.alloc(32, 2));
  const host = hostPattern('127.105.0.11', 2222);
  t.is(host, '[127.105.0.11]:2222');
  t.is(hostPattern('db1', 22), 'db1');
  const plain = `# comment\n${host},other ssh-ed25519 ${key.toString('base64')}\n`;
  t.deepEqual(checkHostKey(plain, host, key), { kind: 'match' });
  t.deepEqual(checkHostKey(plain, host, other), { kind: 'changed', line: 2 });
  t.deepEqual(checkHostKey(plain, '[127.105.0.12]:2222', key), { kind: 'unknown' });
  const salt = randomBytes(20);
  const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(host).digest('base64')} ssh-ed25519 ${key.toString('base64')}\n`;
  t.deepEqual(checkHostKey(hashed, host, key), { kind: 'match' });
  t.deepEqual(checkHostKey(hashed, host, other), { kind: 'changed', line: 1 });

  const kh = join(dir, 'kh');
  const refused = verifyHostKey(kh, '127.105.0.11', 2222, key, false);
  t.false(refused.ok);
  t.regex(
    (refused as { reason: string }).reason,
    /not in .*kh; add it \(ssh-keyscan -p 2222 127\.105\.0\.11/,
  );
  t.deepEqual(verifyHostKey(kh, '127.105.0.11', 2222, key, true), { ok: true, added: true });
  t.deepEqual(verifyHostKey(kh, '127.105.0.11', 2222, key, false), { ok: true, added: false });
  const changed = verifyHostKey(kh, '127.105.0.11', 2222, other, true);
  t.false(changed.ok, 'accepting new keys never accepts a changed one');
  t.regex((changed as { reason: string }).reason, /CHANGED: .*kh line 1/);
});

test('iptables: each host drops only the cuts arriving at it, by source and destination pair', (t) => {
  const addr: Record<string, string> = {
    n1: '127.105.0.11',
    n2: '127.105.0.12',
    n3: '127.105.0.13',
  };
  const cuts = cutsOf([['n3'], ['n1', 'n2']], (n) => addr[n]!);
  // isolate n3 from {n1, n2}: 1 × 2 pairs, both directions = 4 directed cuts.
  t.is(cuts.length, 4);
  const chain = chainName('a1b2c3', 'n3');
  t.is(chain, 'BBSSSH-a1b2c3-n3');
  t.deepEqual(cutsForHost(cuts, '127.105.0.13'), [
    { from: '127.105.0.11', to: '127.105.0.13' },
    { from: '127.105.0.12', to: '127.105.0.13' },
  ]);
  t.deepEqual(cutsForHost(cuts, '127.105.0.11'), [{ from: '127.105.0.13', to: '127.105.0.11' }]);
  t.deepEqual(
    cutsForHost([...cuts, ...cuts], '127.105.0.11'),
    [{ from: '127.105.0.13', to: '127.105.0.11' }],
    'overlapping cuts give one rule',
  );
  t.is(
    setRulesCommand(chain, cutsForHost(cuts, '127.105.0.13')),
    'iptables -w 5 -F BBSSSH-a1b2c3-n3 && iptables -w 5 -A BBSSSH-a1b2c3-n3 -s 127.105.0.11/32 -d 127.105.0.13/32 -j DROP && iptables -w 5 -A BBSSSH-a1b2c3-n3 -s 127.105.0.12/32 -d 127.105.0.13/32 -j DROP',
  );
  t.is(setRulesCommand(chain, []), 'iptables -w 5 -F BBSSSH-a1b2c3-n3', 'a heal empties the chain');
  t.is(
    createChainCommand(chain),
    'iptables -w 5 -N BBSSSH-a1b2c3-n3 && iptables -w 5 -I INPUT -j BBSSSH-a1b2c3-n3',
  );
  t.true(guardCommand(chain).includes(`cat >/dev/null; ${removeChainCommand(chain)}`));
  t.throws(() => setRulesCommand(chain, [{ from: 'db1', to: '127.105.0.13' }]), {
    message: /IPv4 addresses/,
  });
  t.throws(() => chainName('a1b2c3', 'a-very-long-node-name'), { message: /at most 28/ });
});

test('attach mode runs only the target’s commands and, where allowed, the lab’s own chain commands', (t) => {
  const x: SshTarget = parseSshTarget(ATTACH, file);
  const [h1, h2] = x.hosts as [SshTarget['hosts'][0], SshTarget['hosts'][0]];
  const c1 = chainName('abcdef', 'n1');
  t.is(refusal(h1, c1, 'monit stop mariadb'), null);
  t.is(refusal(h1, c1, 'cat /var/vcap/sys/log/mysql/mysql.err.log'), null);
  t.regex(
    refusal(h1, c1, 'monit stop mariadb; rm -rf /')!,
    /is not one of the commands the target allows on 10\.0\.0\.1 \(kill, start, log\)/,
  );
  t.regex(refusal(h1, c1, 'mariadb -e "select 1"')!, /not one of the commands/);
  t.is(refusal(h1, c1, createChainCommand(c1)), null);
  t.is(refusal(h1, c1, setRulesCommand(c1, [{ from: '10.0.0.2', to: '10.0.0.1' }])), null);
  t.is(refusal(h1, c1, guardCommand(c1)), null);
  t.is(refusal(h1, c1, removeChainCommand(c1)), null);
  t.regex(refusal(h1, c1, `${setRulesCommand(c1, [])} && reboot`)!, /not one of the commands/);
  t.false(
    isChainCommand(createChainCommand(chainName('abcdef', 'n2')), c1),
    'another chain is not this host’s',
  );
  const c2 = chainName('abcdef', 'n2');
  t.regex(
    refusal(h2, c2, createChainCommand(c2))!,
    /does not allow partitions on 10\.0\.0\.2 \(hosts\[1\]\.partitions is false\)/,
  );
});

test('shell quoting and sudo wrapping', (t) => {
  t.is(shq("it's"), `'it'\\''s'`);
  t.is(wrapSudo('kill -9 1', false), 'kill -9 1');
  t.is(wrapSudo("echo 'x'", true), `sudo -n sh -c 'echo '\\''x'\\'''`);
});
