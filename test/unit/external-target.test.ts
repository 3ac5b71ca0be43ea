// External target files and scenarios that use them: valid ones parse, every bad field is named.

import test from 'ava';
import { parseTarget, TargetError, targetPassword } from '../../lab/providers/external/target.ts';
import { parseScenario, ScenarioError } from '../../lab/scenario/validate.ts';

const problemsOf = (text: string): string[] => {
  try {
    parseTarget(text, 't.yaml');
  } catch (e) {
    if (e instanceof TargetError) return e.problems;
    throw e;
  }
  return [];
};

test('a target with several hosts, ports defaulted or given', (t) => {
  const x = parseTarget(
    'name: rds\nhosts: [db.internal, "10.0.0.5:3307"]\nport: 3310\ndatabase: bbs\nuser: bbs\npasswordEnv: BBS_DB_PASSWORD\n',
  );
  t.deepEqual(x.hosts, [
    { host: 'db.internal', port: 3310 },
    { host: '10.0.0.5', port: 3307 },
  ]);
  t.is(x.tls, false);
  t.is(x.caFile, null);
  t.is(targetPassword(x, { BBS_DB_PASSWORD: 's3cret' }), 's3cret');
  const err = t.throws(() => targetPassword(x, {}), { instanceOf: TargetError });
  t.regex(err!.message, /passwordEnv: the environment variable BBS_DB_PASSWORD is not set/);
});

test('every bad field is named with what is allowed', (t) => {
  t.deepEqual(
    problemsOf(
      'name: x\nhosts: []\ndatabase: bbs\nuser: u\npasswordEnv: "not a var"\nport: 70000\ntls: yes please\ncolor: red\n',
    ),
    [
      'color: unknown field; allowed: name, hosts, port, database, user, passwordEnv, tls, caFile',
      'passwordEnv: must be an environment variable name such as BBS_DB_PASSWORD, got "not a var"',
      'port: must be an integer from 1 to 65535, got 70000',
      'hosts: must be a non-empty list of "host" or "host:port", got a list',
      'tls: must be true or false, got "yes please"',
    ],
  );
  t.deepEqual(problemsOf('hosts: ["a b"]\n'), [
    'name: required',
    'database: required',
    'user: required',
    'passwordEnv: required',
    'hosts[0]: must be "host" or "host:port", got "a b"',
  ]);
  t.deepEqual(
    problemsOf('name: x\nhosts: [h]\ndatabase: d\nuser: u\npasswordEnv: P\ncaFile: /nope.pem\n'),
    ['caFile: only used with tls: true', 'caFile: no such file /nope.pem'],
  );
  t.deepEqual(problemsOf(': : :'), [problemsOf(': : :')[0]!]);
  t.regex(problemsOf(': : :')[0]!, /not valid YAML/);
});

test('a scenario on an external target: direct clients, link faults only', (t) => {
  const base = 'name: ext\nquestion: q\nduration: 10s\nclients: {count: 2, via: nodes}\n';
  const ok = parseScenario(
    base +
      'topology: {nodes: 1, proxies: 0, provider: external, target: t.yaml}\nnemesis: {schedule: [{kind: link-latency, target: client-n1, at: 1s, duration: 2s}]}\n',
  );
  t.is(ok.topology.provider, 'external');
  const bad = (text: string) => {
    const e = t.throws(() => parseScenario(base + text), { instanceOf: ScenarioError });
    return e!.problems;
  };
  t.deepEqual(bad('topology: {nodes: 1, proxies: 0, provider: external}\n'), [
    'topology.target: required with provider: external (a target YAML file, see docs/external-targets.md)',
  ]);
  t.deepEqual(
    bad(
      'topology: {nodes: 3, proxies: 0, provider: external, target: t.yaml}\nnemesis: {schedule: [{kind: kill, target: n1, at: 1s, duration: 2s}]}\n',
    ),
    [
      'nemesis.schedule[0].kind: kill needs the kill ability, which provider external does not have; use a fault it can cause (link-latency, link-reset, link-timeout, link-bandwidth, link-down, link-commit-reset) or topology.provider: local, docker or ssh',
    ],
  );
  t.deepEqual(
    bad(
      'topology: {nodes: 3, proxies: 0, provider: external, target: t.yaml}\nnemesis: {random: {kinds: [link-down, pause]}}\n',
    ),
    [
      'nemesis.random.kinds: pause needs the pause ability, which provider external does not have; use a fault it can cause (link-latency, link-reset, link-timeout, link-bandwidth, link-down, link-commit-reset) or topology.provider: local, docker or ssh',
    ],
  );
  t.deepEqual(bad('topology: {nodes: 3, proxies: 0, target: t.yaml}\n'), [
    'topology.target: only used with provider: external or ssh',
  ]);
});
