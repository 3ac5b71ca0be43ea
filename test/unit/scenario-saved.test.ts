import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { repeatCommand } from '../../lab/report/repeat.ts';
import { savedScenario } from '../../lab/scenario/saved.ts';
import { loadScenarioYaml, validateScenario } from '../../lab/scenario/validate.ts';

const dir = join(import.meta.dirname, '..', '..', 'scenarios');
const runScenarios = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ f, raw: loadScenarioYaml(readFileSync(join(dir, f), 'utf8'), f) }))
  // Migration stories and the scale file have their own schemas.
  .filter(({ raw }) => {
    const r = raw as { kind?: unknown; sizes?: unknown; migration?: unknown };
    return r.kind === undefined && r.sizes === undefined && !('migration' in r);
  });

test('every shipped scenario, saved as a run saves it, reads back as the same scenario', (t) => {
  t.true(runScenarios.length >= 10, 'the scenarios folder was read');
  for (const { f, raw } of runScenarios) {
    const s = validateScenario(raw, f);
    const text = stringify(savedScenario(s, 7));
    const back = parse(text) as { seed?: number };
    t.is(back.seed, 7, f);
    t.deepEqual(
      validateScenario(back, f),
      validateScenario({ ...(raw as object), seed: 7 }, f),
      `${f}: the saved file repeats the run`,
    );
  }
});

test("a BBS run's saved scenario leaves out list-append's fields, and the reverse", (t) => {
  const bbs = validateScenario(
    { name: 'x', question: 'q?', duration: 5, topology: { nodes: 1 }, clients: { count: 1 } },
    'x',
  );
  const saved = savedScenario(bbs, 1) as { workload: Record<string, unknown> };
  t.deepEqual(Object.keys(saved.workload).sort(), [
    'cells',
    'desiredLRPs',
    'instances',
    'kind',
    'mix',
    'tasks',
  ]);
  const append = validateScenario(
    {
      name: 'y',
      question: 'q?',
      duration: 5,
      topology: { nodes: 1 },
      clients: { count: 1 },
      workload: { kind: 'list-append' },
    },
    'y',
  );
  const a = savedScenario(append, 1) as { workload: Record<string, unknown> };
  t.deepEqual(Object.keys(a.workload).sort(), ['isolation', 'keys', 'kind', 'txnLength']);
});

test('an empty random schedule is left out; one with kinds is kept whole', (t) => {
  const base = {
    name: 'x',
    question: 'q?',
    duration: 5,
    topology: { nodes: 3 },
    clients: { count: 1 },
  };
  const none = savedScenario(validateScenario(base, 'x'), 1) as { nemesis: object };
  t.deepEqual(none.nemesis, { schedule: [] });
  const some = savedScenario(
    validateScenario({ ...base, nemesis: { random: { kinds: ['kill'] } } }, 'x'),
    1,
  ) as { nemesis: { random: { kinds: string[]; interval: number } } };
  t.deepEqual(some.nemesis.random.kinds, ['kill']);
  t.is(some.nemesis.random.interval, 15);
});

test('the repeat command names the run’s own scenario file, from the project root when inside it', (t) => {
  t.is(
    repeatCommand('/p/findings/runs/2026-x', 3, '/p'),
    'node bin/bbs-lab.js run findings/runs/2026-x/scenario.yaml --seed 3',
  );
  t.is(
    repeatCommand('/tmp/out/run-1', 9, '/p'),
    'node bin/bbs-lab.js run /tmp/out/run-1/scenario.yaml --seed 9',
  );
  t.is(
    repeatCommand("/tmp/it's here", 1, '/p'),
    "node bin/bbs-lab.js run '/tmp/it'\\''s here/scenario.yaml' --seed 1",
  );
  // A sibling whose name starts with the root's is outside it.
  t.is(repeatCommand('/p2/run', 1, '/p'), 'node bin/bbs-lab.js run /p2/run/scenario.yaml --seed 1');
});
