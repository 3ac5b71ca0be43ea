// The external provider against a real MariaDB Galera node the test starts itself: to the lab it
// is a target like an RDS instance or a CF-MySQL cluster. The workload and checkers run, a link
// fault applies, node faults are refused, and a missing password names its variable.

import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckReport } from '../../lab/report/verdicts.ts';
import { startLocalCluster, type LocalGalera } from '../../lab/providers/local/cluster.ts';
import { TargetError } from '../../lab/providers/external/target.ts';
import { runScenario } from '../../lab/runner/run.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';

const dir = mkdtempSync(join(tmpdir(), 'bbs-lab-test-external-'));
let cluster: LocalGalera | undefined;
test.before(async () => {
  cluster = await startLocalCluster({ nodes: 1, addressBase: '127.0.34' });
});
test.after.always(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function targetFile(passwordEnv: string): string {
  const file = join(dir, `target-${passwordEnv}.yaml`);
  writeFileSync(
    file,
    `name: standalone\nhosts: ["127.0.34.11:${cluster!.nodes[0]!.port}"]\ndatabase: ${cluster!.database}\nuser: ${cluster!.user}\npasswordEnv: ${passwordEnv}\n`,
  );
  return file;
}

test.serial(
  'a run against an external target records, checks and reports, with a link fault from the lab side',
  async (t) => {
    process.env.BBS_LAB_TEST_DB_PASSWORD = cluster!.password;
    const s = parseScenario(`
name: external
question: does the BBS behave on this database?
duration: 8s
topology: { nodes: 1, proxies: 0, provider: external, target: ${targetFile('BBS_LAB_TEST_DB_PASSWORD')} }
clients: { count: 4, via: nodes }
workload: { tasks: 2, desiredLRPs: 1 }
nemesis:
  schedule:
    - { kind: link-latency, target: client-n1, at: 2s, duration: 3s, latencyMs: 30 }
`);
    const res = await runScenario(s, {
      seed: 8,
      runsDir: dir,
      addressBase: '127.0.35',
      log: (m) => t.log(m),
    });
    const results = JSON.parse(readFileSync(res.dir.results, 'utf8')) as {
      stats: { ops: number; faults: unknown[] };
      check: CheckReport;
    };
    t.true(results.stats.ops > 100, `ops (${results.stats.ops})`);
    t.is(results.stats.faults.length, 1, 'the link fault ran');
    t.is(results.check.valid, true, results.check.summary.join(' '));
    t.regex(readFileSync(res.dir.report, 'utf8'), /Checkers: no anomaly found/);
  },
);

test.serial(
  'a missing password variable stops the run before it starts, naming the variable',
  async (t) => {
    delete process.env.BBS_LAB_TEST_NOPE;
    const s = parseScenario(`
name: external-nopass
question: q
duration: 3s
topology: { nodes: 1, proxies: 0, provider: external, target: ${targetFile('BBS_LAB_TEST_NOPE')} }
clients: { count: 1, via: nodes }
`);
    const err = await t.throwsAsync(
      runScenario(s, { seed: 1, runsDir: dir, addressBase: '127.0.35', log: () => {} }),
      { instanceOf: TargetError },
    );
    t.regex(err!.message, /BBS_LAB_TEST_NOPE is not set/);
  },
);
