// Planning a campaign: every (question, variant, seed) run, its estimated wall time, and the
// seeds per variant cut evenly until the runs still to do fit the budget. Pure: the campaign,
// the budget and what earlier runs measured in, the plan out.
//
// The runs come in the order they will run: blocked by seed, shuffled within a block (order.ts),
// and a run whose configuration and seed an earlier question already runs is not run again but
// shares that run (share.ts): it costs nothing and comes right after the run it shares.
//
// A run's wall time is its workload duration plus its overhead (every other phase: the cluster's
// start, routing, recovery wait, final read, checks, report, teardown). A run whose topology is the
// one of the run before it starts warm (lab/runner/warm.ts: the cluster is reused), else cold.
// Unmeasured, a run's overhead is a guess: about 10 s plus 6 s per Galera node (a 3-node cluster
// is Synced in ~13 s and stops in ~5 s; docs/facts-learned.md), plus a couple of seconds for proxies and
// Consul, warm or not. Measured runs on this machine replace it: the median overhead of finished
// runs with the same node count that started the same way (warm or cold).

import type { Campaign, Question } from './campaign.ts';
import type { Scenario } from '../scenario/types.ts';
import { medianOf } from '../report/intervals.ts';
import { clientConfig } from '../client/configs/index.ts';
import { blockedOrder, defaultOrderSeed } from './order.ts';
import { configId, sharing } from './share.ts';
import { warmKey } from '../runner/warm-state.ts';

export interface PlannedRun {
  /** `<question>/<variant>/<seed>`: the run's identity in the state file. */
  key: string;
  question: string;
  variant: string;
  seed: number;
  nodes: number;
  durationSec: number;
  /** 0 for a run that shares another's. */
  estimateSec: number;
  /**
   * Runs with the same topology one after another reuse the cluster (warm.ts); '' for none it
   * could.
   */
  topology: string;
  /** Whether the run is expected to start warm: the run before it (not shared) has its topology. */
  start: 'warm' | 'cold';
  /** The seed's position among its question's seeds: the runs of block k run before block k+1. */
  block: number;
  /** The scenario's effective configuration (share.ts). */
  config: string;
  /** The key of the run with the same configuration and seed that this one shares. */
  sameAs?: string;
}

export interface QuestionPlan {
  id: string;
  variants: number;
  /** The seeds the campaign asks for, and those the plan keeps. */
  seedsAsked: number[];
  seeds: number[];
  runs: number;
  estimateSec: number;
}

export interface Plan {
  budgetSec: number | null;
  /** The overheads the estimates used (measured on this machine, or the guess where none were). */
  model: OverheadModel;
  /** Seeds per variant of every question that fit the budget (null without one). */
  seedsFit: number | null;
  /** Seeds the shuffle within each block. */
  orderSeed: number;
  /** In run order. */
  runs: PlannedRun[];
  /** Runs that share another's (not run again). */
  shared: number;
  questions: QuestionPlan[];
  /** Questions left out because even 2 seeds per variant did not fit. */
  cut: { id: string; estimateSec: number }[];
  /** Seeds per variant kept at most (null: as asked). */
  seedCap: number | null;
  shortened: boolean;
  /** Time of the runs still to do. */
  remainingSec: number;
  totalSec: number;
}

/**
 * What a finished run measured: its node count, workload seconds and wall seconds, and how it
 * started (older records: cold).
 */
export interface Measured {
  nodes: number;
  durationSec: number;
  wallSec: number;
  start?: 'warm' | 'cold';
}

/** Median overhead seconds per node count, of cold and of warm runs, where any were measured. */
export interface OverheadModel {
  cold: Map<number, number>;
  warm: Map<number, number>;
  /** How many runs it was measured on. */
  runs: number;
}

export function defaultOverheadSec(s: Pick<Scenario, 'topology' | 'clients'>): number {
  const consul = clientConfig(s.clients.config).consul ? 2 : 0;
  return 10 + 6 * s.topology.nodes + (s.topology.proxies > 0 ? 2 : 0) + consul;
}

const medians = (by: Map<number, number[]>) =>
  new Map([...by].map(([n, xs]) => [n, medianOf([...xs].sort((a, b) => a - b))]));

/**
 * The overhead (wall − workload duration) of finished runs, by how they started and their node
 * count.
 */
export function overheadModel(measured: readonly Measured[]): OverheadModel {
  const cold = new Map<number, number[]>();
  const warm = new Map<number, number[]>();
  for (const m of measured) {
    const by = m.start === 'warm' ? warm : cold;
    by.set(m.nodes, [...(by.get(m.nodes) ?? []), Math.max(0, m.wallSec - m.durationSec)]);
  }
  return { cold: medians(cold), warm: medians(warm), runs: measured.length };
}

/** Overhead seconds per node count of cold runs (median), where any were measured. */
export function measuredOverhead(measured: readonly Measured[]): Map<number, number> {
  return overheadModel(measured).cold;
}

/**
 * A run's estimate. Warm: the measured warm overhead; with none measured for its node count, the
 * cold one (no saving is promised before one was seen on this machine).
 */
export function estimateSec(
  s: Scenario,
  model: OverheadModel,
  start: 'warm' | 'cold' = 'cold',
): number {
  const cold = model.cold.get(s.topology.nodes) ?? defaultOverheadSec(s);
  return s.duration + (start === 'warm' ? (model.warm.get(s.topology.nodes) ?? cold) : cold);
}

function runsOf(q: Question, seeds: number[]): (PlannedRun & { scenario: Scenario })[] {
  return q.variants.flatMap((v) =>
    seeds.map((seed, block) => ({
      key: `${q.id}/${v.name}/${seed}`,
      question: q.id,
      variant: v.name,
      seed,
      nodes: v.scenario.topology.nodes,
      durationSec: v.scenario.duration,
      estimateSec: 0,
      topology: warmKey(v.scenario, 'plan') ?? '',
      start: 'cold' as const,
      block,
      config: configId(v.scenario),
      scenario: v.scenario,
    })),
  );
}

/**
 * Shared runs marked (and costing nothing), then the blocked, shuffled order with each shared run
 * right after the run it shares.
 */
export function orderRuns<R extends PlannedRun>(runs: readonly R[], orderSeed: number): R[] {
  const same = sharing(runs);
  const marked = runs.map((r) =>
    same.has(r.key) ? { ...r, sameAs: same.get(r.key)!, estimateSec: 0 } : r,
  );
  const own = byTopology(
    blockedOrder(
      marked.filter((r) => r.sameAs === undefined),
      orderSeed,
    ),
  );
  return own.flatMap((r) => [r, ...marked.filter((x) => x.sameAs === r.key)]);
}

/**
 * Within each seed block, the runs of one topology run one after another (so all but the first
 * start warm: lab/runner/warm.ts), the groups in the order the shuffle first reaches them and each
 * group in its shuffled order; a block starts with the topology the block before ended with. The
 * blocks stay as they were: every variant's k-th seed still runs before any (k+1)-th.
 */
export function byTopology<R extends { block: number; topology: string }>(
  ordered: readonly R[],
): R[] {
  const out: R[] = [];
  const blocks = [...new Set(ordered.map((r) => r.block))];
  for (const b of blocks) {
    const runs = ordered.filter((r) => r.block === b);
    const topologies = [...new Set(runs.map((r) => r.topology))];
    const last = out[out.length - 1]?.topology;
    // '' is "never warm": no point in grouping it, nor in leading with it.
    if (last !== undefined && last !== '' && topologies.includes(last)) {
      topologies.splice(topologies.indexOf(last), 1);
      topologies.unshift(last);
    }
    for (const t of topologies) out.push(...runs.filter((r) => r.topology === t));
  }
  return out;
}

/**
 * Each run in order starts warm when the run before it that runs (not shared, not finished) has
 * its topology, and is estimated so; a shared or finished run costs nothing more.
 */
export function withEstimates<R extends PlannedRun & { scenario: Scenario }>(
  ordered: readonly R[],
  model: OverheadModel,
  finished: ReadonlySet<string> = new Set(),
  prevTopology: string | null = null,
): R[] {
  let prev = prevTopology;
  const out = ordered.map((r) => {
    if (r.sameAs !== undefined) return { ...r, estimateSec: 0 };
    const start: 'warm' | 'cold' = r.topology !== '' && r.topology === prev ? 'warm' : 'cold';
    if (!finished.has(r.key)) prev = r.topology;
    return { ...r, start, estimateSec: estimateSec(r.scenario, model, start) };
  });
  // A measured overhead has no stop of the cluster the last run leaves kept (a campaign stops it
  // after its last run; any earlier one stops inside the next run's start, and is measured there).
  let last = out.length - 1;
  while (last >= 0 && (out[last]!.sameAs !== undefined || finished.has(out[last]!.key))) last--;
  if (last >= 0 && out[last]!.topology !== '' && model.runs > 0)
    out[last] = { ...out[last]!, estimateSec: out[last]!.estimateSec + CLUSTER_STOP_SEC };
  return out;
}

/** A kept cluster's stop at the campaign's end: a 3-node cluster stops in ~5 s (docs/facts-learned.md). */
export const CLUSTER_STOP_SEC = 5;

const MAX_SEEDS = 100;

/** The first k seeds: those asked, then the integers after the largest. */
export function extendSeeds(seeds: readonly number[], k: number): number[] {
  const out = seeds.slice(0, k);
  let next = Math.max(-1, ...seeds) + 1;
  while (out.length < k) out.push(next++);
  return out;
}

/**
 * The campaign with every question's seeds set to n (--seeds): the first n of those it asks, then
 * the integers after the largest, so a larger count keeps the seeds a smaller one ran.
 */
export function withSeedCount(c: Campaign, n: number): Campaign {
  return { ...c, questions: c.questions.map((q) => ({ ...q, seeds: extendSeeds(q.seeds, n) })) };
}

export interface PlanInput {
  budgetSec: number | null;
  /** Default: from the campaign's name (order.ts). */
  orderSeed?: number;
  measured?: readonly Measured[];
  /** Keys of runs already finished (done or failed): they cost no more time. */
  finished?: ReadonlySet<string>;
}

/**
 * Seeds per variant are capped at K, the largest that fits (every question keeps min(asked, K)
 * seeds, the first ones, so the variants of a question stay paired by seed). K never goes below
 * 2: if 2 seeds do not fit, whole questions are cut from the end of the campaign instead.
 */
export function planCampaign(c: Campaign, input: PlanInput): Plan {
  const model = overheadModel(input.measured ?? []);
  const finished = input.finished ?? new Set<string>();
  const orderSeed = input.orderSeed ?? defaultOrderSeed(c.name);
  const build = (cap: number | null, qs: readonly Question[]) => {
    const per = qs.map((q) => ({
      q,
      runs: runsOf(
        q,
        cap === null ? q.seeds : q.seeds.slice(0, Math.max(1, Math.min(cap, q.seeds.length))),
      ),
    }));
    const ordered = withEstimates(
      orderRuns(
        per.flatMap((x) => x.runs),
        orderSeed,
      ),
      model,
      finished,
    ).map(({ scenario: _s, ...r }) => r as PlannedRun);
    const byKey = new Map(ordered.map((r) => [r.key, r]));
    return {
      per: per.map(({ q, runs }) => ({ q, runs: runs.map((r) => byKey.get(r.key)!) })),
      ordered,
    };
  };
  const remaining = (runs: readonly PlannedRun[]) =>
    runs.filter((r) => !finished.has(r.key)).reduce((a, r) => a + r.estimateSec, 0);
  const maxSeeds = Math.max(...c.questions.map((q) => q.seeds.length));
  const budget = input.budgetSec;
  let cap: number | null = null;
  let kept = c.questions.slice();
  const cut: Plan['cut'] = [];
  const fits = (cp: number | null, qs: readonly Question[]) =>
    budget === null || remaining(build(cp, qs).ordered) <= budget;
  if (!fits(null, kept)) {
    cap = maxSeeds;
    while (cap > 2 && !fits(cap, kept)) cap--;
    while (kept.length > 0 && !fits(cap, kept)) {
      const q = kept[kept.length - 1]!;
      cut.unshift({ id: q.id, estimateSec: remaining(build(cap, [q]).ordered) });
      kept = kept.slice(0, -1);
    }
  }
  // How many seeds per variant the budget holds for every question (beyond the seeds asked: the
  // next integers after the largest), so --plan says how far the budget reaches.
  let seedsFit: number | null = null;
  if (budget !== null) {
    const extended = (k: number) => withSeedCount(c, k).questions;
    seedsFit = 0;
    while (seedsFit < MAX_SEEDS && remaining(build(null, extended(seedsFit + 1)).ordered) <= budget)
      seedsFit++;
  }
  const built = build(cap, kept);
  const runs = built.ordered;
  const questions: QuestionPlan[] = built.per.map(({ q, runs: rs }) => ({
    id: q.id,
    variants: q.variants.length,
    seedsAsked: q.seeds,
    seeds: [...new Set(rs.map((r) => r.seed))],
    runs: rs.length,
    estimateSec: rs.reduce((a, r) => a + r.estimateSec, 0),
  }));
  const shortened = cut.length > 0 || questions.some((q) => q.seeds.length < q.seedsAsked.length);
  return {
    budgetSec: budget,
    orderSeed,
    model,
    seedsFit,
    runs,
    shared: runs.filter((r) => r.sameAs !== undefined).length,
    questions,
    cut,
    seedCap: cap,
    shortened,
    remainingSec: remaining(runs),
    totalSec: runs.reduce((a, r) => a + r.estimateSec, 0),
  };
}

/** Variants that share another's runs (`question/variant`), with the seeds they share. */
export function sharedVariants(
  runs: readonly Pick<PlannedRun, 'question' | 'variant' | 'seed' | 'sameAs'>[],
): { variant: string; sameAs: string; seeds: number[] }[] {
  const by = new Map<string, { variant: string; sameAs: string; seeds: number[] }>();
  for (const r of runs) {
    if (r.sameAs === undefined) continue;
    const variant = `${r.question}/${r.variant}`;
    const sameAs = r.sameAs.split('/').slice(0, -1).join('/');
    const k = `${variant} ${sameAs}`;
    by.set(k, { variant, sameAs, seeds: [...(by.get(k)?.seeds ?? []), r.seed] });
  }
  return [...by.values()];
}

export function formatMinutes(sec: number): string {
  if (sec < 90) return `${Math.round(sec)} s`;
  return `${(sec / 60).toFixed(sec < 600 ? 1 : 0)} min`;
}

/** The plan as printed by `investigate --plan` and before a campaign runs. */
export function renderPlan(c: Campaign, p: Plan): string {
  const lines = [`campaign ${c.name}: ${c.title}`];
  for (const q of p.questions) {
    lines.push(
      `  ${q.id}: ${q.variants} variant(s) × ${q.seeds.length} seed(s) [${q.seeds.join(', ')}] = ${q.runs} run(s), ~${formatMinutes(q.estimateSec)}${q.seeds.length < q.seedsAsked.length ? ` (asked ${q.seedsAsked.length} seeds)` : ''}`,
    );
  }
  for (const q of p.cut)
    lines.push(
      `  ${q.id}: CUT, it does not fit the budget even at 2 seeds per variant (needs ~${formatMinutes(q.estimateSec)})`,
    );
  const done = p.totalSec - p.remainingSec;
  lines.push(
    `  total: ${p.runs.length - p.shared} run(s)${p.shared > 0 ? ` (${p.shared} more shared: the same scenario and seed as a run of another question, run once)` : ''}, ~${formatMinutes(p.totalSec)}${done > 0 ? `; ~${formatMinutes(p.remainingSec)} still to run` : ''}${p.budgetSec !== null ? ` (budget ${formatMinutes(p.budgetSec)})` : ''}`,
  );
  lines.push(`  estimate: ${estimateLine(p)}`);
  if (p.seedsFit !== null)
    lines.push(
      `  budget: ${p.seedsFit} seed(s) per variant of every question fit ${formatMinutes(p.budgetSec!)}${p.seedsFit === 0 ? ' (not even one: give a larger --budget)' : ''}`,
    );
  lines.push(
    `  order: seed by seed (every variant's first seed, then every variant's second, …), shuffled within each seed with order seed ${p.orderSeed}`,
  );
  for (const s of sharedVariants(p.runs))
    lines.push(
      `  shared: ${s.variant} is the same scenario as ${s.sameAs}: on seed(s) ${s.seeds.join(', ')} its runs are that variant's`,
    );
  if (p.shortened) {
    lines.push(
      `  shortened to fit the budget: ${p.seedCap !== null ? `at most ${p.seedCap} seed(s) per variant` : ''}${p.cut.length > 0 ? `${p.seedCap !== null ? '; ' : ''}question(s) ${p.cut.map((q) => q.id).join(', ')} cut` : ''}. Give a larger --budget for the full campaign.`,
    );
  }
  return lines.join('\n');
}

/** Where the estimates come from, the overheads per run they use, and how many runs start warm. */
export function estimateLine(p: Pick<Plan, 'model' | 'runs'>): string {
  const own = p.runs.filter((r) => r.sameAs === undefined);
  const warm = own.filter((r) => r.start === 'warm').length;
  const nodes = [...new Set([...p.model.cold.keys(), ...p.model.warm.keys()])].sort(
    (a, b) => a - b,
  );
  const per = nodes.map(
    (n) =>
      `${n} node(s): ${[p.model.cold.has(n) ? `cold ${p.model.cold.get(n)!.toFixed(1)} s` : null, p.model.warm.has(n) ? `warm ${p.model.warm.get(n)!.toFixed(1)} s` : null].filter(Boolean).join(', ')}`,
  );
  const source =
    p.model.runs > 0
      ? `from ${p.model.runs} measured run(s) on this machine, overhead per run (all but the workload) ${per.join('; ')}`
      : 'no run measured on this machine yet: the overheads are a guess (plan.ts)';
  return `${source}; ${warm} of ${own.length} run(s) start warm (the run before has the same topology)`;
}

/** A budget as `--budget` takes it: whole hours or minutes where it divides, else seconds. */
export function formatBudget(sec: number): string {
  if (sec % 3600 === 0) return `${sec / 3600}h`;
  if (sec % 60 === 0) return `${sec / 60}m`;
  return `${sec}s`;
}

/**
 * The command that regenerates a campaign exactly as it ran: the base (`node bin/bbs-lab.js
 * investigate <file>`) with the budget and the order seed it used, whichever invocation gave them
 * (a resume without --budget keeps the recorded one), and --include-unkept when it was given.
 */
export function campaignCommand(
  base: string,
  budgetSec: number | null,
  orderSeed: number,
  includeUnkept = false,
  seeds: number | null = null,
): string {
  const bare = base
    .replace(/\s+--(budget|order-seed|seeds)(?:\s+|=)\S+/g, '')
    .replace(/\s+--include-unkept\b/g, '');
  return `${bare}${seeds !== null ? ` --seeds ${seeds}` : ''}${budgetSec !== null ? ` --budget ${formatBudget(budgetSec)}` : ''} --order-seed ${orderSeed}${includeUnkept ? ' --include-unkept' : ''}`;
}
