// A domain as a sequential specification: UpsertDomain succeeds and sets the domain's TTL (a ttl of
// 0 means it never expires). The Domains read lists every domain at once and has no key, so it is
// no op of this model (the invariants judge it against the upserts' expiries); what this model
// checks is that no upsert was rejected and that each answered with the TTL it was given.
//
// One refusal is the BBS's own: since b08a6ca0 (2017-05-23) an upsert is an UPDATE and, when the
// UPDATE changed no row, an INSERT. Upserting a never-expiring domain with ttl 0 again writes the
// same expiry, changes nothing, and the INSERT fails on the key: ResourceExists, domain unchanged.
// The model accepts that refusal at any version (earlier BBSes never give it; the workload never
// upserts with ttl 0). The same UPDATE-then-INSERT refuses an upsert that raced the domain's first
// insert: its UPDATE found no row, its INSERT found the other's (1062): the model accepts a refusal
// right after the upsert that created the domain (no other change between), and no other. That
// a refused upsert really raced the creation (began before it was visible) is a question of time
// the model cannot see: the invariant domain-upsert-refused-wrongly asks it.

import type { BbsOp, BbsResult, DomainRecord } from './vocabulary.ts';
import { describeBbsOp } from './results.ts';
import type { Model } from './model.ts';

/**
 * null: never upserted; otherwise the last TTL set, in seconds, and whether the last change
 * created the domain (an upsert that raced that first insert may be refused).
 */
export type DomainModelState = { ttl: number; created?: boolean } | null;

export const domainModel: Model<DomainModelState, BbsOp, BbsResult> = {
  name: 'bbs-domain',
  init: () => null,
  step(state, input, output) {
    if (input.f !== 'UpsertDomain') return [false, state];
    const a = input.args as { domain: string; ttl: number };
    const next = { ttl: a.ttl, created: state === null };
    if (output === undefined) return [true, next];
    if (
      output.error === 'ResourceExists' &&
      state !== null &&
      ((a.ttl === 0 && state.ttl === 0) || state.created === true)
    )
      return [true, state];
    if (output.error !== undefined || output.shouldStart !== undefined) return [false, state];
    if (output.record !== undefined) {
      const r = output.record as DomainRecord | null;
      if (!r || r.domain !== a.domain || r.ttl !== a.ttl) return [false, state];
    }
    return [true, next];
  },
  equal: (a, b) =>
    (a?.ttl ?? null) === (b?.ttl ?? null) && (a?.created === true) === (b?.created === true),
  hash: (s) => (s ? `ttl=${s.ttl}${s.created ? ' created' : ''}` : 'absent'),
  describeOp: (input, output) => describeBbsOp(input, output),
  describeState: (s) =>
    s
      ? s.ttl === 0
        ? 'fresh forever'
        : `fresh for ${s.ttl}s from its last upsert`
      : 'never upserted',
};
