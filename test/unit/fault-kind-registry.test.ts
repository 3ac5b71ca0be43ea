// A fault kind is one file plus one registry line: a kind the lab does not ship (stall, with a
// parameter, that takes a node down) is registered here, and the scenario validator, the schedule,
// the outage story, quorum-loss and the fault notes read its parameter and its traits with no other
// edit. Each answer is worked out by hand on a small fixed history.

import test from 'ava';
import type { HistoryEvent } from '../../lab/history/event.ts';
import { pairOps } from '../../lab/history/event.ts';
import {
  FAULT_PARAMS,
  FAULTS,
  faultHas,
  kindsWith,
  registerFaultKind,
  targetNode,
} from '../../lab/nemesis/faults/index.ts';
import { faultKind } from '../../lab/nemesis/faults/types.ts';
import { stall } from './fault-kind-stall.ts';

// Before the scenario schema loads: it takes its fault parameters from the registry when it loads.
registerFaultKind(stall);
const { parseScenario, ScenarioError } = await import('../../lab/scenario/validate.ts');
const { planSchedule } = await import('../../lab/nemesis/schedule.ts');
const { quorumLoss } = await import('../../lab/report/quorum-loss.ts');
const { computeStats } = await import('../../lab/report/stats.ts');
const { generateStories, STORY_RULES } = await import('../../lab/report/stories.ts');
const { faultNotes } = await import('../../lab/report/fault-table.ts');

const base =
  'name: stall\nquestion: q?\nduration: 30\ntopology: {nodes: 3, proxies: 1}\nclients: {count: 2, via: proxies}\n';
const withFault = (fault: string) => `${base}nemesis:\n  schedule:\n    - ${fault}\n`;
function problems(yaml: string): string[] {
  try {
    parseScenario(yaml);
    return [];
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems;
    throw e;
  }
}

test('the registry holds the kind, its parameter and its traits', (t) => {
  t.is(FAULTS['stall' as keyof typeof FAULTS] as unknown, stall);
  t.deepEqual(FAULT_PARAMS.pauseMs?.kinds, ['stall']);
  t.true(faultHas('stall', 'node-down'));
  t.false(faultHas('stall', 'network-cut'));
  t.deepEqual(kindsWith('node-down'), ['partition', 'kill', 'pause', 'stall']);
  t.is(targetNode('stall', 'n2'), 'n2');
  t.is(targetNode('partition', 'isolate:n3'), 'n3');
  t.is(targetNode('partition', 'minority'), null);
});

test('the scenario validator accepts its parameter, keeps it as written, and refuses a bad one naming the field and the fix', (t) => {
  const s = parseScenario(
    withFault('{kind: stall, target: n2, at: 5, duration: 10, pauseMs: 300}'),
  );
  // A registered kind is outside the FaultKind union the shipped list gives; it is read all the same.
  t.deepEqual(s.nemesis.schedule[0] as unknown, {
    kind: 'stall',
    target: 'n2',
    at: 5,
    duration: 10,
    pauseMs: 300,
  });
  // Left out, it stays out (the kind applies its default), so a stored scenario is what was written.
  const d = parseScenario(withFault('{kind: stall, target: n2, at: 5, duration: 10}'));
  t.false('pauseMs' in d.nemesis.schedule[0]!);
  t.deepEqual(problems(withFault('{kind: stall, target: n2, at: 5, duration: 10, pauseMs: 10}')), [
    'nemesis.schedule[0].pauseMs: must be an integer from 50 to 60000 (ms, the length of each pause), got 10; leave it out for the default of 500',
  ]);
  t.deepEqual(problems(withFault('{kind: kill, target: n2, at: 5, duration: 10, pauseMs: 300}')), [
    'nemesis.schedule[0].pauseMs: applies only to stall; remove it or set kind to stall',
  ]);
  t.deepEqual(
    problems(withFault('{kind: stall, target: n2, at: 5, duration: 10, latencyMs: 300}')),
    [
      'nemesis.schedule[0].latencyMs: applies only to link-latency; remove it or set kind to link-latency',
    ],
  );
  // Its target rule and its ability are read too: a role is fine, a proxy is not, external lacks pause.
  t.deepEqual(problems(withFault('{kind: stall, target: most-written, at: 5, duration: 10}')), []);
  t.deepEqual(problems(withFault('{kind: stall, target: proxy1, at: 5, duration: 10}')), [
    'nemesis.schedule[0].target: must be n1, n2, n3, random or a role (active-of:<proxy>, most-written, a-non-active), got "proxy1"',
  ]);
  t.regex(
    problems(
      `${base.replace('proxies: 1', 'proxies: 0, provider: external, target: t.yaml').replace('via: proxies', 'via: nodes')}nemesis:\n  random: {kinds: [stall]}\n`,
    ).join('\n'),
    /nemesis\.random\.kinds: stall needs the pause ability, which provider external does not have/,
  );
});

test('the schedule draws its targets through its own arbitrary', (t) => {
  const s = parseScenario(
    `${base}nemesis:\n  random: {kinds: [stall], interval: 5s, duration: 3s}\n`,
  );
  const plan = planSchedule(s.nemesis, {
    seed: 1,
    duration: s.duration,
    nodes: ['n1', 'n2', 'n3'],
    proxies: ['proxy1'],
  });
  t.true(plan.length > 0);
  t.true(
    plan.every((f) => (f.kind as string) === 'stall' && ['n1', 'n2', 'n3'].includes(f.target)),
  );
});

const S = 1e9;
/** Two clients through proxy1 (on n1); a stall of n2 from 2 to 4 s, recovered at 4.5 s. */
function stallRun(kind: string): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  let op = 0;
  const call = (client: number, from: number, to: number, node: string, errno?: number) => {
    const base = { op: op++, process: client, client, f: 'StartTask', key: `task/t${op}` };
    out.push({ type: 'invoke', index: 0, time: from * S, ...base } as HistoryEvent);
    out.push({
      type: errno ? 'fail' : 'ok',
      index: 0,
      time: to * S,
      ...base,
      node,
      ...(errno ? { error: { errno, message: 'WSREP has not yet prepared node' } } : { value: {} }),
    } as HistoryEvent);
  };
  // client 0: ok at 0.5, 1.5, then nothing until 6.0 (a 4.5 s gap across the stall).
  call(0, 0, 0.5, 'n1');
  call(0, 1.4, 1.5, 'n1');
  call(0, 5.9, 6.0, 'n1');
  // client 1: ok at 0.6, a 1047 from n2 at 3.0 (inside the stall), ok at 6.1.
  call(1, 0.1, 0.6, 'n1');
  call(1, 2.9, 3.0, 'n2', 1047);
  call(1, 6.0, 6.1, 'n1');
  const nem = (t: number, phase: 'start' | 'stop' | 'event', k: string, detail?: unknown) =>
    out.push({
      type: 'nemesis',
      index: 0,
      time: t * S,
      phase,
      fault: `${kind}-1`,
      kind: k,
      ...(detail ? { detail } : {}),
    } as HistoryEvent);
  nem(2, 'start', kind, { target: 'n2', duration: 2 });
  nem(4, 'stop', kind, { target: 'n2' });
  nem(4.5, 'event', 'recovered', { target: 'n2' });
  out.sort((a, b) => a.time - b.time);
  out.forEach((e, i) => {
    e.index = i;
  });
  return out;
}

test('quorum-loss takes its 1047s as planned: it takes its target node down', (t) => {
  // The 1047 of n2 at 3.0 s lies in the stall's window (2.0 s to its recovery at 4.5 s).
  t.deepEqual(quorumLoss(stallRun('stall')), [
    { node: 'n2', from: 3, to: 3, errors: 1, planned: true },
  ]);
  // The same history under a kind the registry does not know: nothing meant n2 down.
  t.deepEqual(quorumLoss(stallRun('unknown-kind')), [
    { node: 'n2', from: 3, to: 3, errors: 1, planned: false },
  ]);
});

test('the outage story and the fault notes count it as a node lost', (t) => {
  const scenario = parseScenario(base);
  const ctx = (kind: string) => {
    const history = stallRun(kind);
    const stats = computeStats(history);
    const check = {
      valid: true,
      summary: [],
      linearizability: null,
      invariants: null,
      failedApplied: [],
      isolation: null,
    };
    return { scenario, stats, check, ops: pairOps(history) };
  };
  const story = generateStories(ctx('stall')).find((s) => s.rule === 'outage');
  t.truthy(story);
  // Client 0 had no ok from 1.5 to 6.0 s (4.5 s), client 1 from 0.6 to 6.1 s (5.5 s).
  t.regex(
    story!.why[0]!,
    /^stall n2 at 2\.0 s: the worst client \(client 1\) had no ok op for 5\.5 s/,
  );
  t.falsy(generateStories(ctx('unknown-kind')).find((s) => s.rule === 'outage'));
  t.regex(
    STORY_RULES.find((r) => r.rule === 'outage')!.when,
    /a partition, kill, pause, proxy-kill or stall fault ran/,
  );
  // n2 is not what proxy1 wrote to (n1), no proxy moved, and no client had a success for 2.5 s
  // (every ok sorted: …1.5, 6.0…; the BBS gap over the window is 1.5–6.0, 4.5 s).
  const stats = ctx('stall').stats;
  stats.labEvents = [{ kind: 'proxy-active-changed', at: 0, source: 'proxy1', to: 'n1' } as never];
  t.regex(
    faultNotes(stats).join('\n'),
    /stall-1: n2 was not a node the proxies wrote to \(proxy1 on n1\)/,
  );
  stats.availability.faults[0]!.kind = 'unknown-kind';
  t.notRegex(faultNotes(stats).join('\n'), /was not a node the proxies wrote to/);
});

test('the registry refuses a kind twice, a network cut without sides, and a parameter name with another meaning', (t) => {
  t.throws(() => registerFaultKind(stall), { message: /stall: registered twice/ });
  const base = {
    targetProblem: () => null,
    targetArbitrary: () => {
      throw new Error('not drawn');
    },
    start: async () => async () => {},
  };
  t.throws(() => registerFaultKind(faultKind({ kind: 'cut', traits: ['network-cut'], ...base })), {
    message: /cut: a network-cut kind needs sides\(\)/,
  });
  t.throws(
    () =>
      registerFaultKind(
        faultKind({
          kind: 'slow',
          params: { latencyMs: { doc: 'd', unit: 's', min: 0, max: 9, default: 1 } },
          ...base,
        }),
      ),
    { message: /slow: parameter latencyMs differs from link-latency's; give it another name/ },
  );
});
