import test from 'ava';
import { readFileSync, rmSync } from 'node:fs';
import type { HistoryEvent } from '../../lab/history/event.ts';
import { renderFixtureRun } from '../browser/report-fixture.ts';

const S = 1e9;

/**
 * A lab event at 0 s (before the workload, as cluster start-up is), then at 2 s: DesireLRP on n1
 * (2.000–2.010 s, index 0), UpdateDesiredLRP on n1 (2.020–2.030 s, index 1), and a read on n2
 * invoked at 2.045 s that saw index 0: a stale read, n2 behind n1 by at least 45 - 30 = 15 ms.
 */
function staleHistory(): HistoryEvent[] {
  const rec = (index: number, instances: number) => ({
    record: {
      processGuid: 'p',
      domain: 'd',
      instances,
      annotation: '',
      modificationTag: { epoch: 'E', index },
    },
  });
  const ops: [string, Record<string, unknown>, unknown, number, number, string][] = [
    [
      'DesireLRP',
      { processGuid: 'p', domain: 'd', instances: 1, annotation: '' },
      rec(0, 1),
      2.0,
      2.01,
      'n1',
    ],
    ['UpdateDesiredLRP', { processGuid: 'p', instances: 2 }, rec(1, 2), 2.02, 2.03, 'n1'],
    ['DesiredLRPByProcessGuid', { processGuid: 'p' }, rec(0, 1), 2.045, 2.05, 'n2'],
  ];
  const ev: HistoryEvent[] = [
    { type: 'nemesis', index: 0, time: 0, phase: 'event', fault: 'setup', kind: 'cluster-started' },
  ];
  ops.forEach(([f, args, out, a, b, node], op) => {
    ev.push({
      type: 'invoke',
      index: 0,
      time: a * S,
      op,
      process: op,
      client: op,
      f,
      key: 'desired/p',
      value: { f, args },
    });
    ev.push({
      type: 'ok',
      index: 0,
      time: b * S,
      op,
      process: op,
      client: op,
      f,
      key: 'desired/p',
      value: out,
      node,
    });
  });
  ev.sort((x, y) => x.time - y.time);
  return ev.map((e, index) => ({ ...e, index }));
}

test('a run directory carries the causes and the reach: results.json, report.md and report.html, times from the workload start', (t) => {
  const dir = renderFixtureRun(staleHistory());
  try {
    const results = JSON.parse(readFileSync(dir.results, 'utf8'));
    const causes = results.check.causes as {
      anomaly: string;
      cause: string;
      lagMs?: number;
      writerNode?: string;
      readerNode?: string;
    }[];
    const lin = causes.find((c) => c.anomaly === 'not-linearizable')!;
    t.deepEqual(
      [lin.cause, lin.writerNode, lin.readerNode, lin.lagMs],
      ['stale-read', 'n1', 'n2', 15],
    );
    t.deepEqual(results.reach.transitions, {
      'DesireLRP absent → present': 1,
      'UpdateDesiredLRP present → present': 1,
      'DesiredLRPByProcessGuid read': 1,
    });
    t.deepEqual(results.reach.ops.UpdateDesiredLRP, { ok: 1, fail: 0, info: 0, unfinished: 0 });
    const md = readFileSync(dir.report, 'utf8');
    t.regex(md, /### Anomalies by cause/);
    t.regex(md, /Causes: \d+ stale reads? \(largest lag shown: n2 behind n1 by at least 15 ms\)/);
    t.regex(md, /## Workload reach/);
    // The evidence's times are from the first invoke (2.0 s), not the lab event at 0 s: the
    // update's row reads 0.020–0.030, the read 0.045–0.050.
    t.regex(md, /\| 1 \| 1 \| ok \| 0\.020 \| 0\.030 \|/);
    t.regex(md, /\| 2 \| 2 \| ok \| 0\.045 \| 0\.050 \|/);
    t.notRegex(md, /\| 2\.000 \|/);
    const html = readFileSync(`${dir.path}/report.html`, 'utf8');
    t.regex(html, /<h2 id="causes">Anomalies by cause<\/h2>/);
    t.regex(html, /<h2 id="reach">Workload reach<\/h2>/);
  } finally {
    rmSync(dir.path, { recursive: true, force: true });
  }
});
