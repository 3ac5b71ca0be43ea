// The fault registry: every kind is one file under lab/nemesis/faults/ named for it, and the one
// list (faults/index.ts) is what the validator, the schedule and the nemesis read; the validator
// refuses a fault whose ability the chosen provider lacks, naming the field and the fix.

import test from 'ava';
import { readdirSync } from 'node:fs';
import { FAULT_KINDS, FAULTS } from '../../lab/nemesis/faults/index.ts';
import { planSchedule } from '../../lab/nemesis/schedule.ts';
import { disconnectPartition } from '../../lab/providers/docker/provider.ts';
import { PROVIDERS } from '../../lab/providers/registry.ts';
import { parseScenario, ScenarioError } from '../../lab/scenario/validate.ts';

const SHARED = new Set(['index.ts', 'types.ts', 'link.ts']);

test('every kind is one file named for it, exporting its definition, and every such file is in the registry', async (t) => {
  const files = readdirSync(new URL('../../lab/nemesis/faults/', import.meta.url)).filter(
    (f) => f.endsWith('.ts') && !SHARED.has(f),
  );
  t.deepEqual([...files].sort(), FAULT_KINDS.map((k) => `${k}.ts`).sort());
  for (const k of FAULT_KINDS) {
    const mod = (await import(`../../lab/nemesis/faults/${k}.ts`)) as Record<string, unknown>;
    const defs = Object.values(mod).filter(
      (v) => typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === k,
    );
    t.deepEqual(defs, [FAULTS[k]], `${k}.ts exports the registry's definition`);
  }
  // The kinds as the scenario reference and the old validator listed them, in that order (a new
  // kind goes after them, so this holds with it: docs/adding-a-fault-kind.md).
  t.deepEqual(FAULT_KINDS.slice(0, 11), [
    'partition',
    'kill',
    'pause',
    'health-flap',
    'proxy-kill',
    'link-latency',
    'link-reset',
    'link-timeout',
    'link-bandwidth',
    'link-down',
    'link-commit-reset',
  ]);
});

test('the abilities each provider declares: local has every node fault, docker all but admin, external none', (t) => {
  t.deepEqual([...PROVIDERS.local.abilities].sort(), ['admin', 'kill', 'partition', 'pause']);
  t.deepEqual([...PROVIDERS.docker.abilities].sort(), ['kill', 'partition', 'pause']);
  t.deepEqual(PROVIDERS.external.abilities, []);
  // ssh: every ability at most; attach mode's target narrows them when the run starts.
  t.deepEqual([...PROVIDERS.ssh.abilities].sort(), ['admin', 'kill', 'partition', 'pause']);
  t.deepEqual(
    FAULT_KINDS.filter((k) => FAULTS[k].ability).map((k) => [k, FAULTS[k].ability]),
    [
      ['partition', 'partition'],
      ['kill', 'kill'],
      ['pause', 'pause'],
    ],
  );
});

const problems = (text: string): string[] => {
  try {
    parseScenario(text);
    return [];
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems;
    throw e;
  }
};
const base = 'name: x\nquestion: q\nduration: 30s\nclients: {count: 1, via: nodes}\n';

test('a fault whose ability the provider lacks is refused, naming the field and the fix', (t) => {
  const ext = 'topology: {nodes: 3, proxies: 0, provider: external, target: t.yaml}\n';
  for (const kind of ['kill', 'pause', 'partition'] as const) {
    const target = kind === 'partition' ? 'isolate:n1' : 'n1';
    t.deepEqual(
      problems(
        `${base}${ext}nemesis: {schedule: [{kind: ${kind}, target: ${target}, at: 1s, duration: 2s}]}\n`,
      ),
      [
        `nemesis.schedule[0].kind: ${kind} needs the ${kind} ability, which provider external does not have; use a fault it can cause (link-latency, link-reset, link-timeout, link-bandwidth, link-down, link-commit-reset) or topology.provider: local, docker or ssh`,
      ],
    );
  }
  t.deepEqual(problems(`${base}${ext}nemesis: {random: {kinds: [kill]}}\n`), [
    'nemesis.random.kinds: kill needs the kill ability, which provider external does not have; use a fault it can cause (link-latency, link-reset, link-timeout, link-bandwidth, link-down, link-commit-reset) or topology.provider: local, docker or ssh',
  ]);
  // The same faults on providers that have the abilities are fine.
  for (const provider of ['local', 'docker']) {
    t.deepEqual(
      problems(
        `${base}topology: {nodes: 3, proxies: 0, provider: ${provider}}\nnemesis: {schedule: [{kind: kill, target: n1, at: 1s, duration: 2s}, {kind: pause, target: n2, at: 4s, duration: 2s}]}\n`,
      ),
      [],
      provider,
    );
  }
});

test('the schedule draws random targets through each kind’s own arbitrary', (t) => {
  const nodes = ['n1', 'n2', 'n3'];
  const plan = planSchedule(
    {
      schedule: [],
      random: { kinds: ['proxy-kill', 'kill', 'partition', 'link-down'], interval: 2, duration: 2 },
    },
    {
      seed: 5,
      duration: 200,
      nodes,
      proxies: ['proxy1', 'proxy2'],
      links: { client: ['client-proxy1'], backend: ['proxy1-n1'] },
    },
  );
  t.true(plan.length > 10);
  for (const f of plan) {
    const ok =
      f.kind === 'proxy-kill'
        ? ['proxy1', 'proxy2'].includes(f.target)
        : f.kind === 'kill'
          ? nodes.includes(f.target)
          : f.kind === 'partition'
            ? ['minority', 'halves', ...nodes.map((n) => `isolate:${n}`)].includes(f.target)
            : ['client-proxy1', 'proxy1-n1'].includes(f.target);
    t.true(ok, `${f.kind} ${f.target}`);
  }
});

test('docker partitions by disconnect: one node alone only, overlapping cuts of a node counted', async (t) => {
  const calls: string[] = [];
  const p = disconnectPartition(
    async (n) => void calls.push(`disconnect ${n}`),
    async (n) => void calls.push(`connect ${n}`),
  );
  t.is(p.refuse([['n3'], ['n1', 'n2']]), null);
  t.is(
    p.refuse([
      ['n1', 'n2', 'n3'],
      ['n4', 'n5'],
    ]),
    'splits n1,n2,n3 from n4,n5; this provider partitions by network disconnect, which cuts off one node only',
  );
  await t.throwsAsync(
    p.cut('a', [
      ['n1', 'n2'],
      ['n3', 'n4'],
    ]),
  );
  await p.cut('f1', [['n3'], ['n1', 'n2']]);
  await p.cut('f2', [['n1', 'n2'], ['n3']]);
  await p.heal('f1');
  t.deepEqual(calls, ['disconnect n3'], 'still cut: f2 holds n3 apart');
  await p.heal('f2');
  await p.heal('f2');
  t.deepEqual(calls, ['disconnect n3', 'connect n3']);
});
