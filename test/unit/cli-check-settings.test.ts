// `bbs-lab check <run dir>` judges causes with the run's own settings (scenario.yaml's
// database.syncWait): two sequential StartTasks on two nodes are a stale read without sync wait,
// and a store logic bug with wsrep_sync_wait 7, where no lag is possible (issue 27).

import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFile } from '../../lab/cli/check.ts';

const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-check-settings-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const MS = 1e6;
const rec = (cellId: string) => ({
  shouldStart: true,
  record: {
    taskGuid: 't',
    domain: 'cf-tasks',
    state: 'RUNNING',
    cellId,
    result: '',
    failed: false,
    failureReason: '',
  },
});

function runDir(name: string, syncWait: number | null): string {
  const d = join(dir, name);
  mkdirSync(d);
  // Op 0 StartTask cell-a on n1, 0–10 ms; op 1 StartTask cell-b on n2, 20–30 ms: the task on two
  // cells.
  const ev = [
    {
      type: 'invoke',
      index: 0,
      time: 0,
      op: 0,
      process: 0,
      client: 0,
      f: 'StartTask',
      key: 'task/t',
      value: { f: 'StartTask', args: { taskGuid: 't', cellId: 'cell-a' } },
    },
    {
      type: 'ok',
      index: 1,
      time: 10 * MS,
      op: 0,
      process: 0,
      client: 0,
      f: 'StartTask',
      key: 'task/t',
      node: 'n1',
      value: rec('cell-a'),
    },
    {
      type: 'invoke',
      index: 2,
      time: 20 * MS,
      op: 1,
      process: 1,
      client: 1,
      f: 'StartTask',
      key: 'task/t',
      value: { f: 'StartTask', args: { taskGuid: 't', cellId: 'cell-b' } },
    },
    {
      type: 'ok',
      index: 3,
      time: 30 * MS,
      op: 1,
      process: 1,
      client: 1,
      f: 'StartTask',
      key: 'task/t',
      node: 'n2',
      value: rec('cell-b'),
    },
  ];
  writeFileSync(join(d, 'history.jsonl'), `${ev.map((e) => JSON.stringify(e)).join('\n')}\n`);
  writeFileSync(
    join(d, 'scenario.yaml'),
    `name: x\nbbs:\n  version: today\n${syncWait === null ? '' : `database:\n  syncWait: ${syncWait}\n`}`,
  );
  return d;
}

function causesOf(d: string): string[] {
  const v = checkFile(join(d, 'history.jsonl'), d, {});
  return (v.report?.causes ?? [])
    .filter((c) => c.anomaly === 'task-started-on-two-cells')
    .map((c) => c.cause);
}

test("the run directory's wsrep_sync_wait decides whether a double start can be a stale read", (t) => {
  t.deepEqual(causesOf(runDir('no-sync-wait', null)), ['stale-read']);
  t.deepEqual(causesOf(runDir('sync-wait-0', 0)), ['stale-read']);
  t.deepEqual(causesOf(runDir('sync-wait-7', 7)), ['store-logic']);
});
