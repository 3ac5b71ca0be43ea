// The start-up fault stories (lab/migration/stories/startup-*.ts) on real components: one 3-node
// Galera and a real etcd, each behind the lab's proxy (lab/migration/fault-stack.ts), started once
// for the file; each story plays on them with BBS nodes as OS processes and the lab's Consul agent,
// as `bbs-lab migrate startup-<fault>` does. Per profile and phase a story recounts from the run
// (the journal, and etcd compared with SQL) whether the migration ran exactly once and what was
// lost, and checks that against lab/migration/startup-outcomes.ts; this file asserts those checks
// and, independently of the prediction, the recounted figures of the cases that matter.

import test, { type ExecutionContext } from 'ava';
import { startFaultStack, type FaultStack } from '../../lab/migration/fault-stack.ts';
import { playStory } from '../../lab/migration/play.ts';
import type { StartupRow } from '../../lab/migration/startup-recount.ts';
import { startup1047 } from '../../lab/migration/stories/startup-1047.ts';
import { startup1213 } from '../../lab/migration/stories/startup-1213.ts';
import { startupLostConnection } from '../../lab/migration/stories/startup-lost-connection.ts';
import { startupRefused } from '../../lab/migration/stories/startup-refused.ts';
import type { MigrationStory } from '../../lab/migration/story.ts';

const BASE = '127.0.91';
let stack: FaultStack | undefined;

test.before(async (t) => {
  stack = await startFaultStack({ base: BASE, galeraNodes: 3, log: (m) => t.log(m) });
});

test.after.always(async () => {
  await stack?.stop();
});

async function play(
  t: ExecutionContext,
  story: MigrationStory,
  versions: string[],
  phases: string[],
): Promise<StartupRow[]> {
  const r = await playStory(story, BASE, {
    stores: stack!,
    versions,
    phases,
    log: (m) => (m.startsWith('story ') || m.startsWith('1047') ? t.log(m) : undefined),
  });
  for (const c of r.checks) t.true(c.ok, `${c.name}: ${c.detail}`);
  const rows = r.sections?.find((s) => s.key === 'startupFaults')?.data as StartupRow[];
  t.is(rows.length, versions.length * phases.length);
  return rows;
}

const row = (rows: StartupRow[], version: string, phase: string) => {
  const r = rows.find((x) => x.version === version && x.phase === phase);
  if (!r?.recount) throw new Error(`no played row for ${version} ${phase}`);
  return r.recount;
};

test.serial(
  'refused: masked on 2016-05 (serves), a rerun that loses everything on 2016-11; etcd refusing mid-copy loses the domains and desired LRPs',
  async (t) => {
    const rows = await play(
      t,
      startupRefused,
      ['2016-05', '2016-11'],
      ['version-read', 'copy-etcd'],
    );
    t.like(row(rows, '2016-05', 'version-read'), { exits: false, migrationRuns: 1, lost: 'none' });
    t.like(row(rows, '2016-11', 'version-read'), {
      exits: false,
      migrationRuns: 2,
      exactlyOnce: false,
      lost: 'every SQL record',
    });
    t.like(row(rows, '2016-11', 'copy-etcd'), {
      migrationRuns: 1,
      exactlyOnce: true,
      lost: 'domains and desired LRPs',
      lostDetail: '2 of 2 domains, 6 of 6 desiredLRPs',
    });
  },
);

test.serial(
  'lost connection: 2016-11 reruns, 2017-05 exits and the next start serves; INSERTs lost mid-copy are never copied again',
  async (t) => {
    const rows = await play(
      t,
      startupLostConnection,
      ['2016-11', '2017-05'],
      ['version-read', 'copy-sql'],
    );
    t.like(row(rows, '2016-11', 'version-read'), { migrationRuns: 2, lost: 'every SQL record' });
    t.like(row(rows, '2017-05', 'version-read'), {
      exits: true,
      migrationRuns: 1,
      exactlyOnce: true,
      lost: 'none',
    });
    t.like(row(rows, '2017-05', 'copy-sql'), {
      migrationRuns: 1,
      lost: 'domains and desired LRPs',
    });
  },
);

test.serial(
  '1047 for real (n1 cut off from n2 and n3): the version read gets 1047 on every profile; 2016-11 reruns, 2017-09 exits',
  async (t) => {
    const rows = await play(t, startup1047, ['2016-05', '2016-11', '2017-09'], ['version-read']);
    for (const v of ['2016-05', '2016-11', '2017-09'])
      t.regex(
        row(rows, v, 'version-read').hitHow,
        /1047: WSREP has not yet prepared node for application use/,
        v,
      );
    t.like(row(rows, '2016-05', 'version-read'), { exits: false, migrationRuns: 1, lost: 'none' });
    t.like(row(rows, '2016-11', 'version-read'), { migrationRuns: 2, lost: 'every SQL record' });
    t.like(row(rows, '2017-09', 'version-read'), { exits: true, migrationRuns: 1, lost: 'none' });
    const copy = await play(t, startup1047, ['2017-09'], ['copy-sql']);
    t.like(row(copy, '2017-09', 'copy-sql'), {
      migrationRuns: 1,
      exactlyOnce: true,
      lost: 'domains and desired LRPs',
    });
  },
);

test.serial('1213: not played; every row from the code, labelled, with the reason', async (t) => {
  const rows = await play(t, startup1213, ['2016-05', '2016-11'], ['version-read', 'copy-sql']);
  t.true(
    rows.every((r) => r.source === 'from the code' && /cannot be made on demand/.test(r.why ?? '')),
  );
});
