// All the checkers over one history: linearizability per key (BBS specifications, or a generic
// model given by name), BBS invariants, failed-but-applied writes, and transactional isolation
// for list-append transactions. Pure: history in, verdict out.

import { bbsModelFor, bbsModels } from '../../specs/bbs.ts';
import { genericModels } from '../../specs/generic.ts';
import type { Model } from '../../specs/model.ts';
import { pairOps, type HistoryEvent } from '../history/event.ts';
import { attributeCauses, causeSentence, type AnomalyCause } from './causes.ts';
import { checkFailedApplied, type FailedButApplied } from './failed-applied.ts';
import { checkInvariants, INVARIANTS, type InvariantName, type InvariantResult } from './invariants/index.ts';
import { checkIsolation, type ConsistencyModel, type IsolationResult } from './isolation/index.ts';
import { recheckCommitFails, type CommitFailRecheck } from './linearizability/commit-fails.ts';
import { checkLinearizable, type LinResult } from './linearizability/index.ts';

export interface CheckOptions {
  /** Check every keyed op against this model (a generic or a BBS one) instead of routing by key. */
  model?: string;
  /** WGL search steps per key before the verdict is 'unknown'. */
  budget?: number;
  /** The model list-append transactions are checked against (default strict-serializable). */
  consistency?: ConsistencyModel;
}

export interface CheckReport {
  valid: boolean | 'unknown';
  /** Sentences with numbers, for the top of a report. */
  summary: string[];
  linearizability: LinResult | null;
  invariants: InvariantResult | null;
  failedApplied: FailedButApplied[];
  isolation: IsolationResult | null;
  /** One cause per anomaly (causes.ts); missing in results written before causes were attributed. */
  causes?: AnomalyCause[];
  /** Per non-linearizable key with COMMIT-time failures: the verdict with them taken as unknown (commit-fails.ts). */
  commitFailRechecks?: CommitFailRecheck[];
}

export class UnknownModelError extends Error {}
/** Ops there were, but no checker could judge any of them: a verdict would be a check that cannot fail. */
export class NothingCheckedError extends UnknownModelError {}

export function modelNames(): string[] {
  return [...Object.keys(genericModels), ...Object.keys(bbsModels)];
}

function modelByName(name: string): Model {
  const m = (genericModels as Record<string, Model>)[name] ?? (bbsModels as Record<string, Model>)[name];
  if (!m) throw new UnknownModelError(`--model: unknown model ${JSON.stringify(name)}; known: ${modelNames().join(', ')}`);
  return m;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function checkHistory(events: readonly HistoryEvent[], opts: CheckOptions = {}): CheckReport {
  const ops = pairOps(events);
  const forced = opts.model !== undefined ? modelByName(opts.model) : undefined;
  const keyed = ops.filter((o) => o.key !== undefined && o.f !== 'FinalRead' && o.f !== 'txn');
  const bbs = keyed.filter((o) => bbsModelFor(o.key!) !== undefined);
  const txns = ops.filter((o) => o.f === 'txn');
  const summary: string[] = [];

  let lin: LinResult | null = null;
  if (keyed.length > 0) {
    lin = checkLinearizable(keyed, forced ? () => forced : (k) => bbsModelFor(k), opts.budget !== undefined ? { budget: opts.budget } : {});
    const bad = lin.keys.filter((k) => k.verdict === 'not-linearizable');
    const unknown = lin.keys.filter((k) => k.verdict === 'unknown');
    if (bad.length === 0 && unknown.length === 0) summary.push(`Linearizability: all ${plural(lin.keys.length, 'key')} (${lin.opsChecked} ops) linearizable.`);
    else {
      summary.push(
        `Linearizability: ${bad.length} of ${plural(lin.keys.length, 'key')} not linearizable${bad.length > 0 ? ` (${bad.slice(0, 5).map((k) => k.key).join(', ')}${bad.length > 5 ? ', …' : ''})` : ''}` +
          (unknown.length > 0 ? `, ${unknown.length} unknown (search budget of ${unknown[0]!.budget ?? '?'} steps exhausted)` : '') +
          '.',
      );
    }
  }

  let inv: InvariantResult | null = null;
  if (bbs.length > 0 && !forced) {
    inv = checkInvariants(ops);
    const broken = (Object.entries(inv.counts) as [InvariantName, number][]).filter(([, n]) => n > 0);
    summary.push(
      broken.length === 0
        ? 'BBS invariants: none broken.'
        : `BBS invariants broken: ${broken.map(([k, n]) => `"${INVARIANTS[k]}" ×${n}`).join(', ')}.`,
    );
  }

  const failedApplied = forced ? [] : checkFailedApplied(ops);
  if (failedApplied.length > 0) {
    summary.push(`${plural(failedApplied.length, 'op')} reported as failed took effect anyway (e.g. ${failedApplied[0]!.explanation}).`);
  }

  let iso: IsolationResult | null = null;
  if (txns.length > 0) {
    iso = checkIsolation(txns, { consistency: opts.consistency ?? 'strict-serializable' });
    summary.push(`Isolation: ${iso.summary}`);
  }

  const linBad = lin?.valid === false;
  const invalid = linBad || inv?.valid === false || failedApplied.length > 0 || iso?.valid === false;
  const valid: CheckReport['valid'] = invalid ? false : lin?.valid === 'unknown' ? 'unknown' : true;
  // Ops that no model covers, and nothing else judged: a VALID here would be a check that cannot
  // fail. (Ops a model covers but that constrain nothing, such as an `info` read, are a fair VALID.)
  const judged = (lin?.opsChecked ?? 0) > 0 || inv !== null || iso !== null;
  const real = ops.filter((o) => o.f !== 'FinalRead');
  const uncovered = lin === null ? real.length > 0 : lin.skipped > 0;
  if (!judged && uncovered) {
    const keys = [...new Set(real.map((o) => o.key).filter((k): k is string => k !== undefined))];
    throw new NothingCheckedError(
      `no op could be checked: ${keys.length > 0 ? `key(s) ${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ', …' : ''} have no built-in model` : 'no op has a key'} and none is a txn; ` +
        `give --model (${modelNames().filter((n) => n in genericModels).join(', ')}) for a generic history`,
    );
  }
  if (lin === null && inv === null && iso === null) summary.push('No op to check.');
  const commitFailRechecks: CommitFailRecheck[] = [];
  for (const k of lin?.keys ?? []) {
    if (k.verdict !== 'not-linearizable') continue;
    const model = forced ?? bbsModelFor(k.key);
    const r = model ? recheckCommitFails(k.key, keyed.filter((o) => o.key === k.key), model, opts.budget ?? 1_000_000) : null;
    if (r) commitFailRechecks.push(r);
  }
  const causes = attributeCauses(ops, { linearizability: lin, invariants: inv, failedApplied, commitFailRechecks });
  const because = causeSentence(causes);
  if (because) summary.push(because);
  return { valid, summary, linearizability: lin, invariants: inv, failedApplied, isolation: iso, causes, commitFailRechecks };
}
