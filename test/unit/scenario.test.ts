import test from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import { parseScenario, parseDuration, ScenarioError } from '../../lab/scenario/validate.ts';
import { parseMigrationScenario, renderMigrationReport } from '../../lab/runner/migration-run.ts';
import { problems } from './scenario-problems.ts';
import { parseScaleScenario } from '../../lab/scale/scenario.ts';
import { DEFAULT_RATE_PER_CLIENT } from '../../lab/scenario/types.ts';

const minimal = `
name: t
question: does it work?
duration: 10s
topology: { nodes: 3 }
clients: { count: 2 }
`;

test('a minimal scenario gets every default filled in', (t) => {
  const s = parseScenario(minimal);
  t.is(s.duration, 10);
  t.is(s.topology.proxies, 1);
  t.is(s.topology.proxyRule, 'lowest-index');
  t.is(s.clients.via, 'proxies');
  t.is(s.bbs.version, 'today');
  t.is(s.bbs.deadlockRetry, undefined);
  t.is(s.database.syncWait, 0);
  t.is(s.workload.mix.tasks, 5);
});

test('a bad node count names the field and what is allowed', (t) => {
  t.deepEqual(problems(minimal.replace('nodes: 3', 'nodes: 4')), [
    'topology.nodes: must be 1, 3 or 5, got 4',
  ]);
});

test('every problem is reported, one line each', (t) => {
  const bad = `
name: t
duration: soon
topology: { nodes: 2, proxyRule: random }
clients: { count: 0, colour: red }
bbs: { deadlockRetry: always }
`;
  const p = problems(bad);
  t.true(p.includes('question: required'));
  t.true(p.some((x) => x.startsWith('duration: must be a duration')));
  t.true(p.includes('topology.nodes: must be 1, 3 or 5, got 2'));
  t.true(
    p.some((x) =>
      x.startsWith('topology.proxyRule: must be lowest-index or sticky-random, got "random"'),
    ),
  );
  t.true(p.includes('clients.count: must be an integer from 1 to 256, got 0'));
  t.true(p.some((x) => x.startsWith('clients.colour: unknown field')));
  t.true(
    p.some((x) =>
      x.startsWith(
        'bbs.deadlockRetry: must be none, commit-only-2016-04, all-2016-11 or all-and-bad-conn-2017-06',
      ),
    ),
  );
  t.is(p.length, 7);
});

test('cross-field rule: clients via proxies need a proxy', (t) => {
  const p = problems(
    minimal.replace('topology: { nodes: 3 }', 'topology: { nodes: 3, proxies: 0 }'),
  );
  t.is(p.length, 1);
  t.regex(p[0]!, /^clients\.via: .*topology\.proxies/);
});

test('YAML syntax errors are a scenario problem with a line number', (t) => {
  const p = problems('name: [unclosed\nquestion: x');
  t.is(p.length, 1);
  t.regex(p[0]!, /^not valid YAML at line \d+/);
});

test('durations', (t) => {
  t.is(parseDuration('90s'), 90);
  t.is(parseDuration('2m'), 120);
  t.is(parseDuration(15), 15);
  t.is(parseDuration('500ms'), 0.5);
  t.is(parseDuration('0s'), null);
  t.is(parseDuration('soon'), null);
});

test('every shipped scenario is valid', (t) => {
  const files = readdirSync('scenarios').filter((f) => f.endsWith('.yaml'));
  t.true(files.includes('quickstart.yaml'));
  t.true(files.includes('multi-writer.yaml'));
  for (const f of files) {
    const text = readFileSync(`scenarios/${f}`, 'utf8');
    // A scale file (bbs-lab scale: a list of sizes) has its own schema (lab/scale/scenario.ts).
    t.notThrows(
      () =>
        /^sizes:/m.test(text)
          ? parseScaleScenario(text, f)
          : (parseMigrationScenario(text, f) ?? parseScenario(text, f)),
      f,
    );
  }
  const stories = files
    .filter((f) => parseMigrationScenario(readFileSync(`scenarios/${f}`, 'utf8'), f) !== null)
    .sort();
  t.deepEqual(stories, [
    'migration-failure.yaml',
    'migration-gap.yaml',
    'migration-mixed-lock.yaml',
    'migration-no-sql.yaml',
    'migration-redeploy.yaml',
    'migration-startup-1047.yaml',
    'migration-startup-1213.yaml',
    'migration-startup-lost-connection.yaml',
    'migration-startup-refused.yaml',
    'upgrade-dust-2016-lock.yaml',
    'upgrade-dust.yaml',
  ]);
});

test('migration scenario files: the story is named, bad fields too', (t) => {
  t.is(
    parseMigrationScenario('name: x\nquestion: q\nduration: 10s\n', 'x.yaml'),
    null,
    'not a migration scenario',
  );
  t.deepEqual(
    parseMigrationScenario('name: m\nquestion: q?\nmigration: {story: failure}\n', 'm.yaml'),
    { name: 'm', description: '', question: 'q?', story: 'failure' },
  );
  const e = t.throws(
    () => parseMigrationScenario('name: m\nmigration: {story: sideways}\nnodes: 3\n', 'm.yaml'),
    { instanceOf: ScenarioError },
  );
  t.deepEqual(e!.problems, [
    'nodes: unknown field in a migration scenario; allowed: name, description, question, migration',
    'question: required, a non-empty string',
    'migration.story: must be redeploy, mixed-lock, failure, gap, no-sql, upgrade-dust, startup-refused, startup-lost-connection, startup-1047, startup-1213, got "sideways"',
  ]);
});

test('migration scenario options: upgrade-dust takes stop, maxOutageSec, lock and workload; bad values are named', (t) => {
  const ok = parseMigrationScenario(
    'name: d\nquestion: q?\nmigration: {story: upgrade-dust, stop: kill, maxOutageSec: 30, lock: {ttlSec: 10, retryMs: 5000}, workload: {clients: 2, seed: 7}}\n',
    'd.yaml',
  );
  t.deepEqual(ok, {
    name: 'd',
    description: '',
    question: 'q?',
    story: 'upgrade-dust',
    stop: 'kill',
    maxOutageSec: 30,
    lock: { ttlSec: 10, retryMs: 5000 },
    workload: { clients: 2, seed: 7 },
  });
  const e = t.throws(
    () =>
      parseMigrationScenario(
        'name: d\nquestion: q?\nmigration: {story: redeploy, stop: gently, maxOutageSec: 0, lock: {ttlSec: 0.5, retryMs: 1, x: 1}, workload: {clients: 0, burst: 2}, speed: 3}\n',
        'd.yaml',
      ),
    { instanceOf: ScenarioError },
  );
  t.deepEqual(e!.problems, [
    'migration.speed: unknown field; allowed: story, stop, maxOutageSec, version, phase, workload, lock',
    'migration.stop: must be graceful or kill, got "gently"',
    'migration.maxOutageSec: a number of seconds above 0, got 0',
    'migration.workload.burst: unknown field; allowed: clients, seed',
    'migration.workload.clients: an integer from 1 to 32, got 0',
    'migration.lock.x: unknown field; allowed: ttlSec, retryMs',
    'migration.lock.ttlSec: whole seconds from 1 to 86400 (the BBS used 10, then 15), got 0.5',
    'migration.lock.retryMs: milliseconds, at least 10 (the BBS retried every 5000), got 1',
  ]);
  const only = t.throws(
    () =>
      parseMigrationScenario(
        'name: d\nquestion: q?\nmigration: {story: failure, stop: kill}\n',
        'd.yaml',
      ),
    { instanceOf: ScenarioError },
  );
  t.deepEqual(only!.problems, ['migration.stop: only used by story upgrade-dust; remove it']);
});

test('a migration report answers first: checks passed or failed, and the lock path', (t) => {
  const s = {
    name: 'migration-failure',
    description: '',
    question: 'Does it recover?',
    story: 'failure' as const,
  };
  const ok = renderMigrationReport(s, 'run-1', {
    scenario: 'failure',
    checks: [{ name: 'a legacy node takes over and serves', ok: true, detail: '' }],
    holders: 'legacy-1 → dual-2',
  });
  t.regex(
    ok,
    /\*\*Answer from this run\.\*\* All 1 acceptance checks passed .* The BBS lock went legacy-1 → dual-2\./,
  );
  const bad = renderMigrationReport(s, 'run-1', {
    scenario: 'failure',
    checks: [
      { name: 'x', ok: true, detail: '' },
      { name: 'a later dual node completes the migration', ok: false, detail: '3 differences' },
    ],
    holders: '',
  });
  t.regex(bad, /1 of 2 acceptance checks FAILED: a later dual node completes the migration\./);
  t.regex(bad, /- \*\*FAILED\*\*: a later dual node completes the migration \(3 differences\)/);
});

test("clients.backoffMs: 500 by default (the real BBS's pause before it retries a transaction), 0 allowed, a bad value is named", (t) => {
  t.is(parseScenario(minimal).clients.backoffMs, 500);
  t.is(
    parseScenario(minimal.replace('clients: { count: 2 }', 'clients: { count: 2, backoffMs: 0 }'))
      .clients.backoffMs,
    0,
  );
  t.is(
    parseScenario(minimal.replace('clients: { count: 2 }', 'clients: { count: 2, backoffMs: 250 }'))
      .clients.backoffMs,
    250,
  );
  t.deepEqual(
    problems(
      minimal.replace('clients: { count: 2 }', 'clients: { count: 2, backoffMs: -1 }'),
    ).filter((p) => p.startsWith('clients.backoffMs')).length,
    1,
  );
});

test('clients.rate: the default offered load, a number of ops/s per client or closed; a bad value names the field and the fix', (t) => {
  t.is(parseScenario(minimal).clients.rate, DEFAULT_RATE_PER_CLIENT);
  t.is(
    parseScenario(minimal.replace('clients: { count: 2 }', 'clients: { count: 2, rate: 2.5 }'))
      .clients.rate,
    2.5,
  );
  t.is(
    parseScenario(minimal.replace('clients: { count: 2 }', 'clients: { count: 2, rate: closed }'))
      .clients.rate,
    'closed',
  );
  for (const bad of ['0', '-3', 'fast', '5000']) {
    t.deepEqual(
      problems(
        minimal.replace('clients: { count: 2 }', `clients: { count: 2, rate: ${bad} }`),
      ).filter((p) => p.startsWith('clients.rate')),
      [
        `clients.rate: must be ops/s per client, a number from 0.1 to 1000 such as ${DEFAULT_RATE_PER_CLIENT}, or "closed" (each client's next op when its last returns, so the load follows the machine), got ${bad === 'fast' ? '"fast"' : bad}`,
      ],
    );
  }
});

test('bbs.actualLRPLock: for-update by default (today), share with BBS 2016-03 reaches the SQL store, a bad value is named', async (t) => {
  const { bbsStoreOptions } = await import('../../lab/workload/bbs.ts');
  t.is(parseScenario(minimal).bbs.actualLRPLock, undefined);
  t.is(bbsStoreOptions(parseScenario(minimal)).actualLRPLock, 'for-update');
  const share = parseScenario(`${minimal}bbs: { version: 2016-03 }\n`);
  t.is(bbsStoreOptions(share).actualLRPLock, 'share');
  t.is(bbsStoreOptions(share).deadlockRetry, 'none');
  const what = parseScenario(
    `${minimal}bbs: { version: 2016-05, actualLRPLock: share, hypothetical: true }\n`,
  );
  t.is(bbsStoreOptions(what).actualLRPLock, 'share');
  t.is(bbsStoreOptions(what).deadlockRetry, 'commit-only-2016-04');
  t.deepEqual(problems(`${minimal}bbs: { actualLRPLock: shared }\n`), [
    'bbs.actualLRPLock: must be for-update or share, got "shared"',
  ]);
});
