// `investigate --verify findings/<campaign>`: does a committed answer reproduce? A sample of the
// committed runs is run again (one seed per variant by default: the same seed for every variant of
// a question, so shared runs stay shared), and each figure of the re-runs is held against the
// committed interval for it: inside or not. The result goes to verification.json and to the last
// section of the findings' README. Pure here: the committed findings.json and the new runs' values
// in, the verification and its text out (run.ts runs the sample).

import { medianOf } from '../report/intervals.ts';
import { metricWords } from './metrics.ts';
import { seededShuffle } from './order.ts';
import type { FindingsProvenance } from './provenance-summary.ts';

/** findings.json as render.ts writes it, read loosely (only what verification needs). */
export interface CommittedFindings {
  campaign: string;
  questions: {
    id: string;
    metrics: string[];
    variants: {
      name: string;
      runs: { seed: number; status: string; values?: Record<string, number | null> }[];
      metrics: Record<
        string,
        {
          unit?: string;
          digits?: number;
          median: number | null;
          low: number | null;
          high: number | null;
          n: number;
        }
      >;
    }[];
  }[];
}

export interface VerifiedFigure {
  question: string;
  variant: string;
  metric: string;
  unit: string;
  digits: number;
  committed: {
    median: number | null;
    low: number | null;
    high: number | null;
    n: number;
    sameSeeds: (number | null)[];
  };
  fresh: { seeds: number[]; values: number[]; median: number | null };
  /** The fresh median inside [low, high]; null when either side measured nothing. */
  inside: boolean | null;
}

export interface Verification {
  campaign: string;
  at: string;
  command: string;
  seedsPerVariant: number;
  sample: { question: string; seeds: number[] }[];
  runs: { key: string; status: string; dir?: string; keptUp: boolean | null; sameAs?: string }[];
  figures: VerifiedFigure[];
  inside: number;
  outside: number;
  unmeasured: number;
  provenance: FindingsProvenance;
}

/** Committed seeds of a question that ran in every variant. */
export function committedSeeds(q: CommittedFindings['questions'][number]): number[] {
  const per = q.variants.map(
    (v) => new Set(v.runs.filter((r) => r.status === 'done').map((r) => r.seed)),
  );
  return [...(per[0] ?? new Set<number>())]
    .filter((s) => per.every((x) => x.has(s)))
    .sort((a, b) => a - b);
}

/** `k` seeds per question, chosen by a seeded shuffle of its committed seeds (all when fewer). */
export function sampleSeeds(
  f: CommittedFindings,
  k: number,
  seed: number,
): { question: string; seeds: number[] }[] {
  return f.questions.map((q, i) => ({
    question: q.id,
    seeds: seededShuffle(committedSeeds(q), seed + i)
      .slice(0, Math.max(1, k))
      .sort((a, b) => a - b),
  }));
}

export interface FreshRun {
  question: string;
  variant: string;
  seed: number;
  /** Null for a run that failed or did not keep its rate. */
  values: Record<string, number | null> | null;
}

export function verifyFigures(f: CommittedFindings, fresh: readonly FreshRun[]): VerifiedFigure[] {
  const out: VerifiedFigure[] = [];
  for (const q of f.questions)
    for (const v of q.variants) {
      const mine = fresh.filter((r) => r.question === q.id && r.variant === v.name);
      if (mine.length === 0) continue;
      for (const metric of q.metrics) {
        const c = v.metrics[metric];
        if (!c) continue;
        const pairs = mine
          .map((r) => [r.seed, r.values?.[metric] ?? null] as const)
          .filter((x): x is readonly [number, number] => typeof x[1] === 'number');
        const values = pairs.map((x) => x[1]);
        const median = values.length > 0 ? medianOf([...values].sort((a, b) => a - b)) : null;
        const low = typeof c.low === 'number' ? c.low : null;
        const high = typeof c.high === 'number' ? c.high : null;
        out.push({
          question: q.id,
          variant: v.name,
          metric,
          unit: c.unit ?? '',
          digits: c.digits ?? 2,
          committed: {
            median: typeof c.median === 'number' ? c.median : null,
            low,
            high,
            n: c.n,
            sameSeeds: mine.map(
              (r) => v.runs.find((x) => x.seed === r.seed)?.values?.[metric] ?? null,
            ),
          },
          fresh: { seeds: pairs.map((x) => x[0]), values, median },
          inside:
            median === null || low === null || high === null || c.n === 0
              ? null
              : median >= low && median <= high,
        });
      }
    }
  return out;
}

const fmt = (x: number | null, digits: number): string =>
  x === null || !Number.isFinite(x)
    ? 'n/a'
    : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/**
 * The digits a figure is printed with: its metric's, or more (up to 3) when that many would print
 * an outside figure as equal to the bound it passed ("3.5 (committed [3.3–3.5]): OUTSIDE").
 */
export function shownDigits(x: {
  digits: number;
  inside: boolean | null;
  fresh: { median: number | null };
  committed: { low: number | null; high: number | null };
}): number {
  if (x.inside !== false || x.fresh.median === null) return x.digits;
  const m = x.fresh.median;
  const bound =
    x.committed.low !== null && m < x.committed.low ? x.committed.low : x.committed.high;
  let d = x.digits;
  while (d < x.digits + 3 && bound !== null && fmt(m, d) === fmt(bound, d)) d++;
  return d;
}

const committedText = (x: VerifiedFigure): string => {
  const d = shownDigits(x);
  return x.committed.n === 0
    ? 'no committed runs'
    : `${fmt(x.committed.median, d)} [${fmt(x.committed.low, d)}–${fmt(x.committed.high, d)}]`;
};

/** One line per figure, for the terminal. */
export function verificationText(v: Verification): string {
  const lines = [
    `verify ${v.campaign}: ${v.seedsPerVariant} seed(s) per variant (${v.sample.map((s) => `${s.question} ${s.seeds.join(', ')}`).join('; ')})`,
  ];
  for (const x of v.figures) {
    const mark = x.inside === null ? 'not measured' : x.inside ? 'inside' : 'OUTSIDE';
    const d = shownDigits(x);
    lines.push(
      `  ${x.question}/${x.variant} ${x.metric}: ${fmt(x.fresh.median, d)} (committed ${committedText(x)}${x.committed.sameSeeds.some((s) => s !== null) ? `; same seed then ${x.committed.sameSeeds.map((s) => fmt(s, d)).join(', ')}` : ''}): ${mark}`,
    );
  }
  lines.push(summaryLine(v));
  return lines.join('\n');
}

/**
 * The share of a single fresh run's figures expected inside the committed [low, high] if the runs
 * reproduce: a new value exchangeable with n committed ones is below all of them with probability
 * 1/(n+1) and above all with 1/(n+1), so inside the range with (n − 1)/(n + 1) (ties only raise it:
 * a value equal to a bound counts inside). The committed interval is one for the median, not a
 * prediction interval, so 100% is not what reproduction looks like. Averaged over the figures
 * measured from one fresh run; null when any figure has a median of several fresh runs (its chance
 * is not this one) or none was measured.
 */
export function expectedInsideShare(
  figures: readonly Pick<VerifiedFigure, 'inside' | 'committed' | 'fresh'>[],
): number | null {
  const measured = figures.filter((x) => x.inside !== null);
  if (measured.length === 0 || measured.some((x) => x.fresh.values.length !== 1)) return null;
  const each = measured.map((x) => (x.committed.n - 1) / (x.committed.n + 1));
  return each.reduce((a, b) => a + b, 0) / each.length;
}

export function summaryLine(
  v: Pick<Verification, 'inside' | 'outside' | 'unmeasured'> & {
    figures?: readonly Pick<VerifiedFigure, 'inside' | 'committed' | 'fresh'>[];
  },
): string {
  const measured = v.inside + v.outside;
  const expected = v.figures ? expectedInsideShare(v.figures) : null;
  const reproduce =
    expected !== null
      ? ` (if the runs reproduce, at least ${Math.round(100 * expected)}% are expected inside: one fresh run falls within the range of n committed runs with probability (n − 1)/(n + 1))`
      : '';
  return `${v.inside} of ${measured} figure(s) inside the committed intervals${measured > 0 ? ` (${Math.round((100 * v.inside) / measured)}%)` : ''}${reproduce}, ${v.outside} outside${v.unmeasured > 0 ? `, ${v.unmeasured} not measured` : ''}`;
}

export const VERIFICATION_HEADING = 'Last verification';
export const VERIFICATION_ANCHOR = 'verification';

/**
 * The findings README's last section, as Markdown paragraphs (render.ts turns them into blocks).
 */
export function verificationParagraphs(
  v: Verification | null,
  regenerate: { campaignFile: string; findings: string },
): string[] {
  const how = `\`node bin/bbs-lab.js investigate ${regenerate.campaignFile} --verify ${regenerate.findings}\` re-runs one seed per variant (\`--budget\` for more) and records here whether each figure falls inside its committed interval.`;
  if (!v) return [`Last verification: none yet. ${how}`];
  const lab = v.provenance.lab
    .map(
      (l) =>
        `${l.commit ? l.commit.slice(0, 12) : 'unknown commit'}${l.dirty ? ' (with uncommitted changes)' : l.dirty === false ? ' (clean)' : ''}`,
    )
    .join(', ');
  const load = v.provenance.load.load1
    ? `; 1-min load average during the re-runs ${v.provenance.load.load1.median.toFixed(2)} [${v.provenance.load.load1.min.toFixed(2)}–${v.provenance.load.load1.max.toFixed(2)}]`
    : '';
  const outside = v.figures.filter((x) => x.inside === false);
  const paras = [
    `Last verification: ${v.at.slice(0, 10)}, lab ${lab}: ${v.seedsPerVariant} seed(s) per variant re-run (${v.sample.map((s) => `${s.question} seed ${s.seeds.join(', ')}`).join('; ')}); ${summaryLine(v)}${load}.`,
  ];
  if (outside.length > 0)
    paras.push(
      `Outside: ${outside.map((x) => `${x.question}/${x.variant}, ${metricWords(x.metric)}: ${fmt(x.fresh.median, shownDigits(x))} (committed ${committedText(x)})`).join('; ')}.`,
    );
  const failed = v.runs.filter((r) => r.status !== 'done' || r.keptUp === false);
  if (failed.length > 0)
    paras.push(
      `Not counted: ${failed.map((r) => `${r.key} (${r.status !== 'done' ? r.status : 'rate not kept up'})`).join(', ')}.`,
    );
  paras.push(`Every figure and the command are in verification.json. ${how}`);
  return paras;
}

/**
 * The document with its verification section replaced: from the section's heading to the end
 * (render.ts always writes it last), or appended when an older document has none.
 */
export function replaceLastSection(
  doc: string,
  heading: string,
  section: string,
  end = '',
): string {
  const at = doc.indexOf(heading);
  const tail = end && doc.lastIndexOf(end) >= 0 ? doc.slice(doc.lastIndexOf(end)) : '';
  const head =
    at >= 0
      ? doc.slice(0, at)
      : end && tail
        ? doc.slice(0, doc.lastIndexOf(end))
        : doc.endsWith('\n')
          ? `${doc}\n`
          : `${doc}\n\n`;
  return `${head}${section}${tail}`;
}
