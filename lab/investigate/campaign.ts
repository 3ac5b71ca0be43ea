// A campaign file: questions, each a base scenario with named variants (dotted-path overrides),
// the seeds to repeat each variant on, the metrics that answer it, and optionally the published
// claims (the 2016 team's, Jepsen's) judged on those metrics. Validation reports every problem,
// one line each, naming the field and the fix; the caller exits 2.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse, YAMLParseError } from 'yaml';
import type { Scenario } from '../scenario/types.ts';
import { ScenarioError, show, validateScenario } from '../scenario/validate.ts';
import { metricProblem } from './metrics.ts';
import {
  handWrittenNumbers,
  numbersIn,
  TEMPLATE_HELP,
  templateProblems,
  type TemplateScope,
} from './template.ts';

export class CampaignError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid campaign\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

export type Comparison = '>' | '>=' | '<' | '<=' | '==';

export interface Condition {
  op: Comparison;
  value: number;
  /** As written: "> 0". */
  text: string;
}

export interface Claim {
  id: string;
  /** What was claimed, in the source's words. */
  text: string;
  source: string;
  /** The conditions the claim was made under, and how the lab models them. */
  conditions: string;
  /** Variants of the question it is judged on; every one must meet the condition. */
  variants: string[];
  metric: string;
  condition: Condition;
  /**
   * What the evidence shows when the lab reproduces it (from the campaign, never invented). It and
   * `unexplained` take their figures from the runs: {{question.variant.metric.stat}} (template.ts).
   */
  mechanism?: string;
  /** What remains unexplained, or the candidate mechanism, when it is not reproduced. */
  unexplained?: string;
}

export interface Variant {
  name: string;
  overrides: Record<string, unknown>;
  /** The base scenario with the question's and the variant's overrides, validated. */
  scenario: Scenario;
}

export interface Question {
  id: string;
  question: string;
  /** The base scenario's path as written, and resolved. */
  scenarioPath: string;
  scenarioFile: string;
  variants: Variant[];
  /** In order; planning keeps the first k when the budget is short. */
  seeds: number[];
  metrics: string[];
  claims: Claim[];
}

export interface Campaign {
  name: string;
  title: string;
  description: string;
  file: string;
  questions: Question[];
  /**
   * What a reader should do, in a few lines written after the runs, at the top of the findings.
   * Figures are never typed in: `{question/variant/metric}` is replaced by the median and interval
   * the runs give, and `{{question.variant.metric.stat}}` by one stat (template.ts), so the lines
   * stay true when the campaign is run again.
   */
  summary: string[];
}

/** What templates may name: each question's variants, and its metrics and its claims' metrics. */
export function templateScope(questions: readonly Question[]): TemplateScope[] {
  return questions.map((q) => ({
    id: q.id,
    variants: q.variants.map((v) => v.name),
    metrics: [...new Set([...q.metrics, ...q.claims.map((c) => c.metric)])],
  }));
}

/** Where each claim was written (`questions[2].claims[4]`), for problems found after parsing. */
const claimAt = new WeakMap<Claim, string>();

/** Templates that name nothing, and numbers typed into a claim's mechanism or unexplained text. */
function claimTextProblems(questions: readonly Question[], problems: string[]): void {
  const scope = templateScope(questions);
  for (const q of questions)
    for (const c of q.claims) {
      const at = claimAt.get(c) ?? `${q.id} claim ${c.id}`;
      const stated = new Set([...numbersIn(c.text), String(c.condition.value)]);
      for (const field of ['mechanism', 'unexplained'] as const) {
        const text = c[field];
        if (text === undefined) continue;
        for (const p of templateProblems(text, scope)) problems.push(`${at}.${field}: ${p}`);
        const typed = handWrittenNumbers(text, stated);
        if (typed.length > 0) {
          const example = `{{${q.id}.${c.variants[0]}.${c.metric}.median}}`;
          problems.push(
            `${at}.${field}: claim ${c.id} types ${typed.map((x) => JSON.stringify(x)).join(', ')}; a figure must come from the runs: write a template such as ${example} (${TEMPLATE_HELP}), ` +
              `or put a setting of the scenario (not a result) in backticks`,
          );
        }
      }
    }
}

/** `{q4-client-configs/leader-proxy/worstClientOutageSec}` in a summary line. */
export const SUMMARY_REF = /\{([^/{}\s]+)\/([^/{}\s]+)\/([^{}\s]+)\}/g;

function summaryOf(v: unknown, questions: readonly Question[], problems: string[]): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every(nonEmpty)) {
    problems.push('summary: must be a list of lines (text with {question/variant/metric} figures)');
    return [];
  }
  const scope = templateScope(questions);
  v.forEach((line, i) => {
    for (const p of templateProblems(line, scope)) problems.push(`summary[${i}]: ${p}`);
    for (const m of line.replace(/\{\{[^{}]*\}\}/g, '').matchAll(SUMMARY_REF)) {
      const [ref, qid, variant, metric] = m as unknown as [string, string, string, string];
      const q = questions.find((x) => x.id === qid);
      if (!q)
        problems.push(
          `summary[${i}]: ${ref}: no question ${JSON.stringify(qid)}; use one of ${questions.map((x) => x.id).join(', ')}`,
        );
      else if (!q.variants.some((x) => x.name === variant))
        problems.push(
          `summary[${i}]: ${ref}: ${qid} has no variant ${JSON.stringify(variant)}; use one of ${q.variants.map((x) => x.name).join(', ')}`,
        );
      else if (!q.metrics.includes(metric))
        problems.push(
          `summary[${i}]: ${ref}: ${JSON.stringify(metric)} is not among ${qid}'s metrics (${q.metrics.join(', ')}); add it there first`,
        );
    }
  });
  return v as string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** "> 0", ">= 0.06", "== 0". */
export function parseCondition(v: unknown): Condition | null {
  const m = typeof v === 'string' ? /^\s*(>=|<=|==|>|<)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(v) : null;
  return m ? { op: m[1] as Comparison, value: Number(m[2]), text: `${m[1]} ${m[2]}` } : null;
}

export function holds(c: Condition, x: number): boolean {
  switch (c.op) {
    case '>':
      return x > c.value;
    case '>=':
      return x >= c.value;
    case '<':
      return x < c.value;
    case '<=':
      return x <= c.value;
    case '==':
      return x === c.value;
  }
}

/** Sets `a.b.c` in a copy of obj; the intermediate mappings are created or copied. */
export function setPath(obj: Obj, path: string, value: unknown): Obj {
  const [head, ...rest] = path.split('.');
  const out: Obj = { ...obj };
  if (rest.length === 0) out[head!] = value;
  else out[head!] = setPath(isObj(obj[head!]) ? (obj[head!] as Obj) : {}, rest.join('.'), value);
  return out;
}

function checkKeys(o: Obj, allowed: string[], at: string, problems: string[]): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k))
      problems.push(`${at}${k}: unknown field; allowed here: ${allowed.join(', ')}`);
}

function seedsOf(v: unknown, at: string, problems: string[]): number[] {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 100)
    return Array.from({ length: v }, (_, i) => i + 1);
  if (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)
  ) {
    if (new Set(v).size !== v.length)
      problems.push(`${at}: a seed is listed twice; list each seed once`);
    return v as number[];
  }
  problems.push(
    `${at}: must be a count from 1 to 100 (seeds 1…N) or a list of non-negative integer seeds, got ${show(v)}`,
  );
  return [];
}

function overridesOf(v: unknown, at: string, problems: string[]): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) {
    problems.push(
      `${at}: must be a mapping of dotted scenario paths to values (e.g. bbs.deadlockRetry: all-2016-11), got ${show(v)}`,
    );
    return {};
  }
  for (const k of Object.keys(v))
    if (!/^[A-Za-z]+(\.[A-Za-z]+)*$/.test(k))
      problems.push(
        `${at}.${k}: not a dotted scenario path such as bbs.deadlockRetry or clients.via`,
      );
  return v;
}

function loadBase(file: string, at: string, problems: string[]): Obj | null {
  if (!existsSync(file)) {
    problems.push(
      `${at}: no such file ${file}; give a scenario path relative to the campaign file`,
    );
    return null;
  }
  try {
    const doc = parse(readFileSync(file, 'utf8'));
    if (isObj(doc)) return doc;
    problems.push(`${at}: ${file} is not a scenario mapping`);
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` at line ${e.linePos[0].line}` : '';
    problems.push(`${at}: ${file} is not valid YAML${where}`);
  }
  return null;
}

function claimOf(v: unknown, at: string, variants: string[], problems: string[]): Claim | null {
  if (!isObj(v)) {
    problems.push(
      `${at}: must be a mapping with id, text, source, conditions, variants, metric, condition`,
    );
    return null;
  }
  checkKeys(
    v,
    [
      'id',
      'text',
      'source',
      'conditions',
      'variants',
      'metric',
      'condition',
      'mechanism',
      'unexplained',
    ],
    `${at}.`,
    problems,
  );
  const before = problems.length;
  for (const k of ['id', 'text', 'source', 'conditions', 'metric'])
    if (!nonEmpty(v[k])) problems.push(`${at}.${k}: required, a non-empty string`);
  for (const k of ['mechanism', 'unexplained'])
    if (v[k] !== undefined && !nonEmpty(v[k]))
      problems.push(`${at}.${k}: must be a non-empty string when given`);
  const vs = typeof v.variants === 'string' ? [v.variants] : v.variants;
  if (!Array.isArray(vs) || vs.length === 0 || !vs.every((x) => typeof x === 'string'))
    problems.push(
      `${at}.variants: must name one or more of this question's variants (${variants.join(', ')})`,
    );
  else
    for (const x of vs as string[])
      if (!variants.includes(x))
        problems.push(
          `${at}.variants: ${JSON.stringify(x)} is not a variant of this question; use one of ${variants.join(', ')}`,
        );
  if (nonEmpty(v.metric)) {
    const p = metricProblem(v.metric);
    if (p) problems.push(`${at}.metric: ${p}`);
  }
  const condition = parseCondition(v.condition);
  if (!condition)
    problems.push(
      `${at}.condition: must be a comparison with a number such as "> 0", ">= 0.06" or "== 0", got ${show(v.condition)}`,
    );
  if (problems.length > before) return null;
  return {
    id: v.id as string,
    text: v.text as string,
    source: v.source as string,
    conditions: v.conditions as string,
    variants: vs as string[],
    metric: v.metric as string,
    condition: condition!,
    ...(nonEmpty(v.mechanism) ? { mechanism: v.mechanism } : {}),
    ...(nonEmpty(v.unexplained) ? { unexplained: v.unexplained } : {}),
  };
}

function applyOverrides(base: Obj, overrides: Record<string, unknown>): Obj {
  let raw = base;
  for (const [k, x] of Object.entries(overrides)) raw = setPath(raw, k, x);
  return raw;
}

/** The problems validateScenario finds in a scenario built from overrides (none: it is valid). */
function scenarioProblems(raw: Obj, at: string): string[] {
  try {
    validateScenario(raw, at);
    return [];
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return e.problems;
  }
}

function questionOf(v: unknown, i: number, dir: string, problems: string[]): Question | null {
  const at = `questions[${i}]`;
  if (!isObj(v)) {
    problems.push(`${at}: must be a mapping with id, question, scenario, variants, seeds, metrics`);
    return null;
  }
  checkKeys(
    v,
    ['id', 'question', 'scenario', 'overrides', 'variants', 'seeds', 'metrics', 'claims'],
    `${at}.`,
    problems,
  );
  const before = problems.length;
  if (!nonEmpty(v.id) || !NAME.test(v.id))
    problems.push(
      `${at}.id: required, letters, digits, '-', '_' or '.' (it names run directories), got ${show(v.id)}`,
    );
  if (!nonEmpty(v.question)) problems.push(`${at}.question: required, the question in words`);
  let base: Obj | null = null;
  let scenarioFile = '';
  if (!nonEmpty(v.scenario))
    problems.push(
      `${at}.scenario: required, the base scenario's path (relative to the campaign file)`,
    );
  else {
    scenarioFile = isAbsolute(v.scenario) ? v.scenario : resolve(dir, v.scenario);
    base = loadBase(scenarioFile, `${at}.scenario`, problems);
  }
  const common = overridesOf(v.overrides, `${at}.overrides`, problems);
  const seeds = seedsOf(v.seeds, `${at}.seeds`, problems);
  const metrics = v.metrics;
  if (!Array.isArray(metrics) || metrics.length === 0)
    problems.push(
      `${at}.metrics: must be a list of one or more metrics (the first is the headline figure and the chart's)`,
    );
  else
    metrics.forEach((m, j) => {
      const p = metricProblem(m);
      if (p) problems.push(`${at}.metrics[${j}]: ${p}`);
    });
  const variants: Variant[] = [];
  const rawVariants = v.variants;
  // Claims may name a variant whose scenario is invalid: that variant's own problem is enough.
  const declared = [
    ...new Set(
      Array.isArray(rawVariants)
        ? rawVariants.map((rv) => (isObj(rv) && nonEmpty(rv.name) ? rv.name : '')).filter(Boolean)
        : [],
    ),
  ];
  const seen = new Set<string>();
  // What the question's own overrides break is said once, under them, not once per variant.
  // (Only those a variant keeps: a variant may override the field again and mend it.)
  const commonBroken =
    base && Object.keys(common).length > 0
      ? scenarioProblems(applyOverrides({ ...base, question: v.question }, common), at)
      : [];
  const commonKept = new Set<string>();
  if (!Array.isArray(rawVariants) || rawVariants.length === 0)
    problems.push(`${at}.variants: must be a list of one or more { name, overrides }`);
  else
    for (const [j, rv] of rawVariants.entries()) {
      const vat = `${at}.variants[${j}]`;
      if (!isObj(rv)) {
        problems.push(`${vat}: must be a mapping { name, overrides }`);
        continue;
      }
      checkKeys(rv, ['name', 'overrides'], `${vat}.`, problems);
      const name = rv.name;
      if (!nonEmpty(name) || !NAME.test(name)) {
        problems.push(`${vat}.name: required, letters, digits, '-', '_' or '.', got ${show(name)}`);
        continue;
      }
      if (seen.has(name)) {
        problems.push(
          `${vat}.name: ${JSON.stringify(name)} is used twice in this question; give each variant its own name`,
        );
        continue;
      }
      seen.add(name);
      const before = problems.length;
      const overrides = overridesOf(rv.overrides, `${vat}.overrides`, problems);
      if (!base || problems.length > before) continue;
      // A run's report asks the campaign's question (a `question` override may still set its own).
      const raw = applyOverrides(
        { ...base, name: `${String(v.id)}-${name}`, question: v.question },
        { ...common, ...overrides },
      );
      const broken = scenarioProblems(raw, vat);
      if (broken.length === 0)
        variants.push({ name, overrides, scenario: validateScenario(raw, vat) });
      for (const p of broken) {
        if (commonBroken.includes(p)) commonKept.add(p);
        else problems.push(`${vat}.overrides: the scenario it makes is invalid: ${p}`);
      }
    }
  for (const p of commonKept)
    problems.push(`${at}.overrides: the scenario it makes is invalid: ${p}`);
  const claims: Claim[] = [];
  if (v.claims !== undefined) {
    if (!Array.isArray(v.claims)) problems.push(`${at}.claims: must be a list of claims`);
    else
      v.claims.forEach((c, j) => {
        const claim = claimOf(c, `${at}.claims[${j}]`, declared, problems);
        if (claim) {
          claimAt.set(claim, `${at}.claims[${j}]`);
          claims.push(claim);
        }
      });
  }
  if (problems.length > before) return null;
  return {
    id: v.id as string,
    question: (v.question as string).trim(),
    scenarioPath: v.scenario as string,
    scenarioFile,
    variants,
    seeds,
    metrics: metrics as string[],
    claims,
  };
}

export function validateCampaign(doc: unknown, file: string): Campaign {
  const problems: string[] = [];
  if (!isObj(doc))
    throw new CampaignError(file, [
      `(top level): must be a mapping with name, title, questions, got ${show(doc)}`,
    ]);
  checkKeys(doc, ['name', 'title', 'description', 'summary', 'questions'], '', problems);
  if (!nonEmpty(doc.name) || !NAME.test(doc.name))
    problems.push(
      `name: required, letters, digits, '-', '_' or '.' (it names findings/<name>/), got ${show(doc.name)}`,
    );
  if (!nonEmpty(doc.title)) problems.push('title: required, a one-line title for the findings');
  if (doc.description !== undefined && typeof doc.description !== 'string')
    problems.push('description: must be text');
  const questions: Question[] = [];
  const qs = doc.questions;
  if (!Array.isArray(qs) || qs.length === 0)
    problems.push('questions: must be a list of one or more questions');
  else
    qs.forEach((q, i) => {
      const parsed = questionOf(q, i, dirname(file), problems);
      if (!parsed) return;
      if (questions.some((x) => x.id === parsed.id))
        problems.push(
          `questions[${i}].id: ${JSON.stringify(parsed.id)} is used twice; give each question its own id`,
        );
      else questions.push(parsed);
    });
  const summary = summaryOf(doc.summary, questions, problems);
  claimTextProblems(questions, problems);
  if (problems.length > 0) throw new CampaignError(file, problems);
  return {
    name: doc.name as string,
    title: doc.title as string,
    description: ((doc.description as string | undefined) ?? '').trim(),
    file,
    questions,
    summary,
  };
}

export function parseCampaign(text: string, file: string): Campaign {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` at line ${e.linePos[0].line}` : '';
    throw new CampaignError(file, [
      `not valid YAML${where}: ${(e as Error).message.split('\n')[0]}`,
    ]);
  }
  return validateCampaign(doc, file);
}

export function loadCampaign(file: string): Campaign {
  if (!existsSync(file))
    throw new CampaignError(file, [
      'no such file; give the campaign YAML, e.g. campaigns/charter-2016.yaml',
    ]);
  return parseCampaign(readFileSync(file, 'utf8'), file);
}
