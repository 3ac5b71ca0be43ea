// The lab's own trustworthiness: a clean run (one node, no faults) never reports an anomaly, and a
// planted bug (BBS writes without row locks, spread over the nodes) is found every time.

import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../../lab/runner/run.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';
import type { CheckReport } from '../../lab/report/verdicts.ts';

const runsDir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-runs-'));
test.after.always(() => rmSync(runsDir, { recursive: true, force: true }));

function resultsOf(dir: string): {
  check: CheckReport;
  stats: { ops: number; byOutcome: Record<string, number> };
} {
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
}

// Closed loop, as the self-test: these runs ask whether the checkers judge right, not for a figure,
// and a planted bug needs the contention of clients that never wait (at the default offered rate
// 8 s of 8 clients may not overlap two writes of one row at all).
const scenario = (extra: string) =>
  parseScenario(`
name: verdict
question: does the lab judge right?
duration: 8s
clients: { count: 8, via: nodes, rate: closed }
workload: { tasks: 2, desiredLRPs: 2, instances: 1, cells: 3 }
${extra}
`);

test('a clean run (one node, no faults, row locks) reports no anomaly', async (t) => {
  const res = await runScenario(scenario('topology: { nodes: 1, proxies: 0 }'), {
    seed: 11,
    runsDir,
    addressBase: '127.0.16',
    log: (m) => t.log(m),
  });
  const { check, stats } = resultsOf(res.dir.path);
  t.true(stats.ops > 200, `enough ops to mean something (${stats.ops})`);
  t.true(
    check.linearizability !== null && check.linearizability.keys.length > 0,
    'linearizability was checked',
  );
  t.true(check.invariants !== null, 'invariants were checked');
  t.is(check.valid, true, check.summary.join(' '));
});

test('a planted bug (no row locks, writes spread over 3 nodes) is found', async (t) => {
  const res = await runScenario(
    scenario('topology: { nodes: 3, proxies: 0 }\nbbs: { unsafeNoRowLocks: true }'),
    {
      seed: 12,
      runsDir,
      addressBase: '127.0.17',
      log: (m) => t.log(m),
    },
  );
  const { check } = resultsOf(res.dir.path);
  t.is(check.valid, false, check.summary.join(' '));
  const notLinearizable =
    check.linearizability?.keys.filter((k) => k.verdict === 'not-linearizable').length ?? 0;
  t.true(notLinearizable > 0, 'the per-key linearizability check finds it');
  t.log(check.summary.join('\n'));
  t.regex(readFileSync(res.dir.report, 'utf8'), /Checkers: ANOMALIES FOUND/);
});
