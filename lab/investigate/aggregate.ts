// The campaign's figures: per question, per variant, per metric, the median over seeds with its
// order-statistics interval (lab/report/intervals.ts), which variants the runs tell apart, runs to
// flag (failed, or quorum lost beyond what a fault intended), and each claim judged on its
// intervals. Pure: the campaign, the runs' records and their results in, numbers out.

import type { Campaign, Claim, Question } from './campaign.ts';
import { holds } from './campaign.ts';
import { metricLabel, metricRef, readMetric, type RunResults } from './metrics.ts';
import type { RunRecord } from './state.ts';
import { distinguishable, interval, type Interval } from '../report/intervals.ts';

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
}

export interface Separation {
  metric: string;
  a: string;
  b: string;
  distinguishable: boolean;
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
  separations: Separation[];
  /** Runs whose cluster lost quorum beyond what its faults intended (issue 13): named, not hidden. */
  quorumLoss: { key: string; seconds: number; errors: number; nodes: string[] }[];
  failed: RunRecord[];
  claims: ClaimJudgement[];
}

export interface CampaignFigures {
  campaign: string;
  title: string;
  questions: QuestionFigures[];
  claims: ClaimJudgement[];
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
  reproduced: 'The campaign file states no mechanism for this claim; the runs linked above hold the evidence.',
  'not reproduced': 'Not reproduced under the conditions listed; what produced it in the original setting remains unexplained.',
  inconclusive: 'The interval straddles the condition, or fewer than 2 runs measured it: more seeds are needed.',
};

export function judgeClaim(q: QuestionFigures, claim: Claim): ClaimJudgement {
  const perVariant = claim.variants.map((name) => {
    const v = q.variants.find((x) => x.name === name);
    const values = v ? v.runs.filter((r) => r.status === 'done').map((r) => r.metricValues?.[claim.metric] ?? null) : [];
    const iv = interval(values);
    return { variant: name, interval: iv, verdict: judgeInterval(claim.condition, iv) };
  });
  const all = (v: Verdict) => perVariant.every((p) => p.verdict === v);
  const verdict: Verdict = all('reproduced') ? 'reproduced' : all('not reproduced') ? 'not reproduced' : 'inconclusive';
  // Inconclusive: the rule, then what the campaign says the runs do show (its unexplained text),
  // since a reader still needs it to judge the claim.
  const explanation =
    verdict === 'reproduced'
      ? claim.mechanism ?? RULE.reproduced
      : verdict === 'not reproduced'
        ? claim.unexplained ?? RULE['not reproduced']
        : `${RULE.inconclusive}${claim.unexplained ? ` ${claim.unexplained}` : ''}`;
  return { question: q.id, claim, verdict, perVariant, explanation };
}

export interface RunWithValues extends RunRecord {
  metricValues?: Record<string, number | null>;
}

function questionFigures(q: Question, runs: readonly RunWithValues[], results: ReadonlyMap<string, RunResults>): QuestionFigures {
  const mine = runs.filter((r) => r.question === q.id);
  const names = [...new Set([...q.metrics, ...q.claims.map((c) => c.metric)])];
  const variants: VariantFigures[] = q.variants.map((v) => {
    const vr = mine.filter((r) => r.variant === v.name).sort((a, b) => a.seed - b.seed);
    const metrics: Record<string, MetricFigure> = {};
    for (const name of names) {
      const ref = metricRef(name);
      const values = vr.map((r) => (r.status === 'done' && results.has(r.key) ? readMetric(ref, results.get(r.key)!) : null));
      vr.forEach((r, i) => (r.metricValues = { ...(r.metricValues ?? {}), [name]: values[i] ?? null }));
      metrics[name] = { metric: name, label: metricLabel(ref), unit: ref.metric.unit, digits: ref.metric.digits, interval: interval(values) };
    }
    return { name: v.name, overrides: v.overrides, runs: vr, metrics };
  });
  const separations: Separation[] = [];
  for (const m of q.metrics)
    for (let i = 0; i < variants.length; i++)
      for (let j = i + 1; j < variants.length; j++)
        separations.push({ metric: m, a: variants[i]!.name, b: variants[j]!.name, distinguishable: distinguishable(variants[i]!.metrics[m]!.interval, variants[j]!.metrics[m]!.interval) });
  const quorumLoss = mine
    .filter((r) => r.status === 'done' && results.has(r.key))
    .map((r) => {
      const unplanned = ((results.get(r.key)!.stats?.quorumLoss ?? []) as { node: string; errors: number; planned: boolean }[]).filter((x) => !x.planned);
      return {
        key: r.key,
        seconds: metricRef('quorumLossSec').metric.get(results.get(r.key)!, '') ?? 0,
        errors: unplanned.reduce((a, x) => a + x.errors, 0),
        nodes: [...new Set(unplanned.map((x) => x.node))].sort(),
      };
    })
    // A single 1047 makes an interval of length 0: still a loss nobody planned.
    .filter((x) => x.errors > 0 || x.seconds > 0);
  const qf: QuestionFigures = { id: q.id, question: q.question, scenario: q.scenarioPath, metrics: q.metrics, variants, separations, quorumLoss, failed: mine.filter((r) => r.status === 'failed'), claims: [] };
  qf.claims = q.claims.map((c) => judgeClaim(qf, c));
  return qf;
}

/** `results` maps a run's key to its results.json; runs without one count as missing. */
export function aggregate(c: Campaign, runs: readonly RunRecord[], results: ReadonlyMap<string, RunResults>): CampaignFigures {
  const copies: RunWithValues[] = runs.map((r) => ({ ...r }));
  const questions = c.questions.map((q) => questionFigures(q, copies, results));
  return { campaign: c.name, title: c.title, questions, claims: questions.flatMap((q) => q.claims) };
}
