// topology.provider: docker in scenarios: the engine choice, and partitions only in the shapes a
// network disconnect can make (one node cut off from all the others), refused with the field and
// the fix otherwise.

import test from 'ava';
import { disconnectProblem, loneNode } from '../../lab/providers/docker/disconnect.ts';
import { partitionSides } from '../../lab/nemesis/schedule.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';
import { problems } from './scenario-problems.ts';

const base = (topology: string, nemesis = '') =>
  `name: d\nquestion: q\nduration: 60s\ntopology: { ${topology} }\nclients: { count: 2 }\n${nemesis}`;

test('provider docker with an engine choice validates; the engine is optional and only for docker', (t) => {
  const s = parseScenario(base('nodes: 3, provider: docker, engine: lab'));
  t.is(s.topology.provider, 'docker');
  t.is(s.topology.engine, 'lab');
  t.is(
    parseScenario(base('nodes: 3, provider: docker')).topology.engine,
    undefined,
    'auto when left out',
  );
  t.deepEqual(problems(base('nodes: 3, provider: docker, engine: podman')), [
    'topology.engine: must be auto, real or lab, got "podman"',
  ]);
  t.deepEqual(problems(base('nodes: 3, engine: lab')), [
    'topology.engine: only used with provider: docker; remove it or set topology.provider: docker',
  ]);
  t.deepEqual(problems(base('nodes: 3, provider: dockr')), [
    'topology.provider: must be local, external, docker or ssh, got "dockr"',
  ]);
});

test('docker partitions: isolate:<n> always, minority/halves/random on 3 nodes; the rest refused naming the fix', (t) => {
  const sched = (target: string) =>
    `nemesis:\n  schedule:\n    - { kind: partition, target: "${target}", at: 5s, duration: 5s }\n`;
  for (const ok of ['isolate:n2', 'minority', 'halves', 'random'])
    t.deepEqual(problems(base('nodes: 3, provider: docker', sched(ok))), [], ok);
  t.deepEqual(problems(base('nodes: 5, provider: docker', sched('isolate:n4'))), []);
  for (const bad of ['minority', 'halves', 'bridge', 'random']) {
    const p = problems(base('nodes: 5, provider: docker', sched(bad)));
    t.is(p.length, 1, bad);
    t.regex(
      p[0]!,
      /^nemesis\.schedule\[0\]\.target: provider docker partitions by network disconnect; .*cannot express; use isolate:<n1\|n2\|n3\|n4\|n5>$/,
      bad,
    );
  }
  t.deepEqual(
    problems(base('nodes: 5', sched('halves'))),
    [],
    'the local provider makes any shape with iptables',
  );
  const random = problems(
    base('nodes: 5, provider: docker', 'nemesis:\n  random: { kinds: [partition, kill] }\n'),
  );
  t.is(random.length, 1);
  t.regex(
    random[0]!,
    /^nemesis\.random\.kinds: provider docker partitions by network disconnect; .*leave partition out of the random kinds, or use 3 nodes$/,
  );
  t.deepEqual(
    problems(
      base(
        'nodes: 3, provider: docker',
        'nemesis:\n  random: { kinds: [partition, kill, pause] }\n',
      ),
    ),
    [],
  );
});

test('the shapes the validator lets through are the ones the nemesis can make: one node alone', (t) => {
  const three = ['n1', 'n2', 'n3'];
  for (const target of ['isolate:n1', 'minority', 'halves']) {
    for (const seed of [1, 2, 3, 42])
      t.not(loneNode(partitionSides(target, three, seed)), null, `${target} seed ${seed}`);
  }
  t.is(loneNode(partitionSides('isolate:n2', three, 0)), 'n2');
  const five = ['n1', 'n2', 'n3', 'n4', 'n5'];
  t.is(loneNode(partitionSides('minority', five, 0)), null);
  t.is(loneNode(partitionSides('bridge', five, 0)), null);
  t.is(disconnectProblem('isolate:n4', 5), null);
  t.regex(disconnectProblem('bridge', 5)!, /middle node/);
});
