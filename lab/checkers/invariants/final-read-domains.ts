// Acknowledged domain upserts survive, with their expiry: for a domain whose last UpsertDomain is
// settled (it completed ok and every other upsert of it that may have taken effect completed
// before it began), the final read must list the domain, with the time it has left consistent
// with that upsert's ttl. The store sets expire_time = now + ttl when the upsert runs (somewhere
// between its invoke and completion) and the final read reports round(expire_time - now) seconds,
// floored at 0 (expired); so the time left must lie between ttl minus the longest and ttl minus
// the shortest time that can separate the two. A ttl of 0 never expires.

import type { DomainRecord } from '../../../specs/vocabulary.ts';
import type { Op } from '../../history/event.ts';
import { byKey } from './timeline.ts';
import type { Violation } from './types.ts';

/** The whole seconds a domain upserted with `ttl` may have left when read: [lo, hi]. */
export function ttlLeftRange(
  ttl: number,
  upsert: { invoke: number; complete: number },
  read: { invoke: number; complete: number },
): [number, number] {
  if (ttl === 0) return [0, 0];
  const longest = (read.complete - upsert.invoke) / 1e9;
  const shortest = (read.invoke - upsert.complete) / 1e9;
  return [Math.max(0, Math.floor(ttl - longest)), Math.max(0, Math.ceil(ttl - shortest))];
}

export function checkFinalDomains(ops: readonly Op[], final: Op): Violation[] {
  const domains = (final.complete!.value as { domains?: DomainRecord[] }).domains ?? null;
  if (domains === null) return []; // a final read from before domains were read
  const out: Violation[] = [];
  for (const [key, all] of byKey(
    ops.filter((o) => o.f === 'UpsertDomain'),
    'domain/',
  )) {
    const last = all[all.length - 1]!;
    if (last.end === Infinity || !all.every((x) => x === last || x.end < last.start)) continue;
    const a = (last.op.invoke.value as { args: { domain: string; ttl: number } }).args;
    const [lo, hi] = ttlLeftRange(
      a.ttl,
      { invoke: last.start, complete: last.end },
      { invoke: final.invoke.time, complete: final.complete!.time },
    );
    const got = domains.find((d) => d.domain === a.domain);
    if (got && got.ttl >= lo && got.ttl <= hi) continue;
    out.push({
      invariant: 'acknowledged-write-lost',
      key,
      ops: [last.op.op, final.op],
      explanation: `UpsertDomain set ${a.domain} with ttl ${a.ttl} s; the final read ${got ? `found ${got.ttl} s left` : 'did not find the domain'}, where ${lo === hi ? `${lo} s` : `${lo}–${hi} s`} left was expected`,
    });
  }
  return out;
}
