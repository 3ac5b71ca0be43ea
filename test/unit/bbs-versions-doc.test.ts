// docs/bbs-versions.md, the tasks / desired LRPs / domains tables: every op the workload runs for
// those records has its three rows, and every profile cell cites that profile's commit, its date
// and a Go file of cloudfoundry/bbs.

import test from 'ava';
import { readFileSync } from 'node:fs';
import { BBS_PROFILES } from '../../bbs/versions/index.ts';

const doc = readFileSync(new URL('../../docs/bbs-versions.md', import.meta.url), 'utf8');
const section = doc.slice(
  doc.indexOf('## Tasks, desired LRPs and domains'),
  doc.indexOf('## Actual LRPs, the retry loop'),
);
const rows = section
  .split('\n')
  .filter((l) => l.startsWith('| ') && !l.startsWith('| op |') && !l.startsWith('| ---'));
const cells = (l: string): string[] => l.slice(2, -2).split(' | ');

test('the section is there, before the actual LRP, lock and migration sections', (t) => {
  t.true(section.length > 0);
  for (const h of [
    '## Actual LRPs, the retry loop and what the client is told',
    '## The BBS lock',
    '## The migration manager and the etcd-to-SQL migration',
  ])
    t.true(doc.includes(h), h);
  t.false(/PIN_|DATE_2016/.test(doc));
});

test('every task, desired LRP and domain op has its statements, transaction and refusals rows', (t) => {
  const ops = [
    'DesireTask',
    'StartTask',
    'CompleteTask',
    'CancelTask',
    'FailTask',
    'ResolvingTask',
    'DeleteTask',
    'TaskByGuid',
    'DesireLRP',
    'UpdateDesiredLRP',
    'RemoveDesiredLRP',
    'DesiredLRPByProcessGuid',
    'UpsertDomain',
    'Domains',
  ];
  for (const op of ops) {
    const aspects = rows.filter((l) => cells(l)[0]!.split(' ')[0] === op).map((l) => cells(l)[1]);
    t.deepEqual(aspects, ['statements, locks', 'transaction', 'refusals, errors'], op);
  }
});

test('every profile cell cites the profile commit, its date and a Go file', (t) => {
  t.true(rows.length >= 42);
  for (const l of rows) {
    const c = cells(l);
    t.is(c.length, 2 + BBS_PROFILES.length, l.slice(0, 80));
    BBS_PROFILES.forEach((p, i) => {
      t.regex(
        c[2 + i]!,
        new RegExp(` · ${p.commit} ${p.date} db/sqldb/[\\w/]+\\.go$`),
        `${c[0]} ${c[1]} at ${p.name}`,
      );
    });
  }
});

test('every behaviour × profile table in the doc, actual LRPs, lock and migrations included, cites a commit in every profile cell', (t) => {
  const lines = doc.split('\n');
  let header: string[] | null = null;
  let checked = 0;
  for (const l of lines) {
    if (!l.startsWith('| ')) {
      header = null;
      continue;
    }
    const c = cells(l);
    if (header === null) {
      header = c;
      continue;
    }
    if (l.startsWith('| ---')) continue;
    const profileCols = header
      .map((h, i) => [h.replace(/`/g, ''), i] as const)
      .filter(([h]) => BBS_PROFILES.some((p) => p.name === h));
    if (profileCols.length < BBS_PROFILES.length) continue;
    for (const [name, i] of profileCols) {
      t.regex(c[i] ?? '', /\b[0-9a-f]{8}\b/, `${c[0]} at ${name}: no commit id`);
      checked++;
    }
  }
  // 7 profiles × (tasks/desired/domains 42 rows + the actual LRP, lock and migration rows).
  t.true(checked >= 7 * 60, `only ${checked} cells checked`);
});
