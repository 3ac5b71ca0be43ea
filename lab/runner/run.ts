// A run: scenario in, run directory out. Brings up the cluster and proxies, runs the workload
// clients, records the history as it happens, reads the tables at the end, checks and reports.
// Every piece it starts is registered for cleanup, so Ctrl-C or a crash leaves nothing behind
// and still leaves a report of what was recorded.

import { startRouteWatch } from './route-watch.ts';
import { randomInt } from 'node:crypto';
import { runCleanups, registerCleanup } from '../lifecycle/cleanup.ts';
import { HistoryWriter } from '../history/writer.ts';
import type { Scenario } from '../scenario/types.ts';
import { scenarioLinks } from '../scenario/validate.ts';
import { workloadFor } from '../workload/index.ts';
import { primed, runClient } from './workload-client.ts';
import { createRunDir, writeResults, type RunDir } from './run-dir.ts';
import { startTopology, type Topology } from './topology.ts';
import { renderRun } from '../report/write.ts';
import { planSchedule } from '../nemesis/schedule.ts';
import { startNemesis } from '../nemesis/nemesis.ts';
import type { RoleState } from '../nemesis/roles.ts';
import { READ_OPS, type BbsOpName } from '../../bbs/ops.ts';
import { recoveryProbe } from './recovery.ts';
import { clientOffsetSec } from '../workload/pacing.ts';
import { startMachineSampler } from './machine-sampler.ts';
import { SCHEDULE_END_KIND, SCHEDULE_KIND, type ScheduleDetail } from '../report/rate.ts';
import { provenance } from '../provenance.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { formatPhases, PhaseClock, type PhaseTimes } from './phases.ts';
import type { ClusterStart, WarmClusters } from './warm.ts';
import { join } from 'node:path';

export interface RunOptions {
  seed?: number;
  /** Overrides the scenario's duration (seconds), e.g. for tests. */
  duration?: number;
  runsDir?: string;
  /** Loopback network the nodes and proxies use: '127.0.0' → nodes .11…, proxies .21…. */
  addressBase?: string;
  log?: (msg: string) => void;
  /**
   * A campaign's kept clusters: reuse the last run's cluster when the topology is the same
   * (warm.ts).
   */
  warm?: WarmClusters;
}

export interface RunResult {
  dir: RunDir;
  seed: number;
  interrupted: boolean;
  /** Where the run's wall time went (also in results.json). */
  phases: PhaseTimes;
  start: ClusterStart;
}

export async function runScenario(scenario: Scenario, opts: RunOptions = {}): Promise<RunResult> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const phases = new PhaseClock();
  const seed = opts.seed ?? scenario.seed ?? randomInt(0, 2 ** 31 - 1);
  const s: Scenario = { ...scenario, seed, duration: opts.duration ?? scenario.duration };
  const dir = createRunDir(s, seed, opts.runsDir);
  log(`run ${dir.id}: seed ${seed} (repeat with --seed ${seed})`);
  log(`run directory: ${dir.path}`);
  // What produced the run (lab commit, component versions, machine), stored now so a report
  // rendered later still names the run's own.
  writeFileSync(join(dir.path, 'provenance.json'), `${JSON.stringify(provenance(), null, 2)}\n`);

  const writer = new HistoryWriter(dir.history);
  let stopWorkload = false;
  let finished = false;
  let interruption = 'stopped before the workload finished';
  let clientsDone: Promise<unknown> = Promise.resolve();
  const notes: string[] = [];

  // Registered first, so it runs last: the report is written after everything else stopped.
  const unregisterReport = registerCleanup('write report of interrupted run', () => {
    if (finished) return;
    writer.close();
    renderRun(dir, s, seed, { interrupted: interruption, notes });
    log(`report (interrupted run): ${dir.report}`);
  });

  let topo: Topology | undefined;
  try {
    const workload = workloadFor(s);
    topo = await startTopology(
      s,
      workload,
      { logDir: dir.logs, addressBase: opts.addressBase ?? '127.0.0', log, writer, notes, phases },
      opts.warm,
    );
    notes.push(`cluster: ${topo.start.kind} start: ${topo.start.why}`);
    if (topo.start.routing)
      notes.push(`routing: ${topo.start.routing.kind} start: ${topo.start.routing.why}`);
    phases.enter('workload');
    // Registered after the topology, so on Ctrl-C the clients stop before the cluster goes away.
    const unregisterClients = registerCleanup('stop workload clients', async () => {
      stopWorkload = true;
      await Promise.race([clientsDone, new Promise((r) => setTimeout(r, 5000))]);
    });

    const streams = Array.from({ length: s.clients.count }, (_, c) =>
      primed(workload.stream(seed, c)),
    );
    const started = Date.now();
    const end = started + s.duration * 1000;
    // The schedule's zero on the history's clock; its lab event tells the report what was offered.
    const startNs = writer.now();
    const rate = s.clients.rate === 'closed' ? null : s.clients.rate;
    const schedule: ScheduleDetail = {
      ratePerClient: rate,
      clients: s.clients.count,
      durationSec: s.duration,
      offsetsSec:
        rate === null
          ? []
          : Array.from({ length: s.clients.count }, (_, c) => clientOffsetSec(seed, c, rate)),
      wallMs: Date.now(),
    };
    writer.append({
      type: 'nemesis',
      phase: 'event',
      fault: 'workload',
      kind: SCHEDULE_KIND,
      detail: schedule,
      time: startNs,
    });
    const sampler = startMachineSampler(
      join(dir.path, 'machine.jsonl'),
      () => (writer.now() - startNs) / 1e9,
    );
    const unregisterSampler = registerCleanup('stop machine sampler', () => sampler.stop());
    let opId = 0;
    let completed = 0;
    // ok writes per node so far: what the role target most-written is resolved against.
    const okWritesByNode: Record<string, number> = {};
    const tick = setInterval(() => {
      const left = Math.max(0, Math.round((end - Date.now()) / 1000));
      log(`workload: ${completed} ops completed, ${left} s left`);
    }, 5000);
    const clients = Array.from({ length: s.clients.count }, (_, c) =>
      runClient({
        client: c,
        processStride: s.clients.count,
        target: topo!.clientLabel(c),
        exec: topo!.executorFor(c),
        ops: streams[c]!,
        writer,
        nextOpId: () => opId++,
        shouldStop: () => stopWorkload || Date.now() >= end,
        backoffMs: s.clients.backoffMs,
        requestTimeoutMs: s.clients.timeoutMs,
        ...(rate === null
          ? {}
          : {
              pace: {
                grid: { rate, origin: schedule.offsetsSec[c]! },
                startNs,
                endSec: s.duration,
              },
            }),
        onComplete: (outcome, c) => {
          completed++;
          if (outcome === 'ok' && c.node && !READ_OPS.has(c.f as BbsOpName))
            okWritesByNode[c.node] = (okWritesByNode[c.node] ?? 0) + 1;
        },
      }),
    );
    log(
      `workload: ${s.clients.count} clients for ${s.duration} s, ${rate === null ? 'closed loop' : `${rate} ops/s each`}`,
    );
    clientsDone = Promise.allSettled(clients);
    const plan = planSchedule(s.nemesis, {
      seed,
      duration: s.duration,
      nodes: topo.cluster.nodes.map((n) => n.name),
      proxies: topo.proxyControl.names(),
      ...(topo.links ? { links: scenarioLinks(s) } : {}),
    });
    if (plan.length > 0) {
      log(
        `nemesis: ${plan.length} fault(s): ${plan.map((f) => `${f.kind} ${f.target} at ${f.at} s for ${f.duration} s`).join('; ')}`,
      );
    }
    const t = topo;
    const roles = (): RoleState => ({
      nodes: t.cluster.nodes.map((n) => n.name),
      // A killed proxy is out of t.proxies: it routes nowhere until it is started again.
      activeOf: Object.fromEntries(
        t.proxyControl
          .names()
          .map((name) => [name, t.proxies.find((p) => p.name === name)?.activeBackend() ?? null]),
      ),
      okWritesByNode: { ...okWritesByNode },
    });
    // The health checks' and Consul's answers while faults run: the report's outage timeline.
    const routeWatch =
      plan.length > 0
        ? startRouteWatch({ healthchecks: topo.healthchecks, passing: topo.passingNames, writer })
        : null;
    const unregisterWatch = registerCleanup('stop route watch', async () => routeWatch?.stop());
    const nemesis = await startNemesis(plan, {
      cluster: topo.cluster,
      healthchecks: topo.healthchecks,
      proxies: topo.proxyControl,
      links: topo.links,
      writer,
      seed,
      log,
      roles,
      ...(plan.length > 0 ? { recovery: recoveryProbe(topo.cluster, topo.proxies) } : {}),
    });
    await clientsDone;
    if (!stopWorkload)
      writer.append({
        type: 'nemesis',
        phase: 'event',
        fault: 'workload',
        kind: SCHEDULE_END_KIND,
      });
    clearInterval(tick);
    sampler.stop();
    unregisterSampler();
    phases.enter('recoveryWait');
    // Every fault is healed before the final read, which waits for every node to be Synced.
    await nemesis.stop();
    await routeWatch?.stop();
    unregisterWatch();
    unregisterClients();
    if (stopWorkload) {
      // Stopped by a signal: the signal handler is tearing down and will exit the process once
      // the interrupted run's report is written; returning now would announce a report too early.
      await new Promise(() => {});
    }
    log(`workload: done, ${completed} ops`);

    phases.enter('finalRead');
    await topo.finalRead(writer, () => opId++);
    finished = true;
    writer.close();
    phases.enter('teardown');
    await topo.stop();
    unregisterReport();
    phases.enter('checks');
    renderRun(dir, s, seed, { notes, onChecked: () => phases.enter('report') });
    const times = recordPhases(dir, phases, topo.start);
    log(`report: ${dir.report}`);
    log(`phases: ${formatPhases(times)}`);
    return { dir, seed, interrupted: false, phases: times, start: topo.start };
  } catch (err) {
    interruption = `the run failed: ${(err as Error).message.split('\n')[0]}`;
    // Tear down here (not only in the signal path) so a failed start leaves nothing behind, then
    // let the caller report the error.
    await runCleanups(log);
    throw err;
  }
}

/**
 * Adds the phases to results.json (written by the report, whose own time is only known after it).
 */
function recordPhases(dir: RunDir, phases: PhaseClock, start: ClusterStart): PhaseTimes {
  const results = JSON.parse(readFileSync(dir.results, 'utf8')) as Record<string, unknown>;
  const times = phases.times();
  writeResults(dir, { ...results, start, phases: times });
  return times;
}
