// The one pipeline from a history to results.json's `check` (checkReport): the checkers (their
// verdicts, data and anomalies, lab/checkers/index.ts), what their findings say together
// (explainFindings), then the sentences about the verdicts, for the top of a report and `bbs-lab
// check`: one writer per checker name; a checker without one gets a plain sentence from its name
// and verdict. `bbs-lab run`, `bbs-lab check`, the self-test and the tests all come through here.
// Pure: a history in, the check out.

import {
  CHECKERS,
  explainFindings,
  resultsOf,
  runCheckers,
  type Checker,
  type CheckerOutcome,
  type CheckOptions,
  type CheckResults,
  type CheckRun,
  type Verdict,
} from '../checkers/index.ts';
import type { FailedButApplied } from '../checkers/failed-applied.ts';
import {
  INVARIANTS,
  type InvariantName,
  type InvariantResult,
} from '../checkers/invariants/index.ts';
import type { IsolationResult } from '../checkers/isolation/index.ts';
import type { LinResult } from '../checkers/linearizability/index.ts';
import type { HistoryEvent } from '../history/event.ts';
import { causeSentence } from './causes.ts';

/** results.json's `check`: the verdict, the sentences about it, then each checker's data. */
export type CheckReport = { valid: Verdict; summary: string[] } & Omit<CheckResults, 'valid'>;

/**
 * What a report reads of the checkers when it only tells the verdict: the verdict and the sentences
 * about it (report.md, report.html, comparisons). The evidence, charts and stories read the
 * checkers' data in CheckReport.
 */
export interface CheckSummary {
  valid: Verdict;
  summary: string[];
}

/** The verdict in a word or two, for table cells: "no anomaly", "ANOMALIES", "unknown". */
export function verdictWord(v: Verdict): string {
  return v === true ? 'no anomaly' : v === false ? 'ANOMALIES' : 'unknown';
}

/**
 * The verdict as a report states it: "no anomaly found", "ANOMALIES FOUND", "verdict unknown (…)";
 * `heading` capitalises it as a title.
 */
export function verdictHeadline(v: Verdict, heading = false): string {
  if (heading)
    return v === true
      ? 'No anomaly found'
      : v === false
        ? 'Anomalies found'
        : 'Verdict unknown (a checker ran out of budget)';
  return v === true
    ? 'no anomaly found'
    : v === false
      ? 'ANOMALIES FOUND'
      : 'verdict unknown (a checker ran out of budget)';
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What ran out for an unknown key, as results.json's `exhausted` says it. */
export function unknownReason(k: LinResult['keys'][number]): string {
  switch (k.exhausted) {
    case 'time':
      return `wall-clock limit of ${k.timeoutMs !== undefined ? `${k.timeoutMs / 1000} s` : '?'} reached (--timeout)`;
    case 'memory':
      return 'memo memory budget exhausted';
    case 'configurations':
      return 'too many configurations carried across one cut';
    case 'stopped':
      return 'not searched to the end: the check stopped at the first non-linearizable key';
    default:
      return `search budget of ${k.budget ?? '?'} steps exhausted`;
  }
}

/** The unknown keys' reasons, each once, the most frequent first, with a count when they differ. */
export function unknownReasons(keys: readonly LinResult['keys'][number][]): string {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(unknownReason(k), (counts.get(unknownReason(k)) ?? 0) + 1);
  const list = [...counts].sort((a, b) => b[1] - a[1]);
  return list.length === 1 ? list[0]![0] : list.map(([r, n]) => `${n}: ${r}`).join('; ');
}

/** Per checker name: its sentence, or null when it has nothing to say. Only ran checkers are asked. */
const WORDING: Record<string, (data: never) => string | null> = {
  linearizability(lin: LinResult): string {
    const bad = lin.keys.filter((k) => k.verdict === 'not-linearizable');
    const unknown = lin.keys.filter((k) => k.verdict === 'unknown');
    if (bad.length === 0 && unknown.length === 0)
      return `Linearizability: all ${plural(lin.keys.length, 'key')} (${lin.opsChecked} ops) linearizable.`;
    return (
      `Linearizability: ${bad.length} of ${plural(lin.keys.length, 'key')} not linearizable${
        bad.length > 0
          ? ` (${bad
              .slice(0, 5)
              .map((k) => k.key)
              .join(', ')}${bad.length > 5 ? ', …' : ''})`
          : ''
      }` +
      (unknown.length > 0 ? `, ${unknown.length} unknown (${unknownReasons(unknown)})` : '') +
      '.'
    );
  },
  invariants(inv: InvariantResult): string {
    const broken = (Object.entries(inv.counts) as [InvariantName, number][]).filter(
      ([, n]) => n > 0,
    );
    return broken.length === 0
      ? 'BBS invariants: none broken.'
      : `BBS invariants broken: ${broken.map(([k, n]) => `"${INVARIANTS[k]}" ×${n}`).join(', ')}.`;
  },
  failedApplied(found: FailedButApplied[]): string | null {
    return found.length === 0
      ? null
      : `${plural(found.length, 'op')} reported as failed took effect anyway (e.g. ${found[0]!.explanation}).`;
  },
  isolation(iso: IsolationResult): string {
    return `Isolation: ${iso.summary}`;
  },
};

const plainSentence = (o: CheckerOutcome): string =>
  `${o.name}: ${o.verdict === true ? 'no anomaly' : o.verdict === false ? 'anomalies found' : 'unknown'}.`;

export function verdictSentences(outcomes: readonly CheckerOutcome[]): string[] {
  const out: string[] = [];
  for (const o of outcomes) {
    if (!o.ran) continue;
    const words = WORDING[o.name];
    const s = words ? words(o.data as never) : plainSentence(o);
    if (s !== null) out.push(s);
  }
  if (out.length === 0) out.push('No op to check.');
  return out;
}

/**
 * results.json's `check` from the checkers' run, with what their findings say together
 * (explainFindings).
 */
export function checkReportOf(
  run: CheckRun,
  events: readonly HistoryEvent[],
  opts: CheckOptions = {},
): CheckReport {
  const { valid, ...data } = resultsOf(run);
  const explained = explainFindings(events, { valid, ...data }, opts);
  const because = causeSentence(explained.causes);
  return {
    valid,
    summary: [...verdictSentences(run.outcomes), ...(because ? [because] : [])],
    ...data,
    ...explained,
  };
}

/** Runs the checkers (CHECKERS unless given) over a history and words their verdicts. */
export function checkReport(
  events: readonly HistoryEvent[],
  opts: CheckOptions = {},
  checkers: readonly Checker[] = CHECKERS,
): CheckReport {
  return checkReportOf(runCheckers(events, opts, checkers), events, opts);
}
