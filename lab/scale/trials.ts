// The trials at one size, as benchmarkbbs times them: in each trial, every simulated cell runs its
// bulk loop (its actual LRPs, then its tasks), the nsync bulker and the route emitter fetch
// everything, and convergence gathers and fixes, all started together; the ordinary workload
// keeps writing at the scenario's rate through every trial. Around each trial the database's
// counters and the server processes' CPU and memory are read.

import { etcdBulkRead } from '../../bbs/etcd/bulk.ts';
import { convergeEtcdLRPs } from '../../bbs/etcd/convergence.ts';
import { convergeEtcdTasks } from '../../bbs/etcd/task-convergence.ts';
import { bulkRead, type BulkRead } from '../../bbs/sql/bulk.ts';
import { convergeLRPs, type ConvergenceReport } from '../../bbs/sql/convergence.ts';
import type { StoreOptions } from '../../bbs/sql/options.ts';
import { convergeTasks, type TaskConvergenceReport } from '../../bbs/sql/task-convergence.ts';
import { SqlBbsStore } from '../../bbs/sql/store.ts';
import { seededRng, deriveSeed } from '../random/seeded-rng.ts';
import { cellName, domainName, lrpGuid } from './populate.ts';
import {
  processUse,
  readStatus,
  statusDelta,
  type NodeStatus,
  type ProcessUse,
} from './resources.ts';
import type { ScaleScenario } from './scenario.ts';
import { etcdWorkloadWrite } from './etcd-target.ts';
import type { ScaleTarget } from './topology.ts';

/** The ops a scale run times, each a component's request as benchmarkbbs names it. */
export const SCALE_OPS = {
  'rep-bulk-loop':
    "a cell's bulk loop: its actual LRPs, then its tasks (benchmarkbbs RepBulkFetching, plus tasks)",
  'actual-lrps-by-cell': 'ActualLRPGroups({CellID}), one cell',
  'tasks-by-cell': 'Tasks({CellID}), one cell',
  'nsync-bulker': 'DesiredLRPSchedulingInfos({}) (benchmarkbbs NsyncBulkerFetching)',
  'route-emitter':
    'ActualLRPGroups({}) + DesiredLRPSchedulingInfos({}) (benchmarkbbs FetchActualLRPsAndSchedulingInfos)',
  'desired-lrps': 'DesiredLRPs({}) (with run_info)',
  'tasks-by-domain': 'Tasks({Domain}), the first domain',
  domains: 'Domains / FreshDomains',
  'convergence-gather': "ConvergeLRPs' queries",
  convergence: 'ConvergeLRPs: gather and every fix',
  'task-convergence':
    "ConvergeTasks: its six steps' statements and the count, or etcd's one GET and its writes (run beside ConvergeLRPs, as the converger does)",
  'workload-write': 'an ordinary write (UpdateDesiredLRP or DesireTask) during the trials',
} as const;
export type ScaleOp = keyof typeof SCALE_OPS;

export interface Sample {
  op: ScaleOp;
  ms: number;
  /** Rows returned (reads), or fixes written (convergence). */
  rows?: number;
  error?: string;
  /**
   * Timed alone, after the concurrent phase: the op's own cost without the others' load on the
   * database and on the lab's one client process.
   */
  alone?: true;
}

export interface TrialRecord {
  size: number;
  trial: number;
  wallMs: number;
  samples: Sample[];
  /** SHOW GLOBAL STATUS growth over the trial, summed over the nodes. */
  status: NodeStatus;
  /** Server processes' CPU seconds used during the trial, and their memory after. */
  process: ProcessUse;
  convergence: Omit<ConvergenceReport, 'gather'> & { gather: Record<string, number> };
  /** ConvergeTasks of the trial (absent where the profile's SQL store had none). */
  taskConvergence?: Pick<
    TaskConvergenceReport,
    'steps' | 'startRequests' | 'completionCallbacks' | 'rows' | 'statements'
  >;
}

async function timed(
  op: ScaleOp,
  run: () => Promise<{ rows?: number; error?: string }>,
): Promise<Sample> {
  const t = performance.now();
  try {
    const r = await run();
    return {
      op,
      ms: performance.now() - t,
      ...(r.rows !== undefined ? { rows: r.rows } : {}),
      ...(r.error ? { error: r.error } : {}),
    };
  } catch (e) {
    return { op, ms: performance.now() - t, error: (e as Error).message };
  }
}

/** A bulk read by a component: on its SQL pool, or on the etcd store (one recursive GET, filtered). */
const read =
  (target: ScaleTarget, component: string, opts: StoreOptions, r: BulkRead) =>
  async (): Promise<{ rows?: number; error?: string }> => {
    if (target.etcd) {
      try {
        const e = await etcdBulkRead(target.etcd, r);
        return { rows: e.rows };
      } catch (err) {
        return { error: (err as Error).message.split('\n')[0]! };
      }
    }
    const a = await bulkRead(target.pool(component), opts, r);
    if (a.error)
      return {
        error: a.error.errno
          ? `${a.error.errno} ${a.error.code ?? ''}`.trim()
          : (a.error.code ?? a.error.message),
      };
    return { rows: a.value!.rows };
  };

async function statusAll(target: ScaleTarget): Promise<NodeStatus[]> {
  // etcd has no SHOW GLOBAL STATUS: its trials report the server's CPU and memory only.
  return Promise.all(
    target.nodes.map((n) => readStatus(target.pool(`status-${n.name}`)).catch(() => ({}))),
  );
}

/** ConvergeLRPs: the SQL store's at the profile, or the etcd store's. */
function converge(
  target: ScaleTarget,
  opts: StoreOptions,
  cells: readonly string[],
  workers: number,
): Promise<ConvergenceReport> {
  if (target.etcd) return convergeEtcdLRPs(target.etcd, opts.version, cells, { workers });
  return convergeLRPs(target.pool('convergence'), opts, cells, {
    workers,
    presence: target.presence,
  });
}

/** ConvergeTasks: the SQL store's at the profile, or the etcd store's. */
function convergeTasksOn(
  target: ScaleTarget,
  opts: StoreOptions,
  cells: readonly string[],
): Promise<TaskConvergenceReport> {
  if (target.etcd) return convergeEtcdTasks(target.etcd, opts.version, cells);
  return convergeTasks(target.pool('task-convergence'), opts, cells);
}

/** One trial at the current population. */
export async function runTrial(
  target: ScaleTarget,
  s: ScaleScenario,
  opts: StoreOptions,
  size: number,
  trial: number,
): Promise<TrialRecord> {
  const before = await statusAll(target);
  const cpuBefore = processUse(target.workDir);
  const t0 = performance.now();
  const cells = Array.from({ length: s.population.cells }, (_, k) => cellName(k));
  const jobs: Promise<Sample[]>[] = [];
  for (const cell of cells) {
    jobs.push(
      (async () => {
        const t = performance.now();
        const a = await timed(
          'actual-lrps-by-cell',
          read(target, cell, opts, { f: 'ActualLRPGroupsByCellID', cellId: cell }),
        );
        const b = await timed(
          'tasks-by-cell',
          read(target, cell, opts, { f: 'TasksByCellID', cellId: cell }),
        );
        const err = a.error ?? b.error;
        const loop: Sample = {
          op: 'rep-bulk-loop',
          ms: performance.now() - t,
          rows: (a.rows ?? 0) + (b.rows ?? 0),
          ...(err ? { error: err } : {}),
        };
        return [a, b, loop];
      })(),
    );
  }
  const bulker = 'bulker';
  jobs.push(
    timed('nsync-bulker', read(target, bulker, opts, { f: 'DesiredLRPSchedulingInfos' })).then(
      (x) => [x],
    ),
  );
  jobs.push(
    (async () => {
      const t = performance.now();
      const a = await read(target, bulker, opts, { f: 'ActualLRPGroups' })();
      const b = await read(target, bulker, opts, { f: 'DesiredLRPSchedulingInfos' })();
      const err = a.error ?? b.error;
      return [
        {
          op: 'route-emitter' as const,
          ms: performance.now() - t,
          rows: (a.rows ?? 0) + (b.rows ?? 0),
          ...(err ? { error: err } : {}),
        },
      ];
    })(),
  );
  jobs.push(
    timed('desired-lrps', read(target, bulker, opts, { f: 'DesiredLRPs' })).then((x) => [x]),
  );
  jobs.push(
    timed(
      'tasks-by-domain',
      read(target, bulker, opts, { f: 'TasksByDomain', domain: domainName(0) }),
    ).then((x) => [x]),
  );
  jobs.push(timed('domains', read(target, bulker, opts, { f: 'Domains' })).then((x) => [x]));
  let conv: ConvergenceReport | undefined;
  jobs.push(
    (async () => {
      const t = performance.now();
      conv = await converge(target, opts, cells, s.convergenceWorkers);
      if (!conv.modelled) return [];
      const f = conv.fixes;
      const err = conv.gatherErrors[0]?.message;
      return [
        {
          op: 'convergence-gather' as const,
          ms: conv.gatherMs,
          rows: conv.gather.rows,
          ...(err ? { error: err } : {}),
        },
        {
          op: 'convergence' as const,
          ms: performance.now() - t,
          rows: f.created + f.removed + f.stoppedByCell + f.unclaimed,
          ...(err ? { error: err } : {}),
        },
      ];
    })(),
  );
  let tconv: TaskConvergenceReport | undefined;
  jobs.push(
    (async () => {
      tconv = await convergeTasksOn(target, opts, cells);
      if (!tconv.modelled) return [];
      const err = tconv.errors[0]?.message;
      return [
        {
          op: 'task-convergence' as const,
          ms: tconv.ms,
          rows: tconv.rows,
          ...(err ? { error: err } : {}),
        },
      ];
    })(),
  );
  const samples = (await Promise.all(jobs)).flat();
  const wallMs = performance.now() - t0;
  // The same requests once more, one at a time: what each costs alone. The concurrent phase above
  // is what the components do together (benchmarkbbs's measure), but its small reads also wait
  // for the lab's one Node process to parse the big ones.
  const alone = async (
    op: ScaleOp,
    run: () => Promise<{ rows?: number; error?: string }>,
  ): Promise<void> => {
    samples.push({ ...(await timed(op, run)), alone: true });
  };
  await alone(
    'actual-lrps-by-cell',
    read(target, cells[0]!, opts, { f: 'ActualLRPGroupsByCellID', cellId: cells[0]! }),
  );
  await alone(
    'tasks-by-cell',
    read(target, cells[0]!, opts, { f: 'TasksByCellID', cellId: cells[0]! }),
  );
  await alone('nsync-bulker', read(target, bulker, opts, { f: 'DesiredLRPSchedulingInfos' }));
  await alone('route-emitter', async () => {
    const a = await read(target, bulker, opts, { f: 'ActualLRPGroups' })();
    const b = await read(target, bulker, opts, { f: 'DesiredLRPSchedulingInfos' })();
    const err = a.error ?? b.error;
    return { rows: (a.rows ?? 0) + (b.rows ?? 0), ...(err ? { error: err } : {}) };
  });
  await alone('domains', read(target, bulker, opts, { f: 'Domains' }));
  await alone('convergence', async () => {
    const c = await converge(target, opts, cells, s.convergenceWorkers);
    if (!c.modelled) return { error: 'no convergence in this BBS' };
    return {
      rows: c.fixes.created + c.fixes.removed + c.fixes.stoppedByCell + c.fixes.unclaimed,
      ...(c.gatherErrors[0] ? { error: c.gatherErrors[0].message } : {}),
    };
  });
  await alone('task-convergence', async () => {
    const c = await convergeTasksOn(target, opts, cells);
    if (!c.modelled) return { error: 'no task convergence in this BBS' };
    return { rows: c.rows, ...(c.errors[0] ? { error: c.errors[0].message } : {}) };
  });
  const after = await statusAll(target);
  const cpuAfter = processUse(target.workDir);
  const c = conv!;
  return {
    size,
    trial,
    wallMs,
    samples,
    status: statusDelta(before, after),
    process: {
      cpuSec: Math.round((cpuAfter.cpuSec - cpuBefore.cpuSec) * 100) / 100,
      rssMiB: cpuAfter.rssMiB,
    },
    ...(tconv?.modelled
      ? {
          taskConvergence: {
            steps: tconv.steps,
            startRequests: tconv.startRequests,
            completionCallbacks: tconv.completionCallbacks,
            rows: tconv.rows,
            statements: tconv.statements,
          },
        }
      : {}),
    convergence: {
      ...c,
      gather: {
        freshDomains: c.gather.freshDomains,
        staleUnclaimed: c.gather.staleUnclaimed,
        missing: c.gather.missing.length,
        extra: c.gather.extra.length,
        orphaned: c.gather.orphaned.length,
        onMissingCells: c.gather.onMissingCells.length,
        crashedToRestart: c.gather.crashedToRestart.length,
        ...(c.gather.suspectToRetire
          ? {
              suspectToRetire: c.gather.suspectToRetire.length,
              suspectWithExistingCells: c.gather.suspectWithExistingCells?.length ?? 0,
              suspectRunningOrClaimed: c.gather.suspectRunningOrClaimed?.length ?? 0,
            }
          : {}),
        rows: c.gather.rows,
      },
    },
  };
}

export interface Workload {
  stop(): Promise<Sample[]>;
}

/**
 * The ordinary workload: `count` clients, each writing at `rate` ops/s (a slot every 1/rate s; a
 * late op delays the next, so it never queues): UpdateDesiredLRP of a random populated LRP's
 * annotation, or DesireTask of a new task (no cell: the per-cell counts stay as populated). Task
 * guids carry `phase`: a second workload at the same size (the node kill's) replays the same seeded
 * choices, and without it every DesireTask would repeat a guid and fail with ResourceExists.
 */
export function startWorkload(
  target: ScaleTarget,
  s: ScaleScenario,
  opts: StoreOptions,
  size: number,
  phase = 'trials',
): Workload {
  let stopping = false;
  const samples: Sample[] = [];
  const clients = Array.from({ length: s.clients.count }, async (_, c) => {
    const store = target.etcd ? null : new SqlBbsStore(target.pool(`client-${c}`), opts);
    const rng = seededRng(deriveSeed(s.seed, 77 + c, size));
    const period = 1000 / s.clients.rate;
    let next = performance.now() + rng() * period;
    for (let n = 0; !stopping; n++) {
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (stopping) break;
      next = Math.max(next + period, performance.now());
      const op =
        rng() < 0.5
          ? ({
              f: 'UpdateDesiredLRP',
              args: { processGuid: lrpGuid(Math.floor(rng() * size)), annotation: `a-${c}-${n}` },
            } as const)
          : ({
              f: 'DesireTask',
              args: { taskGuid: `wl-${size}-${phase}-${c}-${n}`, domain: domainName(0) },
            } as const);
      const t = performance.now();
      let error: string | undefined;
      if (target.etcd) error = (await etcdWorkloadWrite(target.etcd, op)) ?? undefined;
      else {
        const r = await store!.execute(op);
        error = r.error ? `${r.error.errno ?? r.error.code ?? 'error'}` : r.value?.error;
      }
      samples.push({
        op: 'workload-write',
        ms: performance.now() - t,
        ...(error ? { error: String(error) } : {}),
      });
    }
  });
  return {
    async stop() {
      stopping = true;
      await Promise.all(clients);
      return samples;
    },
  };
}
