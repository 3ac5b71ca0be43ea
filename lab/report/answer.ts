// The answer paragraph a report opens with: short (a few sentences, about 80 words at most), the
// figure the question asks for first, and whether any fault was injected. The figures are chosen
// by what the question's words ask about, in the order the question asks; everything else the run
// measured follows in the "In detail" paragraph (markdown.ts summarySentences). Pure.

import type { Scenario } from '../scenario/types.ts';
import type { RunStats } from './stats.ts';
import type { CheckSummary } from './verdicts.ts';
import type { AnomalyEventSummary } from './anomaly-events.ts';
import { countOfCode } from './labels.ts';
import { unplannedSentence } from './quorum-loss.ts';

export type AskedFigure =
  | 'deadlocks'
  | 'non-primary'
  | 'unknown'
  | 'failed'
  | 'outage'
  | 'multi-writer'
  | 'correctness'
  | 'errors';

/** What each figure is asked with: a question matching the pattern asks for that figure. */
const ASKED: readonly [AskedFigure, RegExp][] = [
  ['deadlocks', /1213|deadlock|rollback/i],
  ['non-primary', /1047|non-primary/i],
  ['unknown', /unknown outcome|in flight/i],
  ['failed', /fail for sure/i],
  ['outage', /outage|unavailab|available|how long|failover|succeed again|stall/i],
  ['multi-writer', /two nodes at once|several (galera )?nodes at once|two galera nodes/i],
  [
    'correctness',
    /lose|lost|anomal|correct|misbehave|twice|wrong|isolation|commit or not|two cells|linearizab/i,
  ],
  ['errors', /errors?\b/i],
];

/** The figures a question asks for, in the order it first asks for each. */
export function askedFigures(question: string): AskedFigure[] {
  return ASKED.map(([f, re]) => [f, re.exec(question)?.index ?? -1] as const)
    .filter(([, at]) => at >= 0)
    .sort((a, b) => a[1] - b[1])
    .map(([f]) => f);
}

export interface AnswerInput {
  scenario: Pick<Scenario, 'question'>;
  stats: RunStats;
  check?: CheckSummary;
  anomalies?: AnomalyEventSummary;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const share = (n: number, d: number) =>
  d === 0 || n === 0 ? '0%' : n === d ? '100%' : `${((100 * n) / d).toPrecision(2)}%`;
const s1 = (x: number) => `${x.toFixed(1)} s`;

function done(st: RunStats): number {
  return st.byOutcome.ok + st.byOutcome.fail + st.byOutcome.info;
}

/** One figure as a clause (no final full stop), or null when the run cannot say. */
function figureClause(f: AskedFigure, input: AnswerInput): string | null {
  const st = input.stats;
  const n = done(st);
  switch (f) {
    case 'deadlocks': {
      const d = countOfCode(st.errors, '1213');
      if (d === 0) return `no 1213 deadlock (rollback) in ${fmt(n)} ops`;
      const byOp = Object.entries(st.errorsByOp)
        .filter(([label]) => label.startsWith('1213'))
        .flatMap(([, m]) => Object.entries(m));
      const perOp = new Map<string, number>();
      for (const [op, c] of byOp) perOp.set(op, (perOp.get(op) ?? 0) + c);
      const top = [...perOp.entries()].sort((a, b) => b[1] - a[1])[0];
      return `${fmt(d)} 1213 deadlock${d === 1 ? '' : 's'} (rollback${d === 1 ? '' : 's'}) in ${fmt(n)} ops (${share(d, n)})${top ? `, most on ${top[0]} (${fmt(top[1])})` : ''}`;
    }
    case 'non-primary': {
      const d = countOfCode(st.errors, '1047');
      return d === 0
        ? 'no 1047 (non-Primary) error'
        : `${fmt(d)} ops answered 1047 (non-Primary node)`;
    }
    case 'unknown':
      return `${fmt(st.byOutcome.info)} of ${fmt(n)} ops ended with an unknown outcome (${share(st.byOutcome.info, n)})`;
    case 'failed':
      return `${fmt(st.byOutcome.fail)} of ${fmt(n)} ops failed for sure (${share(st.byOutcome.fail, n)})`;
    case 'outage': {
      const faults = st.availability.faults;
      if (faults.length === 0) {
        const l = st.availability.bbs.longest;
        return l && l.sec >= 1
          ? `the whole BBS's longest stretch with no successful op was ${s1(l.sec)}`
          : 'the BBS never went 1 s without a successful op';
      }
      const worst = [...faults].sort((a, b) => b.bbsOutageSec - a.bbsOutageSec)[0]!;
      const client = [...faults].sort(
        (a, b) => b.worstClientOutageSec - a.worstClientOutageSec,
      )[0]!;
      return `the whole BBS was out (no client had a success) for ${s1(worst.bbsOutageSec)} at most (${worst.fault}), the worst client for ${s1(client.worstClientOutageSec)}`;
    }
    case 'multi-writer': {
      const c = st.writeWindows.concurrent.length;
      return c === 0
        ? 'writes never reached two nodes at once'
        : `writes reached several nodes at once in ${fmt(c)} of ${fmt(st.writeWindows.total)} one-second windows`;
    }
    case 'correctness': {
      if (!input.check) return null;
      const events = input.anomalies?.events ?? 0;
      if (input.check.valid === true)
        return 'the checkers found no anomaly: no acknowledged write lost, no BBS invariant broken';
      if (input.check.valid === false)
        return `the checkers found ${events > 0 ? `${fmt(events)} distinct ${events === 1 ? 'anomaly' : 'anomalies'}` : 'anomalies'} (listed under Findings)`;
      return 'the checkers could not decide (a checker ran out of its search budget)';
    }
    case 'errors': {
      const e = Object.entries(st.errors).sort((a, b) => b[1] - a[1]);
      if (e.length === 0) return 'no database errors';
      return `database errors: ${e
        .slice(0, 2)
        .map(([k, c]) => `${k} ×${fmt(c)}`)
        .join(', ')}${e.length > 2 ? ', …' : ''}`;
    }
  }
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The answer's sentences: the question's first figure with whether a fault was injected, then up to
 * three more figures it asks for (correctness always, when the checkers ran).
 */
export function answerSentences(input: AnswerInput): string[] {
  const asked = askedFigures(input.scenario.question);
  const figures: AskedFigure[] = [...asked];
  if (!figures.includes('correctness')) figures.push('correctness');
  if (figures.length === 1) figures.unshift('errors');
  const clauses = figures
    .map((f) => figureClause(f, input))
    .filter((c): c is string => c !== null)
    .slice(0, 4);
  const faults = input.stats.availability.faults.length;
  const faultClause =
    faults === 0
      ? 'no fault was injected'
      : `${faults} fault${faults === 1 ? ' was' : 's were'} injected (table below)`;
  const [first, ...rest] = clauses;
  const out = [`${capital(first ?? 'the run recorded no op')}; ${faultClause}.`];
  for (const c of rest) out.push(`${capital(c)}.`);
  // A run the environment decided says so up front: quorum lost beyond what the faults intended.
  const unplanned = unplannedSentence(input.stats.quorumLoss ?? []);
  if (unplanned) out.push(unplanned);
  return out;
}
