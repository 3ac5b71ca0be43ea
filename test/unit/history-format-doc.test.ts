import test from 'ava';
import { readFileSync } from 'node:fs';
import { FINAL_READ } from '../../lab/history/event.ts';
import { SCHEDULE_END_KIND, SCHEDULE_KIND } from '../../lab/report/rate.ts';

test('docs/history-format.md names every op and event a run writes', (t) => {
  const doc = readFileSync('docs/history-format.md', 'utf8');
  const section = doc.slice(doc.indexOf('## What a run writes'));
  t.true(section.length > 100, 'the section exists');
  // The switchboard's event types (lab/routing/switchboard/types.ts) as the runner prefixes them.
  const proxyTypes = [
    ...readFileSync('lab/routing/switchboard/types.ts', 'utf8').matchAll(/type: '([a-z-]+)'/g),
  ].map((m) => `proxy-${m[1]}`);
  t.true(proxyTypes.length >= 4);
  const leader = readFileSync('lab/routing/leader.ts', 'utf8');
  const consul = /event: ('[a-z-]+'(?: \| '[a-z-]+')*)/
    .exec(leader)![1]!
    .split(' | ')
    .map((x) => `consul-${x.slice(1, -1)}`);
  // The route watch's marks (lab/runner/route-watch.ts).
  const watch = [
    ...readFileSync('lab/runner/route-watch.ts', 'utf8').matchAll(/kind: '([a-z-]+)'/g),
  ].map((m) => m[1]!);
  t.true(watch.length >= 2);
  for (const name of [
    FINAL_READ,
    SCHEDULE_KIND,
    SCHEDULE_END_KIND,
    'recovered',
    'resolution',
    'wallMs',
    ...proxyTypes,
    ...consul,
    ...watch,
  ])
    t.true(section.includes(name), `${name} is described`);
});
