import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CampaignError, parseCampaign } from '../../lab/investigate/campaign.ts';
import { configId } from '../../lab/investigate/share.ts';

const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-question-overrides-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'one.yaml'),
  'name: one\nquestion: the base scenario asks this\nduration: 10s\ntopology: { nodes: 1, proxies: 0 }\nclients: { count: 2, via: nodes }\n',
);

const campaign = (question: string) => `
name: q
title: Q
questions:
  - id: qa
    question: Does the campaign ask this?
    scenario: one.yaml
${question}    variants:
      - { name: A }
      - { name: B, overrides: { bbs.version: 2016-11 } }
      - { name: C, overrides: { question: "C asks its own" } }
    seeds: 2
    metrics: [ops]
`;

function problemsOf(text: string): string[] {
  try {
    parseCampaign(text, join(dir, 'c.yaml'));
  } catch (e) {
    if (e instanceof CampaignError) return e.problems;
    throw e;
  }
  return [];
}

test("a campaign's runs ask the campaign's question, unless a variant overrides `question`", (t) => {
  const c = parseCampaign(campaign(''), join(dir, 'c.yaml'));
  const [a, b, cv] = c.questions[0]!.variants;
  t.is(a!.scenario.question, 'Does the campaign ask this?');
  t.is(b!.scenario.question, 'Does the campaign ask this?');
  t.is(cv!.scenario.question, 'C asks its own');
  // The words are not the configuration: A and C are the same run.
  t.is(configId(a!.scenario), configId(cv!.scenario));
  t.not(configId(a!.scenario), configId(b!.scenario));
});

test('a bad question-level override is reported once, under the question, not once per variant', (t) => {
  const problems = problemsOf(campaign('    overrides: { topology.nodes: 4 }\n'));
  const nodes = problems.filter((p) => /topology\.nodes/.test(p));
  t.is(nodes.length, 1, problems.join('\n'));
  t.regex(
    nodes[0]!,
    /^questions\[0\]\.overrides: the scenario it makes is invalid: .*topology\.nodes/,
  );
});

test("a variant that mends the question's override is valid, and a variant's own problem stays under the variant", (t) => {
  const mended = campaign('    overrides: { topology.nodes: 4 }\n').replace(
    '{ name: A }',
    '{ name: A, overrides: { topology.nodes: 1 } }',
  );
  const problems = problemsOf(mended);
  // B and C keep the question's problem (said once); A mended it and adds none of its own.
  t.is(problems.filter((p) => /topology\.nodes/.test(p)).length, 1);
  t.false(problems.some((p) => p.startsWith('questions[0].variants[0]')));
  const own = problemsOf(
    campaign('').replace('{ name: A }', '{ name: A, overrides: { clients.count: 0 } }'),
  );
  t.true(
    own.length >= 1 && own.every((p) => p.startsWith('questions[0].variants[0].overrides')),
    own.join('\n'),
  );
});

test('findings name the node each role target resolved to in each run, with most-written’s margin', async (t) => {
  const { resolvedRoles } = await import('../../lab/investigate/aggregate.ts');
  const r = {
    stats: {
      availability: {
        faults: [
          { target: 'isolate:most-written', node: 'n2', margin: 37 },
          { target: 'n1', node: 'n1' },
          { target: 'active-of:proxy1', node: 'n3' },
        ],
      },
    },
    check: {},
  };
  t.deepEqual(resolvedRoles(r), [
    'isolate:most-written → n2 (margin 37 ok writes)',
    'active-of:proxy1 → n3',
  ]);
  t.deepEqual(resolvedRoles({ stats: {}, check: {} }), []);
});

test("a campaign run's description names its variant, base and overrides, then the base's own words", (t) => {
  writeFileSync(
    join(dir, 'two.yaml'),
    'name: two\nquestion: q\ndescription: 3 nodes, one proxy\nduration: 10s\ntopology: { nodes: 1, proxies: 0 }\nclients: { count: 2, via: nodes }\n',
  );
  const c = parseCampaign(
    `
name: q
title: Q
questions:
  - id: qa
    question: Does it?
    scenario: two.yaml
    overrides: { duration: 20s }
    variants:
      - { name: A, overrides: { bbs.version: 2016-11 } }
      - { name: D, overrides: { description: "my own words" } }
    seeds: 1
    metrics: [ops]
`,
    join(dir, 'c2.yaml'),
  );
  const [a, d] = c.questions[0]!.variants;
  t.is(
    a!.scenario.description,
    "Campaign variant qa/A: two.yaml with duration 20s; bbs.version 2016-11. The base's own description, before these overrides: 3 nodes, one proxy",
  );
  t.is(d!.scenario.description, 'my own words');
  // The words are not the configuration.
  t.is(configId(a!.scenario), configId({ ...a!.scenario, description: 'other' }));
});
