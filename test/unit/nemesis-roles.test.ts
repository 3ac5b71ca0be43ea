// Role targets resolved on fixed states; the validator's messages; the random plan drawing them.

import test from 'ava';
import {
  isRole,
  resolveRole,
  resolveTarget,
  RoleError,
  roleOf,
  targetLabel,
  type RoleState,
} from '../../lab/nemesis/roles.ts';
import { FAULTS } from '../../lab/nemesis/faults/index.ts';
import { planSchedule } from '../../lab/nemesis/schedule.ts';
import { faultWindows } from '../../lab/report/stats.ts';
import { parseScenario, type ScenarioError } from '../../lab/scenario/validate.ts';
import type { HistoryEvent } from '../../lab/history/event.ts';

// proxy1 routes to n2, proxy2 is down; n1 served 5 ok writes, n2 7, n3 7.
const state: RoleState = {
  nodes: ['n1', 'n2', 'n3'],
  activeOf: { proxy1: 'n2', proxy2: null },
  okWritesByNode: { n1: 5, n2: 7, n3: 7 },
};

test('active-of:<proxy> is the node that proxy routes to now', (t) => {
  t.is(resolveRole('active-of:proxy1', state, 1, 0), 'n2');
  t.throws(() => resolveRole('active-of:proxy2', state, 1, 0), {
    instanceOf: RoleError,
    message: /proxy2 routes to no node now/,
  });
  t.throws(() => resolveRole('active-of:proxy9', state, 1, 0), { message: /no proxy proxy9/ });
});

test('most-written is the node with the most ok writes so far; a tie goes to the lowest name', (t) => {
  // n2 and n3 both have 7 > n1's 5: the tie goes to n2.
  t.is(resolveRole('most-written', state, 1, 0), 'n2');
  t.is(resolveRole('most-written', { ...state, okWritesByNode: { n3: 1 } }, 1, 0), 'n3');
  t.throws(() => resolveRole('most-written', { ...state, okWritesByNode: {} }, 1, 0), {
    message: /no node has served an ok write/,
  });
});

test('a-non-active is a node no running proxy routes to, a seeded choice among them', (t) => {
  // proxy1 → n2 and proxy2 is down: n1 and n3 are candidates; the same seed and salt pick the same
  // one.
  const picks = new Set<string>();
  for (let salt = 0; salt < 40; salt++) {
    const n = resolveRole('a-non-active', state, 7, salt);
    t.true(n === 'n1' || n === 'n3', n);
    t.is(resolveRole('a-non-active', state, 7, salt), n);
    picks.add(n);
  }
  t.deepEqual([...picks].sort(), ['n1', 'n3'], 'both candidates get picked over 40 faults');
  // With proxy2 on n3 too, n1 is the only node nobody routes to.
  t.is(
    resolveRole('a-non-active', { ...state, activeOf: { proxy1: 'n2', proxy2: 'n3' } }, 7, 3),
    'n1',
  );
  t.throws(
    () =>
      resolveRole(
        'a-non-active',
        { nodes: ['n1', 'n2'], activeOf: { proxy1: 'n1', proxy2: 'n2' }, okWritesByNode: {} },
        7,
        0,
      ),
    { message: /every node is some proxy's active backend/ },
  );
});

test('a partition isolates the resolved node; plain targets pass through', (t) => {
  const strip = (r: ReturnType<typeof resolveTarget>) => ({
    target: r.target,
    ...(r.node ? { node: r.node } : {}),
  });
  t.deepEqual(strip(resolveTarget(FAULTS.partition, 'isolate:active-of:proxy1', state, 1, 0)), {
    target: 'isolate:n2',
    node: 'n2',
  });
  t.deepEqual(strip(resolveTarget(FAULTS.kill, 'most-written', state, 1, 0)), {
    target: 'n2',
    node: 'n2',
  });
  t.deepEqual(resolveTarget(FAULTS.kill, 'n3', state, 1, 0), { target: 'n3' });
  t.deepEqual(resolveTarget(FAULTS.partition, 'minority', state, 1, 0), { target: 'minority' });
  t.is(roleOf(FAULTS.partition, 'isolate:a-non-active'), 'a-non-active');
  t.is(roleOf(FAULTS.kill, 'isolate:a-non-active'), null);
  t.false(isRole('n1'));
});

test('reports name a role with the node it resolved to', (t) => {
  t.is(targetLabel('active-of:proxy1', 'n1'), 'active-of:proxy1 (n1)');
  t.is(targetLabel('isolate:most-written', 'n3'), 'isolate:most-written (n3)');
  t.is(targetLabel('n2', undefined), 'n2');
  // A start event with detail { target, node } gives the window its node.
  const events: HistoryEvent[] = [
    { index: 0, time: 1e9, type: 'invoke', op: 0, process: 0, client: 0, f: 'TaskByGuid' },
    {
      index: 1,
      time: 3e9,
      type: 'nemesis',
      phase: 'start',
      fault: 'kill-1',
      kind: 'kill',
      detail: { target: 'active-of:proxy1', node: 'n1', duration: 5 },
    },
    {
      index: 2,
      time: 8e9,
      type: 'nemesis',
      phase: 'stop',
      fault: 'kill-1',
      kind: 'kill',
      detail: { target: 'n1' },
    },
  ];
  t.deepEqual(faultWindows(events), [
    {
      id: 'kill-1',
      kind: 'kill',
      target: 'active-of:proxy1',
      node: 'n1',
      start: 2,
      end: 7,
      recovered: null,
    },
  ]);
});

const base =
  'name: t\nquestion: q\nduration: 60s\ntopology: {nodes: 3, proxies: 2}\nclients: {count: 2}\n';
const problems = (y: string): string[] => {
  try {
    parseScenario(y);
    return [];
  } catch (e) {
    return (e as ScenarioError).problems;
  }
};

test('the validator accepts role targets and names the field of a bad one', (t) => {
  const ok = parseScenario(
    base +
      'nemesis:\n  schedule:\n    - {kind: partition, target: isolate:active-of:proxy2, at: 5, duration: 5}\n    - {kind: kill, target: most-written, at: 15, duration: 5}\n    - {kind: pause, target: a-non-active, at: 25, duration: 5}\n    - {kind: health-flap, target: active-of:proxy1, at: 35, duration: 5}\n',
  );
  t.deepEqual(
    ok.nemesis.schedule.map((f) => f.target),
    ['isolate:active-of:proxy2', 'most-written', 'a-non-active', 'active-of:proxy1'],
  );
  t.deepEqual(
    problems(
      base +
        'nemesis:\n  schedule:\n    - {kind: kill, target: active-of:proxy3, at: 5, duration: 5}\n',
    ),
    [
      'nemesis.schedule[0].target: active-of:proxy3: no proxy "proxy3"; use active-of:proxy1 | active-of:proxy2',
    ],
  );
  const direct =
    'name: t\nquestion: q\nduration: 60s\ntopology: {nodes: 3, proxies: 0}\nclients: {count: 2, via: nodes}\n';
  t.deepEqual(
    problems(
      direct +
        'nemesis:\n  schedule:\n    - {kind: partition, target: isolate:a-non-active, at: 5, duration: 5}\n',
    ),
    [
      'nemesis.schedule[0].target: a-non-active needs switchboard proxies (topology.proxies ≥ 1) to tell active from non-active nodes',
    ],
  );
  t.deepEqual(
    problems(
      direct +
        'nemesis:\n  schedule:\n    - {kind: kill, target: most-written, at: 5, duration: 5}\n',
    ),
    [],
    'most-written needs no proxy',
  );
  t.deepEqual(
    problems(
      `${base}nemesis:\n  schedule:\n    - {kind: kill, target: busiest, at: 5, duration: 5}\n`,
    ),
    [
      'nemesis.schedule[0].target: must be n1, n2, n3, random or a role (active-of:<proxy>, most-written, a-non-active), got "busiest"',
    ],
  );
});

test('a random plan draws role targets only when nemesis.random.roles is on', (t) => {
  const ctx = { seed: 3, duration: 600, nodes: ['n1', 'n2', 'n3'], proxies: ['proxy1'] };
  const kinds: ('kill' | 'partition')[] = ['kill', 'partition'];
  const plain = planSchedule({ schedule: [], random: { kinds, interval: 5, duration: 3 } }, ctx);
  const withRoles = planSchedule(
    { schedule: [], random: { kinds, interval: 5, duration: 3, roles: true } },
    ctx,
  );
  t.false(plain.some((f) => roleOf(FAULTS[f.kind], f.target) !== null));
  const roles = new Set(
    withRoles.map((f) => roleOf(FAULTS[f.kind], f.target)).filter((r) => r !== null),
  );
  t.deepEqual(
    [...roles].sort(),
    ['a-non-active', 'active-of:proxy1', 'most-written'],
    `roles drawn in ${withRoles.length} faults`,
  );
  t.true(
    parseScenario(`${base}nemesis:\n  random: {kinds: [kill], roles: true}\n`).nemesis.random!
      .roles === true,
  );
});

test('a resolved role is recorded in words with most-written’s margin over the runner-up', async (t) => {
  const { describeResolution, resolveTarget } = await import('../../lab/nemesis/roles.ts');
  const state = {
    nodes: ['n1', 'n2', 'n3'],
    activeOf: { proxy1: 'n1' },
    okWritesByNode: { n1: 375, n2: 412, n3: 3 },
  };
  // n2 412 ok writes, runner-up n1 375: margin 37.
  const r = describeResolution('most-written', 'n2', state);
  t.is(r.margin, 37);
  t.is(r.text, 'most-written: n2, 412 ok writes when the fault started, 37 more than n1 (375)');
  // A tie is broken by the lower name, and says so.
  const tie = describeResolution('most-written', 'n1', {
    ...state,
    okWritesByNode: { n1: 10, n2: 10 },
  });
  t.is(tie.margin, 0);
  t.regex(tie.text, /tied with n2 \(10\), the lower name taken/);
  const p = resolveTarget(FAULTS.partition, 'isolate:most-written', state, 1, 0);
  t.is(p.target, 'isolate:n2');
  t.is(p.resolution?.margin, 37);
  t.regex(
    describeResolution('a-non-active', 'n3', state).text,
    /^a-non-active: n3, chosen by the seed among n2, n3 \(no proxy routed to them; n1 active\)$/,
  );
});
