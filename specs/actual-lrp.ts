// An actual LRP (one (process guid, index) per model instance) as a sequential specification:
// absent, or UNCLAIMED / CLAIMED by an instance on a cell / RUNNING / CRASHED with a crash count,
// moving as the BBS's AllowsTransitionTo allows (transitions.ts: the per-state rule by default).
// Every change raises the modification index; CreateUnclaimedActualLRP and a StartActualLRP of a
// missing instance create it with a fresh epoch, learned from the first output that shows it.
//
// One op can have more than one legal outcome: a crash of an instance that had been RUNNING for
// longer than CrashResetTimeout (5 min) starts the crash count again at 1, and only the store knows
// how long it ran. The model state is therefore the set of states the LRP may be in (a
// determinised nondeterministic model); an op is legal when some member allows it, and outputs
// narrow the set down.

import type { ActualLRPRecord, ActualLRPState, BbsOp, BbsResult } from './vocabulary.ts';
import { describeBbsOp, sameVerdict } from './results.ts';
import {
  actualLRPMayMove,
  afterCrash,
  type ActualLRPForm,
  type ActualLRPRules,
  type InstanceKey,
} from './transitions.ts';
import type { Model } from './model.ts';

export interface ActualLRPModelLRP {
  domain: string;
  state: ActualLRPState;
  instanceGuid: string;
  cellId: string;
  placementError: string;
  crashCount: number;
  crashReason: string;
  /** null until an output shows it. */
  epoch: string | null;
  index: number;
}

export interface ActualLRPPossibility {
  lrp: ActualLRPModelLRP | null;
  /** Known epochs of removed incarnations, sorted. */
  retired: readonly string[];
}

/** The possible states, deduplicated and sorted by their hash. Never empty. */
export type ActualLRPModelState = readonly ActualLRPPossibility[];

const ACTUAL_OPS = new Set([
  'CreateUnclaimedActualLRP',
  'ClaimActualLRP',
  'StartActualLRP',
  'CrashActualLRP',
  'FailActualLRP',
  'RemoveActualLRP',
  'ActualLRPByIndex',
]);

interface Outcome {
  result: BbsResult;
  next: ActualLRPPossibility;
}

function record(guid: string, index: number, l: ActualLRPModelLRP): ActualLRPRecord {
  return {
    processGuid: guid,
    index,
    domain: l.domain,
    state: l.state,
    instanceGuid: l.instanceGuid,
    cellId: l.cellId,
    placementError: l.placementError,
    crashCount: l.crashCount,
    crashReason: l.crashReason,
    modificationTag: { epoch: l.epoch ?? '', index: l.index },
  };
}

function retire(p: ActualLRPPossibility): readonly string[] {
  const e = p.lrp?.epoch;
  return e && !p.retired.includes(e) ? [...p.retired, e].sort() : p.retired;
}

/** Every outcome the op may have from one possible state. */
export function actualLRPOutcomes(
  rules: ActualLRPRules,
  p: ActualLRPPossibility,
  op: BbsOp,
  form: ActualLRPForm = 'instance-key-2016-06',
): Outcome[] | undefined {
  const prerelease = form === 'prerelease-2016-03';
  const a = op.args as { processGuid: string; index: number } & Record<string, unknown>;
  const s = p.lrp;
  const stay = (result: BbsResult): Outcome[] => [{ result, next: p }];
  const becomes = (l: ActualLRPModelLRP): Outcome => ({
    result: { record: record(a.processGuid, a.index, l) },
    next: { lrp: l, retired: p.retired },
  });
  const key: InstanceKey = {
    instanceGuid: String(a.instanceGuid ?? ''),
    cellId: String(a.cellId ?? ''),
  };
  const fresh = (domain: string, state: ActualLRPState, k: InstanceKey): ActualLRPModelLRP => ({
    domain,
    state,
    ...k,
    placementError: '',
    crashCount: 0,
    crashReason: '',
    epoch: null,
    index: 0,
  });
  const notFound = stay({ error: 'ResourceNotFound' });
  switch (op.f) {
    case 'CreateUnclaimedActualLRP':
      if (s) return stay({ error: 'ResourceExists' });
      return [becomes(fresh(String(a.domain), 'UNCLAIMED', { instanceGuid: '', cellId: '' }))];
    case 'ClaimActualLRP':
      if (!s) return notFound;
      if (!actualLRPMayMove(rules, s.state, s, true, key, 'CLAIMED'))
        return stay({ error: 'ActualLRPCannotBeClaimed' });
      if (
        !prerelease &&
        s.state === 'CLAIMED' &&
        s.instanceGuid === key.instanceGuid &&
        s.cellId === key.cellId
      )
        return stay({ record: record(a.processGuid, a.index, s) });
      return [becomes({ ...s, state: 'CLAIMED', ...key, placementError: '', index: s.index + 1 })];
    case 'StartActualLRP': {
      const domain = a.domain === undefined ? undefined : String(a.domain);
      if (!s)
        return [
          becomes(
            fresh(domain ?? '', 'RUNNING', prerelease ? { instanceGuid: '', cellId: '' } : key),
          ),
        ];
      const keyMatches = domain === undefined || domain === s.domain;
      if (
        !prerelease &&
        keyMatches &&
        s.state === 'RUNNING' &&
        s.instanceGuid === key.instanceGuid &&
        s.cellId === key.cellId
      )
        return stay({ record: record(a.processGuid, a.index, s) });
      if (!actualLRPMayMove(rules, s.state, s, keyMatches, key, 'RUNNING'))
        return stay({ error: 'ActualLRPCannotBeStarted' });
      return [
        becomes({
          ...s,
          state: 'RUNNING',
          ...key,
          placementError: prerelease ? s.placementError : '',
          index: s.index + 1,
        }),
      ];
    }
    case 'CrashActualLRP': {
      if (!s) return notFound;
      if (!actualLRPMayMove(rules, s.state, s, true, key, 'CRASHED'))
        return stay({ error: 'ActualLRPCannotBeCrashed' });
      const outcomes = new Map(
        [false, true]
          .map((ranLong) => afterCrash(s.state, s.crashCount, ranLong, form))
          .map((c) => [c.crashCount, c]),
      );
      const placementError = prerelease ? '' : s.placementError;
      return [...outcomes.values()].map((c) =>
        becomes({
          ...s,
          state: c.state,
          instanceGuid: '',
          cellId: '',
          placementError,
          crashCount: c.crashCount,
          crashReason: String(a.reason),
          index: s.index + 1,
        }),
      );
    }
    case 'FailActualLRP':
      if (!s) return notFound;
      if (s.state !== 'UNCLAIMED') return stay({ error: 'ActualLRPCannotBeFailed' });
      return [becomes({ ...s, placementError: String(a.placementError), index: s.index + 1 })];
    case 'RemoveActualLRP': {
      if (!s) return notFound;
      // Before 1f4fe8c6 the request had no instance key: one given is ignored.
      const byInstance = form === 'instance-key-2016-06';
      if (byInstance && a.instanceGuid !== undefined && a.instanceGuid !== s.instanceGuid)
        return notFound;
      if (byInstance && a.cellId !== undefined && a.cellId !== s.cellId) return notFound;
      return [{ result: { record: null }, next: { lrp: null, retired: retire(p) } }];
    }
    case 'ActualLRPByIndex':
      return stay({ record: s ? record(a.processGuid, a.index, s) : null });
    default:
      return undefined;
  }
}

function sameFields(a: ActualLRPRecord, b: ActualLRPRecord): boolean {
  return (
    a.processGuid === b.processGuid &&
    a.index === b.index &&
    a.domain === b.domain &&
    a.state === b.state &&
    a.instanceGuid === b.instanceGuid &&
    a.cellId === b.cellId &&
    a.placementError === b.placementError &&
    a.crashCount === b.crashCount &&
    a.crashReason === b.crashReason &&
    a.modificationTag.index === b.modificationTag.index
  );
}

/**
 * The next possibility when the output agrees with the outcome (learning the epoch), else
 * undefined.
 */
function reconcile(o: Outcome, out: BbsResult): ActualLRPPossibility | undefined {
  if (!sameVerdict(o.result, out)) return undefined;
  if (out.record === undefined || o.result.error !== undefined) return o.next;
  const exp = o.result.record as ActualLRPRecord | null | undefined;
  if (out.record === null || !exp) return out.record === (exp ?? null) ? o.next : undefined;
  const got = out.record as ActualLRPRecord;
  if (!sameFields(got, exp)) return undefined;
  const lrp = o.next.lrp;
  if (!lrp) return undefined;
  if (lrp.epoch !== null) return got.modificationTag.epoch === lrp.epoch ? o.next : undefined;
  if (o.next.retired.includes(got.modificationTag.epoch)) return undefined;
  return { lrp: { ...lrp, epoch: got.modificationTag.epoch }, retired: o.next.retired };
}

function possibilityKey(p: ActualLRPPossibility): string {
  const l = p.lrp;
  return JSON.stringify([
    l
      ? [
          l.domain,
          l.state,
          l.instanceGuid,
          l.cellId,
          l.placementError,
          l.crashCount,
          l.crashReason,
          l.epoch,
          l.index,
        ]
      : null,
    p.retired,
  ]);
}

function key(s: ActualLRPModelState): string {
  return s.map(possibilityKey).join('|');
}

function describePossibility(p: ActualLRPPossibility): string {
  const l = p.lrp;
  if (!l) return 'absent';
  const who = l.cellId ? ` by ${l.instanceGuid} on ${l.cellId}` : '';
  const crashes = l.crashCount ? ` crashes=${l.crashCount}` : '';
  const placement = l.placementError ? ` placement error: ${l.placementError}` : '';
  return `${l.state}${who}${crashes}${placement} tag=${l.epoch ? l.epoch.slice(0, 8) : '?'}:${l.index}`;
}

export function actualLRPModel(
  rules: ActualLRPRules = 'per-state',
  form: ActualLRPForm = 'instance-key-2016-06',
): Model<ActualLRPModelState, BbsOp, BbsResult> {
  const suffix = [
    rules === 'per-state' ? '' : rules,
    form === 'instance-key-2016-06' ? '' : form,
  ].filter((x) => x !== '');
  return {
    name: ['bbs-actual-lrp', ...suffix].join('-'),
    init: () => [{ lrp: null, retired: [] }],
    step(state, input, output) {
      if (!ACTUAL_OPS.has(input.f)) return [false, state];
      const next = new Map<string, ActualLRPPossibility>();
      for (const p of state) {
        const outcomes = actualLRPOutcomes(rules, p, input, form);
        if (!outcomes) return [false, state];
        for (const o of outcomes) {
          const n = output === undefined ? o.next : reconcile(o, output);
          if (n) next.set(possibilityKey(n), n);
        }
      }
      if (next.size === 0) return [false, state];
      return [
        true,
        [...next.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, p]) => p),
      ];
    },
    equal: (a, b) => key(a) === key(b),
    hash: key,
    describeOp: (input, output) => describeBbsOp(input, output),
    describeState: (s) => s.map(describePossibility).join(' or '),
  };
}

export const actualLRPModelPerState = actualLRPModel('per-state');
