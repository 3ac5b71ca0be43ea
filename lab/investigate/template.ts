// Figures in a campaign's own words (a claim's mechanism or unexplained text, a summary line) are
// never typed in: `{{question.variant.metric.stat}}` is filled from the runs whenever the findings
// are written, so the words stay true when the campaign runs again. A number typed into those
// texts is refused by the validator, except where it is not a result: a MySQL error code (1213),
// a date or BBS version (2016-05), a name with digits (G2-item, MDEV-38999, n3), a setting after
// its snake_case name (wsrep_sync_wait 0), a unit after "per" (per 1,000 ops), anything in
// backticks (a scenario value quoted as the file writes it), and the numbers the claim's source
// states in its own text (so the lab's figure can be set beside the claimed one).

import { medianOf, type Interval } from '../report/intervals.ts';

export const TEMPLATE = /\{\{\s*([^{}]*?)\s*\}\}/g;

export const STATS = ['median', 'low', 'high', 'min', 'max', 'n', 'nonzero', 'interval'] as const;
export type Stat = (typeof STATS)[number];

export interface TemplateRef {
  question: string;
  variant: string;
  metric: string;
  stat: Stat;
}

/** What a template may name: each question's id, variants and the metrics its figures hold. */
export interface TemplateScope {
  id: string;
  variants: readonly string[];
  metrics: readonly string[];
}

export const TEMPLATE_HELP = `{{question.variant.metric.stat}} (stat: ${STATS.join(', ')})`;

/**
 * `q2.none.deadlocksPer1000.median` against the campaign's questions. Ids may hold dots, so the
 * question is the longest id the text starts with, then the longest variant; the stat is the last
 * part and the metric what lies between.
 */
export function parseTemplate(body: string, scope: readonly TemplateScope[]): TemplateRef | string {
  const cut = body.lastIndexOf('.');
  const stat = body.slice(cut + 1);
  const head = body.slice(0, Math.max(0, cut));
  if (cut < 0 || !(STATS as readonly string[]).includes(stat))
    return `{{${body}}}: must end in a stat, one of ${STATS.join(', ')}; write ${TEMPLATE_HELP}`;
  const q = [...scope]
    .sort((a, b) => b.id.length - a.id.length)
    .find((x) => head.startsWith(`${x.id}.`));
  if (!q)
    return `{{${body}}}: no question it starts with; use one of ${scope.map((x) => x.id).join(', ')}`;
  const rest = head.slice(q.id.length + 1);
  const variant = [...q.variants]
    .sort((a, b) => b.length - a.length)
    .find((v) => rest.startsWith(`${v}.`));
  if (!variant)
    return `{{${body}}}: ${q.id} has no variant at "${rest}"; use one of ${q.variants.join(', ')}`;
  const metric = rest.slice(variant.length + 1);
  if (!q.metrics.includes(metric))
    return `{{${body}}}: ${JSON.stringify(metric)} is not among ${q.id}'s metrics (${q.metrics.join(', ')}); add it there first`;
  return { question: q.id, variant, metric, stat: stat as Stat };
}

/** Problems with every template in a text, one line each. */
export function templateProblems(text: string, scope: readonly TemplateScope[]): string[] {
  return [...text.matchAll(TEMPLATE)]
    .map((m) => parseTemplate(m[1]!, scope))
    .filter((x): x is string => typeof x === 'string');
}

/** MySQL error codes a text may name. */
const CODES = new Set([
  '1040',
  '1045',
  '1047',
  '1053',
  '1062',
  '1105',
  '1146',
  '1180',
  '1205',
  '1213',
  '1317',
  '1927',
  '2002',
  '2003',
  '2006',
  '2013',
  '4031',
]);

/** The plain numbers a text states ("0.060", "2"), as written without thousands separators. */
export function numbersIn(text: string): Set<string> {
  return new Set([...text.matchAll(/\d+(?:[.,]\d+)*/g)].map((m) => m[0].replace(/,/g, '')));
}

/**
 * Numbers typed into a text that read as results (see the header for what is not one), as
 * written, in order.
 */
export function handWrittenNumbers(
  text: string,
  allowed: ReadonlySet<string> = new Set(),
): string[] {
  const plain = text.replace(TEMPLATE, ' ').replace(/`[^`]*`/g, ' ');
  const words = plain
    .split(/[\s()[\]{};"'“”‘’/]+/)
    .map((w) => w.replace(/^[^A-Za-z0-9]+|[.,:;!?]+$/g, ''));
  const out: string[] = [];
  words.forEach((w, i) => {
    if (!/\d/.test(w) || !/^\d/.test(w)) return; // no digit, or a name with digits (G2-item, n3)
    if (/^(19|20)\d\d(-\d\d){0,2}$/.test(w)) return; // a date or a BBS version
    const code = /^(\d{4})s?$/.exec(w)?.[1];
    if (code && CODES.has(code)) return;
    const prev = words[i - 1] ?? '';
    if (prev === 'per' || /^[a-z]+(_[a-z0-9]+)+$/.test(prev)) return; // a unit, or a setting's value
    const n = /^\d+(?:[.,]\d+)*/.exec(w)![0].replace(/,/g, '');
    if (allowed.has(n)) return;
    out.push(w);
  });
  return out;
}

export interface FigureForTemplate {
  interval: Interval;
  digits: number;
}

const fmt = (x: number, digits: number): string =>
  Number.isFinite(x)
    ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : 'n/a';

/** One stat of a figure as text: numbers with the metric's decimals, counts as integers. */
export function statText(f: FigureForTemplate, stat: Stat): string {
  const i = f.interval;
  if (stat === 'n') return String(i.n);
  if (stat === 'nonzero') return String(i.values.filter((v) => v !== 0).length);
  if (i.n === 0) return 'n/a (no runs)';
  const sorted = [...i.values].sort((a, b) => a - b);
  switch (stat) {
    case 'median':
      return fmt(medianOf(sorted), f.digits);
    case 'low':
      return fmt(i.low, f.digits);
    case 'high':
      return fmt(i.high, f.digits);
    case 'min':
      return fmt(sorted[0]!, f.digits);
    case 'max':
      return fmt(sorted[sorted.length - 1]!, f.digits);
    case 'interval':
      return i.n === 1
        ? `${fmt(i.median, f.digits)} (1 run)`
        : `${fmt(i.median, f.digits)} [${fmt(i.low, f.digits)}–${fmt(i.high, f.digits)}]`;
  }
  return '';
}

/** The text with every template filled in from `lookup`; one it cannot resolve is left marked. */
export function fillTemplates(
  text: string,
  scope: readonly TemplateScope[],
  lookup: (ref: TemplateRef) => FigureForTemplate | undefined,
): string {
  return text.replace(TEMPLATE, (whole, body: string) => {
    const ref = parseTemplate(body, scope);
    const f = typeof ref === 'string' ? undefined : lookup(ref);
    return typeof ref === 'string' || !f ? `${whole} (not measured)` : statText(f, ref.stat);
  });
}
