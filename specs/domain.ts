// A domain as a sequential specification: UpsertDomain succeeds and sets the domain's TTL (a ttl of
// 0 means it never expires). The Domains read lists every domain at once and has no key, so it is
// no op of this model (the invariants judge it against the upserts' expiries); what this model
// checks is that no upsert was rejected and that each answered with the TTL it was given.
//
// One refusal is the BBS's own: since b08a6ca0 (2017-05-23) an upsert is an UPDATE and, when the
// UPDATE changed no row, an INSERT. Upserting a never-expiring domain with ttl 0 again writes the
// same expiry, changes nothing, and the INSERT fails on the key: ResourceExists, domain unchanged.
// The model accepts that refusal at any version (earlier BBSes never give it; the workload never
// upserts with ttl 0) and no other.

import type { BbsOp, BbsResult, DomainRecord } from './vocabulary.ts';
import { describeBbsOp } from './results.ts';
import type { Model } from './model.ts';

/** null: never upserted; otherwise the last TTL set, in seconds. */
export type DomainModelState = { ttl: number } | null;

export const domainModel: Model<DomainModelState, BbsOp, BbsResult> = {
  name: 'bbs-domain',
  init: () => null,
  step(state, input, output) {
    if (input.f !== 'UpsertDomain') return [false, state];
    const a = input.args as { domain: string; ttl: number };
    const next = { ttl: a.ttl };
    if (output === undefined) return [true, next];
    if (output.error === 'ResourceExists' && a.ttl === 0 && state?.ttl === 0) return [true, state];
    if (output.error !== undefined || output.shouldStart !== undefined) return [false, state];
    if (output.record !== undefined) {
      const r = output.record as DomainRecord | null;
      if (!r || r.domain !== a.domain || r.ttl !== a.ttl) return [false, state];
    }
    return [true, next];
  },
  equal: (a, b) => (a?.ttl ?? null) === (b?.ttl ?? null),
  hash: (s) => (s ? `ttl=${s.ttl}` : 'absent'),
  describeOp: (input, output) => describeBbsOp(input, output),
  describeState: (s) => (s ? (s.ttl === 0 ? 'fresh forever' : `fresh for ${s.ttl}s from its last upsert`) : 'never upserted'),
};
