// findings/<campaign>/: README.md and index.html (the same document; the HTML opens from disk
// with every chart inline), one SVG per question, and findings.json with the aggregated figures.
// Each question is answered first, with medians and intervals; then the tables, the chart, the
// claims judged on it and a link to every run. Pure: figures and state in, file contents out.

import { SUMMARY_REF, type Campaign } from './campaign.ts';
import type { CampaignFigures, ClaimJudgement, MetricFigure, QuestionFigures } from './aggregate.ts';
import { questionChart } from './chart.ts';
import type { Plan } from './plan.ts';
import type { CampaignState, RunRecord } from './state.ts';
import { describeInterval, type Interval } from '../report/intervals.ts';

export interface FindingsInput {
  campaign: Campaign;
  figures: CampaignFigures;
  state: CampaignState;
  plan: Pick<Plan, 'shortened' | 'cut' | 'seedCap'>;
  /** The campaign's run directory relative to the findings directory (links to run reports). */
  runsRel: string;
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

export const fmtNum = (x: number, digits: number): string =>
  Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';

export function describeFigure(m: MetricFigure): string {
  return describeInterval(m.interval, (x) => fmtNum(x, m.digits));
}

function shortInterval(i: Interval, digits: number): string {
  if (i.n === 0) return 'no runs';
  if (i.n === 1) return `${fmtNum(i.median, digits)} (1 run)`;
  return `${fmtNum(i.median, digits)} [${fmtNum(i.low, digits)}–${fmtNum(i.high, digits)}]`;
}

const inlineValue = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
const overridesText = (o: Record<string, unknown>): string => (Object.keys(o).length === 0 ? 'the base scenario as is' : Object.entries(o).map(([k, v]) => `\`${k}: ${inlineValue(v)}\``).join(', '));

function runLink(runsRel: string, r: RunRecord): string {
  const label = `seed ${r.seed}`;
  if (r.status === 'done' && r.dir) return `[${label}](${runsRel}/${r.dir}/report.md)`;
  if (r.status === 'failed') return `${label}: failed (${r.error ?? 'no reason recorded'})${r.dir ? ` [its directory](${runsRel}/${r.dir}/)` : ''}`;
  return `${label}: ${r.status}`;
}

/** The headline: the question's first metric for every variant, and whether they separate. */
export function answerSentence(q: QuestionFigures): string {
  const m = q.metrics[0]!;
  const figs = q.variants.map((v) => `**${v.name}** ${describeFigure(v.metrics[m]!)}`);
  const label = q.variants[0]?.metrics[m]?.label ?? m;
  const unit = q.variants[0]?.metrics[m]?.unit ?? '';
  const seps = q.separations.filter((s) => s.metric === m);
  let sep = '';
  if (q.variants.length > 1) {
    const apart = seps.filter((s) => s.distinguishable);
    if (apart.length === seps.length) sep = ' Every pair of variants is distinguishable (their intervals do not overlap).';
    else if (apart.length === 0) sep = ' No two variants are distinguishable on it: their intervals overlap.';
    else sep = ` Distinguishable: ${apart.map((s) => `${s.a} vs ${s.b}`).join(', ')}; not: ${seps.filter((s) => !s.distinguishable).map((s) => `${s.a} vs ${s.b}`).join(', ')}.`;
  }
  const measured = q.variants.map((v) => v.metrics[m]!.interval).filter((i) => i.n >= 2);
  const weakest = measured.length > 0 ? Math.min(...measured.map((i) => i.coverage)) : 1;
  const caveat = q.variants.length > 1 && weakest < 0.9 ? ` These intervals cover the median with only ${Math.round(weakest * 100)}%: a separation at that coverage is a lead, not a conclusion; more seeds make it firmer.` : '';
  return `${label} (${unit}): ${figs.join('; ')}.${sep}${caveat}`;
}

/** A summary line with each `{question/variant/metric}` replaced by "median unit [low–high]". */
export function fillSummary(line: string, figures: CampaignFigures): string {
  return line.replace(SUMMARY_REF, (ref, qid: string, variant: string, metric: string) => {
    const m = figures.questions.find((q) => q.id === qid)?.variants.find((v) => v.name === variant)?.metrics[metric];
    if (!m) return `${ref} (not measured)`;
    const i = m.interval;
    if (i.n === 0) return 'n/a (no runs)';
    const unit = m.unit && !/^(ratio|count|share)$/.test(m.unit) ? ` ${m.unit}` : '';
    return i.n === 1 ? `${fmtNum(i.median, m.digits)}${unit} (1 run)` : `${fmtNum(i.median, m.digits)}${unit} [${fmtNum(i.low, m.digits)}–${fmtNum(i.high, m.digits)}]`;
  });
}

function verdictMark(j: ClaimJudgement): string {
  return j.verdict === 'reproduced' ? '**reproduced**' : j.verdict === 'not reproduced' ? '**not reproduced**' : 'inconclusive';
}

function claimRows(js: readonly ClaimJudgement[], figures: CampaignFigures): string[][] {
  return js.map((j) => {
    const q = figures.questions.find((x) => x.id === j.question)!;
    const digits = q.variants[0]?.metrics[j.claim.metric]?.digits ?? 2;
    const label = q.variants[0]?.metrics[j.claim.metric]?.label ?? j.claim.metric;
    return [
      `${j.claim.text} (${j.claim.source})`,
      `${j.claim.conditions} Judged on ${label} ${j.claim.condition.text} in ${j.claim.variants.join(', ')} ([${j.question}](#${j.question}))`,
      j.perVariant.map((p) => `${p.variant}: ${describeInterval(p.interval, (x) => fmtNum(x, digits))}`).join('; '),
      verdictMark(j),
      j.explanation,
    ];
  });
}

function questionBlocks(q: QuestionFigures, input: FindingsInput, chartFile: string, svg: string): Block[] {
  const blocks: Block[] = [{ h: 2, text: `${q.id}: ${q.question}`, anchor: q.id }, { p: `**Answer.** ${answerSentence(q)}` }];
  const flags: string[] = [];
  if (q.failed.length > 0) flags.push(`${q.failed.length} run(s) failed and are left out of the figures: ${q.failed.map((r) => `${r.variant} seed ${r.seed}`).join(', ')}.`);
  if (q.quorumLoss.length > 0) {
    const dur = (sec: number) => (sec < 0.1 ? `${fmtNum(sec * 1000, 0)} ms` : `${fmtNum(sec, 1)} s`);
    flags.push(
      `Quorum lost beyond what the faults intended in ${q.quorumLoss.map((x) => `${x.key} (${x.nodes.join(', ')} answered ${x.errors} × 1047 over ${dur(x.seconds)})`).join(', ')}: ` +
        'these runs are in the figures and named here, since a loaded machine or a view change, not the configuration, may cause it.',
    );
  }
  if (flags.length > 0) blocks.push({ p: `**Flagged.** ${flags.join(' ')}` });
  blocks.push({
    table: {
      head: ['metric', ...q.variants.map((v) => v.name)],
      rows: q.metrics.map((m) => [`${q.variants[0]!.metrics[m]!.label} (${q.variants[0]!.metrics[m]!.unit})`, ...q.variants.map((v) => shortInterval(v.metrics[m]!.interval, v.metrics[m]!.digits))]),
    },
  });
  const cov = [...new Set(q.variants.map((v) => v.metrics[q.metrics[0]!]!.interval).filter((i) => i.n >= 2).map((i) => `${i.n} runs: ${Math.round(i.coverage * 100)}%`))];
  blocks.push({ p: `Cells: median [interval] over the seeds. The interval is the order-statistics interval for the median (lab/report/intervals.ts)${cov.length > 0 ? `; its coverage here: ${cov.join(', ')}` : ''}. Two variants are distinguishable on a metric only when their intervals do not overlap.` });
  const others = q.separations.filter((s) => s.metric !== q.metrics[0] && s.distinguishable);
  if (q.metrics.length > 1 && q.variants.length > 1) blocks.push({ p: others.length > 0 ? `Also distinguishable: ${others.map((s) => `${s.a} vs ${s.b} on ${s.metric}`).join(', ')}.` : 'On the other metrics no two variants are distinguishable.' });
  blocks.push({ chart: { file: chartFile, alt: `${q.id}: the variants side by side, every seed a point, the median marked`, svg } });
  if (q.claims.length > 0) {
    blocks.push({ h: 3, text: 'Claims judged on this question' });
    blocks.push({ list: q.claims.map((j) => `${j.claim.text} (${j.claim.source}): ${verdictMark(j)}. ${j.explanation}`) });
  }
  blocks.push({ h: 3, text: 'Variants and runs' });
  blocks.push({ list: q.variants.map((v) => `**${v.name}** (${overridesText(v.overrides)}): ${v.runs.map((r) => runLink(input.runsRel, r)).join(', ') || 'no runs'}`) });
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

function documentBlocks(input: FindingsInput, charts: Record<string, string>): Block[] {
  const { campaign, figures, state } = input;
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
  if (input.plan.shortened) {
    blocks.push({ p: `**Shortened to fit the budget.** ${input.plan.seedCap !== null ? `At most ${input.plan.seedCap} seed(s) per variant. ` : ''}${input.plan.cut.length > 0 ? `Question(s) cut: ${input.plan.cut.map((q) => q.id).join(', ')}.` : ''}` });
  }
  if (campaign.summary.length > 0) {
    blocks.push({ h: 2, text: 'In short', anchor: 'summary' });
    blocks.push({ list: campaign.summary.map((l) => fillSummary(l, figures)) });
    blocks.push({ p: 'Figures in brackets: median over the seeds [its interval], filled in from the runs below; each question\'s section gives the interval\'s coverage.' });
  }
  blocks.push({ h: 2, text: 'Answers' });
  blocks.push({ list: figures.questions.map((q) => `[${q.id}](#${q.id}): ${answerSentence(q)}`) });
  for (const q of figures.questions) {
    const file = `${q.id}.svg`;
    blocks.push(...questionBlocks(q, input, file, charts[file]!));
  }
  if (figures.claims.length > 0) {
    blocks.push({ h: 2, text: 'Reproduction table', anchor: 'reproduction' });
    const count = (v: string) => figures.claims.filter((j) => j.verdict === v).length;
    blocks.push({ p: `${figures.claims.length} published claim(s): ${count('reproduced')} reproduced, ${count('not reproduced')} not reproduced, ${count('inconclusive')} inconclusive. A claim is reproduced when its condition holds across the interval of every variant it is judged on, not reproduced when it fails across them, inconclusive otherwise (or with fewer than 2 runs). The mechanism column is the campaign file's text for that verdict, or the rule's when it gives none.` });
    blocks.push({ table: { head: ['claim (source)', 'conditions', 'lab figure (median, interval)', 'verdict', 'mechanism, or what remains unexplained'], rows: claimRows(figures.claims, figures) } });
  }
  const m = state.machine;
  blocks.push({ h: 2, text: 'The machine' });
  blocks.push({ p: `${m.cores} core(s) (${m.cpuModel}), ${fmtNum(m.memGiB, 1)} GiB, ${m.platform}; a loopback Galera cluster the lab starts (local mariadbd processes). ${MACHINE_NOTE}` });
  blocks.push({ h: 2, text: 'Regenerate' });
  blocks.push({ p: 'Run the campaign (it resumes an unfinished one of the same campaign; `--fresh` starts over) and rewrite this folder:' });
  blocks.push({ code: state.command });
  blocks.push({ p: `Seeds: ${campaign.questions.map((q) => `${q.id} ${[...new Set(state.runs.filter((r) => r.question === q.id).map((r) => r.seed))].join(', ') || 'none'}`).join('; ')}. Each run's \`scenario.yaml\` and \`seed\` repeat it alone with \`bbs-lab run\`.` });
  return blocks;
}

function toMarkdown(blocks: readonly Block[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return (
    blocks
      .map((b) => {
        if ('h' in b) return `${'#'.repeat(b.h)} ${b.anchor ? `<a id="${b.anchor}"></a>` : ''}${b.text}`;
        if ('p' in b) return b.p;
        if ('list' in b) return b.list.map((x) => `- ${x}`).join('\n');
        if ('table' in b) return [`| ${b.table.head.map(cell).join(' | ')} |`, `| ${b.table.head.map(() => '---').join(' | ')} |`, ...b.table.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
        if ('chart' in b) return `![${b.chart.alt}](${b.chart.file})`;
        return '```sh\n' + b.code + '\n```';
      })
      .join('\n\n') + '\n'
  );
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The Markdown inline subset the blocks use: `code`, **bold**, [text](href). */
export function inlineHtml(s: string): string {
  return esc(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<a href="$2">$1</a>');
}

function toHtml(blocks: readonly Block[], title: string): string {
  const body = blocks
    .map((b) => {
      if ('h' in b) return `<h${b.h}${b.anchor ? ` id="${esc(b.anchor)}"` : ''}>${inlineHtml(b.text)}</h${b.h}>`;
      if ('p' in b) return `<p>${inlineHtml(b.p)}</p>`;
      if ('list' in b) return `<ul>${b.list.map((x) => `<li>${inlineHtml(x)}</li>`).join('')}</ul>`;
      if ('table' in b) return `<div class="wide"><table><thead><tr>${b.table.head.map((h) => `<th>${inlineHtml(h)}</th>`).join('')}</tr></thead><tbody>${b.table.rows.map((r) => `<tr>${r.map((c) => `<td>${inlineHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table></div>`;
      if ('chart' in b) return `<figure class="wide">${b.chart.svg}<figcaption>${esc(b.chart.alt)}</figcaption></figure>`;
      return `<pre><code>${esc(b.code)}</code></pre>`;
    })
    .join('\n');
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
  const iv = (i: Interval) => ({ median: i.median, low: i.low, high: i.high, coverage: i.coverage, n: i.n, missing: i.missing, values: i.values });
  const { figures, state } = input;
  return {
    campaign: figures.campaign,
    title: figures.title,
    command: state.command,
    machine: state.machine,
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
        runs: v.runs.map((r) => ({ seed: r.seed, status: r.status, ...(r.dir ? { dir: r.dir } : {}), ...(r.error ? { error: r.error } : {}) })),
        metrics: Object.fromEntries(Object.entries(v.metrics).map(([k, m]) => [k, { unit: m.unit, ...iv(m.interval) }])),
      })),
      distinguishable: q.separations.filter((s) => s.distinguishable).map((s) => ({ metric: s.metric, a: s.a, b: s.b })),
      quorumLoss: q.quorumLoss,
    })),
    claims: figures.claims.map((j) => ({
      question: j.question,
      id: j.claim.id,
      text: j.claim.text,
      source: j.claim.source,
      metric: j.claim.metric,
      condition: j.claim.condition.text,
      verdict: j.verdict,
      perVariant: j.perVariant.map((p) => ({ variant: p.variant, verdict: p.verdict, ...iv(p.interval) })),
      explanation: j.explanation,
    })),
  };
}

export function renderFindings(input: FindingsInput): Findings {
  const charts: Record<string, string> = {};
  for (const q of input.figures.questions) charts[`${q.id}.svg`] = questionChart(q);
  const blocks = documentBlocks(input, charts);
  return { readme: toMarkdown(blocks), html: toHtml(blocks, input.campaign.title), json: jsonOf(input), charts };
}
