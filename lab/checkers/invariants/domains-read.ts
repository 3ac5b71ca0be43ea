// The Domains read lists the fresh domains: those whose expire_time is after the BBS's clock when
// it reads. UpsertDomain sets expire_time = (its server time) + ttl, overwriting what was there,
// and its server time lies somewhere within its interval (ok) or after its invoke (info). So for
// an ok Domains read R, invoked at r0 and completed at r1, and a domain d, judged by the upserts
// of d that may be the row R saw (the candidates, below):
//
// - d must be listed when an upsert of d completed ok before r0 (the row exists) and every
//   candidate expires after r1 even if it ran at its invoke: c.invoke + ttl > r1 + margin;
// - d must not be listed when no upsert of d could have taken effect before r1, or every
//   candidate had expired by r0 even if it ran at its completion: c.complete + ttl + margin < r0
//   (an info upsert may run at any later time: it is never surely expired).
//
// Candidates: the upserts of d that may have taken effect (ok, info, unfinished), invoked before
// r1, except those overwritten for sure before R began: an upsert u is, when some ok upsert v
// began after u completed and completed before r0. (Of two such, the row holds v's expiry; a node
// that served u's is a stale read, which this invariant reports like any other read of old state.)
//
// The margin: the store compares expire_time with its own wall clock (Date.now, whole ms) while
// the history's times are the lab's monotonic clock, and BBS processes on several hosts would
// compare an expiry one host wrote with another's clock. A second covers ms rounding, clock slew
// over a run and ordinary skew between hosts, and is short against the TTLs the workload draws
// (2 s and up) only in that it makes a few reads near an expiry undecided, never wrongly judged.
// A ttl of 0 never expires.

import type { BbsResult } from '../../../bbs/ops.ts';
import type { Op } from '../../history/event.ts';
import { args, byKey, type Timed } from './timeline.ts';
import type { Violation } from './types.ts';

/** How far the BBS's clock may be from the history's (ns); see above. */
export const DOMAIN_CLOCK_MARGIN_NS = 1e9;

const ttlNs = (t: Timed): number => {
  const ttl = args<{ ttl: number }>(t).ttl;
  return ttl === 0 ? Infinity : ttl * 1e9;
};

const s = (ns: number): string => `${(ns / 1e9).toFixed(1)} s`;

/** The upserts of one domain that may be the row a read over [r0, r1] saw. */
export function domainCandidates(upserts: readonly Timed[], r0: number, r1: number): Timed[] {
  // The latest invoke of an ok upsert completed before r0: anything completed before it is
  // overwritten.
  let overwrittenBefore = -Infinity;
  for (const v of upserts)
    if (v.end < r0 && v.start > overwrittenBefore) overwrittenBefore = v.start;
  return upserts.filter((u) => u.start < r1 && !(u.end < overwrittenBefore));
}

export function checkDomainsReads(
  ops: readonly Op[],
  margin = DOMAIN_CLOCK_MARGIN_NS,
): Violation[] {
  const byDomain = new Map<string, Timed[]>();
  for (const [key, list] of byKey(
    ops.filter((o) => o.f === 'UpsertDomain'),
    'domain/',
  ))
    byDomain.set(key.slice('domain/'.length), list);
  const out: Violation[] = [];
  for (const r of ops) {
    if (r.f !== 'Domains' || r.complete?.type !== 'ok') continue;
    const listed = (r.complete.value as BbsResult | undefined)?.domains;
    if (!Array.isArray(listed)) continue;
    const r0 = r.invoke.time;
    const r1 = r.complete.time;
    const seen = new Set(listed);
    for (const d of new Set([...byDomain.keys(), ...seen])) {
      const all = byDomain.get(d) ?? [];
      const cands = domainCandidates(all, r0, r1);
      const evidence = [...cands].sort((a, b) => a.start - b.start).map((c) => c.op.op);
      if (!seen.has(d)) {
        if (!all.some((u) => u.end < r0)) continue;
        const slack = Math.min(...cands.map((c) => c.start + ttlNs(c) - margin - r1));
        if (slack <= 0) continue;
        out.push({
          invariant: 'domains-read-wrong',
          key: `domain/${d}`,
          ops: [...evidence, r.op],
          explanation: `Domains (op ${r.op}) did not list ${d}, fresh for its whole interval: upserted by ${evidence.map((id) => `op ${id}`).join(', ')} (acknowledged before the read began), it ${slack === Infinity ? 'never expires' : `expires no earlier than ${s(slack + margin)} after the read completed`}`,
        });
      } else if (cands.length === 0) {
        out.push({
          invariant: 'domains-read-wrong',
          key: `domain/${d}`,
          ops: [r.op],
          explanation: `Domains (op ${r.op}) listed ${d}, which no UpsertDomain that could have taken effect had been invoked for before the read completed`,
        });
      } else {
        const latest = Math.max(...cands.map((c) => c.end + ttlNs(c) + margin));
        if (latest >= r0) continue;
        out.push({
          invariant: 'domains-read-wrong',
          key: `domain/${d}`,
          ops: [...evidence, r.op],
          explanation: `Domains (op ${r.op}) listed ${d}, expired for sure: the upserts that may have set its expiry (${evidence.map((id) => `op ${id}`).join(', ')}) expired at the latest ${s(r0 - latest + margin)} before the read began`,
        });
      }
    }
  }
  return out;
}
