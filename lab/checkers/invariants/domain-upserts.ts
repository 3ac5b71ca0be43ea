// A refused UpsertDomain must have raced the domain's first insert. Since b08a6ca0 an upsert is an
// UPDATE and, when it changed no row, an INSERT; ResourceExists is that INSERT's 1062. So the row
// was absent when the UPDATE ran (or held the same expiry: a ttl of 0 again) and present at the
// INSERT: another upsert created it in between. That is impossible once an upsert of the domain
// was acknowledged before the refused one began AND its node had applied it: on the node that
// acknowledged it, or on any node when wsrep_sync_wait covers the upsert (causal-wait.ts). A
// refusal after that is the store refusing an upsert it should have applied, which the domain
// model (specs/domain.ts), blind to time, accepts as a refusal right after the creation.

import type { BbsResult } from '../../../bbs/ops.ts';
import type { Op } from '../../history/event.ts';
import { DEFAULT_CAUSE_SETTINGS, waitsForCausality, type CauseSettings } from '../causal-wait.ts';
import { args, byKey } from './timeline.ts';
import type { Violation } from './types.ts';

const refused = (o: Op) =>
  o.complete?.type === 'ok' &&
  (o.complete.value as BbsResult | undefined)?.error === 'ResourceExists';
const applied = (o: Op) =>
  o.complete?.type === 'ok' && (o.complete.value as BbsResult | undefined)?.error === undefined;

export function checkDomainUpserts(
  ops: readonly Op[],
  settings: CauseSettings = DEFAULT_CAUSE_SETTINGS,
): Violation[] {
  const out: Violation[] = [];
  const causal = waitsForCausality('UpsertDomain', settings);
  for (const [key, list] of byKey(ops, 'domain/')) {
    const upserts = list.filter((t) => t.op.f === 'UpsertDomain');
    for (const r of upserts) {
      if (!refused(r.op)) continue;
      // A ttl of 0 again writes the same expiry: the UPDATE changes nothing and the INSERT
      // collides.
      if (args<{ ttl: number }>(r).ttl === 0) continue;
      const rn = r.op.complete?.node;
      const seen = upserts.find(
        (c) =>
          c !== r &&
          applied(c.op) &&
          c.end < r.start &&
          (causal || (rn !== undefined && c.op.complete?.node === rn)),
      );
      if (!seen) continue;
      const where = causal
        ? `with wsrep_sync_wait ${settings.syncWait} its node had applied it`
        : `on the same node ${rn}`;
      out.push({
        invariant: 'domain-upsert-refused-wrongly',
        key,
        ops: [seen.op.op, r.op.op],
        explanation: `UpsertDomain (op ${seen.op.op}) was acknowledged before UpsertDomain (op ${r.op.op}) began, ${where}: the row was there for its UPDATE, yet it was refused with ResourceExists, which only a race with the domain's first insert explains`,
      });
    }
  }
  return out;
}
