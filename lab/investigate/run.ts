// `bbs-lab investigate`: plan the campaign within the budget, run it one scenario at a time
// through the runner into findings/runs/<id>-investigate-<campaign>/ (seed by seed, shuffled
// within a seed; a configuration two questions share runs once), keep state.json current after
// every run (so a resume skips what finished, redoes what was interrupted, and keeps the order
// and the budget), then write findings/<campaign>/ from the state and the runs' results.json. A
// failed run is recorded as failed and the campaign goes on.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { aggregate } from './aggregate.ts';
import type { Campaign } from './campaign.ts';
import type { RunResults } from './metrics.ts';
import { defaultOrderSeed } from './order.ts';
import {
  withSeedCount,
  campaignCommand,
  formatMinutes,
  overheadModel,
  planCampaign,
  renderPlan,
  withEstimates,
  type Measured,
  type Plan,
  type PlannedRun,
} from './plan.ts';
import { recordMeasured, storedMeasured } from './phase-store.ts';
import { warmKey } from '../runner/warm-state.ts';
import { renderFindings } from './render.ts';
import {
  mergeRuns,
  readState,
  resolveShared,
  syncShared,
  toRun,
  writeState,
  type CampaignState,
  type Machine,
  type RunRecord,
} from './state.ts';
import type { Verification } from './verify.ts';
import { provenance } from '../provenance.ts';
import { DEFAULT_RUNS_DIR, PROJECT_ROOT, runId } from '../runner/run-dir.ts';
import { runScenario } from '../runner/run.ts';
import { formatPhases, overheadSummary } from '../runner/phases.ts';
import { WarmClusters } from '../runner/warm.ts';

export class InvestigateInputError extends Error {}

export interface InvestigateOptions {
  budgetSec: number | null;
  /**
   * The command that regenerates the findings, without options (`node bin/bbs-lab.js investigate
   * <file>`): the budget and order seed the campaign uses are added to it (campaignCommand).
   */
  command: string;
  /** Seeds the shuffle within blocks; default: the resumed campaign's, else from the name. */
  orderSeed?: number;
  /** Count runs that did not keep their rate; default: the resumed campaign's choice, else no. */
  includeUnkept?: boolean;
  /** Seeds per variant for every question (--seeds); default: the resumed campaign's, else the file's. */
  seeds?: number;
  resumeDir?: string;
  /** Start a new campaign directory even when an unfinished one exists. */
  fresh?: boolean;
  planOnly?: boolean;
  /**
   * Rewrite findings/<campaign>/ from the runs already recorded (after an edit of the campaign's
   * summary, claims or metrics); runs nothing.
   */
  renderOnly?: boolean;
  runsDir?: string;
  findingsDir?: string;
  addressBase?: string;
  /** Stop after this many runs in this invocation (tests: an interrupted campaign). */
  maxRuns?: number;
  log?: (msg: string) => void;
}

export interface InvestigateResult {
  plan: Plan;
  campaignDir: string | null;
  findingsDir: string | null;
  state: CampaignState | null;
  complete: boolean;
}

export function machine(): Machine {
  const cs = cpus();
  return {
    cores: cs.length,
    cpuModel: cs[0]?.model.trim() ?? 'unknown',
    memGiB: totalmem() / 2 ** 30,
    platform: `${type()} ${release()}`,
  };
}

const suffix = (name: string) => `-investigate-${name}`;

/** The newest campaign directory of this campaign, finished or not. */
export function latestCampaignDir(runsDir: string, name: string): string | null {
  if (!existsSync(runsDir)) return null;
  const d = readdirSync(runsDir)
    .filter((x) => x.endsWith(suffix(name)) && readState(join(runsDir, x))?.campaign === name)
    .sort()
    .pop();
  return d ? join(runsDir, d) : null;
}

/**
 * What the recorded runs say about the plan they came from: the most seeds any variant ran, whether
 * that is fewer than the campaign asks, and which questions have no run at all.
 */
export function planOfState(
  c: Campaign,
  state: CampaignState,
): Pick<Plan, 'shortened' | 'cut' | 'seedCap'> {
  const seedsRun = (q: Campaign['questions'][number], v: string) =>
    new Set(state.runs.filter((r) => r.question === q.id && r.variant === v).map((r) => r.seed))
      .size;
  const cut = c.questions.filter((q) => !state.runs.some((r) => r.question === q.id));
  const kept = c.questions.filter((q) => !cut.includes(q));
  const cap = Math.max(0, ...kept.flatMap((q) => q.variants.map((v) => seedsRun(q, v.name))));
  const short = kept.some((q) => q.variants.some((v) => seedsRun(q, v.name) < q.seeds.length));
  return {
    shortened: short || cut.length > 0,
    cut: cut.map((q) => ({ id: q.id, estimateSec: 0 })),
    seedCap: short ? cap : null,
  };
}

/** The newest campaign directory of this campaign whose state still has runs to do, if any. */
export function unfinishedCampaignDir(runsDir: string, name: string): string | null {
  if (!existsSync(runsDir)) return null;
  const dirs = readdirSync(runsDir)
    .filter((d) => d.endsWith(suffix(name)))
    .sort()
    .reverse();
  for (const d of dirs) {
    const st = readState(join(runsDir, d));
    if (
      st &&
      st.campaign === name &&
      st.runs.some(
        (r) => r.sameAs === undefined && (r.status === 'pending' || r.status === 'running'),
      )
    )
      return join(runsDir, d);
  }
  return null;
}

function measuredOf(runs: readonly RunRecord[]): Measured[] {
  return runs
    .filter((r) => r.status === 'done' && r.wallSec !== undefined)
    .map((r) => ({
      nodes: r.nodes,
      durationSec: r.durationSec,
      wallSec: r.wallSec!,
      ...(r.start ? { start: r.start } : {}),
    }));
}

/**
 * This campaign's own measured runs when it has any, else what earlier campaigns measured on this
 * machine.
 */
function measuredFor(runs: readonly RunRecord[], runsDir: string): Measured[] {
  const own = measuredOf(runs);
  return own.length > 0 ? own : storedMeasured(runsDir, machine());
}

const finishedKeys = (runs: readonly RunRecord[]) =>
  new Set(runs.filter((r) => r.status === 'done' || r.status === 'failed').map((r) => r.key));

export async function investigate(
  asked: Campaign,
  opts: InvestigateOptions,
): Promise<InvestigateResult> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const runsDir = opts.runsDir ?? DEFAULT_RUNS_DIR;
  let campaignDir: string | null = null;
  let existing: CampaignState | null = null;
  if (opts.resumeDir) {
    existing = readState(opts.resumeDir);
    if (!existing)
      throw new InvestigateInputError(
        `--resume ${opts.resumeDir}: no state.json there; give a directory findings/runs/<id>-investigate-<campaign>/`,
      );
    if (existing.campaign !== asked.name)
      throw new InvestigateInputError(
        `--resume ${opts.resumeDir}: it holds campaign ${JSON.stringify(existing.campaign)}, not ${JSON.stringify(asked.name)}; give that campaign's file or another directory`,
      );
    campaignDir = opts.resumeDir;
  } else if (!opts.fresh) {
    campaignDir = unfinishedCampaignDir(runsDir, asked.name);
    if (campaignDir) {
      existing = readState(campaignDir);
      log(
        `investigate: resuming the unfinished campaign in ${campaignDir} (--fresh starts a new one)`,
      );
    }
  }
  // --seeds holds for the whole campaign: a resume or a render keeps the count it ran with.
  const seeds = opts.seeds ?? existing?.seeds ?? null;
  const c = seeds === null ? asked : withSeedCount(asked, seeds);
  if (opts.renderOnly) {
    const dir = campaignDir ?? latestCampaignDir(runsDir, c.name);
    const st = existing ?? (dir ? readState(dir) : null);
    if (!dir || !st)
      throw new InvestigateInputError(
        `--render: no recorded runs of campaign ${JSON.stringify(c.name)} in ${runsDir}; run the campaign first (or give --resume DIR)`,
      );
    const cr = seeds === null && st.seeds !== undefined ? withSeedCount(asked, st.seeds) : c;
    const plan = {
      ...planCampaign(cr, {
        budgetSec: st.budgetSec,
        measured: measuredOf(st.runs),
        ...(st.orderSeed !== undefined ? { orderSeed: st.orderSeed } : {}),
      }),
      ...planOfState(cr, st),
    };
    const findingsDir = opts.findingsDir ?? join(PROJECT_ROOT, 'findings', c.name);
    writeFindings(
      cr,
      opts.includeUnkept !== undefined ? { ...st, includeUnkept: opts.includeUnkept } : st,
      plan,
      dir,
      findingsDir,
    );
    log(`investigate: findings rewritten from ${dir} in ${join(findingsDir, 'README.md')}`);
    return {
      plan,
      campaignDir: dir,
      findingsDir,
      state: st,
      complete: st.runs.every((r) => r.status === 'done' || r.status === 'failed'),
    };
  }
  // A resume keeps what the campaign started with unless told otherwise: its budget, its order.
  const budgetSec =
    opts.budgetSec ?? (opts.resumeDir || campaignDir ? (existing?.budgetSec ?? null) : null);
  const orderSeed = opts.orderSeed ?? existing?.orderSeed ?? defaultOrderSeed(c.name);
  const includeUnkept = opts.includeUnkept ?? existing?.includeUnkept ?? false;
  const priorRuns = existing?.runs ?? [];
  const plan = planCampaign(c, {
    budgetSec,
    orderSeed,
    measured: measuredFor(priorRuns, runsDir),
    finished: finishedKeys(priorRuns),
  });
  log(renderPlan(c, plan));
  if (opts.planOnly)
    return { plan, campaignDir, findingsDir: null, state: existing, complete: false };

  if (!campaignDir) {
    campaignDir = join(runsDir, runId(`investigate-${c.name}`));
    mkdirSync(campaignDir, { recursive: true });
  }
  const now = () => new Date().toISOString();
  const command = campaignCommand(opts.command, budgetSec, orderSeed, includeUnkept, seeds);
  const seedField = seeds === null ? {} : { seeds };
  const state: CampaignState = existing
    ? { ...existing, budgetSec, orderSeed, includeUnkept, ...seedField, command, updatedAt: now() }
    : {
        version: 1,
        campaign: c.name,
        campaignFile: c.file,
        command,
        budgetSec,
        orderSeed,
        includeUnkept,
        ...seedField,
        machine: machine(),
        startedAt: now(),
        updatedAt: now(),
        runs: [],
      };
  state.runs = mergeRuns(state.runs, plan.runs.map(plannedRecord));
  log(`investigate: campaign directory ${campaignDir}`);
  await executeRuns(c, state, plan, campaignDir, { ...opts, log });
  const planned = new Set(plan.runs.map((r) => r.key));
  const complete = state.runs.every(
    (r) =>
      !planned.has(r.key) || r.status === 'done' || r.status === 'failed' || r.sameAs !== undefined,
  );
  const findingsDir = opts.findingsDir ?? join(PROJECT_ROOT, 'findings', c.name);
  writeFindings(c, state, plan, campaignDir, findingsDir);
  log(
    `investigate: findings in ${join(findingsDir, 'README.md')}${complete ? '' : ` (incomplete: resume with --resume ${campaignDir})`}`,
  );
  return { plan, campaignDir, findingsDir, state, complete };
}

export const plannedRecord = (r: Plan['runs'][number]): Omit<RunRecord, 'status'> => ({
  key: r.key,
  question: r.question,
  variant: r.variant,
  seed: r.seed,
  nodes: r.nodes,
  durationSec: r.durationSec,
  block: r.block,
  ...(r.sameAs !== undefined ? { sameAs: r.sameAs } : {}),
});

/**
 * Runs what the state still has to do of the plan, in its order, one at a time, saving the state
 * before and after each run. Records the provenance of this invocation when it runs anything.
 */
export async function executeRuns(
  c: Campaign,
  state: CampaignState,
  plan: Plan,
  campaignDir: string,
  opts: Pick<InvestigateOptions, 'addressBase' | 'maxRuns'> & {
    log: (m: string) => void;
    label?: string;
  },
): Promise<void> {
  const log = opts.log;
  const label = opts.label ?? 'investigate';
  const now = () => new Date().toISOString();
  const save = () => {
    state.updatedAt = now();
    writeState(campaignDir, state);
  };
  const planned = new Set(plan.runs.map((r) => r.key));
  const todo = toRun(state.runs, planned);
  if (todo.length > 0)
    state.provenance = [...(state.provenance ?? []), { ...provenance(), at: now() }];
  syncShared(state.runs);
  save();
  const total = plan.runs.filter((r) => r.sameAs === undefined).length;
  let ran = 0;
  // Consecutive runs of one topology reuse its cluster, reset and checked between runs (warm.ts).
  const warm = new WarmClusters();
  let lastTopology: string | null = null;
  try {
    for (const rec of todo) {
      if (opts.maxRuns !== undefined && ran >= opts.maxRuns) break;
      const q = c.questions.find((x) => x.id === rec.question)!;
      const v = q.variants.find((x) => x.name === rec.variant)!;
      // The ETA: what is left, in order, each run warm when the one before it has its topology.
      const model = overheadModel(measuredFor(state.runs, dirname(campaignDir)));
      const scenarioOf = (r: RunRecord) =>
        c.questions.find((x) => x.id === r.question)!.variants.find((x) => x.name === r.variant)!
          .scenario;
      const ahead = withEstimates(
        toRun(state.runs, planned).map((r) => ({
          ...(r as unknown as PlannedRun),
          scenario: scenarioOf(r),
          topology: warmKey(scenarioOf(r), 'plan') ?? '',
          start: 'cold' as const,
          estimateSec: 0,
        })),
        model,
        new Set(),
        lastTopology,
      );
      const left = ahead.reduce((a, r) => a + r.estimateSec, 0);
      const thisRun = ahead.find((r) => r.key === rec.key)?.estimateSec ?? 0;
      const doneCount = state.runs.filter(
        (r) =>
          planned.has(r.key) &&
          r.sameAs === undefined &&
          (r.status === 'done' || r.status === 'failed'),
      ).length;
      const sharers = state.runs
        .filter((r) => r.sameAs === rec.key)
        .map((r) => `${r.question}/${r.variant}`);
      log(
        `${label}: [${doneCount + 1}/${total}] ${rec.question} ${rec.variant} seed ${rec.seed}${sharers.length > 0 ? ` (also ${sharers.join(', ')}: the same scenario)` : ''} (~${formatMinutes(thisRun)}; ETA ~${formatMinutes(left)})`,
      );
      rec.status = 'running';
      delete rec.error;
      save();
      const started = Date.now();
      try {
        const res = await runScenario(v.scenario, {
          seed: rec.seed,
          runsDir: campaignDir,
          warm,
          ...(opts.addressBase ? { addressBase: opts.addressBase } : {}),
          log: (m) => {
            // The runner names its directory first thing; recorded at once so an interrupted run's
            // directory is known to a resume.
            const dir = /^run directory: (.+)$/.exec(m)?.[1];
            if (dir) {
              rec.dir = relative(campaignDir!, dir);
              save();
            }
            log(m);
          },
        });
        rec.dir = relative(campaignDir, res.dir.path);
        rec.status = 'done';
        rec.wallSec = (Date.now() - started) / 1000;
        rec.phases = res.phases;
        rec.start = res.start.kind;
        // Kept beside the campaigns, so the next campaign's plan on this machine starts from it.
        recordMeasured(dirname(campaignDir), machine(), {
          nodes: rec.nodes,
          durationSec: rec.durationSec,
          wallSec: rec.wallSec,
          start: res.start.kind,
        });
        log(
          `${label}: ${rec.key} done in ${formatMinutes(rec.wallSec)}, ${res.start.kind} (${formatPhases(res.phases)})`,
        );
      } catch (e) {
        rec.status = 'failed';
        rec.wallSec = (Date.now() - started) / 1000;
        rec.error = (e as Error).message.split('\n')[0]!;
        log(`${label}: ${rec.key} FAILED: ${rec.error}; the campaign goes on`);
      }
      ran++;
      // A failed run's cluster was stopped (its cleanup ran): the next run starts cold.
      lastTopology = rec.status === 'done' ? (warmKey(v.scenario, 'plan') ?? '') : null;
      // The runs that share this one take its outcome, so the state reads finished when it is.
      syncShared(state.runs);
      save();
    }
  } finally {
    await warm.close();
  }
  const timed = state.runs.filter((r) => r.phases && r.start);
  if (timed.length > 0)
    log(`${label}: ${overheadSummary(timed.map((r) => ({ start: r.start!, phases: r.phases! })))}`);
}

/** Every finished run's results.json by key (a shared run's under its own key too). */
export function readResults(
  runs: readonly RunRecord[],
  campaignDir: string,
): Map<string, RunResults> {
  const results = new Map<string, RunResults>();
  for (const r of resolveShared(runs)) {
    if (r.status !== 'done' || !r.dir) continue;
    const f = join(campaignDir, r.dir, 'results.json');
    if (existsSync(f)) results.set(r.key, JSON.parse(readFileSync(f, 'utf8')) as RunResults);
  }
  return results;
}

export const VERIFICATION_FILE = 'verification.json';

/** A path as a command line in the findings shows it: relative to the project when inside it. */
export function shownPath(p: string): string {
  const rel = relative(PROJECT_ROOT, p);
  return rel && !rel.startsWith('..') ? rel : p;
}

/**
 * findings/<campaign>/verification.json when it verified these findings (same campaign start), else
 * null.
 */
export function readVerification(
  findingsDir: string,
  state: Pick<CampaignState, 'startedAt'>,
): Verification | null {
  const f = join(findingsDir, VERIFICATION_FILE);
  if (!existsSync(f)) return null;
  const v = JSON.parse(readFileSync(f, 'utf8')) as Verification & { findingsStartedAt?: string };
  return v.findingsStartedAt === state.startedAt ? v : null;
}

/** Reads every finished run's results.json and writes findings/<campaign>/. */
export function writeFindings(
  c: Campaign,
  state: CampaignState,
  plan: Plan,
  campaignDir: string,
  findingsDir: string,
): void {
  const results = readResults(state.runs, campaignDir);
  const figures = aggregate(c, state.runs, results, {
    includeUnkept: state.includeUnkept ?? false,
  });
  mkdirSync(findingsDir, { recursive: true });
  const out = renderFindings({
    campaign: c,
    figures,
    state,
    plan,
    runsRel: relative(findingsDir, campaignDir) || '.',
    verification: readVerification(findingsDir, state),
    findingsPath: shownPath(findingsDir),
  });
  writeFileSync(join(findingsDir, 'README.md'), out.readme);
  writeFileSync(join(findingsDir, 'index.html'), out.html);
  writeFileSync(join(findingsDir, 'findings.json'), `${JSON.stringify(out.json, null, 2)}\n`);
  for (const [name, svg] of Object.entries(out.charts)) writeFileSync(join(findingsDir, name), svg);
}
