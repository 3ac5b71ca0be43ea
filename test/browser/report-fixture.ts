// A small fixed history for the report tests (unit and browser): 8 ops on 4 processes and 3 nodes,
// two fault windows, two 1213s, a lost connection, one op never completed, writes on two nodes in
// second 0 (multi-master) and on a third node in second 3.

import type { HistoryEvent } from '../../lab/history/event.ts';

export const T0 = 1e9;
const S = 1e9;

export function fixtureHistory(): HistoryEvent[] {
  let index = 0;
  const out: HistoryEvent[] = [];
  const op = (
    id: number,
    process: number,
    f: string,
    key: string,
    t0: number,
    t1: number | null,
    type: 'ok' | 'fail' | 'info',
    extra: Record<string, unknown> = {},
  ) => {
    const base = { op: id, process, client: process % 3, f, key };
    const taskGuid = key.slice(5);
    const args: Record<string, Record<string, unknown>> = {
      DesireTask: { taskGuid, domain: 'd' },
      TaskByGuid: { taskGuid },
      StartTask: { taskGuid, cellId: `cell-${process}` },
      CompleteTask: {
        taskGuid,
        cellId: `cell-${process}`,
        failed: false,
        failureReason: '',
        result: 'r',
      },
    };
    out.push({
      type: 'invoke',
      index: index++,
      time: T0 + t0 * S,
      ...base,
      value: { f, args: args[f] },
    });
    if (t1 !== null)
      out.push({ type, index: index++, time: T0 + t1 * S, ...base, ...extra } as HistoryEvent);
  };
  const nem = (t: number, phase: 'start' | 'stop', fault: string, kind: string, target: string) =>
    out.push({
      type: 'nemesis',
      index: index++,
      time: T0 + t * S,
      phase,
      fault,
      kind,
      detail: { target },
    });
  op(1, 0, 'DesireTask', 'task/a', 0, 0.2, 'ok', { node: 'n1', value: {} });
  op(2, 1, 'DesireTask', 'task/b', 0.15, 0.3, 'ok', { node: 'n2', value: {} });
  op(3, 0, 'TaskByGuid', 'task/a', 1.0, 1.1, 'ok', { node: 'n1', value: { record: null } });
  nem(2, 'start', 'partition-1', 'partition', 'n1');
  op(4, 1, 'StartTask', 'task/b', 2.1, 2.3, 'fail', {
    node: 'n2',
    error: { errno: 1213, message: 'Deadlock found', phase: 'statement' },
  });
  op(5, 2, 'StartTask', 'task/a', 2.2, 3.0, 'info', {
    node: 'n1',
    error: { code: 'PROTOCOL_CONNECTION_LOST', message: 'lost' },
  });
  nem(3.5, 'stop', 'partition-1', 'partition', 'n1');
  op(6, 3, 'CompleteTask', 'task/a', 3.6, 3.7, 'ok', { node: 'n3', value: {} });
  nem(4, 'start', 'kill-1', 'kill', 'n2');
  op(7, 0, 'StartTask', 'task/b', 4.1, 4.2, 'fail', {
    node: 'n1',
    error: { errno: 1213, message: 'Deadlock found', phase: 'commit' },
  });
  nem(4.5, 'stop', 'kill-1', 'kill', 'n2');
  op(8, 1, 'TaskByGuid', 'task/b', 4.3, null, 'ok');
  out.sort((a, b) => a.time - b.time);
  out.forEach((e, i) => {
    e.index = i;
  });
  return out;
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderRun } from '../../lab/report/write.ts';
import { runDirPaths, type RunDir } from '../../lab/runner/run-dir.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';

export const fixtureScenario = () =>
  parseScenario(
    'name: report-fixture\nquestion: Do 1213s happen when writes reach two nodes?\nduration: 5\ntopology: {nodes: 3}\nclients: {count: 3, via: nodes}\nbbs: {version: 2016-03}\n',
  );

/** Writes the fixture history into a fresh temp run dir and renders it as a run would. */
export function renderFixtureRun(history: HistoryEvent[] = fixtureHistory()): RunDir {
  const path = mkdtempSync(join(tmpdir(), 'bbs-lab-report-test-'));
  const dir = runDirPaths(path, 'fixture-run');
  writeFileSync(dir.history, `${history.map((e) => JSON.stringify(e)).join('\n')}\n`);
  renderRun(dir, fixtureScenario(), 7, {});
  return dir;
}
