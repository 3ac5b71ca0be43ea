// A run's overhead (everything but the workload) on a small quickstart-like run: the quickstart
// scenario (3 nodes, one proxy, 8 clients) with a 5-s workload, run for real twice in a row as a
// campaign runs them: cold (the cluster started for it), then warm (the same cluster, reset and
// checked: lab/runner/warm.ts). Its phases printed.
// Needs MariaDB Galera installed (scripts/setup.sh); the loopback base is
// BBS_LAB_BENCH_ADDRESS_BASE (default 127.0.0, the runner's).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../project-root.ts';
import { parseScenario } from '../scenario/validate.ts';
import { runScenario } from '../runner/run.ts';
import { formatPhases, overheadSec } from '../runner/phases.ts';
import { WarmClusters } from '../runner/warm.ts';

export async function benchOverhead(log: (line: string) => void): Promise<void> {
  const scenario = parseScenario(
    readFileSync(join(PROJECT_ROOT, 'scenarios', 'quickstart.yaml'), 'utf8'),
    'scenarios/quickstart.yaml',
  );
  const runsDir = mkdtempSync(join(tmpdir(), 'bbs-lab-bench-overhead-'));
  const addressBase = process.env.BBS_LAB_BENCH_ADDRESS_BASE ?? '127.0.0';
  const warm = new WarmClusters();
  try {
    for (let i = 0; i < 2; i++) {
      const r = await runScenario(
        { ...scenario, duration: 5 },
        { seed: 1, runsDir, addressBase, log: () => {}, warm },
      );
      log(
        `overhead: quickstart, 5-s workload, ${r.start.kind}: ${overheadSec(r.phases).toFixed(1)} s of ${r.phases.wallSec.toFixed(1)} s (${formatPhases(r.phases)})`,
      );
    }
  } finally {
    await warm.close();
    rmSync(runsDir, { recursive: true, force: true });
  }
}
