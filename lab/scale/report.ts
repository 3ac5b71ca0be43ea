// A scale run's results and its report, pure: results.json in, figures, charts and README.md out.
// Every figure is computed here from the raw samples so a reader (or a test) can recount it.

import type { Provenance } from '../provenance.ts';
import { latencyChart, type ChartSeries } from './chart.ts';
import type { PopulationCounts } from './populate.ts';
import type { ScaleScenario, ScaleTopology } from './scenario.ts';
import { knee, kneeText, summarise, type Knee, type LatencySummary } from './stats.ts';
import { SCALE_OPS, type Sample, type ScaleOp, type TrialRecord } from './trials.ts';

export interface SizeResult {
  size: number;
  populateMs: number;
  counts: Omit<
    PopulationCounts,
    'actualPerCell' | 'tasksPerCell' | 'desiredPerDomain' | 'tasksPerDomain'
  >;
  /**
   * Cells whose bulk read did not return the populated count (benchmarkbbs fails the trial then).
   */
  rowMismatches: string[];
  trials: TrialRecord[];
  workload: Sample[];
  load1: { before: number; after: number };
  /** The node kill at the largest size (scenario nodeKill), when run. */
  kill?: KillResult;
}

export interface KillResult {
  node: string;
  afterMs: number;
  /** The trial ended before `afterMs` (a small size): the node was killed right after it. */
  killedAfterTrial?: true;
  /** The trial the kill fell into, and one more with the node still down. */
  during: TrialRecord;
  down: TrialRecord;
  /** From the restart to the node Synced again, ms; null when it did not come back in time. */
  rejoinMs: number | null;
  /** The ordinary workload's writes through both trials. */
  /** `errors`: the failed writes by error (absent in results from before it was recorded). */
  writes: { ok: number; failed: number; errors?: Record<string, number> };
  error?: string;
}

export interface TopologyResult {
  topology: ScaleTopology;
  describe: string;
  sizes: SizeResult[];
  /** Why the topology stopped early (a size failed), if it did. */
  error?: string;
}

export interface ScaleResults {
  kind: 'bbs-lab-scale';
  scenario: ScaleScenario;
  provenance: Provenance;
  startedAt: string;
  finishedAt: string;
  command: string;
  topologies: TopologyResult[];
}

export interface OpFigures extends LatencySummary {
  op: ScaleOp;
  /** Rows of the first successful sample (what one request returns). */
  rows: number | null;
  errors: number;
}

/** All samples of an op at a size (every trial; the workload's own list for workload-write). */
export function samplesOf(s: SizeResult, op: ScaleOp, alone = false): Sample[] {
  if (op === 'workload-write') return alone ? [] : s.workload;
  return s.trials.flatMap((t) =>
    t.samples.filter((x) => x.op === op && (x.alone === true) === alone),
  );
}

/** An op's figures at a size: in the concurrent phase of the trials, or (alone) timed by itself. */
export function opFigures(s: SizeResult, op: ScaleOp, alone = false): OpFigures {
  const all = samplesOf(s, op, alone);
  const ok = all.filter((x) => !x.error);
  return {
    op,
    ...summarise(ok.map((x) => x.ms)),
    rows: ok.find((x) => x.rows !== undefined)?.rows ?? null,
    errors: all.length - ok.length,
  };
}

/** The ops a table shows, in order. */
export const TABLE_OPS: readonly ScaleOp[] = [
  'rep-bulk-loop',
  'actual-lrps-by-cell',
  'tasks-by-cell',
  'nsync-bulker',
  'route-emitter',
  'desired-lrps',
  'tasks-by-domain',
  'domains',
  'convergence-gather',
  'convergence',
  'task-convergence',
  'workload-write',
];
/** The ops the charts and knees follow. */
export const CHART_OPS: readonly ScaleOp[] = [
  'rep-bulk-loop',
  'nsync-bulker',
  'route-emitter',
  'convergence',
  'task-convergence',
  'workload-write',
];

/**
 * An op's budget in ms: convergence its interval; the bulk loops (rep, nsync, route emitter) their
 * period.
 */
export function budgetMs(sc: ScaleScenario, op: ScaleOp): number | null {
  if (op === 'convergence' || op === 'convergence-gather' || op === 'task-convergence')
    return sc.budgets.convergenceSec * 1000;
  if (op === 'rep-bulk-loop' || op === 'nsync-bulker' || op === 'route-emitter')
    return sc.budgets.bulkLoopSec * 1000;
  return null;
}

export interface KneeRow {
  topology: ScaleTopology;
  op: ScaleOp;
  budgetSec: number;
  knee: Knee;
}

export function knees(r: ScaleResults): KneeRow[] {
  const out: KneeRow[] = [];
  for (const t of r.topologies)
    for (const op of CHART_OPS) {
      const b = budgetMs(r.scenario, op);
      if (b === null) continue;
      out.push({
        topology: t.topology,
        op,
        budgetSec: b / 1000,
        knee: knee(
          t.sizes.map((s) => ({ size: s.size, p99: opFigures(s, op).p99 })),
          b,
        ),
      });
    }
  return out;
}

/**
 * The growth exponent of an op's p50 between the smallest and largest size (log-log slope), or
 * null.
 */
export function growth(t: TopologyResult, op: ScaleOp): number | null {
  const pts = t.sizes
    .map((s) => ({ size: s.size, v: opFigures(s, op).p50 }))
    .filter((p): p is { size: number; v: number } => p.v !== null && p.v > 0);
  if (pts.length < 2) return null;
  const a = pts[0]!;
  const b = pts[pts.length - 1]!;
  return Math.log(b.v / a.v) / Math.log(b.size / a.size);
}

/** Which op comes nearest its budget first: the smallest knee size (measured before projected). */
export function firstToLeave(rows: readonly KneeRow[]): KneeRow | null {
  const ranked = rows
    .filter((k) => k.knee.kind !== 'not-reached')
    .sort((a, b) =>
      a.knee.kind === b.knee.kind
        ? (a.knee as { size: number }).size - (b.knee as { size: number }).size
        : a.knee.kind === 'measured'
          ? -1
          : 1,
    );
  return ranked[0] ?? null;
}

const ms = (v: number | null): string =>
  v === null ? '–' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`;

export function charts(r: ScaleResults): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of r.topologies) {
    const series: ChartSeries[] = CHART_OPS.map((op) => ({
      label: op,
      points: t.sizes.map((s) => ({ size: s.size, ...opFigures(s, op) })),
    }));
    out[`latency-${t.topology}.svg`] = latencyChart(
      'scale-latency',
      `${t.topology}: latency vs desired LRPs (BBS ${r.scenario.bbs.version})`,
      series,
      r.scenario.budgets.bulkLoopSec * 1000,
    );
  }
  for (const op of ['convergence', 'rep-bulk-loop', 'route-emitter'] as const) {
    const series: ChartSeries[] = r.topologies.map((t) => ({
      label: t.topology,
      points: t.sizes.map((s) => ({ size: s.size, ...opFigures(s, op) })),
    }));
    out[`${op}-by-topology.svg`] = latencyChart(
      'scale-topologies',
      `${op}: latency vs desired LRPs, by topology`,
      series,
      budgetMs(r.scenario, op) ?? undefined,
    );
  }
  return out;
}

const COMPARED_OPS: readonly ScaleOp[] = [
  'rep-bulk-loop',
  'route-emitter',
  'convergence',
  'task-convergence',
];

/**
 * The legacy etcd store against the SQL store (galera-one-proxy, else the first SQL topology) at
 * the largest size both measured: p50 of each compared op, concurrent phase. Null without both.
 */
export function storeComparison(r: ScaleResults): string | null {
  const etcd = r.topologies.find((t) => t.topology === 'etcd');
  const sql =
    r.topologies.find((t) => t.topology === 'galera-one-proxy') ??
    r.topologies.find((t) => t.topology !== 'etcd');
  if (!etcd || !sql) return null;
  const common = etcd.sizes.map((s) => s.size).filter((n) => sql.sizes.some((s) => s.size === n));
  if (common.length === 0) return null;
  const n = Math.max(...common);
  const e = etcd.sizes.find((s) => s.size === n)!;
  const q = sql.sizes.find((s) => s.size === n)!;
  const parts = COMPARED_OPS.map((op) => {
    const a = opFigures(e, op).p50;
    const b = opFigures(q, op).p50;
    if (a === null || b === null) return null;
    return `${op} ${ms(a)} vs ${ms(b)} (×${(a / b).toFixed(1)})`;
  }).filter((x): x is string => x !== null);
  if (parts.length === 0) return null;
  return `The legacy etcd store at ${n.toLocaleString('en')} desired LRPs against ${sql.topology} (p50, etcd vs SQL): ${parts.join(', ')}. On etcd every bulk read fetches its whole tree, a cell's loop included.`;
}

function statusRow(s: SizeResult): string {
  const sum = (f: (t: TrialRecord) => number | undefined): number =>
    s.trials.reduce((a, t) => a + (f(t) ?? 0), 0);
  const n = Math.max(1, s.trials.length);
  const rows = sum((t) => t.status.Rows_read) / n;
  const cert = sum((t) => t.status.wsrep_local_cert_failures);
  const fc = sum((t) => t.status.wsrep_flow_control_paused_ns) / 1e9;
  const cpu = sum((t) => t.process.cpuSec) / n;
  const rss = Math.max(0, ...s.trials.map((t) => t.process.rssMiB));
  // The etcd store has no such counters: a dash, not a zero.
  if (s.trials.every((t) => t.status.Rows_read === undefined))
    return `| ${s.size.toLocaleString('en')} | – | – | – | ${cpu.toFixed(2)} | ${rss} | ${s.load1.before.toFixed(2)} → ${s.load1.after.toFixed(2)} |`;
  return `| ${s.size.toLocaleString('en')} | ${Math.round(rows).toLocaleString('en')} | ${cert} | ${fc.toFixed(2)} | ${cpu.toFixed(2)} | ${rss} | ${s.load1.before.toFixed(2)} → ${s.load1.after.toFixed(2)} |`;
}

/** Errors of a trial's samples by op and message. */
export function errorsByOp(t: TrialRecord): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of t.samples)
    if (x.error)
      out[`${x.op}${x.alone ? ' (alone)' : ''}: ${x.error}`] =
        (out[`${x.op}${x.alone ? ' (alone)' : ''}: ${x.error}`] ?? 0) + 1;
  return out;
}

function killSection(size: number, k: KillResult): string[] {
  const L: string[] = [`### Node kill at ${size.toLocaleString('en')} desired LRPs`, ''];
  if (k.error) L.push(`**The kill did not run to the end: ${k.error}**`, '');
  L.push(
    `kill -9 of ${k.node} ${k.killedAfterTrial ? `right after a trial (it ended before ${k.afterMs} ms)` : `${k.afterMs} ms into a trial`}, then one more trial with it down; restarted, Synced again ${k.rejoinMs === null ? 'not within the wait' : `after ${(k.rejoinMs / 1000).toFixed(1)} s`}.`,
    '',
  );
  L.push(
    '| trial | wall | convergence | slowest bulk loop | requests failed | errors |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const [name, t] of [
    ['during the kill', k.during],
    ['node down', k.down],
  ] as const) {
    const conv = t.samples.find((x) => x.op === 'convergence' && !x.alone);
    const loops = t.samples.filter((x) => x.op === 'rep-bulk-loop').map((x) => x.ms);
    const errs = errorsByOp(t);
    const failed = Object.values(errs).reduce((a, b) => a + b, 0);
    L.push(
      `| ${name} | ${(t.wallMs / 1000).toFixed(2)} s | ${conv ? `${ms(conv.ms)}${conv.error ? ' (failed)' : ''}` : '–'} | ${ms(loops.length ? Math.max(...loops) : null)} | ${failed} of ${t.samples.length} | ${
        Object.entries(errs)
          .map(([e, n]) => `${e} ×${n}`)
          .join('; ') || 'none'
      } |`,
    );
  }
  L.push(
    '',
    `The ordinary workload through both trials: ${k.writes.ok} writes ok, ${k.writes.failed} failed${
      k.writes.errors && Object.keys(k.writes.errors).length > 0
        ? ` (${Object.entries(k.writes.errors)
            .map(([e, n]) => `${e} ×${n}`)
            .join('; ')})`
        : ''
    }.`,
    '',
  );
  return L;
}

export function renderReport(r: ScaleResults): string {
  const sc = r.scenario;
  const L: string[] = [];
  L.push(
    `# Scale: ${sc.question}`,
    '',
    `Generated by one command, from the project's directory: \`${r.command}\` (${r.startedAt} to ${r.finishedAt}). Every figure below is computed from \`results.json\` (raw samples per trial) by lab/scale/report.ts; lab/scale/README.md says what each part measures.`,
    '',
  );
  const kn = knees(r);
  const galera = r.topologies.find((t) => t.topology === 'galera-one-proxy') ?? r.topologies[0];
  L.push('## Answer', '');
  if (galera && galera.sizes.length > 0) {
    const largest = galera.sizes[galera.sizes.length - 1]!;
    const first = firstToLeave(kn.filter((k) => k.topology === galera.topology));
    const grows = CHART_OPS.map((op) => ({ op, g: growth(galera, op) }))
      .filter((x): x is { op: ScaleOp; g: number } => x.g !== null)
      .sort((a, b) => b.g - a.g);
    const conv = opFigures(largest, 'convergence');
    const convAlone = opFigures(largest, 'convergence', true);
    const cpu = largest.trials.reduce((a, t) => a + t.process.cpuSec, 0);
    const wall = largest.trials.reduce((a, t) => a + t.wallMs, 0) / 1000;
    const rep = opFigures(largest, 'rep-bulk-loop');
    L.push(
      `On ${galera.describe}, BBS ${sc.bbs.version}, up to ${largest.size.toLocaleString('en')} desired LRPs (${largest.counts.actualLRPs.toLocaleString('en')} actual LRPs, ${largest.counts.tasks.toLocaleString('en')} tasks, ${sc.population.cells} cells): ` +
        `convergence took p50 ${ms(conv.p50)} / p99 ${ms(conv.p99)} against its ${sc.budgets.convergenceSec} s interval, a cell's bulk loop p99 ${ms(rep.p99)} against its ${sc.budgets.bulkLoopSec} s period. ` +
        (first?.knee.kind === 'measured'
          ? `The first to leave its budget: **${first.op}**, ${kneeText(first.knee, first.budgetSec)}. `
          : first
            ? `No op left its budget; the first projected to: **${first.op}**, ${kneeText(first.knee, first.budgetSec)}. `
            : 'No op left its budget and none projects to within 100× the largest size. ') +
        (grows.length > 0
          ? `What grows fastest with N (p50, log-log slope smallest→largest size): ${grows.map((x) => `${x.op} ${x.g.toFixed(2)}`).join(', ')}. `
          : '') +
        `Alone, convergence took p50 ${ms(convAlone.p50)} at that size; through its trials the database servers used ${cpu.toFixed(1)} CPU-seconds in ${wall.toFixed(1)} s of trial wall time (on ${r.provenance.machine.cores} cores).`,
      '',
    );
  }
  const cmp = storeComparison(r);
  if (cmp) L.push(cmp, '');
  L.push(
    'Latencies are of the concurrent phase of each trial (every cell, the bulkers and convergence started together, as benchmarkbbs runs them), unless a column says "alone" (the same request timed by itself right after).',
    '',
  );
  L.push(
    '## Knees',
    '',
    'Where each op leaves its budget (convergence: its interval; the bulk loops: their period), per topology. A projection fits a least-squares log-log line through every size, is labelled so, and is given only within 100× the largest size measured.',
    '',
  );
  L.push('| topology | op | budget | knee |', '| --- | --- | --- | --- |');
  for (const k of kn)
    L.push(`| ${k.topology} | ${k.op} | ${k.budgetSec} s | ${kneeText(k.knee, k.budgetSec)} |`);
  L.push('');
  L.push('## Charts', '');
  for (const name of Object.keys(charts(r))) L.push(`![${name}](charts/${name})`);
  L.push('');
  for (const t of r.topologies) {
    L.push(
      `## ${t.topology}`,
      '',
      `${t.describe}.${t.error ? ` **Stopped early: ${t.error}**` : ''}`,
      '',
    );
    for (const s of t.sizes) {
      L.push(
        `### ${s.size.toLocaleString('en')} desired LRPs`,
        '',
        `${s.counts.actualLRPs.toLocaleString('en')} actual LRPs, ${s.counts.tasks.toLocaleString('en')} tasks, ${s.counts.domains} domain(s); populated in ${(s.populateMs / 1000).toFixed(1)} s; ${s.trials.length} trial(s)${s.rowMismatches.length > 0 ? `; **bulk reads that missed rows: ${s.rowMismatches.join('; ')}**` : '; every cell read back exactly its populated rows'}.`,
        '',
        '| op | samples | p50 | p99 | max | rows | errors | alone: p50 (samples) |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
      );
      for (const op of TABLE_OPS) {
        const f = opFigures(s, op);
        const a = opFigures(s, op, true);
        if (f.n === 0 && f.errors === 0) continue;
        L.push(
          `| ${op} | ${f.n} | ${ms(f.p50)} | ${ms(f.p99)} | ${ms(f.max)} | ${f.rows ?? '–'} | ${f.errors} | ${a.n === 0 ? '–' : `${ms(a.p50)} (${a.n})`} |`,
        );
      }
      const c = s.trials[0]?.convergence;
      if (c?.modelled)
        L.push(
          '',
          `Convergence found (trial 1): ${Object.entries(c.gather)
            .map(([k, v]) => `${k} ${v}`)
            .join(
              ', ',
            )}; fixes: created ${c.fixes.created}, removed ${c.fixes.removed}, stopped by cell ${c.fixes.stoppedByCell}, unclaimed ${c.fixes.unclaimed}${c.fixes.madeSuspect !== undefined ? `, made Suspect ${c.fixes.madeSuspect}, Suspects promoted ${c.fixes.promoted ?? 0}, Suspects removed ${c.fixes.suspectRemoved ?? 0}` : ''}.${c.notes.length > 0 ? ` ${c.notes.join('; ')}.` : ''}`,
        );
      else if (c) L.push('', `Convergence: ${c.notes.join('; ')}.`);
      const tc = s.trials[0]?.taskConvergence;
      if (tc)
        L.push(
          '',
          `Task convergence (trial 1): ${Object.entries(tc.steps)
            .map(
              ([k, v]) =>
                `${k} ${v.selected === null ? '' : `selected ${v.selected}`}${v.selected !== null && v.changed !== null ? ', ' : ''}${v.changed === null ? '' : `changed ${v.changed}`}`,
            )
            .join(
              '; ',
            )}; ${tc.statements} statements; start requests ${tc.startRequests}, completion callbacks ${tc.completionCallbacks}.`,
        );
      L.push('');
    }
    for (const s of t.sizes) if (s.kill) L.push(...killSection(s.size, s.kill));
    if (t.sizes.length > 0) {
      L.push(
        'Database resources per trial (mean over trials; counters summed over nodes; certification failures and flow control summed over all trials):',
        '',
      );
      L.push(
        '| size | rows read (Rows_read) | cert failures | flow control paused, s | server CPU s | server RSS MiB | load1 before → after |',
        '| --- | --- | --- | --- | --- | --- | --- |',
      );
      for (const s of t.sizes) L.push(statusRow(s));
      L.push('');
    }
  }
  L.push(
    '## The machine and what changes on real VMs',
    '',
    `Measured on ${r.provenance.machine.cores} cores and ${r.provenance.machine.memoryGiB} GiB shared with other work (the load average around each size is in the resource tables), every Galera node a local mariadbd process on a loopback address (innodb_buffer_pool_size 64M, innodb_flush_log_at_trx_commit 1): the nodes, the proxy, the simulated cells, the bulkers, convergence and the workload all share the same cores, and the network is loopback (no latency, no bandwidth limit). On real VMs each node has its own cores and disk, so the database's CPU is not shared with its clients; replication and every client round trip pay the network's latency (a bulk read of 20 000 rows also its bandwidth), certification waits for the slowest node's round trip, and a larger buffer pool keeps the tables in memory. So the figures here are an upper bound on CPU contention and a lower bound on network cost: where an op's time grows with rows returned it will grow at least as fast on VMs; where it is CPU-bound on these 2 cores it will be faster.`,
    '',
    ...(r.topologies.some((t) => t.topology === 'etcd')
      ? [
          'The etcd topology is one etcd 3.4 process (v2 keys API) on a loopback address, its data on the same disk as the Galera nodes\u2019; the real 2016 deployments ran a 3-node etcd cluster, where every quorum read and write also pays a round of replication.',
          '',
        ]
      : []),
    'Not modelled: the BBS server itself (its HTTP and protobuf encoding of every row, which benchmarkbbs includes: the lab calls the SQL store directly), the encryption of blobs (the lab stores small constant ones), the auctioneer and the task completion callbacks (counted, not sent), and events.',
    '',
  );
  L.push(
    '## What an op is',
    '',
    ...Object.entries(SCALE_OPS).map(([k, v]) => `- **${k}**: ${v}`),
    '',
  );
  L.push(
    '## Provenance',
    '',
    `- command: \`${r.command}\``,
    `- lab commit ${r.provenance.lab.commit ?? 'unknown'}${r.provenance.lab.dirty ? ' (with uncommitted changes)' : ''}; node ${r.provenance.node}; mariadb ${r.provenance.mariadb ?? '?'}; galera ${r.provenance.galera ?? '?'}`,
    `- machine: ${r.provenance.machine.cores} cores, ${r.provenance.machine.memoryGiB} GiB; started ${r.startedAt}, finished ${r.finishedAt}`,
    `- seed ${sc.seed}; sizes ${sc.sizes.join(', ')}; ${sc.trials} trials per size; ${sc.population.instances} instance(s) per LRP, ${sc.population.cells} cells, ${sc.population.domains} domain(s), ${sc.population.tasksPerLrp} tasks per LRP; ordinary workload ${sc.clients.count} clients × ${sc.clients.rate} ops/s; convergence workers ${sc.convergenceWorkers}`,
    '',
  );
  return L.join('\n');
}
