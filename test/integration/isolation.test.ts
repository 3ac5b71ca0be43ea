// The list-append isolation workload on real MariaDB: writes spread over a 3-node Galera cluster,
// and a single node. Whatever the checker finds is the finding; the test holds the checker to
// consistency: it ran on every committed transaction, its verdict agrees with its own evidence,
// and every anomaly's evidence names transactions that exist in the history.

import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckReport } from '../../lab/report/verdicts.ts';
import { readHistory } from '../../lab/history/reader.ts';
import { runScenario } from '../../lab/runner/run.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';

const runsDir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-runs-'));
test.after.always(() => rmSync(runsDir, { recursive: true, force: true }));

for (const [file, base] of [
  ['isolation-multi-writer.yaml', '127.0.18'],
  ['isolation-single-node.yaml', '127.0.19'],
] as const) {
  test(`${file}: the isolation checker ran and its verdict matches its evidence`, async (t) => {
    const s = parseScenario(readFileSync(`scenarios/${file}`, 'utf8'));
    const res = await runScenario(s, {
      duration: 8,
      seed: 3,
      runsDir,
      addressBase: base,
      log: (m) => t.log(m),
    });
    const check = (
      JSON.parse(readFileSync(join(res.dir.path, 'results.json'), 'utf8')) as { check: CheckReport }
    ).check;
    const iso = check.isolation;
    t.truthy(iso, 'the isolation checker ran');
    const { events } = readHistory(res.dir.history);
    const okTxns = events.filter((e) => e.type === 'ok' && (e as { f: string }).f === 'txn').length;
    t.true(okTxns > 100, `committed transactions (${okTxns})`);
    t.true(iso!.txns >= okTxns, 'every committed transaction was checked');
    const total = Object.values(iso!.counts).reduce((a, b) => a + b, 0);
    t.is(iso!.valid, total === 0, 'valid exactly when no anomaly was counted');
    const opIds = new Set(
      events.filter((e) => e.type === 'invoke').map((e) => (e as { op: number }).op),
    );
    for (const [type, list] of Object.entries(iso!.anomalies)) {
      t.true(
        list.length <= iso!.counts[type as keyof NonNullable<typeof iso>['counts']]!,
        `${type}: examples never exceed the count`,
      );
      for (const a of list) {
        const ids = JSON.stringify(a).match(/"(?:op|from|to|txn|ops?)":\s*(\d+)/g) ?? [];
        for (const m of ids)
          t.true(opIds.has(Number(m.split(':')[1])), `${type} names op ${m} of the history`);
      }
    }
    t.log(`${file}: ${check.summary.join(' ')}`);
  });
}

test('one node at SERIALIZABLE (strict two-phase locking in InnoDB) shows no isolation anomaly: no false alarms on real data', async (t) => {
  const s = parseScenario(
    readFileSync('scenarios/isolation-single-node.yaml', 'utf8').replace(
      /txnLength: 4/,
      'txnLength: 4\n  isolation: serializable',
    ),
  );
  t.is(s.workload.isolation, 'serializable');
  const res = await runScenario(s, {
    duration: 8,
    seed: 4,
    runsDir,
    addressBase: '127.0.25',
    log: (m) => t.log(m),
  });
  const check = (
    JSON.parse(readFileSync(join(res.dir.path, 'results.json'), 'utf8')) as { check: CheckReport }
  ).check;
  const { events } = readHistory(res.dir.history);
  const okTxns = events.filter((e) => e.type === 'ok' && (e as { f: string }).f === 'txn').length;
  t.true(okTxns > 100, `committed transactions (${okTxns})`);
  t.is(check.isolation?.valid, true, check.summary.join(' '));
});
