// findings/<campaign>/: README.md and index.html (the same document; the HTML opens from disk
// with every chart inline), one SVG per question, and findings.json with the aggregated figures.
// Each question is answered first, with medians and intervals and the paired comparisons that
// survive the campaign's correction; then the tables, the chart, the claims judged on it and a
// link to every run; at the end the provenance, the command that regenerates it and the last
// verification. Pure: figures and state in, file contents out.

import { SUMMARY_REF, templateScope, type Campaign } from './campaign.ts';
import type {
  CampaignFigures,
  ClaimJudgement,
  Comparison,
  MetricFigure,
  QuestionFigures,
} from './aggregate.ts';
import { questionChart } from './chart.ts';
import { pairsToPassHolm, smallestSignedRankP } from './paired.ts';
import { sharedVariants, type Plan } from './plan.ts';
import { summarizeProvenance, type FindingsProvenance, type Spread } from './provenance-summary.ts';
import type { CampaignState, RunRecord } from './state.ts';
import { fillTemplates } from './template.ts';
import { zeroFigures, zeroNote } from './zeros.ts';
import {
  VERIFICATION_ANCHOR,
  VERIFICATION_HEADING,
  verificationParagraphs,
  type Verification,
} from './verify.ts';
import { describeInterval, minus, rangeText, type Interval } from '../report/intervals.ts';
import { labelWithUnit, metricWords } from './metrics.ts';

export interface FindingsInput {
  campaign: Campaign;
  figures: CampaignFigures;
  state: CampaignState;
  plan: Pick<Plan, 'shortened' | 'cut' | 'seedCap'>;
  /** The campaign's run directory relative to the findings directory (links to run reports). */
  runsRel: string;
  /** Default: from the state and the runs' results (provenance-summary.ts). */
  provenance?: FindingsProvenance;
  /** findings/<campaign>/verification.json, when a verification was recorded. */
  verification?: Verification | null;
  /** The findings folder as the verify command names it (default findings/<campaign>). */
  findingsPath?: string;
}

export interface Findings {
  readme: string;
  html: string;
  json: unknown;
  /** File name → SVG. */
  charts: Record<string, string>;
}

type Block =
  | { h: 1 | 2 | 3; text: string; anchor?: string }
  | { p: string }
  | { list: string[] }
  | { table: { head: string[]; rows: string[][] } }
  | { chart: { file: string; alt: string; svg: string } }
  | { code: string };

/** With a true minus sign: a findings page prints −0.84, never -0.84. */
export const fmtNum = (x: number, digits: number): string =>
  Number.isFinite(x)
    ? minus(
        x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }),
      )
    : 'n/a';

export function describeFigure(m: MetricFigure): string {
  return describeInterval(m.interval, (x) => fmtNum(x, m.digits));
}

function shortInterval(i: Interval, digits: number): string {
  if (i.n === 0) return 'no runs';
  if (i.n === 1) return `${fmtNum(i.median, digits)} (1 run)`;
  return `${fmtNum(i.median, digits)} [${rangeText(fmtNum(i.low, digits), fmtNum(i.high, digits))}]`;
}

const inlineValue = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
const overridesText = (o: Record<string, unknown>): string =>
  Object.keys(o).length === 0
    ? 'the base scenario as is'
    : Object.entries(o)
        .map(([k, v]) => `\`${k}: ${inlineValue(v)}\``)
        .join(', ');

function runLink(runsRel: string, r: RunRecord & { resolved?: string[] }): string {
  const shared = r.sameAs
    ? ` (shared: the run of ${r.sameAs.split('/').slice(0, -1).join('/')}, the same scenario and seed)`
    : '';
  // Which node each role target hit in this run: the same role may hit different nodes by seed.
  const label = `seed ${r.seed}${r.resolved && r.resolved.length > 0 ? `: ${r.resolved.join('; ')}` : ''}`;
  if (r.status === 'done' && r.dir) return `[${label}](${runsRel}/${r.dir}/report.md)${shared}`;
  if (r.status === 'failed')
    return `${label}: failed (${r.error ?? 'no reason recorded'})${r.dir ? ` [its directory](${runsRel}/${r.dir}/)` : ''}`;
  return `${label}: ${r.status}`;
}

const signed = (x: number, digits: number): string =>
  x > 0 ? `+${fmtNum(x, digits)}` : fmtNum(x, digits);
export const fmtP = (p: number): string => (p >= 0.001 ? p.toFixed(3) : p.toExponential(1));

/** "b − a +3.0 [+1.0 to +5.0]": the median paired difference and its interval. */
function diffText(x: Comparison, digits: number): string {
  const i = x.interval;
  return i.n >= 2
    ? `${signed(x.medianDiff, digits)} [${signed(i.low, digits)} to ${signed(i.high, digits)}]`
    : signed(x.medianDiff, digits);
}

/** What a comparison that did not separate would need. */
export function neededText(x: Comparison): string {
  if (!x.made) return `not compared (${x.seeds.length} paired seed(s); 2 needed)`;
  if (!x.needed || x.needed.seeds === null) {
    const why = x.needed?.reason ?? 'no difference seen';
    return why === 'no difference seen'
      ? 'no difference seen: more seeds are not predicted to separate them'
      : why === 'more than the cap'
        ? 'more than 1,000 seeds would be needed'
        : `not separated (${why})`;
  }
  return `about ${x.needed.seeds} seeds would be needed`;
}

/** The headline: the question's first metric for every variant, and which pairs separate. */
export function answerSentence(
  q: QuestionFigures,
  f: Pick<CampaignFigures, 'comparisonsMade' | 'alpha'>,
): string {
  const m = q.metrics[0]!;
  const figs = q.variants.map((v) => `**${v.name}** ${describeFigure(v.metrics[m]!)}`);
  const label = q.variants[0]?.metrics[m]?.label ?? metricWords(m);
  const unit = q.variants[0]?.metrics[m]?.unit ?? '';
  const digits = q.variants[0]?.metrics[m]?.digits ?? 2;
  const cmp = q.comparisons.filter((s) => s.metric === m);
  let sep = '';
  if (q.variants.length > 1) {
    const apart = cmp.filter((s) => s.distinguishable);
    const rule = `paired by seed, Holm-corrected over the campaign's ${f.comparisonsMade} comparisons at ${Math.round(f.alpha * 100)}%`;
    if (apart.length === 0) sep = ` No two variants are distinguishable on it (${rule}).`;
    else
      sep = ` Distinguishable (${rule}): ${apart.map((s) => `${s.b} − ${s.a} ${diffText(s, digits)}, adjusted p ${fmtP(s.pHolm)}`).join('; ')}.`;
    const rest = cmp.filter((s) => !s.distinguishable);
    if (rest.length > 0 && apart.length > 0)
      sep += ` Not separated: ${rest.map((s) => `${s.a} vs ${s.b}`).join(', ')}.`;
  }
  return `${labelWithUnit(label, unit)}: ${figs.join('; ')}.${sep}`;
}

/**
 * A summary line with each `{question/variant/metric}` replaced by "median unit [low–high]" and
 * each `{{question.variant.metric.stat}}` by that stat (template.ts).
 */
export function fillSummary(line: string, figures: CampaignFigures, campaign?: Campaign): string {
  const scope = campaign
    ? templateScope(campaign.questions)
    : figures.questions.map((q) => ({
        id: q.id,
        variants: q.variants.map((v) => v.name),
        metrics: Object.keys(q.variants[0]?.metrics ?? {}),
      }));
  const lookup = (ref: { question: string; variant: string; metric: string }) =>
    figures.questions
      .find((q) => q.id === ref.question)
      ?.variants.find((v) => v.name === ref.variant)?.metrics[ref.metric];
  const parts = line.split(/(\{\{[^{}]*\}\})/);
  return parts
    .map((part) =>
      part.startsWith('{{') ? fillTemplates(part, scope, lookup) : fillRefs(part, figures),
    )
    .join('');
}

function fillRefs(line: string, figures: CampaignFigures): string {
  return line.replace(SUMMARY_REF, (ref, qid: string, variant: string, metric: string) => {
    const m = figures.questions.find((q) => q.id === qid)?.variants.find((v) => v.name === variant)
      ?.metrics[metric];
    if (!m) return `${ref} (not measured)`;
    const i = m.interval;
    if (i.n === 0) return 'n/a (no runs)';
    const unit = m.unit && !/^(ratio|count|share)$/.test(m.unit) ? ` ${m.unit}` : '';
    return i.n === 1
      ? `${fmtNum(i.median, m.digits)}${unit} (1 run)`
      : `${fmtNum(i.median, m.digits)}${unit} [${rangeText(fmtNum(i.low, m.digits), fmtNum(i.high, m.digits))}]`;
  });
}

function verdictMark(j: ClaimJudgement): string {
  return j.verdict === 'reproduced'
    ? '**reproduced**'
    : j.verdict === 'not reproduced'
      ? '**not reproduced**'
      : 'inconclusive';
}

function claimRows(js: readonly ClaimJudgement[], figures: CampaignFigures): string[][] {
  return js.map((j) => {
    const q = figures.questions.find((x) => x.id === j.question)!;
    const digits = q.variants[0]?.metrics[j.claim.metric]?.digits ?? 2;
    const label = q.variants[0]?.metrics[j.claim.metric]?.label ?? metricWords(j.claim.metric);
    return [
      `${j.claim.text} (${j.claim.source})`,
      `${j.claim.conditions} Judged on ${label} ${j.claim.condition.text} in ${j.claim.variants.join(', ')} ([${j.question}](#${j.question}))`,
      j.perVariant
        .map((p) => `${p.variant}: ${describeInterval(p.interval, (x) => fmtNum(x, digits))}`)
        .join('; '),
      verdictMark(j),
      j.explanation,
    ];
  });
}

function comparisonRow(x: Comparison, q: QuestionFigures): string[] {
  const m = q.variants[0]!.metrics[x.metric]!;
  return [
    labelWithUnit(m.label, m.unit),
    `${x.b} − ${x.a}`,
    String(x.seeds.length),
    x.seeds.length > 0 ? diffText(x, m.digits) : 'n/a',
    x.made ? fmtNum(x.effect, 2) : 'n/a',
    x.made ? fmtP(x.p) : 'n/a',
    x.made ? fmtP(x.pHolm) : 'n/a',
    x.distinguishable ? '**distinguishable**' : neededText(x),
  ];
}

function comparisonBlocks(q: QuestionFigures, f: CampaignFigures): Block[] {
  if (q.variants.length < 2) return [];
  const head = q.comparisons.filter((x) => x.metric === q.metrics[0]);
  const others = q.comparisons.filter((x) => x.metric !== q.metrics[0]);
  const shown = [...head, ...others.filter((x) => x.distinguishable)];
  // A comparison not made (a variant with no figure for the metric) did not separate either, but
  // it is not a "no difference": counted apart, so the count of made comparisons adds up.
  const hidden = others.filter((x) => x.made && !x.distinguishable).length;
  const notMade = others.filter((x) => !x.made).length;
  const notMadeText =
    notMade > 0
      ? `, and ${notMade} could not be made (a variant with no figure for the metric)`
      : '';
  return [
    { h: 3, text: 'Paired comparisons' },
    {
      p:
        `Each pair of variants seed by seed (the same seed of both is a pair): the median difference with its sign-test interval, the rank-biserial effect (−1 to 1), Wilcoxon's exact signed-rank p, and that p after Holm's correction over all ${f.comparisonsMade} comparisons this campaign makes (every metric of every question, every two variants); distinguishable only when the corrected p is at most ${f.alpha}. ` +
        `For the others, the seeds a difference like the one observed would need (from the spread of the paired differences, at the strictest corrected level). The headline metric's every pair is listed${others.length > 0 ? `, then the other metrics' distinguishable pairs; ${hidden} other comparison(s) of this question did not separate${notMadeText}; all are in findings.json` : ''}.`,
    },
    {
      table: {
        head: [
          'metric',
          'difference',
          'pairs',
          'median difference [interval]',
          'effect',
          'p',
          'Holm p',
          'verdict',
        ],
        rows: shown.map((x) => comparisonRow(x, q)),
      },
    },
  ];
}

function questionBlocks(
  q: QuestionFigures,
  input: FindingsInput,
  chartFile: string,
  svg: string,
): Block[] {
  const blocks: Block[] = [
    { h: 2, text: `${q.id}: ${q.question}`, anchor: q.id },
    { p: `**Answer.** ${answerSentence(q, input.figures)}` },
  ];
  const flags: string[] = [];
  if (q.failed.length > 0)
    flags.push(
      `${q.failed.length} run(s) failed and are left out of the figures: ${q.failed.map((r) => `${r.variant} seed ${r.seed}`).join(', ')}.`,
    );
  if (q.quorumLoss.length > 0) {
    const dur = (sec: number) =>
      sec < 0.1 ? `${fmtNum(sec * 1000, 0)} ms` : `${fmtNum(sec, 1)} s`;
    flags.push(
      `Quorum lost beyond what the faults intended in ${q.quorumLoss.map((x) => `${x.key} (${x.nodes.join(', ')} answered ${x.errors} × 1047 over ${dur(x.seconds)})`).join(', ')}: ` +
        'these runs are in the figures and named here, since a loaded machine or a view change, not the configuration, may cause it.',
    );
  }
  if (q.unkept.length > 0) {
    const rate = (x: number | null) => (x === null ? '?' : fmtNum(x, 1));
    flags.push(
      `${q.unkept.length} run(s) could not keep their offered rate (${q.unkept.map((x) => `${x.key}: ${rate(x.achieved)} of ${rate(x.offered)} ops/s`).join(', ')}): ` +
        (input.figures.includeUnkept
          ? 'counted in the figures (--include-unkept).'
          : 'left out of the figures and comparisons (--include-unkept counts them).'),
    );
  }
  if (flags.length > 0) blocks.push({ p: `**Flagged.** ${flags.join(' ')}` });
  blocks.push({
    table: {
      head: ['metric', ...q.variants.map((v) => v.name)],
      rows: [
        // Which BBS each column's figures are about (a hypothetical is labelled so).
        ...(q.variants.some((v) => v.systemUnderTest.length > 0)
          ? [
              [
                'system under test',
                ...q.variants.map((v) => v.systemUnderTest.join(' / ') || 'not recorded'),
              ],
            ]
          : []),
        ...q.metrics.map((m) => [
          labelWithUnit(q.variants[0]!.metrics[m]!.label, q.variants[0]!.metrics[m]!.unit),
          ...q.variants.map((v) => shortInterval(v.metrics[m]!.interval, v.metrics[m]!.digits)),
        ]),
      ],
    },
  });
  const zeros = zeroNote(zeroFigures(q));
  if (zeros !== null) blocks.push({ p: zeros });
  const cov = [
    ...new Set(
      q.variants
        .map((v) => v.metrics[q.metrics[0]!]!.interval)
        .filter((i) => i.n >= 2)
        .map((i) => `${i.n} runs: ${Math.round(i.coverage * 100)}%`),
    ),
  ];
  blocks.push({
    p: `Cells: median [interval] over the seeds. The interval is the order-statistics interval for the median (lab/report/intervals.ts)${cov.length > 0 ? `; its coverage here: ${cov.join(', ')}` : ''}. Whether two variants differ is the paired comparison's answer below, not whether these intervals overlap.`,
  });
  blocks.push(...comparisonBlocks(q, input.figures));
  blocks.push({
    chart: {
      file: chartFile,
      alt: `${q.id}: the variants side by side, every seed a point, the median marked`,
      svg,
    },
  });
  if (q.claims.length > 0) {
    blocks.push({ h: 3, text: 'Claims judged on this question' });
    blocks.push({
      list: q.claims.map(
        (j) => `${j.claim.text} (${j.claim.source}): ${verdictMark(j)}. ${j.explanation}`,
      ),
    });
  }
  blocks.push({ h: 3, text: 'Variants and runs' });
  const sut = (v: QuestionFigures['variants'][number]) =>
    v.systemUnderTest.length > 0 ? `; system under test: ${v.systemUnderTest.join(' / ')}` : '';
  blocks.push({
    list: q.variants.map(
      (v) =>
        `**${v.name}** (${overridesText(v.overrides)}${sut(v)}): ${v.runs.map((r) => runLink(input.runsRel, r)).join(', ') || 'no runs'}`,
    ),
  });
  const shared = sharedVariants(q.variants.flatMap((v) => v.runs));
  if (shared.length > 0)
    blocks.push({
      p: `Shared runs: ${shared.map((x) => `${x.variant} is the same scenario as ${x.sameAs}, so on seed(s) ${x.seeds.join(', ')} it is the same run (run once, counted in both)`).join('; ')}.`,
    });
  blocks.push({ p: `Base scenario: \`${q.scenario}\`.` });
  return blocks;
}

const MACHINE_NOTE =
  'Every node, proxy and client runs on this one machine over loopback. Against real VMs this changes: ' +
  'replication and client round trips take microseconds instead of a network hop (≈0.2–1 ms), so certification conflicts ' +
  'need tighter races and 1213 rates are likely lower than on a network; the nodes share the cores, so one busy or ' +
  'restarting node (an SST, a rejoin) slows the others, which can make Galera suspect a healthy node or lose quorum ' +
  '(flagged per run); a kill is of a process, not of a VM (no disk or kernel loss, fsync on one shared disk); ' +
  'and timeouts were set for this machine (failure detection, client timeouts), not for a datacenter.';

/** Provenance from the state and the facts of every run that ran (a shared run once). */
export function provenanceOf(
  input: Pick<FindingsInput, 'state' | 'figures' | 'provenance'>,
): FindingsProvenance {
  if (input.provenance) return input.provenance;
  const seen = new Set<string>();
  const facts = input.figures.questions
    .flatMap((q) => q.variants.flatMap((v) => v.runs))
    .filter(
      (r) => r.sameAs === undefined && r.facts !== undefined && !seen.has(r.key) && seen.add(r.key),
    )
    .map((r) => r.facts!);
  return summarizeProvenance(input.state, facts);
}

const spreadText = (x: Spread, digits: number, unit = ''): string =>
  `${fmtNum(x.median, digits)}${unit} [${fmtNum(x.min, digits)}–${fmtNum(x.max, digits)}]`;

/** The provenance section's paragraphs. */
export function provenanceParagraphs(p: FindingsProvenance): string[] {
  const lab =
    p.lab.length === 0
      ? 'not recorded'
      : p.lab
          .map(
            (l) =>
              `commit \`${l.commit ? l.commit.slice(0, 12) : 'unknown'}\`${l.dirty ? ' with uncommitted changes' : l.dirty === false ? ' (clean)' : ''}${l.runs !== null ? ` for ${l.runs} run(s)` : ' (recorded by the campaign, not by its runs)'}`,
          )
          .join('; ');
  const list = (xs: string[]) => (xs.length === 0 ? 'not recorded' : xs.join(' and '));
  const m = p.machine;
  const load = p.load.load1
    ? `1-min load average ${spreadText(p.load.load1, 2)} (median [min–max]) over ${p.load.samples} sample(s) in ${p.load.runs} run(s)${p.load.steal ? `; CPU steal ${spreadText(p.load.steal, 1)}` : ''}`
    : 'not recorded (runs from before the load was sampled)';
  const rate =
    p.rate.runs === 0
      ? 'not recorded (closed-loop runs, or runs from before rates were recorded)'
      : `offered ${p.rate.offered ? `${spreadText(p.rate.offered, 1)} ops/s` : 'as fast as possible (closed loop)'}, achieved ${p.rate.achieved ? `${spreadText(p.rate.achieved, 1)} ops/s` : 'not recorded'}; ${p.rate.keptUp} run(s) kept up, ${p.rate.notKeptUp} did not`;
  return [
    `**Lab:** ${lab}. **Components:** Node ${list(p.components.node)}; MariaDB ${list(p.components.mariadb)}; Galera ${list(p.components.galera)}; etcd ${list(p.components.etcd)}.`,
    `**Machine:** ${m.cores} core(s) (${m.cpuModel}), ${fmtNum(m.memoryGiB, 1)} GiB, ${m.platform}. **Load during the runs:** ${load}. **Rate:** ${rate}.`,
  ];
}

function documentBlocks(input: FindingsInput, charts: Record<string, string>): Block[] {
  const { campaign, figures, state } = input;
  const prov = provenanceOf(input);
  const done = state.runs.filter((r) => r.status === 'done').length;
  const failed = state.runs.filter((r) => r.status === 'failed').length;
  const pending = state.runs.filter((r) => r.status === 'pending' || r.status === 'running').length;
  const blocks: Block[] = [{ h: 1, text: campaign.title }];
  if (campaign.description) blocks.push({ p: campaign.description });
  blocks.push({
    p:
      `Campaign \`${campaign.name}\`: ${figures.questions.length} question(s), ${done} run(s) done, ${failed} failed${pending > 0 ? `, ${pending} not run (the campaign is incomplete: resume it to finish)` : ''}. ` +
      `Every figure is the median over seeds with an interval for it; the runs' directories (history, report) are local and git-ignored, so the links to them work on the machine that ran the campaign.`,
  });
  const shared = sharedVariants(state.runs);
  blocks.push({
    p:
      (state.orderSeed !== undefined
        ? `**How it was run and compared.** The runs went seed by seed: every variant's first seed, then every variant's second, and so on, in an order shuffled within each seed (order seed ${state.orderSeed}), so a drift of the machine's load over the campaign falls on every variant alike. `
        : "**How it was run and compared.** These runs were made before campaigns interleaved them: each variant's seeds ran one after another, so a drift of the machine's load may be confounded with the variant. ") +
      `Two variants are compared seed by seed (paired), and called distinguishable only when Wilcoxon's signed-rank p survives Holm's correction over all ${figures.comparisonsMade} comparisons the campaign makes (family-wise error ${Math.round(figures.alpha * 100)}%); each question lists its comparisons and, for what is not separated, about how many seeds would separate it.` +
      resolutionNote(figures) +
      (shared.length > 0
        ? ` Identical configurations ran once: ${shared.map((x) => `${x.variant} = ${x.sameAs}`).join(', ')} (the same scenario and seed; the run counts for both).`
        : ''),
  });
  if (input.plan.shortened) {
    blocks.push({
      p: `**Shortened to fit the budget.** ${input.plan.seedCap !== null ? `At most ${input.plan.seedCap} seed(s) per variant. ` : ''}${input.plan.cut.length > 0 ? `Question(s) cut: ${input.plan.cut.map((q) => q.id).join(', ')}.` : ''}`,
    });
  }
  if (campaign.summary.length > 0) {
    blocks.push({ h: 2, text: 'In short', anchor: 'summary' });
    blocks.push({ list: campaign.summary.map((l) => fillSummary(l, figures, campaign)) });
    blocks.push({
      p: "Figures in brackets: median over the seeds [its interval], filled in from the runs below; each question's section gives the interval's coverage.",
    });
  }
  blocks.push({ h: 2, text: 'Answers' });
  blocks.push({
    list: figures.questions.map((q) => `[${q.id}](#${q.id}): ${answerSentence(q, figures)}`),
  });
  for (const q of figures.questions) {
    const file = `${q.id}.svg`;
    blocks.push(...questionBlocks(q, input, file, charts[file]!));
  }
  if (figures.claims.length > 0) {
    blocks.push({ h: 2, text: 'Reproduction table', anchor: 'reproduction' });
    const count = (v: string) => figures.claims.filter((j) => j.verdict === v).length;
    blocks.push({
      p: `${figures.claims.length} published claim(s): ${count('reproduced')} reproduced, ${count('not reproduced')} not reproduced, ${count('inconclusive')} inconclusive. A claim is reproduced when its condition holds across the interval of every variant it is judged on, not reproduced when it fails across them, inconclusive otherwise (or with fewer than 2 runs). The mechanism column is the campaign file's text for that verdict, or the rule's when it gives none.`,
    });
    blocks.push({
      table: {
        head: [
          'claim (source)',
          'conditions',
          'lab figure (median, interval)',
          'verdict',
          'mechanism, or what remains unexplained',
        ],
        rows: claimRows(figures.claims, figures),
      },
    });
  }
  blocks.push({ h: 2, text: 'Provenance', anchor: 'provenance' });
  for (const p of provenanceParagraphs(prov)) blocks.push({ p });
  blocks.push({
    p: `A loopback Galera cluster the lab starts (local mariadbd processes). ${MACHINE_NOTE}`,
  });
  blocks.push({ h: 2, text: 'Regenerate' });
  blocks.push({
    p: 'Run the campaign (it resumes an unfinished one of the same campaign; `--fresh` starts over) and rewrite this folder; the command holds the budget and the order seed the runs used:',
  });
  blocks.push({ code: state.command });
  blocks.push({
    p: `Seeds: ${campaign.questions.map((q) => `${q.id} ${[...new Set(state.runs.filter((r) => r.question === q.id).map((r) => r.seed))].join(', ') || 'none'}`).join('; ')}. Each run's \`scenario.yaml\` and \`seed\` repeat it alone with \`bbs-lab run\`.`,
  });
  blocks.push(
    ...verificationBlocks(input.verification ?? null, {
      campaignFile: state.campaignFile,
      findings: input.findingsPath ?? `findings/${campaign.name}`,
    }),
  );
  return blocks;
}

function verificationBlocks(
  v: Verification | null,
  regen: { campaignFile: string; findings: string },
): Block[] {
  return [
    { h: 2, text: VERIFICATION_HEADING, anchor: VERIFICATION_ANCHOR },
    ...verificationParagraphs(v, regen).map((p) => ({ p })),
  ];
}

/**
 * The verification section alone, as Markdown and as HTML, to replace the last section of a written
 * README and index.html.
 */
export function verificationSection(
  v: Verification | null,
  regen: { campaignFile: string; findings: string },
): { md: string; html: string; mdHeading: string; htmlHeading: string } {
  const blocks = verificationBlocks(v, regen);
  return {
    md: toMarkdown(blocks),
    html: `${htmlBody(blocks)}\n`,
    mdHeading: `## <a id="${VERIFICATION_ANCHOR}"></a>${VERIFICATION_HEADING}`,
    htmlHeading: `<h2 id="${VERIFICATION_ANCHOR}">`,
  };
}

function toMarkdown(blocks: readonly Block[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return `${blocks
    .map((b) => {
      if ('h' in b)
        return `${'#'.repeat(b.h)} ${b.anchor ? `<a id="${b.anchor}"></a>` : ''}${b.text}`;
      if ('p' in b) return b.p;
      if ('list' in b) return b.list.map((x) => `- ${x}`).join('\n');
      if ('table' in b)
        return [
          `| ${b.table.head.map(cell).join(' | ')} |`,
          `| ${b.table.head.map(() => '---').join(' | ')} |`,
          ...b.table.rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
        ].join('\n');
      if ('chart' in b) return `![${b.chart.alt}](${b.chart.file})`;
      return `\`\`\`sh\n${b.code}\n\`\`\``;
    })
    .join('\n\n')}\n`;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The Markdown inline subset the blocks use: `code`, **bold**, [text](href). */
export function inlineHtml(s: string): string {
  return esc(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<a href="$2">$1</a>');
}

function htmlBody(blocks: readonly Block[]): string {
  return blocks
    .map((b) => {
      if ('h' in b)
        return `<h${b.h}${b.anchor ? ` id="${esc(b.anchor)}"` : ''}>${inlineHtml(b.text)}</h${b.h}>`;
      if ('p' in b) return `<p>${inlineHtml(b.p)}</p>`;
      if ('list' in b) return `<ul>${b.list.map((x) => `<li>${inlineHtml(x)}</li>`).join('')}</ul>`;
      if ('table' in b)
        return `<div class="wide"><table><thead><tr>${b.table.head.map((h) => `<th>${inlineHtml(h)}</th>`).join('')}</tr></thead><tbody>${b.table.rows.map((r) => `<tr>${r.map((c) => `<td>${inlineHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table></div>`;
      if ('chart' in b)
        return `<figure class="wide">${b.chart.svg}<figcaption>${esc(b.chart.alt)}</figcaption></figure>`;
      return `<pre><code>${esc(b.code)}</code></pre>`;
    })
    .join('\n');
}

function toHtml(blocks: readonly Block[], title: string): string {
  const body = htmlBody(blocks);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font-family:sans-serif;max-width:1250px;margin:1em auto;padding:0 1em;line-height:1.45;color:#212121}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #bdbdbd;padding:3px 6px;vertical-align:top;text-align:left}
.wide{overflow-x:auto;max-width:100%}svg{max-width:100%;height:auto}code{background:#f5f5f5;padding:0 2px}pre{background:#f5f5f5;padding:8px;overflow-x:auto}
</style></head>
<body>
${body}
</body></html>
`;
}

function jsonOf(input: FindingsInput): unknown {
  const iv = (i: Interval) => ({
    median: i.median,
    low: i.low,
    high: i.high,
    coverage: i.coverage,
    n: i.n,
    missing: i.missing,
    values: i.values,
  });
  const { figures, state } = input;
  const cmp = (x: Comparison) => ({
    metric: x.metric,
    a: x.a,
    b: x.b,
    seeds: x.seeds,
    diffs: x.diffs,
    medianDiff: x.seeds.length > 0 ? x.medianDiff : null,
    interval: { low: x.interval.low, high: x.interval.high, coverage: x.interval.coverage },
    effect: x.effect,
    p: x.p,
    pHolm: x.pHolm,
    made: x.made,
    distinguishable: x.distinguishable,
    ...(x.needed ? { seedsNeeded: x.needed.seeds, seedsNeededReason: x.needed.reason } : {}),
  });
  return {
    campaign: figures.campaign,
    title: figures.title,
    campaignFile: state.campaignFile,
    startedAt: state.startedAt,
    command: state.command,
    budgetSec: state.budgetSec,
    orderSeed: state.orderSeed ?? null,
    includeUnkept: figures.includeUnkept,
    provenance: provenanceOf(input),
    machine: state.machine,
    comparisons: {
      method:
        "paired by seed; median difference (b − a) with its sign-test interval; rank-biserial effect; Wilcoxon's exact signed-rank p; Holm's correction over every comparison made",
      alpha: figures.alpha,
      made: figures.comparisonsMade,
      distinguishable: figures.questions.reduce(
        (a, q) => a + q.comparisons.filter((x) => x.distinguishable).length,
        0,
      ),
    },
    shortened: input.plan.shortened,
    cut: input.plan.cut.map((q) => q.id),
    questions: figures.questions.map((q) => ({
      id: q.id,
      question: q.question,
      scenario: q.scenario,
      metrics: q.metrics,
      variants: q.variants.map((v) => ({
        name: v.name,
        overrides: v.overrides,
        systemUnderTest: v.systemUnderTest,
        runs: v.runs.map((r) => ({
          seed: r.seed,
          status: r.status,
          ...(r.dir ? { dir: r.dir } : {}),
          ...(r.sameAs ? { sameAs: r.sameAs } : {}),
          ...(r.error ? { error: r.error } : {}),
          ...(r.facts
            ? { keptUp: r.facts.keptUp, offered: r.facts.offered, achieved: r.facts.achieved }
            : {}),
          values: r.metricValues ?? {},
        })),
        metrics: Object.fromEntries(
          Object.entries(v.metrics).map(([k, m]) => [
            k,
            { unit: m.unit, digits: m.digits, ...iv(m.interval) },
          ]),
        ),
      })),
      distinguishable: q.comparisons
        .filter((s) => s.distinguishable)
        .map((s) => ({ metric: s.metric, a: s.a, b: s.b })),
      comparisons: q.comparisons.map(cmp),
      quorumLoss: q.quorumLoss,
      unkept: q.unkept,
    })),
    claims: figures.claims.map((j) => ({
      question: j.question,
      id: j.claim.id,
      text: j.claim.text,
      source: j.claim.source,
      metric: j.claim.metric,
      condition: j.claim.condition.text,
      verdict: j.verdict,
      perVariant: j.perVariant.map((p) => ({
        variant: p.variant,
        verdict: p.verdict,
        ...iv(p.interval),
      })),
      explanation: j.explanation,
    })),
  };
}

/**
 * When the seed count itself rules out every separation: with n pairs the signed-rank test's p is
 * never below 2/2^n, so above Holm's strictest level nothing can pass, however large the effect.
 */
export function resolutionNote(
  figures: Pick<CampaignFigures, 'questions' | 'alpha' | 'comparisonsMade'>,
): string {
  const made = figures.questions.flatMap((q) => q.comparisons).filter((c) => c.made);
  if (made.length === 0) return '';
  const most = Math.max(...made.map((c) => c.diffs.filter((d) => d !== 0).length));
  const floor = smallestSignedRankP(most);
  const level = figures.alpha / figures.comparisonsMade;
  if (floor <= level) return '';
  const need = pairsToPassHolm(figures.comparisonsMade, figures.alpha);
  return ` **At this seed count no comparison can separate.** With at most ${most} pairs the smallest p the test can give is ${fmtP(floor)} (every difference of one sign), above Holm's strictest level ${fmtP(level)} (${figures.alpha} / ${figures.comparisonsMade}): "not distinguishable" here says the seeds are too few, not that the variants are alike; read the medians and intervals, and count on ${need} seeds per variant to separate a difference of one sign on every seed.`;
}

export function renderFindings(input: FindingsInput): Findings {
  const charts: Record<string, string> = {};
  for (const q of input.figures.questions) charts[`${q.id}.svg`] = questionChart(q);
  const blocks = documentBlocks(input, charts);
  return {
    readme: toMarkdown(blocks),
    html: toHtml(blocks, input.campaign.title),
    json: jsonOf(input),
    charts,
  };
}
