import test from 'ava';
import fc from 'fast-check';
import { planSchedule, partitionSides } from '../../lab/nemesis/schedule.ts';
import { parseScenario, type ScenarioError } from '../../lab/scenario/validate.ts';

const ctx = { seed: 5, duration: 120, nodes: ['n1', 'n2', 'n3'], proxies: ['proxy1', 'proxy2'] };

test('a fixed timeline is kept as written, sorted by time', (t) => {
  const plan = planSchedule(
    {
      schedule: [
        { kind: 'kill', target: 'n2', at: 30, duration: 10 },
        { kind: 'partition', target: 'isolate:n3', at: 10, duration: 20 },
      ],
      random: null,
    },
    ctx,
  );
  t.deepEqual(
    plan.map((f) => [f.kind, f.target, f.at]),
    [
      ['partition', 'isolate:n3', 10],
      ['kill', 'n2', 30],
    ],
  );
});

test('a random schedule is reproducible from the seed, never overlaps, and ends within the run', (t) => {
  fc.assert(
    fc.property(fc.nat(), fc.integer({ min: 20, max: 300 }), (seed, duration) => {
      const spec = {
        schedule: [],
        random: {
          kinds: ['partition', 'kill', 'pause', 'health-flap', 'proxy-kill'] as const,
          interval: 10,
          duration: 5,
        },
      };
      const c = { ...ctx, seed, duration };
      const a = planSchedule(
        { ...spec, random: { ...spec.random, kinds: [...spec.random.kinds] } },
        c,
      );
      const b = planSchedule(
        { ...spec, random: { ...spec.random, kinds: [...spec.random.kinds] } },
        c,
      );
      if (JSON.stringify(a) !== JSON.stringify(b)) return false;
      for (let i = 0; i < a.length; i++) {
        const f = a[i]!;
        if (f.at + f.duration > duration) return false;
        if (i > 0 && a[i - 1]!.at + a[i - 1]!.duration > f.at) return false;
        if (
          f.kind === 'proxy-kill'
            ? !ctx.proxies.includes(f.target)
            : f.kind === 'partition'
              ? !/^(isolate:n[123]|minority|halves)$/.test(f.target)
              : !ctx.nodes.includes(f.target)
        )
          return false;
      }
      return true;
    }),
  );
  const p = planSchedule(
    { schedule: [], random: { kinds: ['pause'], interval: 10, duration: 5 } },
    ctx,
  );
  t.true(
    p.length >= 5,
    `a 120 s run with 10 s gaps and 5 s faults has several faults (${p.length})`,
  );
  t.notDeepEqual(
    p,
    planSchedule(
      { schedule: [], random: { kinds: ['pause'], interval: 10, duration: 5 } },
      { ...ctx, seed: 6 },
    ),
  );
});

test('partition sides', (t) => {
  t.deepEqual(partitionSides('isolate:n2', ['n1', 'n2', 'n3'], 1), [['n2'], ['n1', 'n3']]);
  t.deepEqual(partitionSides('minority', ['n1', 'n2', 'n3', 'n4', 'n5'], 1), [
    ['n4', 'n5'],
    ['n1', 'n2', 'n3'],
  ]);
  t.deepEqual(partitionSides('minority', ['n1', 'n2', 'n3'], 1), [['n3'], ['n1', 'n2']]);
  t.deepEqual(partitionSides('bridge', ['n1', 'n2', 'n3', 'n4', 'n5'], 1), [
    ['n1', 'n2'],
    ['n4', 'n5'],
  ]);
  const [a, b] = partitionSides('halves', ['n1', 'n2', 'n3'], 1);
  t.deepEqual([...a, ...b].sort(), ['n1', 'n2', 'n3']);
  t.true(a.length >= 1 && b.length >= 1);
});

test('scenario nemesis blocks are validated with field names', (t) => {
  const base = 'name: t\nquestion: q\nduration: 30s\ntopology: {nodes: 3}\nclients: {count: 2}\n';
  const ok = parseScenario(
    base +
      'nemesis:\n  schedule:\n    - {kind: partition, target: isolate:n3, at: 5s, duration: 10s}\n',
  );
  t.deepEqual(ok.nemesis.schedule, [
    { kind: 'partition', target: 'isolate:n3', at: 5, duration: 10 },
  ]);
  t.deepEqual(ok.nemesis.random?.kinds, [], 'no random faults unless asked');
  const bad = (y: string) => {
    try {
      parseScenario(base + y);
      return [];
    } catch (e) {
      return (e as ScenarioError).problems;
    }
  };
  t.deepEqual(bad('nemesis:\n  schedule:\n    - {kind: flood, target: n1, at: 1, duration: 2}\n'), [
    'nemesis.schedule[0].kind: must be partition, kill, pause, health-flap, proxy-kill, link-latency, link-reset, link-timeout, link-bandwidth, link-down or link-commit-reset, got "flood"',
  ]);
  t.deepEqual(bad('nemesis:\n  schedule:\n    - {kind: kill, target: n4, at: 1, duration: 2}\n'), [
    'nemesis.schedule[0].target: must be n1, n2, n3, random or a role (active-of:<proxy>, most-written, a-non-active), got "n4"',
  ]);
  t.deepEqual(
    bad('nemesis:\n  schedule:\n    - {kind: pause, target: n1, at: 25s, duration: 10s}\n'),
    [
      "nemesis.schedule[0]: ends at 35 s, after the run's duration of 30 s; shorten it or start it earlier",
    ],
  );
});
