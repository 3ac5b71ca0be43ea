// The campaign's figures: per question, per variant, per metric, the median over seeds with its
// order-statistics interval (lab/report/intervals.ts); for every metric and every two variants of
// a question a paired comparison over the seeds both ran (paired.ts), corrected with Holm's method
// over every comparison of the campaign (holm.ts), so "distinguishable" survives the number of
// comparisons made; runs to flag (failed, quorum lost beyond what a fault intended, a rate not
// kept up); and each claim judged on its intervals, its texts' templates filled from the figures.
// Pure: the campaign, the runs' records and their results in, numbers out.

import type { Campaign, Claim, Question } from './campaign.ts';
import { holds, templateScope } from './campaign.ts';
import { holmAdjust } from './holm.ts';
import { metricLabel, metricRef, readMetric, type RunResults } from './metrics.ts';
import { paired, seedsNeeded, type Paired, type SeedsNeeded } from './paired.ts';
import { runFacts, type RunFacts } from './run-facts.ts';
import { resolveShared, type RunRecord } from './state.ts';
import { fillTemplates } from './template.ts';
import { interval, type Interval } from '../report/intervals.ts';

/** The family-wise error rate the correction holds every campaign's comparisons to. */
export const ALPHA = 0.05;

export interface MetricFigure {
  metric: string;
  label: string;
  unit: string;
  digits: number;
  interval: Interval;
}

export interface VariantFigures {
  name: string;
  overrides: Record<string, unknown>;
  runs: RunWithValues[];
  /** Keyed by the metric's name as the campaign writes it. */
  metrics: Record<string, MetricFigure>;
  /**
   * The system under test as its runs' results.json name it (`bbs`: the BBS commit, and any
   * hypothetical behaviour, labelled), e.g. "BBS 2016-05 (db3234a7, 2016-05-03)"; one entry per
   * distinct label, empty for runs written before results recorded it or for non-BBS workloads.
   */
  systemUnderTest: string[];
}

/** Two variants of a question on one metric, paired by seed; `diffs` and the estimate are b − a. */
export interface Comparison extends Paired {
  question: string;
  metric: string;
  a: string;
  b: string;
  /** Counted in the correction: at least 2 seeds measured on both. */
  made: boolean;
  /** Holm-adjusted p (1 when not made). */
  pHolm: number;
  /** The adjusted p is at most ALPHA. */
  distinguishable: boolean;
  /** For a comparison made but not distinguishable: seeds predicted to separate it. */
  needed: SeedsNeeded | null;
}

export type Verdict = 'reproduced' | 'not reproduced' | 'inconclusive';

export interface ClaimJudgement {
  question: string;
  claim: Claim;
  verdict: Verdict;
  perVariant: { variant: string; interval: Interval; verdict: Verdict }[];
  /** From the campaign (mechanism / unexplained) or the rule for the verdict; never made up. */
  explanation: string;
}

export interface QuestionFigures {
  id: string;
  question: string;
  scenario: string;
  metrics: string[];
  variants: VariantFigures[];
  comparisons: Comparison[];
  /**
   * Runs whose cluster lost quorum beyond what its faults intended (issue 13): named, not hidden.
   */
  quorumLoss: { key: string; seconds: number; errors: number; nodes: string[] }[];
  failed: RunRecord[];
  /**
   * Runs whose rate did not keep up (results.json rate.keptUp false): out of the figures unless
   * included.
   */
  unkept: { key: string; offered: number | null; achieved: number | null; included: boolean }[];
  claims: ClaimJudgement[];
}

export interface CampaignFigures {
  campaign: string;
  title: string;
  questions: QuestionFigures[];
  claims: ClaimJudgement[];
  alpha: number;
  /** Comparisons counted in Holm's correction. */
  comparisonsMade: number;
  includeUnkept: boolean;
}

export interface AggregateOptions {
  /** Count runs that did not keep their rate (default: left out, and listed). */
  includeUnkept?: boolean;
}

/**
 * A claim holds on one variant when the condition holds at both ends of its interval (the
 * conditions are monotone, so then across the interval), fails when it fails at both ends, and is
 * inconclusive when the interval straddles it or fewer than 2 runs measured it.
 */
export function judgeInterval(c: Claim['condition'], i: Interval): Verdict {
  if (i.n < 2) return 'inconclusive';
  const lo = holds(c, i.low);
  const hi = holds(c, i.high);
  if (lo && hi) return 'reproduced';
  if (!lo && !hi && !holds(c, i.median)) return 'not reproduced';
  return 'inconclusive';
}

const RULE: Record<Verdict, string> = {
  reproduced:
    'The campaign file states no mechanism for this claim; the runs linked above hold the evidence.',
  'not reproduced':
    'Not reproduced under the conditions listed; what produced it in the original setting remains unexplained.',
  inconclusive:
    'The interval straddles the condition, or fewer than 2 runs measured it: more seeds are needed.',
};

export function judgeClaim(q: QuestionFigures, claim: Claim): ClaimJudgement {
  const perVariant = claim.variants.map((name) => {
    const v = q.variants.find((x) => x.name === name);
    const values = v
      ? v.runs.filter((r) => r.status === 'done').map((r) => r.metricValues?.[claim.metric] ?? null)
      : [];
    const iv = interval(values);
    return { variant: name, interval: iv, verdict: judgeInterval(claim.condition, iv) };
  });
  const all = (v: Verdict) => perVariant.every((p) => p.verdict === v);
  const verdict: Verdict = all('reproduced')
    ? 'reproduced'
    : all('not reproduced')
      ? 'not reproduced'
      : 'inconclusive';
  // Inconclusive: the rule, then what the campaign says the runs do show (its unexplained text),
  // since a reader still needs it to judge the claim.
  const explanation =
    verdict === 'reproduced'
      ? (claim.mechanism ?? RULE.reproduced)
      : verdict === 'not reproduced'
        ? (claim.unexplained ?? RULE['not reproduced'])
        : `${RULE.inconclusive}${claim.unexplained ? ` ${claim.unexplained}` : ''}`;
  return { question: q.id, claim, verdict, perVariant, explanation };
}

export interface RunWithValues extends RunRecord {
  metricValues?: Record<string, number | null>;
  facts?: RunFacts;
  /**
   * Each role target of the run's faults with the node it resolved to (and most-written's margin).
   */
  resolved?: string[];
}

/**
 * "most-written → n2 (margin 37 ok writes)" per fault whose target was a role, from results.json.
 */
export function resolvedRoles(r: RunResults): string[] {
  const faults = (r.stats as { availability?: { faults?: unknown } } | undefined)?.availability
    ?.faults;
  if (!Array.isArray(faults)) return [];
  return faults.flatMap((f: { target?: unknown; node?: unknown; margin?: unknown }) =>
    typeof f.node === 'string' &&
    typeof f.target === 'string' &&
    f.target !== f.node &&
    f.target !== `isolate:${f.node}`
      ? [
          `${f.target} → ${f.node}${typeof f.margin === 'number' ? ` (margin ${f.margin} ok writes)` : ''}`,
        ]
      : [],
  );
}

/**
 * "BBS 2016-05 (db3234a7, 2016-05-03)", with " — Hypothetical: …" when the run changed a behaviour
 * of it.
 */
export function systemLabel(r: RunResults): string | null {
  const b = (r as { bbs?: { label?: unknown; hypotheticalLabel?: unknown } }).bbs;
  if (!b || typeof b.label !== 'string') return null;
  return typeof b.hypotheticalLabel === 'string' && b.hypotheticalLabel !== ''
    ? `${b.label} — ${b.hypotheticalLabel}`
    : b.label;
}

function questionFigures(
  q: Question,
  runs: readonly RunWithValues[],
  results: ReadonlyMap<string, RunResults>,
  includeUnkept: boolean,
): QuestionFigures {
  const mine = runs.filter((r) => r.question === q.id);
  const names = [...new Set([...q.metrics, ...q.claims.map((c) => c.metric)])];
  const counted = (r: RunWithValues) =>
    r.status === 'done' && results.has(r.key) && (includeUnkept || r.facts?.keptUp !== false);
  const variants: VariantFigures[] = q.variants.map((v) => {
    const vr = mine.filter((r) => r.variant === v.name).sort((a, b) => a.seed - b.seed);
    const metrics: Record<string, MetricFigure> = {};
    for (const name of names) {
      const ref = metricRef(name);
      const values = vr.map((r) => (counted(r) ? readMetric(ref, results.get(r.key)!) : null));
      vr.forEach((r, i) => {
        r.metricValues = { ...(r.metricValues ?? {}), [name]: values[i] ?? null };
      });
      metrics[name] = {
        metric: name,
        label: metricLabel(ref),
        unit: ref.metric.unit,
        digits: ref.metric.digits,
        interval: interval(values),
      };
    }
    for (const r of vr) if (results.has(r.key)) r.resolved = resolvedRoles(results.get(r.key)!);
    const sut = vr
      .filter((r) => results.has(r.key))
      .map((r) => systemLabel(results.get(r.key)!))
      .filter((x): x is string => x !== null);
    return {
      name: v.name,
      overrides: v.overrides,
      runs: vr,
      metrics,
      systemUnderTest: [...new Set(sut)],
    };
  });
  const comparisons: Comparison[] = [];
  const bySeed = (v: VariantFigures, m: string) =>
    new Map(v.runs.map((r) => [r.seed, r.metricValues?.[m] ?? null]));
  for (const m of q.metrics)
    for (let i = 0; i < variants.length; i++)
      for (let j = i + 1; j < variants.length; j++) {
        const pr = paired(bySeed(variants[i]!, m), bySeed(variants[j]!, m));
        comparisons.push({
          ...pr,
          question: q.id,
          metric: m,
          a: variants[i]!.name,
          b: variants[j]!.name,
          made: pr.seeds.length >= 2,
          pHolm: 1,
          distinguishable: false,
          needed: null,
        });
      }
  const unkept = mine
    .filter((r) => r.status === 'done' && r.facts?.keptUp === false)
    .map((r) => ({
      key: r.key,
      offered: r.facts!.offered,
      achieved: r.facts!.achieved,
      included: includeUnkept,
    }));
  const quorumLoss = mine
    .filter((r) => r.status === 'done' && results.has(r.key))
    .map((r) => {
      const unplanned = (
        (results.get(r.key)!.stats?.quorumLoss ?? []) as {
          node: string;
          errors: number;
          planned: boolean;
        }[]
      ).filter((x) => !x.planned);
      return {
        key: r.key,
        seconds: metricRef('quorumLossSec').metric.get(results.get(r.key)!, '') ?? 0,
        errors: unplanned.reduce((a, x) => a + x.errors, 0),
        nodes: [...new Set(unplanned.map((x) => x.node))].sort(),
      };
    })
    // A single 1047 makes an interval of length 0: still a loss nobody planned.
    .filter((x) => x.errors > 0 || x.seconds > 0);
  const qf: QuestionFigures = {
    id: q.id,
    question: q.question,
    scenario: q.scenarioPath,
    metrics: q.metrics,
    variants,
    comparisons,
    quorumLoss,
    failed: mine.filter((r) => r.status === 'failed'),
    unkept,
    claims: [],
  };
  qf.claims = q.claims.map((c) => judgeClaim(qf, c));
  return qf;
}

/**
 * Holm's correction over the comparisons made (2 or more pairs), in place; for those it does not
 * separate, the seeds predicted to (at Holm's strictest level, alpha / comparisons made).
 */
export function correct(comparisons: readonly Comparison[], alpha = ALPHA): number {
  const made = comparisons.filter((x) => x.made);
  const adjusted = holmAdjust(made.map((x) => x.p));
  made.forEach((x, i) => {
    x.pHolm = adjusted[i]!;
    x.distinguishable = x.pHolm <= alpha;
    x.needed = x.distinguishable ? null : seedsNeeded(x.diffs, alpha / made.length);
  });
  return made.length;
}

/**
 * `results` maps a run's key to its results.json; runs without one count as missing. A run that
 * shares another's (state.ts) takes that run's outcome and results.
 */
export function aggregate(
  c: Campaign,
  runs: readonly RunRecord[],
  results: ReadonlyMap<string, RunResults>,
  opts: AggregateOptions = {},
): CampaignFigures {
  const includeUnkept = opts.includeUnkept ?? false;
  const resolved = resolveShared(runs);
  const all = new Map(results);
  for (const r of resolved)
    if (!all.has(r.key) && r.sameAs !== undefined && results.has(r.sameAs))
      all.set(r.key, results.get(r.sameAs)!);
  const copies: RunWithValues[] = resolved.map((r) =>
    all.has(r.key) ? { ...r, facts: runFacts(all.get(r.key)) } : { ...r },
  );
  const questions = c.questions.map((q) => questionFigures(q, copies, all, includeUnkept));
  const comparisonsMade = correct(questions.flatMap((q) => q.comparisons));
  // Claims' own texts take their figures from the runs (template.ts).
  const scope = templateScope(c.questions);
  const lookup = (ref: { question: string; variant: string; metric: string }) =>
    questions.find((q) => q.id === ref.question)?.variants.find((v) => v.name === ref.variant)
      ?.metrics[ref.metric];
  for (const q of questions)
    for (const j of q.claims) j.explanation = fillTemplates(j.explanation, scope, lookup);
  return {
    campaign: c.name,
    title: c.title,
    questions,
    claims: questions.flatMap((q) => q.claims),
    alpha: ALPHA,
    comparisonsMade,
    includeUnkept,
  };
}
