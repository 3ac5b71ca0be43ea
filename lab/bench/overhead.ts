// A run's overhead (everything but the workload) on a small quickstart-like run: the quickstart
// scenario (3 nodes, one proxy, 8 clients) with a 5-s workload, run for real, its phases printed.
// Needs MariaDB Galera installed (scripts/setup.sh); the loopback base is BBS_LAB_BENCH_ADDRESS_BASE
// (default 127.0.0, the runner's).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../project-root.ts';
import { parseScenario } from '../scenario/validate.ts';
import { runScenario } from '../runner/run.ts';
import { formatPhases, overheadSec } from '../runner/phases.ts';

export async function benchOverhead(log: (line: string) => void): Promise<void> {
  const scenario = parseScenario(readFileSync(join(PROJECT_ROOT, 'scenarios', 'quickstart.yaml'), 'utf8'), 'scenarios/quickstart.yaml');
  const runsDir = mkdtempSync(join(tmpdir(), 'bbs-lab-bench-overhead-'));
  const addressBase = process.env['BBS_LAB_BENCH_ADDRESS_BASE'] ?? '127.0.0';
  try {
    const r = await runScenario({ ...scenario, duration: 5 }, { seed: 1, runsDir, addressBase, log: () => {} });
    log(`overhead: quickstart, 5-s workload, cold: ${overheadSec(r.phases).toFixed(1)} s of ${r.phases.wallSec.toFixed(1)} s (${formatPhases(r.phases)})`);
  } finally {
    rmSync(runsDir, { recursive: true, force: true });
  }
}
