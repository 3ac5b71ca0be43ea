// `bbs-lab scale`: for each topology, start its cluster, grow the population size by size, run the
// trials at each size while the ordinary workload writes, then write results.json, README.md and
// the charts into the output folder. Everything started is stopped, on failure too.

import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { storeOptions } from '../../bbs/sql/options.ts';
import { provenance } from '../provenance.ts';
import { populateEtcd } from './etcd-target.ts';
import { populate, populationCounts, cellName } from './populate.ts';
import {
  charts,
  renderReport,
  type KillResult,
  type ScaleResults,
  type SizeResult,
  type TopologyResult,
} from './report.ts';
import type { ScaleScenario } from './scenario.ts';
import { startScaleTarget, type ScaleTarget } from './topology.ts';
import { runTrial, startWorkload } from './trials.ts';

export interface ScaleRunOptions {
  outDir: string;
  addressBase: string;
  command: string;
  log?: (m: string) => void;
}

export async function runScale(sc: ScaleScenario, o: ScaleRunOptions): Promise<ScaleResults> {
  const log = o.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const startedAt = new Date().toISOString();
  // Read before anything runs: the checkout as it was when the run started, not after edits made
  // meanwhile.
  const prov = provenance();
  // The BBS had no statement timeout (until 2025-10): give the big reads room rather than cut them.
  const opts = storeOptions({ version: sc.bbs.version, statementTimeoutMs: 600_000 });
  const topologies: TopologyResult[] = [];
  for (const topology of sc.topologies) {
    log(`scale: ${topology}: starting the cluster`);
    const target = await startScaleTarget(topology, {
      addressBase: o.addressBase,
      log,
      poolSize: sc.convergenceWorkers + 4,
      // Today's schema has the presence column: its convergence makes Suspect LRPs.
      presence: sc.bbs.version === 'today',
    });
    const tr: TopologyResult = { topology, describe: target.describe, sizes: [] };
    topologies.push(tr);
    try {
      let from = 0;
      for (const size of sc.sizes) {
        const t0 = performance.now();
        log(`scale: ${topology}: populating ${from} → ${size} desired LRPs`);
        const say = (l: string): void => log(`scale: ${topology}: ${l}`);
        if (target.etcd) await populateEtcd(target.etcd, sc.seed, sc.population, from, size, say);
        else await populate(target.pool('admin'), sc.seed, sc.population, from, size, say);
        from = size;
        const populateMs = performance.now() - t0;
        const full = populationCounts(sc.seed, size, sc.population);
        const load1Before = loadavg()[0]!;
        const workload = sc.clients.count > 0 ? startWorkload(target, sc, opts, size) : null;
        if (size === sc.sizes[0]) {
          // A warm-up trial, not recorded: the pools' first connections and the cold buffer pool
          // would otherwise be timed as the first size's cost.
          await runTrial(target, sc, opts, size, 0);
        }
        const trials = [];
        for (let i = 1; i <= sc.trials; i++) {
          const t = await runTrial(target, sc, opts, size, i);
          const conv = t.samples.find((x) => x.op === 'convergence');
          const loop = t.samples.filter((x) => x.op === 'rep-bulk-loop').map((x) => x.ms);
          log(
            `scale: ${topology}: ${size} LRPs, trial ${i}/${sc.trials}: convergence ${conv ? `${(conv.ms / 1000).toFixed(2)} s` : 'not in this BBS'}, slowest bulk loop ${(Math.max(0, ...loop) / 1000).toFixed(2)} s`,
          );
          trials.push(t);
        }
        const wl = (await workload?.stop()) ?? [];
        const mismatches: string[] = [];
        for (const t of trials) {
          // Samples are per cell in cell order: the k-th of each kind is cell k's.
          const byCell = t.samples.filter((x) => x.op === 'actual-lrps-by-cell' && !x.alone);
          for (let k = 0; k < sc.population.cells; k++) {
            const cell = cellName(k);
            const a = byCell[k];
            if (a && !a.error && a.rows !== full.actualPerCell[cell])
              mismatches.push(
                `trial ${t.trial} ${cell}: ${a.rows} actual LRPs, populated ${full.actualPerCell[cell]}`,
              );
          }
        }
        const {
          actualPerCell: _a,
          tasksPerCell: _t,
          desiredPerDomain: _d,
          tasksPerDomain: _td,
          ...counts
        } = full;
        const sr: SizeResult = {
          size,
          populateMs,
          counts,
          rowMismatches: mismatches,
          trials,
          workload: wl,
          load1: { before: load1Before, after: loadavg()[0]! },
        };
        tr.sizes.push(sr);
        if (
          sc.nodeKill &&
          target.cluster &&
          topology !== 'one-node' &&
          size === sc.sizes[sc.sizes.length - 1]
        )
          sr.kill = await killTrials(target, sc, opts, size, sc.nodeKill.afterMs, log);
      }
    } catch (e) {
      tr.error = (e as Error).message.split('\n')[0]!;
      log(`scale: ${topology}: stopped: ${tr.error}`);
    } finally {
      await target.stop();
    }
  }
  const results: ScaleResults = {
    kind: 'bbs-lab-scale',
    scenario: sc,
    provenance: prov,
    startedAt,
    finishedAt: new Date().toISOString(),
    command: o.command,
    topologies,
  };
  writeOutputs(results, o.outDir);
  return results;
}

/** A trial with the busiest node killed part-way, one more with it down, then its restart. */
async function killTrials(
  target: ScaleTarget,
  sc: ScaleScenario,
  opts: ReturnType<typeof storeOptions>,
  size: number,
  afterMs: number,
  log: (m: string) => void,
): Promise<KillResult> {
  const cluster = target.cluster!;
  const kill = cluster.abilities.kill;
  const node = target.busiestNode();
  log(`scale: node kill: kill -9 ${node} ${afterMs} ms into a trial at ${size} LRPs`);
  const workload = sc.clients.count > 0 ? startWorkload(target, sc, opts, size, 'kill') : null;
  let killed: Promise<void> | null = null;
  const timer = setTimeout(() => {
    killed = kill.kill(node);
  }, afterMs);
  try {
    const during = await runTrial(target, sc, opts, size, -1);
    clearTimeout(timer);
    // A trial shorter than afterMs (a small size) ends before the kill: kill now, so the second
    // trial still runs with the node down and the restart finds it dead.
    const killedAfterTrial = killed === null;
    if (killed === null) {
      log(`scale: node kill: the trial ended before ${afterMs} ms; killing ${node} after it`);
      killed = kill.kill(node);
    }
    await killed;
    const down = await runTrial(target, sc, opts, size, -2);
    const writes = (await workload?.stop()) ?? [];
    const t0 = performance.now();
    let rejoinMs: number | null = null;
    try {
      await kill.restart(node);
      await cluster.waitSynced(node, 3, 180_000);
      rejoinMs = performance.now() - t0;
    } catch (e) {
      log(`scale: node kill: ${node} did not rejoin: ${(e as Error).message.split('\n')[0]}`);
    }
    return {
      node,
      afterMs,
      ...(killedAfterTrial ? { killedAfterTrial: true as const } : {}),
      during,
      down,
      rejoinMs,
      writes: {
        ok: writes.filter((w) => !w.error).length,
        failed: writes.filter((w) => w.error).length,
        errors: writes.reduce<Record<string, number>>((m, w) => {
          if (w.error) m[w.error] = (m[w.error] ?? 0) + 1;
          return m;
        }, {}),
      },
    };
  } finally {
    clearTimeout(timer);
    await workload?.stop();
  }
}

export function writeOutputs(r: ScaleResults, outDir: string): void {
  mkdirSync(join(outDir, 'charts'), { recursive: true });
  writeFileSync(
    join(outDir, 'results.json'),
    `${JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? Number(v) : v), 1)}\n`,
  );
  for (const [name, svg] of Object.entries(charts(r)))
    writeFileSync(join(outDir, 'charts', name), svg);
  writeFileSync(join(outDir, 'README.md'), renderReport(r));
}
