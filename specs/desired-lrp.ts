// A desired LRP as a sequential specification (one process guid per model instance): it exists or
// not; DesireLRP creates it with a fresh modification tag (new epoch, index 0), every
// UpdateDesiredLRP raises the index by one, RemoveDesiredLRP deletes it.
//
// The epoch is a random GUID the model cannot predict. It starts unknown and is learned from the
// first output that shows it; from then on every record must carry that same epoch. Epochs of
// removed incarnations are remembered, and a record must never show one again (a read of a
// deleted-and-recreated LRP that returns the old epoch is a stale read).

import type { BbsOp, BbsResult, DesiredLRPRecord } from './vocabulary.ts';
import { describeBbsOp, sameVerdict } from './results.ts';
import type { Model } from './model.ts';

export interface DesiredLRPModelLRP {
  domain: string;
  instances: number;
  annotation: string;
  /** null until an output shows it. */
  epoch: string | null;
  index: number;
}

export interface DesiredLRPModelState {
  lrp: DesiredLRPModelLRP | null;
  /** Known epochs of removed incarnations, sorted. */
  retired: readonly string[];
}

const DESIRED_OPS = new Set([
  'DesireLRP',
  'UpdateDesiredLRP',
  'RemoveDesiredLRP',
  'DesiredLRPByProcessGuid',
]);

interface Outcome {
  result: BbsResult;
  next: DesiredLRPModelState;
}

function retire(s: DesiredLRPModelState): readonly string[] {
  const e = s.lrp?.epoch;
  return e && !s.retired.includes(e) ? [...s.retired, e].sort() : s.retired;
}

function record(guid: string, l: DesiredLRPModelLRP): DesiredLRPRecord {
  return {
    processGuid: guid,
    domain: l.domain,
    instances: l.instances,
    annotation: l.annotation,
    modificationTag: { epoch: l.epoch ?? '', index: l.index },
  };
}

export function desiredLRPStep(s: DesiredLRPModelState, op: BbsOp): Outcome | undefined {
  const a = op.args as { processGuid: string } & Record<string, unknown>;
  const guid = a.processGuid;
  const stay = (result: BbsResult): Outcome => ({ result, next: s });
  switch (op.f) {
    case 'DesireLRP': {
      if (s.lrp) return stay({ error: 'ResourceExists' });
      const l: DesiredLRPModelLRP = {
        domain: String(a.domain),
        instances: Number(a.instances),
        annotation: String(a.annotation),
        epoch: null,
        index: 0,
      };
      return { result: { record: record(guid, l) }, next: { lrp: l, retired: s.retired } };
    }
    case 'UpdateDesiredLRP': {
      if (!s.lrp) return stay({ error: 'ResourceNotFound' });
      const l: DesiredLRPModelLRP = {
        ...s.lrp,
        index: s.lrp.index + 1,
        ...(a.instances !== undefined ? { instances: Number(a.instances) } : {}),
        ...(a.annotation !== undefined ? { annotation: String(a.annotation) } : {}),
      };
      return { result: { record: record(guid, l) }, next: { lrp: l, retired: s.retired } };
    }
    case 'RemoveDesiredLRP':
      if (!s.lrp) return stay({ error: 'ResourceNotFound' });
      return { result: { record: null }, next: { lrp: null, retired: retire(s) } };
    case 'DesiredLRPByProcessGuid':
      return stay({ record: s.lrp ? record(guid, s.lrp) : null });
    default:
      return undefined;
  }
}

/**
 * Checks the output against the expected outcome and returns the next state, with the epoch
 * learned from the output when it was unknown; undefined when they disagree.
 */
function reconcile(o: Outcome, out: BbsResult): DesiredLRPModelState | undefined {
  if (!sameVerdict(o.result, out)) return undefined;
  if (out.record === undefined || o.result.error !== undefined) return o.next;
  const exp = o.result.record as DesiredLRPRecord | null | undefined;
  if (out.record === null || !exp) return out.record === (exp ?? null) ? o.next : undefined;
  const got = out.record as DesiredLRPRecord;
  if (
    got.processGuid !== exp.processGuid ||
    got.domain !== exp.domain ||
    got.instances !== exp.instances ||
    got.annotation !== exp.annotation
  )
    return undefined;
  if (got.modificationTag.index !== exp.modificationTag.index) return undefined;
  const lrp = o.next.lrp;
  if (!lrp) return undefined;
  if (lrp.epoch !== null) return got.modificationTag.epoch === lrp.epoch ? o.next : undefined;
  if (o.next.retired.includes(got.modificationTag.epoch)) return undefined;
  return { lrp: { ...lrp, epoch: got.modificationTag.epoch }, retired: o.next.retired };
}

function key(s: DesiredLRPModelState): string {
  const l = s.lrp;
  return JSON.stringify([
    l ? [l.domain, l.instances, l.annotation, l.epoch, l.index] : null,
    s.retired,
  ]);
}

export const desiredLRPModel: Model<DesiredLRPModelState, BbsOp, BbsResult> = {
  name: 'bbs-desired-lrp',
  init: () => ({ lrp: null, retired: [] }),
  step(state, input, output) {
    if (!DESIRED_OPS.has(input.f)) return [false, state];
    const o = desiredLRPStep(state, input);
    if (!o) return [false, state];
    if (output === undefined) return [true, o.next];
    const next = reconcile(o, output);
    return next ? [true, next] : [false, state];
  },
  equal: (a, b) => key(a) === key(b),
  hash: key,
  describeOp: (input, output) => describeBbsOp(input, output),
  describeState(s) {
    if (!s.lrp) return 'absent';
    const l = s.lrp;
    return `desired instances=${l.instances} annotation=${l.annotation} tag=${l.epoch ? l.epoch.slice(0, 8) : '?'}:${l.index}`;
  },
};
