// `npm run notebook -- <name> [--run] [--duration S] [--runs DIR]`: re-runnable analyses over the
// stored runs in findings/runs, each writing a page into findings/notebooks/.
//   concurrency-sweep   1213 rate against client count, single writer vs every node a writer;
//                       --run first makes the runs (2, 4, 8, 16 clients × both modes, short)
//   fault-kinds         per fault kind: errors in windows, outages (worst/median client, BBS),
//   anomalies isolation           anomalies on 1 node vs 3 nodes, at RR and SERIALIZABLE: which
//   only several
//                       writers show; --run first makes the four runs (same seed)

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addressBaseProblem } from '../lab/cli/address-base.ts';
import { installSignalHandlers } from '../lab/lifecycle/cleanup.ts';
import { DEFAULT_RUNS_DIR, PROJECT_ROOT } from '../lab/runner/run-dir.ts';
import { runScenario } from '../lab/runner/run.ts';
import { parseScenario } from '../lab/scenario/validate.ts';
import { sweepChart, sweepPage, sweepRows } from './concurrency-sweep.ts';
import { faultKindPage, faultKindRows } from './fault-kinds.ts';
import { isolationCells, isolationPage, isolationScenarios } from './isolation.ts';
import { loadRuns } from './runs.ts';

const OUT = join(PROJECT_ROOT, 'findings', 'notebooks');

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const flag = (f: string) => {
    const i = rest.indexOf(f);
    return i >= 0 ? (rest[i + 1] ?? '') : undefined;
  };
  const runsDir = flag('--runs') ?? DEFAULT_RUNS_DIR;
  mkdirSync(OUT, { recursive: true });
  switch (name) {
    case 'concurrency-sweep': {
      if (rest.includes('--run')) {
        installSignalHandlers();
        const duration = Number(flag('--duration') ?? 10);
        const base = parseScenario(
          readFileSync(join(PROJECT_ROOT, 'scenarios', 'multi-writer.yaml'), 'utf8'),
        );
        for (const clients of [2, 4, 8, 16]) {
          for (const via of ['nodes', 'proxies'] as const) {
            const s = {
              ...base,
              name: `sweep-${via === 'nodes' ? 'multi' : 'single'}-${clients}`,
              topology: { ...base.topology, proxies: via === 'nodes' ? 0 : 1 },
              clients: { ...base.clients, count: clients, via },
            };
            process.stderr.write(`concurrency-sweep: ${s.name} for ${duration} s\n`);
            await runScenario(s, { seed: 1, duration, runsDir, log: () => {} });
          }
        }
      }
      const rows = sweepRows(loadRuns(runsDir));
      writeFileSync(join(OUT, 'concurrency-sweep.svg'), sweepChart(rows));
      writeFileSync(join(OUT, 'concurrency-sweep.md'), sweepPage(rows));
      process.stdout.write(`${join(OUT, 'concurrency-sweep.md')}\n`);
      return 0;
    }
    case 'fault-kinds': {
      writeFileSync(join(OUT, 'fault-kinds.md'), faultKindPage(faultKindRows(loadRuns(runsDir))));
      process.stdout.write(`${join(OUT, 'fault-kinds.md')}\n`);
      return 0;
    }
    case 'isolation': {
      if (rest.includes('--run')) {
        installSignalHandlers();
        const duration = Number(flag('--duration') ?? 30);
        const addressBase = process.env.BBS_LAB_ADDRESS_BASE || '127.0.0';
        const problem = addressBaseProblem(addressBase);
        if (problem) {
          process.stderr.write(`notebook: BBS_LAB_ADDRESS_BASE ${problem}\n`);
          return 2;
        }
        for (const s of isolationScenarios(PROJECT_ROOT)) {
          process.stderr.write(
            `isolation: ${s.name} (${s.topology.nodes} node(s), ${s.workload.isolation}) for ${duration} s\n`,
          );
          await runScenario(s, { seed: 1, duration, runsDir, addressBase, log: () => {} });
        }
      }
      writeFileSync(join(OUT, 'isolation.md'), isolationPage(isolationCells(loadRuns(runsDir))));
      process.stdout.write(`${join(OUT, 'isolation.md')}\n`);
      return 0;
    }
    default:
      process.stderr.write(
        `notebook: unknown or missing name ${JSON.stringify(name ?? '')}; known: concurrency-sweep [--run] [--duration S], fault-kinds, isolation [--run] [--duration S]; all take --runs DIR\n`,
      );
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
