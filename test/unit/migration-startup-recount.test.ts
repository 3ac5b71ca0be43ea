// The figures of the start-up fault stories' reports (lab/migration/startup-recount.ts,
// startup-story.ts's pure parts), each on a small run written out by hand; and the `version` and
// `phase` options of their scenario files.

import test from 'ava';
import fc from 'fast-check';
import type { Difference } from '../../bbs/migrations/compare.ts';
import type { JournalEvent } from '../../bbs/migrations/journal.ts';
import {
  ETCD_TO_SQL_VERSION as E2S,
  LAST_ETCD_VERSION as LAST,
} from '../../bbs/migrations/versions.ts';
import { profileOf } from '../../bbs/versions/index.ts';
import { faultProblem } from '../../lab/migration/fault-stack.ts';
import { startupOutcome } from '../../lab/migration/startup-outcomes.ts';
import {
  disagreements,
  faultSeen,
  fromCodeRow,
  lossKind,
  playedRow,
  recount,
  startupAnswer,
  startupTable,
  type PlayEvidence,
  type RecordCounts,
} from '../../lab/migration/startup-recount.ts';
import { missingCounts, notPlayedBecause, playList } from '../../lab/migration/startup-story.ts';
import { parseMigrationScenario, renderMigrationReport } from '../../lab/runner/migration-run.ts';
import { ScenarioError } from '../../lab/scenario/validate.ts';

const SEED: RecordCounts = { domains: 2, desiredLRPs: 6, actualLRPs: 12, tasks: 8 };
const NONE: RecordCounts = { domains: 0, desiredLRPs: 0, actualLRPs: 0, tasks: 0 };
let t0 = 0;
const ev = (
  node: string,
  kind: JournalEvent['kind'],
  version: number,
  extra: Partial<JournalEvent> = {},
): JournalEvent => ({ t: ++t0, node, kind, version, ...extra });

/**
 * 2016-11, version read refused: dual-1 migrates; dual-2's read fails, is masked, and it reruns;
 * dual-3 serves.
 */
const rerunJournal: JournalEvent[] = [
  ev('dual-1', 'lock-acquired', 0),
  ev('dual-1', 'version-read', 0, { store: 'sql', detail: '{"value":null}' }),
  ev('dual-1', 'migration-start', E2S, { detail: 'with the etcd client' }),
  ev('dual-1', 'migration-done', E2S, {
    detail: '{"copied":{"domains":2},"skipped":{"failedInserts":0},"failedReads":[]}',
  }),
  ev('dual-1', 'serving', E2S),
  ev('dual-1', 'exit', 0, { detail: 'stopped' }),
  ev('dual-2', 'version-read', -1, {
    store: 'sql',
    detail: '{"error":"ECONNREFUSED: connect ECONNREFUSED 127.0.91.5:3306"}',
  }),
  ev('dual-2', 'version-read', LAST + 1, { store: 'etcd', detail: '{}' }),
  ev('dual-2', 'migration-start', E2S, { detail: 'without the etcd client' }),
  ev('dual-2', 'migration-done', E2S, { detail: '{"copied":{},"skipped":{}}' }),
  ev('dual-2', 'exit', 0, { detail: 'stopped' }),
  ev('dual-3', 'serving', E2S),
];

test("a rerun after the tables were dropped: two runs, every SQL record lost, as 2016-11's code says", (t) => {
  const e: PlayEvidence = {
    events: rerunJournal,
    faulted: 'dual-2',
    phase: 'version-read',
    inEtcd: SEED,
    missing: SEED,
    acknowledged: 3,
    acknowledgedMissing: 3,
  };
  const r = recount(e);
  t.deepEqual(r, {
    hit: true,
    hitHow: 'the SQL version read failed: ECONNREFUSED: connect ECONNREFUSED 127.0.91.5:3306',
    exits: false,
    migrationRuns: 2,
    exactlyOnce: false,
    lost: 'every SQL record',
    lostRecords: 2 + 6 + 12 + 8 + 3,
    lostDetail:
      '2 of 2 domains, 6 of 6 desiredLRPs, 12 of 12 actualLRPs, 8 of 8 tasks, 3 of 3 acknowledged writes',
  });
  t.deepEqual(
    disagreements(r, startupOutcome(profileOf('2016-11').behaviour, 'version-read', 'refused')),
    [],
  );
  // The same run set beside 2017-05's code: every field that differs is named.
  t.deepEqual(
    disagreements(r, startupOutcome(profileOf('2017-05').behaviour, 'version-read', 'refused')),
    [
      'the BBS did not exit; the code says it exits',
      'the migration ran 2 times; the code says 1',
      'lost: every SQL record (2 of 2 domains, 6 of 6 desiredLRPs, 12 of 12 actualLRPs, 8 of 8 tasks, 3 of 3 acknowledged writes); the code says none',
    ],
  );
});

test('a fatal version read: the node exits (code 1), the next start serves; one run, nothing lost', (t) => {
  const events = [
    ...rerunJournal.slice(0, 6),
    ev('dual-2', 'version-read', -1, {
      store: 'sql',
      detail: '{"error":"1047: WSREP has not yet prepared node for application use"}',
    }),
    ev('dual-2', 'exit', 1, { detail: 'reading the SQL version: 1047' }),
    ev('dual-3', 'serving', E2S),
  ];
  const r = recount({
    events,
    faulted: 'dual-2',
    phase: 'version-read',
    inEtcd: SEED,
    missing: NONE,
    acknowledged: 3,
    acknowledgedMissing: 0,
  });
  t.like(r, {
    hit: true,
    exits: true,
    migrationRuns: 1,
    exactlyOnce: true,
    lost: 'none',
    lostRecords: 0,
    lostDetail: 'nothing',
  });
  t.deepEqual(
    disagreements(r, startupOutcome(profileOf('2017-09').behaviour, 'version-read', '1047')),
    [],
  );
});

test('the copy: failed INSERTs and failed etcd reads show in the migration report; a read that did not fail is no hit', (t) => {
  const done = (detail: string) => [
    ev('dual-1', 'migration-start', E2S),
    ev('dual-1', 'migration-done', E2S, { detail }),
  ];
  t.is(
    faultSeen(
      done('{"copied":{},"skipped":{"failedInserts":8},"failedReads":[]}'),
      'dual-1',
      'copy-sql',
    ),
    '8 INSERTs failed, logged and skipped',
  );
  t.is(
    faultSeen(
      done('{"copied":{},"skipped":{"failedInserts":0},"failedReads":["domains","desired-lrps"]}'),
      'dual-1',
      'copy-etcd',
    ),
    'etcd reads failed, logged, nothing of them copied: domains, desired-lrps',
  );
  t.is(
    faultSeen(
      done('{"copied":{},"skipped":{"failedInserts":0},"failedReads":[]}'),
      'dual-1',
      'copy-sql',
    ),
    null,
  );
  t.is(
    faultSeen(done('{"copied":{},"skipped":{"failedInserts":8}}'), 'dual-2', 'copy-sql'),
    null,
    'only the faulted node counts',
  );
  t.is(
    faultSeen(rerunJournal, 'dual-1', 'version-read'),
    null,
    'dual-1 read "no version", not an error',
  );
  const r = recount({
    events: done('{"copied":{},"skipped":{"failedInserts":8},"failedReads":[]}'),
    faulted: 'dual-1',
    phase: 'copy-sql',
    inEtcd: SEED,
    missing: { ...NONE, domains: 2, desiredLRPs: 6 },
    acknowledged: 3,
    acknowledgedMissing: 0,
  });
  t.like(r, {
    exits: false,
    migrationRuns: 1,
    exactlyOnce: true,
    lost: 'domains and desired LRPs',
    lostRecords: 8,
    lostDetail: '2 of 2 domains, 6 of 6 desiredLRPs',
  });
  t.deepEqual(
    disagreements(r, startupOutcome(profileOf('2016-05').behaviour, 'copy-sql', 'lost-connection')),
    [],
  );
});

test('the kinds of loss, worked out by hand', (t) => {
  t.is(lossKind(SEED, NONE, 3, 0), 'none');
  t.is(lossKind(SEED, SEED, 3, 3), 'every SQL record');
  t.is(lossKind(SEED, { ...NONE, domains: 2, desiredLRPs: 6 }, 3, 0), 'domains and desired LRPs');
  t.is(lossKind(SEED, { ...NONE, domains: 1, desiredLRPs: 6 }, 3, 0), 'other', 'one domain kept');
  t.is(
    lossKind(SEED, { ...NONE, domains: 2, desiredLRPs: 6 }, 3, 1),
    'other',
    'and an acknowledged write',
  );
  t.is(
    lossKind(SEED, SEED, 3, 2),
    'other',
    'one acknowledged write survived a drop: not every record',
  );
  t.is(lossKind(SEED, NONE, 3, 1), 'other');
});

test('property: the kind of loss against a plain reading of its definition', (t) => {
  const counts = fc.record({
    domains: fc.nat(3),
    desiredLRPs: fc.nat(3),
    actualLRPs: fc.nat(3),
    tasks: fc.nat(3),
  });
  fc.assert(
    fc.property(counts, fc.nat(3), fc.func(fc.nat()), fc.nat(), (inEtcd, ack, pick, ackPick) => {
      const keys = ['domains', 'desiredLRPs', 'actualLRPs', 'tasks'] as const;
      const missing = Object.fromEntries(
        keys.map((k, i) => [k, pick(i) % (inEtcd[k] + 1)]),
      ) as unknown as RecordCounts;
      const ackMissing = ackPick % (ack + 1);
      const lostKeys = keys.filter((k) => missing[k] > 0);
      const allGone = keys.every((k) => missing[k] === inEtcd[k]) && ackMissing === ack;
      const expected =
        lostKeys.length === 0 && ackMissing === 0
          ? 'none'
          : allGone
            ? 'every SQL record'
            : missing.domains === inEtcd.domains &&
                missing.desiredLRPs === inEtcd.desiredLRPs &&
                missing.actualLRPs === 0 &&
                missing.tasks === 0 &&
                ackMissing === 0
              ? 'domains and desired LRPs'
              : 'other';
      return lossKind(inEtcd, missing, ack, ackMissing) === expected;
    }),
  );
  t.pass();
});

test('property: migration runs are the etcd-to-SQL starts of any node, whatever else the journal holds', (t) => {
  const kinds = [
    'migration-start',
    'migration-done',
    'version-read',
    'serving',
    'exit',
    'lock-acquired',
  ] as const;
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          node: fc.constantFrom('dual-1', 'dual-2', 'dual-3'),
          kind: fc.constantFrom(...kinds),
          version: fc.constantFrom(E2S, LAST, 0),
        }),
        { maxLength: 30 },
      ),
      (es) => {
        const events = es.map((e, i) => ({ t: i, ...e }));
        const r = recount({
          events,
          faulted: 'dual-2',
          phase: 'version-read',
          inEtcd: SEED,
          missing: NONE,
          acknowledged: 0,
          acknowledgedMissing: 0,
        });
        const starts = es.filter((e) => e.kind === 'migration-start' && e.version === E2S).length;
        return (
          r.migrationRuns === starts &&
          r.exactlyOnce === (starts === 1) &&
          r.exits === es.some((e) => e.node === 'dual-2' && e.kind === 'exit' && e.version !== 0)
        );
      },
    ),
  );
  t.pass();
});

test('the final comparison: records etcd has and SQL lacks, per kind; SQL-only extras do not count', (t) => {
  const d = (kind: Difference['kind'], etcd: unknown, sql: unknown): Difference => ({
    kind,
    key: 'k',
    etcd,
    sql,
  });
  t.deepEqual(
    missingCounts([
      d('domain', {}, null),
      d('domain', {}, null),
      d('desiredLRP', {}, {}),
      d('task', null, {}),
      d('actualLRP', {}, null),
    ]),
    { domains: 2, desiredLRPs: 1, actualLRPs: 1, tasks: 0 },
  );
});

const rowBase = (
  version: string,
  phase: 'version-read' | 'copy-sql',
  fault: 'refused' | '1213',
) => ({
  version,
  label: `BBS ${version}`,
  phase,
  fault,
  predicted: startupOutcome(profileOf(version).behaviour, phase, fault),
});

test('the report table and answer: played rows with their recount, rows from the code with a numbered reason', (t) => {
  const rerun = recount({
    events: rerunJournal,
    faulted: 'dual-2',
    phase: 'version-read',
    inEtcd: SEED,
    missing: SEED,
    acknowledged: 3,
    acknowledgedMissing: 3,
  });
  const rows = [
    playedRow(rowBase('2016-11', 'version-read', 'refused'), rerun),
    // A played run that disagrees with the code must say so.
    playedRow(rowBase('2017-09', 'version-read', 'refused'), rerun),
    fromCodeRow(rowBase('2016-03', 'version-read', 'refused'), 'no SQL version'),
    fromCodeRow(rowBase('2016-05', 'copy-sql', '1213'), 'cannot be made on demand'),
  ];
  const md = startupTable(rows).split('\n');
  t.is(md.length, 2 + 4 + 5);
  t.is(
    md[2],
    '| BBS 2016-11 | version read | played (the SQL version read failed: ECONNREFUSED: connect ECONNREFUSED 127.0.91.5:3306) | **no** (2 runs) | **every SQL record: 2 of 2 domains, 6 of 6 desiredLRPs, 12 of 12 actualLRPs, 8 of 8 tasks, 3 of 3 acknowledged writes** | **no** (2 runs); lost: **every SQL record** | yes |',
  );
  t.regex(
    md[3]!,
    /\| yes \(1 run\), the BBS exited first; lost: none \| \*\*NO\*\*: the BBS did not exit; the code says it exits; the migration ran 2 times; the code says 1; lost: every SQL record/,
  );
  t.is(
    md[4],
    '| BBS 2016-03 | version read | from the code only (1) | — | — | does not apply | — |',
  );
  t.is(
    md[5],
    '| BBS 2016-05 | first copy (SQL) | from the code only (2) | yes (1 run) | **domains and desired LRPs** | yes (1 run); lost: **domains and desired LRPs** | — |',
  );
  t.deepEqual(md.slice(6), [
    '',
    'Not played:',
    '',
    '1. no SQL version.',
    '2. cannot be made on demand.',
  ]);
  t.is(
    startupAnswer(rows),
    "Played 2 profile runs: the migration ran exactly once in 0, and records were lost in 2 (2016-11 version read: 2 of 2 domains, 6 of 6 desiredLRPs, 12 of 12 actualLRPs, 8 of 8 tasks, 3 of 3 acknowledged writes; 2017-09 version read: 2 of 2 domains, 6 of 6 desiredLRPs, 12 of 12 actualLRPs, 8 of 8 tasks, 3 of 3 acknowledged writes). 1 played run DISAGREES with the code's outcome: 2017-09 version read (the BBS did not exit; the code says it exits; the migration ran 2 times; the code says 1; lost: every SQL record (2 of 2 domains, 6 of 6 desiredLRPs, 12 of 12 actualLRPs, 8 of 8 tasks, 3 of 3 acknowledged writes); the code says none). 2 rows are from the code only (not played; each says why).",
  );
});

test('a fault that never reached the BBS is a disagreement, not a silent agreement', (t) => {
  const r = recount({
    events: rerunJournal,
    faulted: 'dual-1',
    phase: 'version-read',
    inEtcd: SEED,
    missing: NONE,
    acknowledged: 0,
    acknowledgedMissing: 0,
  });
  t.false(r.hit);
  t.deepEqual(playedRow(rowBase('2016-05', 'version-read', 'refused'), r).differences, [
    'the fault did not reach the BBS: nothing to compare',
  ]);
});

test('what is played: every profile by default; 2016-03, today and a 1213 from the code, each with its reason', (t) => {
  t.is(playList({ phases: ['version-read', 'copy-sql'] }, {}).length, 7 * 2);
  t.deepEqual(
    playList(
      { phases: ['version-read', 'copy-sql'] },
      { versions: ['2016-11'], phases: ['copy-sql'] },
    ),
    [{ version: '2016-11', phase: 'copy-sql' }],
  );
  t.is(notPlayedBecause({ fault: 'refused' }, '2016-05', 'version-read'), null);
  t.regex(notPlayedBecause({ fault: 'refused' }, '2016-03', 'copy-sql')!, /etcd only/);
  t.regex(
    notPlayedBecause({ fault: 'refused' }, 'today', 'copy-etcd')!,
    /no etcd-to-SQL migration/,
  );
  t.regex(
    notPlayedBecause({ fault: 'refused' }, 'today', 'version-read')!,
    /SQL-only restart is not played/,
  );
  t.is(
    notPlayedBecause({ fault: '1213', notPlayable: 'why not' }, '2016-11', 'version-read'),
    'why not',
  );
  t.is(
    faultProblem('1047', 'sql', 1),
    'a 1047 needs a Galera node cut off from a majority: the story must run 3 Galera nodes (galeraNodes: 3)',
  );
  t.is(faultProblem('1047', 'sql', 3), null);
  t.regex(faultProblem('1047', 'etcd', 3)!, /hits SQL, not etcd/);
  t.is(faultProblem('refused', 'etcd', 1), null);
});

const doc = (migration: string) => `name: s\nquestion: q?\nmigration: ${migration}\n`;

test('migration.version: one profile or a list; a bad value names the field and the known versions', (t) => {
  t.like(parseMigrationScenario(doc('{ story: startup-refused, version: 2016-11 }'), 's.yaml'), {
    versions: ['2016-11'],
  });
  t.like(
    parseMigrationScenario(
      doc('{ story: startup-1047, version: [2016-05, today], phase: copy-sql }'),
      's.yaml',
    ),
    { versions: ['2016-05', 'today'], phases: ['copy-sql'] },
  );
  const bad = t.throws(
    () =>
      parseMigrationScenario(
        doc('{ story: startup-refused, version: [2016-11, 2016-07] }'),
        's.yaml',
      ),
    { instanceOf: ScenarioError },
  );
  t.deepEqual(bad!.problems, [
    'migration.version: unknown BBS version "2016-07"; known: 2016-03, 2016-05, 2016-11, 2017-05, 2017-06, 2017-09, today (one, or a list)',
  ]);
  const phase = t.throws(
    () => parseMigrationScenario(doc('{ story: startup-1047, phase: copy-etcd }'), 's.yaml'),
    { instanceOf: ScenarioError },
  );
  t.deepEqual(phase!.problems, [
    'migration.phase: unknown phase "copy-etcd"; known: version-read, copy-sql (one, or a list)',
  ]);
  const other = t.throws(
    () => parseMigrationScenario(doc('{ story: gap, version: 2016-11 }'), 's.yaml'),
    { instanceOf: ScenarioError },
  );
  t.deepEqual(other!.problems, [
    'migration.version: only used by story startup-refused, startup-lost-connection, startup-1047, startup-1213; remove it',
  ]);
  const twice = t.throws(
    () =>
      parseMigrationScenario(
        doc('{ story: startup-refused, version: [2016-11, 2016-11] }'),
        's.yaml',
      ),
    { instanceOf: ScenarioError },
  );
  t.deepEqual(twice!.problems, ['migration.version: a BBS version is listed twice']);
});

test('report.md of a start-up story: the per-profile answer opens the answer, the table comes before the checks', (t) => {
  const s = {
    name: 'migrate-startup-refused',
    description: '',
    question: 'Exactly once?',
    story: 'startup-refused',
  };
  const md = renderMigrationReport(s, 'run-1', {
    scenario: 'startup-refused',
    checks: [{ name: 'c', ok: true, detail: '' }],
    holders: '',
    sections: [
      {
        title: 'Per profile',
        key: 'startupFaults',
        markdown: '| t |',
        data: [],
        answer: 'Played 1 profile run.',
      },
    ],
  });
  t.regex(
    md,
    /\*\*Answer from this run\.\*\* Played 1 profile run\. All 1 acceptance checks passed on a real etcd and a real 1-node Galera, each behind the lab's proxy/,
  );
  t.true(md.indexOf('## Per profile\n\n| t |') < md.indexOf('## Checks'));
  t.regex(md, /the story's steps in history\.jsonl/);
});
